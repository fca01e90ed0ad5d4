package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/quirehq/quire/store"
)

// TestNotesAndHistoryGraphQL: notes are added, listed (on the document and
// by query), counted and deleted through GraphQL, the history shows who
// did what, and bad input and missing rights have their codes; on both
// databases.
func TestNotesAndHistoryGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		d := &store.Document{Title: "bill", Checksum: "c1", MimeType: "application/pdf"}
		if err := e.st.CreateDocument(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		var add struct {
			AddNote struct {
				ID   string
				Note string
				User struct{ Username string }
			}
		}
		e.mustDo(fmt.Sprintf(`mutation { addNote(documentId: %d, note: "Paid") { id note user { username } } }`, d.ID), &add)
		if add.AddNote.Note != "Paid" || add.AddNote.User.Username != "admin" {
			t.Fatalf("addNote: %+v", add)
		}
		var got struct {
			Document struct {
				NotesCount int
				Notes      []struct{ ID, Note string }
				History    []struct {
					Action  string
					Actor   *struct{ Username string }
					Changes []struct {
						Field    string
						Old, New *string
					}
				}
			}
			DocumentNotes []struct{ ID string }
		}
		e.mustDo(fmt.Sprintf(`{ document(id: %d) { notesCount notes { id note } history { action actor { username } changes { field old new } } }
			documentNotes(documentId: %d) { id } }`, d.ID, d.ID), &got)
		if got.Document.NotesCount != 1 || len(got.Document.Notes) != 1 || got.Document.Notes[0].ID != add.AddNote.ID || len(got.DocumentNotes) != 1 {
			t.Fatalf("notes: %+v", got)
		}
		h := got.Document.History
		if len(h) != 2 || h[0].Action != "update" || h[0].Actor == nil || h[0].Actor.Username != "admin" || h[1].Action != "create" || h[1].Actor != nil {
			t.Fatalf("history: %+v", h)
		}
		if c := h[0].Changes; len(c) != 1 || c[0].Field != "Note Added" || c[0].Old != nil || c[0].New == nil || *c[0].New != add.AddNote.ID {
			t.Errorf("note change: %+v", c)
		}
		d2 := &store.Document{Title: "no notes", Checksum: "c2", MimeType: "application/pdf"}
		if err := e.st.CreateDocument(ctx, d2, nil); err != nil {
			t.Fatal(err)
		}
		var ordered struct {
			Documents struct{ Items []struct{ Title string } }
		}
		e.mustDo(`{ documents(orderBy: [{field: NUM_NOTES, direction: ASC}]) { items { title } } }`, &ordered)
		if it := ordered.Documents.Items; len(it) != 2 || it[0].Title != "no notes" {
			t.Errorf("ordered by notes: %+v", it)
		}
		e.wantCode(e.do(e.c, fmt.Sprintf(`mutation { addNote(documentId: %d, note: " ") { id } }`, d.ID), nil), "VALIDATION")
		e.wantCode(e.do(e.c, `mutation { addNote(documentId: 999999, note: "x") { id } }`, nil), "NOT_FOUND")
		e.wantCode(e.do(e.c, fmt.Sprintf(`mutation { deleteNote(documentId: %d, id: 999999) }`, d.ID), nil), "NOT_FOUND")
		// other (the default permissions) sees admin's document by a view
		// grant: may read its notes, not add any, nor read its history
		// (no view_logentry)
		if err := e.st.SetOwner(ctx, store.ModelDocument, d.ID, &e.user.ID); err != nil {
			t.Fatal(err)
		}
		e.wantCode(e.do(e.other, fmt.Sprintf(`{ documentNotes(documentId: %d) { id } }`, d.ID), nil), "NOT_FOUND")
		other, err := e.st.UserByUsername(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		users := []int{other.ID}
		if err := e.st.SetPermissions(ctx, store.ModelDocument, []int{d.ID}, store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &users}}); err != nil {
			t.Fatal(err)
		}
		var seen struct{ DocumentNotes []struct{ ID string } }
		if errs := e.do(e.other, fmt.Sprintf(`{ documentNotes(documentId: %d) { id } }`, d.ID), &seen); len(errs) > 0 || len(seen.DocumentNotes) != 1 {
			t.Errorf("granted view: %+v %+v", seen, errs)
		}
		e.wantCode(e.do(e.other, fmt.Sprintf(`mutation { addNote(documentId: %d, note: "x") { id } }`, d.ID), nil), "FORBIDDEN")
		e.wantCode(e.do(e.other, fmt.Sprintf(`{ documentHistory(documentId: %d) { id } }`, d.ID), nil), "FORBIDDEN")
		var del struct{ DeleteNote string }
		e.mustDo(fmt.Sprintf(`mutation { deleteNote(documentId: %d, id: %s) }`, d.ID, add.AddNote.ID), &del)
		if del.DeleteNote != add.AddNote.ID {
			t.Errorf("deleteNote: %+v", del)
		}
		var after struct {
			DocumentHistory []struct {
				Changes []struct{ Field string }
			}
		}
		e.mustDo(fmt.Sprintf(`{ documentHistory(documentId: %d) { changes { field } } }`, d.ID), &after)
		// create, Note Added, owner (the grant set-up above), Note Deleted
		if len(after.DocumentHistory) != 4 || after.DocumentHistory[0].Changes[0].Field != "Note Deleted" ||
			after.DocumentHistory[1].Changes[0].Field != "owner" {
			t.Errorf("history after delete: %+v", after)
		}
	})
}

// TestDocumentPageWithNotesCostsConstantQueries: a page of documents with
// their note counts, notes and the notes' authors is a fixed number of
// statements: the list, its count, and the notes with their authors.
func TestDocumentPageWithNotesCostsConstantQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 40)
		ctx := context.Background()
		ids, err := e.st.DocumentIDs(ctx, store.DocumentFilter{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[:30] {
			if _, err := e.st.AddNote(ctx, id, &e.user.ID, "n"); err != nil {
				t.Fatal(err)
			}
		}
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		var out struct {
			Documents struct {
				Items []struct {
					NotesCount int
					Notes      []struct{ User struct{ Username string } }
				}
			}
		}
		e.mustDo(`{ documents(orderBy: [{field: CREATED, direction: DESC}], pageSize: 25) {
			items { notesCount notes { note user { username } } } } }`, &out)
		if len(out.Documents.Items) != 25 || out.Documents.Items[0].NotesCount != 1 || out.Documents.Items[0].Notes[0].User.Username != "admin" {
			t.Fatalf("page: %+v", out.Documents.Items[:1])
		}
		if n := qc.n.Load(); n > 3 {
			t.Fatalf("a page of 25 documents with notes took %d SQL statements, want ≤ 3", n)
		}
	})
}
