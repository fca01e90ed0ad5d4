package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
)

type noteOut struct {
	ID      int    `json:"id"`
	Note    string `json:"note"`
	Created string `json:"created"`
	User    *struct {
		ID       int    `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
}

type historyOut struct {
	ID        int                        `json:"id"`
	Timestamp string                     `json:"timestamp"`
	Action    string                     `json:"action"`
	Changes   map[string]json.RawMessage `json:"changes"`
	Actor     *struct {
		ID       int    `json:"id"`
		Username string `json:"username"`
	} `json:"actor"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// TestNotes: /api/documents/<id>/notes/ adds, lists and deletes notes in
// paperless-ngx's shape, the document object carries them, and the
// permission rules (global view/add/delete_note, the document's
// visibility and change right) hold; on both databases.
func TestNotes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		path := fmt.Sprintf("/api/documents/%d/notes/", f.doc1)
		notes := decode[[]noteOut](t, e.want(e.do("POST", path, map[string]any{"note": "Paid 2025-03-20"}, version("10")), 200))
		if len(notes) != 1 || notes[0].Note != "Paid 2025-03-20" || notes[0].User == nil || notes[0].User.Username != "admin" || notes[0].Created == "" {
			t.Fatalf("after POST: %+v", notes)
		}
		e.want(e.do("POST", path, map[string]any{"note": "second"}, version("9")), 200)
		got := decode[[]noteOut](t, e.want(e.do("GET", path, nil, version("10")), 200))
		if len(got) != 2 || got[0].ID != notes[0].ID || got[1].Note != "second" {
			t.Fatalf("GET: oldest first: %+v", got)
		}
		// the document object carries them, and only where asked for
		for _, v := range []string{"9", "10"} {
			doc := decode[struct{ Notes []noteOut }](t, e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/", f.doc1), nil, version(v)), 200))
			if len(doc.Notes) != 2 || doc.Notes[1].Note != "second" || doc.Notes[0].User.ID != e.admin.ID {
				t.Errorf("v%s document notes: %+v", v, doc.Notes)
			}
		}
		page := decode[struct{ Results []map[string]json.RawMessage }](t, e.want(e.do("GET", "/api/documents/?ordering=id", nil, version("10")), 200))
		if len(page.Results) != 3 || !strings.Contains(string(page.Results[0]["notes"]), "second") || string(page.Results[1]["notes"]) != "[]" {
			t.Errorf("list notes: %s / %s", page.Results[0]["notes"], page.Results[1]["notes"])
		}
		byNotes := decode[struct{ Results []struct{ ID int } }](t, e.want(e.do("GET", "/api/documents/?ordering=-num_notes", nil, version("10")), 200))
		if len(byNotes.Results) != 3 || byNotes.Results[0].ID != f.doc1 {
			t.Errorf("ordering=-num_notes: %+v", byNotes.Results)
		}
		// bad input
		if b := string(e.want(e.do("POST", path, map[string]any{}, version("10")), 400)); b != `{"note":["This field is required."]}` {
			t.Errorf("no note: %s", b)
		}
		if b := string(e.want(e.do("POST", path, map[string]any{"note": "  "}, version("10")), 400)); !strings.Contains(b, `"note"`) {
			t.Errorf("blank note: %s", b)
		}
		if b := string(e.want(e.do("DELETE", path, nil, version("10")), 400)); b != `{"id":"This field is required."}` {
			t.Errorf("DELETE without id: %s", b)
		}
		e.want(e.do("DELETE", path+"?id=x", nil, version("10")), 400)
		e.want(e.do("DELETE", path+"?id=999999", nil, version("10")), 404)
		e.want(e.do("GET", "/api/documents/999999/notes/", nil, version("10")), 404)
		left := decode[[]noteOut](t, e.want(e.do("DELETE", fmt.Sprintf("%s?id=%d", path, notes[0].ID), nil, version("10")), 200))
		if len(left) != 1 || left[0].Note != "second" {
			t.Errorf("after DELETE: %+v", left)
		}

		// permissions (users get theirs before their first request: Basic
		// credentials are cached with the user for a while)
		viewer, noter := e.user("viewer", "pw-viewer", false), e.user("noter", "pw-noter", false)
		if err := e.st.SetUserPermissions(ctx, viewer.ID, []string{"view_document"}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetUserPermissions(ctx, noter.ID, []string{"view_document", "view_note", "add_note", "delete_note"}); err != nil {
			t.Fatal(err)
		}
		asViewer, asNoter := basic("viewer", "pw-viewer"), basic("noter", "pw-noter")
		if b := string(e.want(e.do("GET", path, nil, version("10"), asViewer), 403)); b != `{"detail":"You do not have permission to perform this action."}` {
			t.Errorf("without view_note: %s", b)
		}
		e.want(e.do("GET", path, nil, version("10"), asNoter), 200) // unowned: everyone's
		if err := e.st.SetOwner(ctx, store.ModelDocument, f.doc1, &e.admin.ID); err != nil {
			t.Fatal(err)
		}
		e.want(e.do("GET", path, nil, version("10"), asNoter), 404)
		e.want(e.do("POST", path, map[string]any{"note": "x"}, version("10"), asNoter), 404)
		view := []int{noter.ID}
		if err := e.st.SetPermissions(ctx, store.ModelDocument, []int{f.doc1}, store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &view}}); err != nil {
			t.Fatal(err)
		}
		e.want(e.do("GET", path, nil, version("10"), asNoter), 200)
		rec := e.do("POST", path, map[string]any{"note": "x"}, version("10"), asNoter)
		if rec.Code != 403 || rec.Body.String() != "Insufficient permissions to create notes" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("POST without change: %d %q %s", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
		}
		if err := e.st.SetPermissions(ctx, store.ModelDocument, []int{f.doc1}, store.PermissionsUpdate{Change: &store.HoldersUpdate{Users: &view}}); err != nil {
			t.Fatal(err)
		}
		mine := decode[[]noteOut](t, e.want(e.do("POST", path, map[string]any{"note": "by other"}, version("10"), asNoter), 200))
		if len(mine) != 2 || mine[1].User == nil || mine[1].User.ID != noter.ID {
			t.Errorf("note by a granted user: %+v", mine)
		}
	})
}

