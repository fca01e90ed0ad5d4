package resolvers_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/bleve"
)

// Search facets count the matching documents per custom field, and show a
// caller only the fields it may see.
func TestSearchCustomFieldFacets(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		eng, err := bleve.Open(t.TempDir(), bleve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		e.res.Search = eng
		dt := store.FieldString
		field := func(name string, owner *int) int {
			f, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt, OwnerID: owner})
			if err != nil {
				t.Fatal(err)
			}
			return f.ID
		}
		public, private := field("Vertrag", nil), field("Intern", &e.user.ID)
		now := time.Now()
		for i := range 3 {
			d := &store.Document{Title: fmt.Sprint("Doc ", i), Content: "Mietvertrag", Created: now, Modified: now, Added: now, Checksum: fmt.Sprint(i)}
			if err := e.st.CreateDocument(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			vals := []store.CustomFieldValueInput{{FieldID: public, Value: "ja"}}
			if i > 0 {
				vals = append(vals, store.CustomFieldValueInput{FieldID: private, Value: "x"})
			}
			if err := e.st.SetDocumentCustomFields(ctx, d.ID, vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := index.New(e.st, eng, nil).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		facets := func(h http.Handler) map[string]int {
			t.Helper()
			var out struct {
				Search struct {
					Facets struct {
						CustomFields []struct {
							ID            string
							DocumentCount int
						}
					}
				}
			}
			if errs := e.do(h, `{ search(query: "mietvertrag", facets: true) { facets { customFields { id documentCount } } } }`, &out); len(errs) > 0 {
				t.Fatalf("%+v", errs)
			}
			m := map[string]int{}
			for _, c := range out.Search.Facets.CustomFields {
				m[c.ID] = c.DocumentCount
			}
			return m
		}
		want := map[string]int{fmt.Sprint(public): 3, fmt.Sprint(private): 2}
		if got := facets(e.c); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("superuser: %v, want %v", got, want)
		}
		want = map[string]int{fmt.Sprint(public): 3}
		if got := facets(e.other); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("other user: %v, want %v (the owned field hidden)", got, want)
		}
	})
}
