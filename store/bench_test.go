package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// seeded is one seeded store per dialect, shared by this package's
// benchmarks (seeding 100k documents takes tens of seconds).
var seeded = struct {
	sync.Mutex
	stores map[string]*store.Store
	seeds  map[string]storetest.SeedResult
}{stores: map[string]*store.Store{}, seeds: map[string]storetest.SeedResult{}}

// benchStores runs fn on a seeded store per dialect as a sub-benchmark.
// The stores live for the whole test binary (their temp folders go with it).
func benchStores(b *testing.B, fn func(b *testing.B, s *store.Store, seed storetest.SeedResult)) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			seeded.Lock()
			s, ok := seeded.stores[dialect]
			if !ok {
				s = storetest.OpenConfig(&persistentTB{b}, dialect, store.Config{})
				seed, err := storetest.Seed(context.Background(), s, storetest.BenchSeed())
				if err != nil {
					seeded.Unlock()
					b.Fatal(err)
				}
				if err := s.Analyze(context.Background()); err != nil {
					seeded.Unlock()
					b.Fatal(err)
				}
				seeded.stores[dialect], seeded.seeds[dialect] = s, seed
			}
			seed := seeded.seeds[dialect]
			seeded.Unlock()
			b.ResetTimer()
			fn(b, s, seed)
		})
	}
}

// persistentTB keeps a benchmark's store alive past the sub-benchmark that
// opened it: cleanups are dropped (the OS reclaims the temp files; a
// PostgreSQL schema stays until the test database is dropped).
type persistentTB struct{ testing.TB }

func (persistentTB) Cleanup(func()) {}

// BenchmarkDocumentsTagsAll lists the newest 25 documents carrying two
// given tags, with the total: a typical pair (tags on ~4% and ~3% of the
// documents) and the seed's most popular pair (~26% and ~11%).
func BenchmarkDocumentsTagsAll(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		for _, pair := range []struct {
			name string
			tags []int
		}{{"typical", []int{seed.TagIDs[10], seed.TagIDs[20]}}, {"popular", []int{seed.TagIDs[1], seed.TagIDs[2]}}} {
			b.Run(pair.name, func(b *testing.B) {
				ctx := context.Background()
				f := store.DocumentFilter{Tags: &store.TagsFilter{All: pair.tags}}
				order := []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}}
				var lat storetest.Latencies
				for b.Loop() {
					lat.Time(func() {
						docs, total, err := s.Documents(ctx, f, order, store.Page{Number: 1, Size: 25})
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

// BenchmarkDocumentsList lists the first page of all documents in the
// default order (newest first), with the total.
func BenchmarkDocumentsList(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, _ storetest.SeedResult) {
		ctx := context.Background()
		var lat storetest.Latencies
		for b.Loop() {
			lat.Time(func() {
				docs, total, err := s.Documents(ctx, store.DocumentFilter{}, nil, store.Page{Number: 1, Size: 25})
				if err != nil {
					b.Fatal(err)
				}
				if len(docs) != 25 || total != storetest.BenchDocuments() {
					b.Fatalf("got %d documents of %d", len(docs), total)
				}
			})
		}
		lat.Report(b)
	})
}

// BenchmarkDocumentContents reads the text of 10 documents spread over the
// archive, as a Typesense search with highlights does for its page.
func BenchmarkDocumentContents(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, _ storetest.SeedResult) {
		ctx := context.Background()
		n := storetest.BenchDocuments()
		var lat storetest.Latencies
		for i := 0; b.Loop(); i++ {
			ids := make([]int, 10)
			for j := range ids {
				ids[j] = 1 + (i*7919+j*(n/10))%n
			}
			lat.Time(func() {
				c, err := s.DocumentContents(ctx, ids)
				if err != nil || len(c) != 10 {
					b.Fatalf("got %d contents: %v", len(c), err)
				}
			})
		}
		lat.Report(b)
	})
}