// TestDocumentHistory: /api/documents/<id>/history/ lists what happened
// to a document, newest first, in django-auditlog's shape, and keeps
// paperless-ngx's rule on who may read it.
func TestDocumentHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		path := fmt.Sprintf("/api/documents/%d/history/", f.doc2)
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"title": "New title", "tags": []int{f.t3}}, version("10")), 200)
		h := decode[[]historyOut](t, e.want(e.do("GET", path, nil, version("10")), 200))
		// newest first: tags removed, tags added, the title, the creation
		if len(h) != 4 || h[3].Action != "create" || h[3].Actor != nil {
			t.Fatalf("history: %+v", h)
		}
		var title []string
		if err := json.Unmarshal(h[2].Changes["title"], &title); err != nil || len(title) != 2 || title[0] != "bank statement" || title[1] != "New title" {
			t.Errorf("title change: %s", h[2].Changes["title"])
		}
		if h[2].Action != "update" || h[2].Actor == nil || h[2].Actor.Username != "admin" {
			t.Errorf("update entry: %+v", h[2])
		}
		if got := string(h[1].Changes["tags"]); got != `{"type":"m2m","operation":"add","objects":["Über"]}` {
			t.Errorf("tags added: %s", got)
		}
		if got := string(h[0].Changes["tags"]); got != `{"type":"m2m","operation":"delete","objects":["tax"]}` {
			t.Errorf("tags removed: %s", got)
		}
		e.want(e.do("GET", "/api/documents/999999/history/", nil, version("10")), 404)
		// other: no view_logentry (not in the default set) → 403 text; an
		// auditor with it reads an unowned document's history
		rec := e.do("GET", path, nil, version("10"), asOther)
		if rec.Code != 403 || rec.Body.String() != "Insufficient permissions" {
			t.Errorf("without view_logentry: %d %s", rec.Code, rec.Body.String())
		}
		auditor := e.user("auditor", "pw-auditor", false)
		if err := e.st.SetUserPermissions(ctx, auditor.ID, []string{"view_document", "view_logentry"}); err != nil {
			t.Fatal(err)
		}
		asAuditor := basic("auditor", "pw-auditor")
		e.want(e.do("GET", path, nil, version("10"), asAuditor), 200)
		if err := e.st.SetOwner(ctx, store.ModelDocument, f.doc2, &e.admin.ID); err != nil {
			t.Fatal(err)
		}
		e.want(e.do("GET", path, nil, version("10"), asAuditor), 404)
		view := []int{auditor.ID}
		if err := e.st.SetPermissions(ctx, store.ModelDocument, []int{f.doc2}, store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &view}}); err != nil {
			t.Fatal(err)
		}
		e.want(e.do("GET", path, nil, version("10"), asAuditor), 403) // visible, but not the owner's
	})
}
