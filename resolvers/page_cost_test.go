package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/quirehq/quire/store"
)

// The GraphQL document page with everything issue 16 added to a document —
// custom fields, the notes count, the owner and the permissions — stays a
// constant, small number of SQL statements, for a superuser and for a user
// whose view is narrowed by owners and grants (counted once the caller's
// per-user caches are filled: the steady state of browsing).
func TestDocumentPageWithArchiveModelCostsConstantQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 40)
		ctx := context.Background()
		ids, err := e.st.DocumentIDs(ctx, store.DocumentFilter{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		name, dt := "amount", store.FieldInteger
		f, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt})
		if err != nil {
			t.Fatal(err)
		}
		owner := e.user.ID
		for i, id := range ids {
			if err := e.st.SetDocumentCustomFields(ctx, id, []store.CustomFieldValueInput{{FieldID: f.ID, Value: i}}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.st.AddNote(ctx, id, &owner, fmt.Sprint("note ", i)); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 { // half the archive is the superuser's own
				if err := e.st.SetOwner(ctx, store.ModelDocument, id, &owner); err != nil {
					t.Fatal(err)
				}
			}
		}
		const q = `{ documents(orderBy: [{field: CREATED, direction: DESC}], pageSize: 25) { totalCount items {
			id customFields { field { name } value } notesCount owner userCanChange isSharedByRequester
			permissions { view { users groups } change { users groups } } } } }`
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		for _, who := range []struct {
			name string
			run  func(any)
			want int // documents the caller sees
		}{
			{"superuser", func(out any) { e.mustDo(q, out) }, len(ids)},
			{"other user", func(out any) {
				if errs := e.do(e.other, q, out); len(errs) > 0 {
					t.Fatalf("query failed: %+v", errs)
				}
			}, len(ids) / 2},
		} {
			var out struct {
				Documents struct {
					TotalCount int
					Items      []struct {
						CustomFields []struct{ Value any }
						NotesCount   int
					}
				}
			}
			who.run(&out) // fills the caller's caches (a restricted user's hidden set)
			qc.n.Store(0)
			who.run(&out)
			n := qc.n.Load()
			if out.Documents.TotalCount != who.want || len(out.Documents.Items) != 20 && len(out.Documents.Items) != 25 {
				t.Fatalf("%s: total %d, %d items", who.name, out.Documents.TotalCount, len(out.Documents.Items))
			}
			if it := out.Documents.Items[0]; len(it.CustomFields) != 1 || it.NotesCount != 1 {
				t.Fatalf("%s: first item %+v", who.name, it)
			}
			t.Logf("%s: %d SQL statements", who.name, n)
			if n > 4 {
				t.Errorf("%s: a page of documents with custom fields, notes count, owner and permissions took %d SQL statements, want ≤ 4", who.name, n)
			}
		}
	})
}
