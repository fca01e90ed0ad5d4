package index_test

import (
	"context"
	"slices"
	"testing"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/searchtest"
	"github.com/quirehq/quire/store/storetest"
)

// TestCustomFieldsAreSearchable: a custom field value set on a document
// reaches the index through the outbox (by a plain word, by
// custom_fields: and by its select option's label), a renamed field is
// re-indexed under its new name, and a removed value leaves the index; on
// both databases and both engines.
func TestCustomFieldsAreSearchable(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		for name, open := range engines(t) {
			t.Run(dialect+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				st := storetest.Open(t, dialect)
				eng := open(t, t.TempDir())
				defer eng.Close()
				ix := index.New(st, eng, nil)
				var ids []int
				for _, title := range []string{"power bill", "water bill"} {
					d := &store.Document{Title: title, Content: "amount due", Checksum: title}
					if err := st.CreateDocument(ctx, d, nil); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, d.ID)
				}
				memo, dt := "Memo", store.FieldString
				mf, err := st.CreateCustomField(ctx, store.CustomFieldInput{Name: &memo, DataType: &dt})
				if err != nil {
					t.Fatal(err)
				}
				colour, sel := "Colour", store.FieldSelect
				cf, err := st.CreateCustomField(ctx, store.CustomFieldInput{Name: &colour, DataType: &sel,
					ExtraData: &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{ID: "t", Label: "Turquoise"}}}})
				if err != nil {
					t.Fatal(err)
				}
				err = st.SetDocumentCustomFields(ctx, ids[1], []store.CustomFieldValueInput{
					{FieldID: mf.ID, Value: "paid by Quokka transfer"}, {FieldID: cf.ID, Value: "t"}})
				if err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{"quokka", "custom_fields:quokka", "turquoise"} {
					if got := searchtest.Hits(t, eng, q); !slices.Equal(got, ids[1:]) {
						t.Fatalf("%s: %v", q, got)
					}
				}
				if err := st.SetDocumentCustomFields(ctx, ids[1], nil); err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := searchtest.Hits(t, eng, "quokka"); len(got) != 0 {
					t.Fatalf("removed value still found: %v", got)
				}
			})
		}
	}
}
