package rest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/store"
)

// Share links (NGX.md §6.11): /api/share_links/ lists (filters created__…
// and expiration__…, ordering created, expiration, document), creates
// ({"document", "expiration", "file_version"}; the caller owns the link
// and must see the document), shows and deletes links (no update);
// /api/documents/<id>/share_links/ lists one document's links as a plain
// array. /share/<slug>, outside /api/ and without login, serves the file
// (Share).

// shareLinkJSON is paperless-ngx's share link object.
type shareLinkJSON struct {
	ID          int       `json:"id"`
	Created     jsonTime  `json:"created"`
	Expiration  *jsonTime `json:"expiration"`
	Slug        string    `json:"slug"`
	Document    int       `json:"document"`
	FileVersion string    `json:"file_version"`
}

func (a *API) shareLinkJSON(l *store.ShareLink) shareLinkJSON {
	out := shareLinkJSON{ID: l.ID, Created: jsonTime{l.Created.In(a.loc)}, Slug: l.Slug, Document: l.DocumentID,
		FileVersion: string(l.FileVersion)}
	if l.Expiration != nil {
		out.Expiration = &jsonTime{l.Expiration.In(a.loc)}
	}
	return out
}

// shareLinkNames maps the resolvers' field names to the wire's.
var shareLinkNames = map[string]string{"documentId": "document", "fileVersion": "file_version"}

func shareLinkFilters(loc *time.Location) filterSet[store.ShareLinkFilter] {
	type F = store.ShareLinkFilter
	var s filterSet[F]
	s = append(s, filterDef[F]{param{"id__in", "integers", "share link id is one of (comma-separated)"}, func(f *F, v string) string {
		ids, ok := intList(v, true)
		if !ok {
			return msgEnterNumber
		}
		f.IDs = ids
		return ""
	}}, filterDef[F]{param{"document", "integer", "links to this document"}, func(f *F, v string) string {
		n, err := strconv.Atoi(v)
		if err != nil {
			return msgEnterNumber
		}
		f.Document = &n
		return ""
	}})
	s = append(s, dateFilters("created", "created", loc, func(f *F) **store.DateFilter { return &f.Created })...)
	s = append(s, dateFilters("expiration", "expires", loc, func(f *F) **store.DateFilter { return &f.Expiration })...)
	return s
}

var shareLinkOrders = orderSet[store.ShareLinkOrder]{
	{name: "created", key: func(d bool) store.ShareLinkOrder {
		return store.ShareLinkOrder{Field: store.ShareLinkOrderCreated, Direction: dir(d)}
	}},
	{name: "expiration", key: func(d bool) store.ShareLinkOrder {
		return store.ShareLinkOrder{Field: store.ShareLinkOrderExpiration, Direction: dir(d)}
	}},
	{name: "document", key: func(d bool) store.ShareLinkOrder {
		return store.ShareLinkOrder{Field: store.ShareLinkOrderDocument, Direction: dir(d)}
	}},
	{name: "id", key: func(d bool) store.ShareLinkOrder {
		return store.ShareLinkOrder{Field: store.ShareLinkOrderID, Direction: dir(d)}
	}},
}

// shareLinkList is GET /api/share_links/.
func (a *API) shareLinkList() http.HandlerFunc {
	filters := shareLinkFilters(a.loc)
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f, bad := filters.parse(q)
		if bad != nil {
			a.fieldErrors(w, r, bad)
			return
		}
		p, ok := parsePage(q)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		num, size := p.number, p.size
		list, err := a.res.Query().ShareLinks(r.Context(), &f, shareLinkOrders.parse(q), &num, &size)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out := make([]shareLinkJSON, len(list.Items))
		for i := range list.Items {
			out[i] = a.shareLinkJSON(&list.Items[i])
		}
		env, ok := pageEnvelope(r, p, list.Page, list.TotalCount, out)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		if info(r).version == 9 {
			all, err := a.shareLinkIDs(r, &f)
			if err != nil {
				a.writeError(w, r, err, nil)
				return
			}
			env.All = &all
		}
		a.writeJSON(w, r, http.StatusOK, env)
	}
}

// shareLinkIDs lists the ids of every matching link, in list order (v9's
// `all`), a page of the largest size at a time.
func (a *API) shareLinkIDs(r *http.Request, f *store.ShareLinkFilter) ([]int, error) {
	ids := []int{}
	for page := 1; ; page++ {
		size := store.MaxPageSize
		list, err := a.res.Query().ShareLinks(r.Context(), f, shareLinkOrders.parse(r.URL.Query()), &page, &size)
		if err != nil {
			return nil, err
		}
		for _, l := range list.Items {
			ids = append(ids, l.ID)
		}
		if len(ids) >= list.TotalCount || len(list.Items) == 0 {
			return ids, nil
		}
	}
}

// shareLinkCreate is POST /api/share_links/.
func (a *API) shareLinkCreate() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		var in store.ShareLinkInput
		if doc, set := b.pk("document", false); set && doc != nil {
			in.DocumentID = *doc
		} else if !b.has("document") {
			b.fail("document", msgRequired)
		}
		if x, ok := b.raw("expiration"); ok && x != nil {
			in.Expiration, _ = b.datetime("expiration", a.loc)
		}
		if v, set := b.str("file_version", false, true); set && v != nil {
			fv := store.ShareLinkFileVersion(*v)
			in.FileVersion = &fv
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		l, err := a.res.Mutation().CreateShareLink(r.Context(), in)
		if err != nil {
			a.writeError(w, r, err, shareLinkNames)
			return
		}
		a.writeJSON(w, r, http.StatusCreated, a.shareLinkJSON(l))
	}
}

// shareLinkGet is GET /api/share_links/<id>/.
func (a *API) shareLinkGet() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		l, err := a.res.Query().ShareLink(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, a.shareLinkJSON(l))
	}
}

// shareLinkDelete is DELETE /api/share_links/<id>/.
func (a *API) shareLinkDelete() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		if _, err := a.res.Mutation().DeleteShareLink(r.Context(), id); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// documentShareLinks is GET /api/documents/<id>/share_links/: the
// document's links the caller may see, oldest first, as a plain array;
// 404 for a document the caller may not see (or in the trash).
func (a *API) documentShareLinks() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		d, err := a.res.Query().Document(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		links, err := a.res.Document().ShareLinks(r.Context(), d)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out := make([]shareLinkJSON, len(links))
		for i := range links {
			out[i] = a.shareLinkJSON(&links[i])
		}
		a.writeJSON(w, r, http.StatusOK, out)
	}
}

// Share serves GET /share/<slug>: the linked document's file, inline,
// to anyone holding the slug (no login; Range and conditional requests
// as downloads). 404 with a JSON detail for an unknown slug, a document
// in the trash, or an expired link (paperless-ngx redirects those to its
// login page instead).
func (a *API) Share() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := a.res.SharedFile(r.Context(), chi.URLParam(r, "slug"))
		if err != nil {
			msg := "Not found."
			if store.ErrorCode(err) == store.Forbidden {
				msg = "This share link has expired."
			} else if store.ErrorCode(err) != store.NotFound {
				a.writeError(w, r, err, nil)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			a.writeJSON(w, r, http.StatusNotFound, detail(msg))
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", f.MimeType)
		h.Set("Content-Disposition", contentDisposition("inline", f.Name))
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Robots-Tag", "noindex")
		http.ServeContent(w, r, "", time.Time{}, f)
	}
}
