package rest

import (
	"fmt"
	"net/http"
)

// The trash, /api/trash/ (NGX.md §6.12): GET lists the caller's trash as
// a page of paperless-ngx document objects (deleted_at set; version 9
// adds `all`); POST {"action":"restore"|"empty","documents":[ids]}
// restores or deletes for good (without documents: everything in the
// caller's trash) and answers {"result":"OK","doc_ids":[…]}.

// trashList is GET /api/trash/.
func (a *API) trashList() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := parsePage(r.URL.Query())
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		num, size := p.number, p.size
		ctx := r.Context()
		list, err := a.res.Query().Trash(ctx, &num, &size)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		mask := documentMask(r)
		out := make(documentPage, len(list.Items))
		for i := range list.Items {
			out[i] = a.newDocumentJSON(r, &list.Items[i], mask)
		}
		if err := a.fillDocuments(ctx, out); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		env, ok := pageEnvelope(r, p, list.Page, list.TotalCount, out)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		if info(r).version == 9 {
			ids, err := a.res.TrashList().AllIds(ctx, list)
			if err != nil {
				a.writeError(w, r, err, nil)
				return
			}
			env.All = &ids
		}
		a.writeJSON(w, r, http.StatusOK, env)
	}
}

// trashAction is POST /api/trash/.
func (a *API) trashAction() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		action, _ := b.str("action", false, false)
		switch {
		case !b.has("action"):
			b.fail("action", msgRequired)
		case action != nil && *action != "restore" && *action != "empty":
			b.fail("action", fmt.Sprintf("%q is not a valid choice.", *action))
		}
		ids, listed := b.pkList("documents")
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		m := a.res.Mutation()
		var done []int
		var err error
		if *action == "restore" {
			if !listed {
				ids = []int{} // restoring needs a list: nothing is restored
			}
			done, err = m.RestoreDocuments(r.Context(), ids)
		} else {
			if !listed {
				ids = nil // everything in the caller's trash
			}
			done, err = m.EmptyTrash(r.Context(), ids)
		}
		if err != nil {
			a.writeError(w, r, err, map[string]string{"documentIds": "documents"})
			return
		}
		if listed {
			done = ids // paperless-ngx echoes the list it was given
		}
		a.writeJSON(w, r, http.StatusOK, struct {
			Result string `json:"result"`
			DocIDs []int  `json:"doc_ids"`
		}{"OK", done})
	}
}
