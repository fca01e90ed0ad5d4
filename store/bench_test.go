package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// benchDocuments is the benchmark archive size; BENCH_DOCUMENTS overrides
// it for a quick run.
func benchDocuments() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_DOCUMENTS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// benchStores seeds one store per dialect (100k documents, 50 tags, 500
// correspondents, 20 types) and runs fn on each as a sub-benchmark.
func benchStores(b *testing.B, fn func(b *testing.B, s *store.Store, seed storetest.SeedResult)) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			s := storetest.Open(b, dialect)
			seed, err := storetest.Seed(context.Background(), s, storetest.SeedConfig{
				Documents: benchDocuments(), Tags: 50, Correspondents: 500, Types: 20,
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Analyze(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			fn(b, s, seed)
		})
	}
}

// BenchmarkDocumentsTagsAll lists the newest 25 documents carrying two
// given tags, with the total: the most popular pair of the seed (tags 1
// and 2, on about 26% and 11% of documents) and a typical pair (tags 10
// and 20, about 4% and 3%).
func BenchmarkDocumentsTagsAll(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		for _, pair := range []struct {
			name string
			tags []int
		}{{"popular", []int{seed.TagIDs[1], seed.TagIDs[2]}}, {"typical", []int{seed.TagIDs[10], seed.TagIDs[20]}}} {
			b.Run(pair.name, func(b *testing.B) {
				ctx := context.Background()
				f := store.DocumentFilter{Tags: &store.TagsFilter{All: pair.tags}}
				order := []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}}
				for b.Loop() {
					docs, total, err := s.Documents(ctx, f, order, store.Page{Number: 1, Size: 25})
					if err != nil {
						b.Fatal(err)
					}
					if len(docs) != 25 || total < 25 {
						b.Fatalf("got %d documents of %d", len(docs), total)
					}
				}
			})
		}
	})
}

// BenchmarkDocumentsList lists the first page of all documents in the
// default order (newest first), with the total.
func BenchmarkDocumentsList(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, _ storetest.SeedResult) {
		ctx := context.Background()
		for b.Loop() {
			docs, total, err := s.Documents(ctx, store.DocumentFilter{}, nil, store.Page{Number: 1, Size: 25})
			if err != nil {
				b.Fatal(err)
			}
			if len(docs) != 25 || total != benchDocuments() {
				b.Fatalf("got %d documents of %d", len(docs), total)
			}
		}
	})
}
