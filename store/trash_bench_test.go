package store_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkDocumentsFiltered lists the newest 25 documents of one
// correspondent and of one document type, with the total: the counts walk
// the (correspondent_id, created) and (document_type_id, created)
// indexes, which the trash made partial over documents not in it.
func BenchmarkDocumentsFiltered(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		for _, c := range []struct {
			name string
			f    store.DocumentFilter
		}{
			{"correspondent", store.DocumentFilter{Correspondent: &store.IDFilter{Exact: &seed.CorrespondentIDs[3]}}},
			{"type", store.DocumentFilter{DocumentType: &store.IDFilter{Exact: &seed.TypeIDs[2]}}},
		} {
			b.Run(c.name, func(b *testing.B) {
				ctx := context.Background()
				var lat storetest.Latencies
				for b.Loop() {
					lat.Time(func() {
						docs, total, err := s.Documents(ctx, c.f, nil, store.Page{Number: 1, Size: 25})
						if err != nil {
							b.Fatal(err)
						}
						if total == 0 || len(docs) != min(25, total) {
							b.Fatalf("got %d documents of %d", len(docs), total)
						}
					})
				}
				lat.Report(b)
			})
		}
	})
}
