package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkUpdateHistory measures what recording the history adds to a
// document update (a new title and one tag swapped): two stores of 2,000
// documents, one with the audit log and one without, updated in turns so
// both see the same machine. It reports each update's mean and their
// ratio.
func BenchmarkUpdateHistory(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			open := func(off bool) (*store.Store, []int, []int) {
				s := storetest.OpenConfig(b, dialect, store.Config{DisableAuditLog: off})
				seed, err := storetest.Seed(ctx, s, storetest.SeedConfig{Documents: 2000, Tags: 20, Correspondents: 20, Types: 5, ContentBytes: 500})
				if err != nil {
					b.Fatal(err)
				}
				return s, seed.DocumentIDs, seed.TagIDs
			}
			on, docsOn, tagsOn := open(false)
			off, docsOff, tagsOff := open(true)
			update := func(s *store.Store, docs, tags []int, i int) time.Duration {
				title := fmt.Sprintf("title %d", i)
				start := time.Now()
				_, err := s.UpdateDocument(ctx, docs[i%len(docs)], store.DocumentUpdate{Title: &title,
					TagIDs: graphql.OmittableOf([]int{tags[i%len(tags)], tags[(i+7)%len(tags)]})})
				if err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			var tOn, tOff time.Duration
			i := 0
			for b.Loop() {
				tOn += update(on, docsOn, tagsOn, i)
				tOff += update(off, docsOff, tagsOff, i)
				i++
			}
			b.ReportMetric(float64(tOn.Microseconds())/float64(i), "µs/update-audit")
			b.ReportMetric(float64(tOff.Microseconds())/float64(i), "µs/update-noaudit")
			b.ReportMetric(float64(tOn)/float64(tOff), "ratio")
		})
	}
}
