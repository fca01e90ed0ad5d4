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

// TestNotesAreSearchable: a note added to a document reaches the index
// through the outbox (found by a plain word and by notes:), and a deleted
// one leaves it; on both databases and both engines.
func TestNotesAreSearchable(t *testing.T) {
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
				n, err := st.AddNote(ctx, ids[1], nil, "paid by transfer Zebrafish")
				if err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{"zebrafish", "notes:zebrafish"} {
					if got := searchtest.Hits(t, eng, q); !slices.Equal(got, ids[1:]) {
						t.Fatalf("%s: %v", q, got)
					}
				}
				if err := st.DeleteNote(ctx, ids[1], n.ID); err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := searchtest.Hits(t, eng, "zebrafish"); len(got) != 0 {
					t.Fatalf("deleted note still found: %v", got)
				}
			})
		}
	}
}
