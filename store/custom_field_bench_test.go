package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// amountField gives every document of a seeded store a monetary custom
// field "Amount", once per store: amounts spread evenly over 0.00–999.99
// (every tenth with a currency), so a range of 100 matches ~10 %.
func amountField(b testing.TB, s *store.Store) *store.CustomField {
	amounts.Lock()
	defer amounts.Unlock()
	if f, ok := amounts.fields[s]; ok {
		return f
	}
	ctx := context.Background()
	name, dt := "Amount", store.FieldMonetary
	f, err := s.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt})
	if err != nil {
		b.Fatal(err)
	}
	ids, err := s.DocumentIDs(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderID, Direction: store.Asc}})
	if err != nil {
		b.Fatal(err)
	}
	// One bulk edit per amount: document i gets bucket i mod 1000's
	// amount (k × 1.0001 → 0.00–999.10, every tenth bucket in EUR).
	buckets := map[string][]int{}
	for i, id := range ids {
		k := i % 1000
		cents := k*100 + k%100
		v := fmt.Sprintf("%d.%02d", cents/100, cents%100)
		if k%10 == 0 {
			v = "EUR" + v
		}
		buckets[v] = append(buckets[v], id)
	}
	for v, docs := range buckets {
		_, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: docs, Method: store.BulkModifyCustomFields,
			AddCustomFieldValues: []store.CustomFieldValueInput{{FieldID: f.ID, Value: v}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	amounts.fields[s] = f
	return f
}

var amounts = struct {
	sync.Mutex
	fields map[*store.Store]*store.CustomField
}{fields: map[*store.Store]*store.CustomField{}}

// BenchmarkDocumentsCustomFieldRange is issue 16's list benchmark with a
// custom_field_query: the newest 25 documents carrying a typical pair of
// tags whose monetary Amount lies in a range (100–200, ~10 % of all), with
// the total — as a superuser and as two non-superusers on the archive
// with owners and grants; and the range alone (no tags).
func BenchmarkDocumentsCustomFieldRange(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store, seed storetest.SeedResult) {
		principals := permissionedArchive(b, s)
		amountField(b, s)
		query := []any{"Amount", "range", []any{"100", "EUR200.00"}}
		for _, tc := range []struct {
			name string
			tags []int
		}{{"typical-pair", []int{seed.TagIDs[10], seed.TagIDs[20]}}, {"no-tags", nil}} {
			for _, who := range []string{"superuser", "member", "owner"} {
				b.Run(tc.name+"/"+who, func(b *testing.B) {
					p := principals[who]
					if who == "superuser" {
						p = &store.Principal{UserID: 1, Superuser: true}
					}
					ctx := store.WithPrincipal(context.Background(), p)
					f := store.DocumentFilter{CustomFieldQuery: query}
					if tc.tags != nil {
						f.Tags = &store.TagsFilter{All: tc.tags}
					}
					order := []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}}
					var lat storetest.Latencies
					for b.Loop() {
						lat.Time(func() {
							if _, _, err := s.Documents(ctx, f, order, store.Page{Number: 1, Size: 25}); err != nil {
								b.Fatal(err)
							}
						})
					}
					lat.Report(b)
				})
			}
		}
	})
}
