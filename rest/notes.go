package rest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/quirehq/quire/store"
)

// Notes and the history of documents in paperless-ngx's shapes (NGX.md
// §6.10, §6.6): /api/documents/<id>/notes/ (GET, POST {"note"}, DELETE
// ?id=, each answering the document's notes) and
// /api/documents/<id>/history/, plus the `notes` key of the ngx document
// object.

// ngxNotes is the notes key of the document object (a bit of its mask).
const ngxNotes = 1 << 20

// noteUserJSON is a note's author (paperless-ngx's BasicUserSerializer).
type noteUserJSON struct {
	ID        int    `json:"id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// noteJSON is a note's shape.
type noteJSON struct {
	ID      int           `json:"id"`
	Note    string        `json:"note"`
	Created nullTime      `json:"created"`
	User    *noteUserJSON `json:"user"`
}

// notesJSON renders notes (oldest first) with their authors.
func (a *API) notesJSON(notes []store.Note, authors map[int]store.UserSummary) []noteJSON {
	out := make([]noteJSON, len(notes))
	for i, n := range notes {
		t := n.Created.In(a.loc)
		out[i] = noteJSON{ID: n.ID, Note: n.Note, Created: nullTime{&t}}
		if n.UserID != nil {
			if u, ok := authors[*n.UserID]; ok {
				out[i].User = &noteUserJSON{ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName}
			}
		}
	}
	return out
}

// forbiddenText answers paperless-ngx's 403 with a bare sentence (its
// HttpResponseForbidden): the resolvers' "Insufficient permissions…"
// refusals of an object. Other refusals (a missing global permission)
// are DRF's JSON.
func (a *API) forbiddenText(w http.ResponseWriter, r *http.Request, err error) bool {
	msg := store.ErrorMessage(err)
	if store.ErrorCode(err) != store.Forbidden || !strings.HasPrefix(msg, "Insufficient permissions") {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte(msg)) //nolint:errcheck // the client went away
	return true
}

// documentNotes serves /api/documents/<id>/notes/: GET lists, POST
// {"note": "…"} adds one by the caller, DELETE ?id=<note id> deletes one;
// each answers the document's notes, oldest first.
func (a *API) documentNotes() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		ctx := r.Context()
		var err error
		switch r.Method {
		case http.MethodPost:
			b := a.readBody(w, r, false)
			if b == nil {
				return
			}
			text, set := b.str("note", false, false)
			if len(b.errs) > 0 {
				a.fieldErrors(w, r, b.errs)
				return
			}
			if !set {
				a.fieldErrors(w, r, map[string][]string{"note": {msgRequired}})
				return
			}
			_, err = a.res.AddNote(ctx, id, *text)
		case http.MethodDelete:
			raw := r.URL.Query().Get("id")
			if raw == "" {
				a.writeJSON(w, r, http.StatusBadRequest, map[string]string{"id": msgRequired})
				return
			}
			noteID, perr := strconv.Atoi(strings.TrimSpace(raw))
			if perr != nil {
				a.writeJSON(w, r, http.StatusBadRequest, map[string]string{"id": msgNotInteger})
				return
			}
			err = a.res.DeleteNote(ctx, id, noteID)
		default:
			var notes []store.Note
			if notes, err = a.res.DocumentNotes(ctx, id); err == nil {
				a.writeNotes(ctx, w, r, notes)
				return
			}
		}
		if err != nil {
			if !a.forbiddenText(w, r, err) {
				a.writeError(w, r, err, nil)
			}
			return
		}
		notes, err := a.res.NotesOf(ctx, id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeNotes(ctx, w, r, notes)
	}
}

// writeNotes answers notes with their authors.
func (a *API) writeNotes(ctx context.Context, w http.ResponseWriter, r *http.Request, notes []store.Note) {
	var users []int
	for _, n := range notes {
		if n.UserID != nil {
			users = append(users, *n.UserID)
		}
	}
	authors, err := a.res.UserSummaries(ctx, users)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	a.writeJSON(w, r, http.StatusOK, a.notesJSON(notes, authors))
}

// fillNotes loads the notes key of a page of ngx document objects: one
// statement for the notes, one for their authors.
func (a *API) fillNotes(ctx context.Context, out []documentJSON) error {
	if out[0].v < 9 || out[0].mask&ngxNotes == 0 {
		return nil
	}
	ids := make([]int, len(out))
	for i := range out {
		ids[i] = out[i].d.ID
	}
	notes, authors, err := a.res.NotesOfDocuments(ctx, ids)
	if err != nil {
		return err
	}
	for i := range out {
		if ns := notes[out[i].d.ID]; len(ns) > 0 {
			b, err := encodeJSON(a.notesJSON(ns, authors))
			if err != nil {
				return err
			}
			out[i].notes = b
		}
	}
	return nil
}

// historyActorJSON is who made a change.
type historyActorJSON struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

// historyEntryJSON is one entry of /api/documents/<id>/history/.
type historyEntryJSON struct {
	ID        int               `json:"id"`
	Timestamp nullTime          `json:"timestamp"`
	Action    string            `json:"action"`
	Changes   rawJSON           `json:"changes"`
	Actor     *historyActorJSON `json:"actor"`
}

// rawJSON is stored JSON written as it is.
type rawJSON string

// MarshalJSON implements json.Marshaler.
func (j rawJSON) MarshalJSON() ([]byte, error) { return []byte(j), nil }

// documentHistory serves /api/documents/<id>/history/: the audit history,
// newest first, not paginated. With the audit log off it answers 400 with
// a bare sentence, as paperless-ngx does.
func (a *API) documentHistory() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		ctx := r.Context()
		entries, err := a.res.DocumentHistory(ctx, id)
		switch {
		case errors.Is(err, store.ErrAuditLogDisabled):
			a.textError(w, r, store.ErrorMessage(err))
			return
		case err != nil:
			if !a.forbiddenText(w, r, err) {
				a.writeError(w, r, err, nil)
			}
			return
		}
		var actors []int
		for _, e := range entries {
			if e.ActorID != nil {
				actors = append(actors, *e.ActorID)
			}
		}
		users, err := a.res.UserSummaries(ctx, actors)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out := make([]historyEntryJSON, len(entries))
		for i, e := range entries {
			t := e.Timestamp.In(a.loc)
			out[i] = historyEntryJSON{ID: e.ID, Timestamp: nullTime{&t}, Action: string(e.Action), Changes: rawJSON(e.ChangesJSON)}
			if e.ActorID != nil {
				if u, ok := users[*e.ActorID]; ok {
					out[i].Actor = &historyActorJSON{ID: u.ID, Username: u.Username}
				}
			}
		}
		a.writeJSON(w, r, http.StatusOK, out)
	}
}
