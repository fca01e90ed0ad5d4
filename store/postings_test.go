package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestTagPostingsCacheAcrossProcesses runs two stores on one database, as
// two Quire replicas would: a tag change made through one must show at
// once in the other's "all of these tags" lists, whose intersections come
// from its in-memory postings.
func TestTagPostingsCacheAcrossProcesses(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			a, b := twoProcesses(t, dialect)
			name := func(s string) *string { return &s }
			t1, err := a.CreateTag(ctx, store.TagInput{Name: name("one")})
			if err != nil {
				t.Fatal(err)
			}
			t2, err := a.CreateTag(ctx, store.TagInput{Name: name("two")})
			if err != nil {
				t.Fatal(err)
			}
			var docs []int
			for i := range 6 {
				d := &store.Document{Title: fmt.Sprint("d", i), Created: time.Date(2021, 1, i+1, 0, 0, 0, 0, time.UTC),
					Modified: time.Now(), Added: time.Now(), Checksum: fmt.Sprintf("%032d", i)}
				tags := []int{t1.ID}
				if i%2 == 0 {
					tags = append(tags, t2.ID)
				}
				if err := a.CreateDocument(ctx, d, tags); err != nil {
					t.Fatal(err)
				}
				docs = append(docs, d.ID)
			}
			both := store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t1.ID, t2.ID}}}
			list := func(s *store.Store, f store.DocumentFilter) []int {
				t.Helper()
				got, total, err := s.Documents(ctx, f, []store.DocumentOrder{{Field: store.DocumentOrderID, Direction: store.Asc}}, store.Page{Number: 1, Size: 25})
				if err != nil {
					t.Fatal(err)
				}
				ids := []int{}
				for _, d := range got {
					ids = append(ids, d.ID)
				}
				if total != len(ids) {
					t.Fatalf("total %d for %d rows", total, len(ids))
				}
				return ids
			}
			want := []int{docs[0], docs[2], docs[4]}
			if got := list(a, both); !slices.Equal(got, want) {
				t.Fatalf("a: %v, want %v", got, want)
			}
			// b adds tag two to d1 and removes it from d4, in one bulk edit each.
			if _, err := b.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{docs[1]}, Method: store.BulkAddTag, TagID: &t2.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{docs[4]}, Method: store.BulkRemoveTag, TagID: &t2.ID}); err != nil {
				t.Fatal(err)
			}
			want = []int{docs[0], docs[1], docs[2]}
			if got := list(a, both); !slices.Equal(got, want) {
				t.Fatalf("a after b's change: %v, want %v (stale postings)", got, want)
			}
			// Deleting a document (cascading its tag links) shows too.
			if _, err := b.DeleteDocument(ctx, docs[0]); err != nil {
				t.Fatal(err)
			}
			want = []int{docs[1], docs[2]}
			if got := list(a, both); !slices.Equal(got, want) {
				t.Fatalf("a after b's delete: %v, want %v", got, want)
			}
			// Combined with another filter, and an empty intersection.
			title := store.DocumentFilter{Tags: both.Tags, Title: &store.TextFilter{Iexact: name("d2")}}
			if got := list(a, title); !slices.Equal(got, []int{docs[2]}) {
				t.Fatalf("with title: %v", got)
			}
			t3, err := b.CreateTag(ctx, store.TagInput{Name: name("three")})
			if err != nil {
				t.Fatal(err)
			}
			if got := list(a, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t1.ID, t3.ID}}}); len(got) != 0 {
				t.Fatalf("unused tag: %v", got)
			}
			if _, err := b.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{docs[3]}, Method: store.BulkAddTag, TagID: &t3.ID}); err != nil {
				t.Fatal(err)
			}
			if got := list(a, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t1.ID, t3.ID}}}); !slices.Equal(got, []int{docs[3]}) {
				t.Fatalf("after tagging with three: %v", got)
			}
			// Inside a transaction the uncommitted change is visible.
			err = a.InTx(ctx, func(ctx context.Context) error {
				if _, err := a.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{docs[5]}, Method: store.BulkAddTag, TagID: &t3.ID}); err != nil {
					return err
				}
				got, _, err := a.Documents(ctx, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t1.ID, t3.ID}}}, nil, store.Page{Number: 1, Size: 25})
				if err != nil {
					return err
				}
				if len(got) != 2 {
					t.Errorf("in transaction: %d documents, want 2", len(got))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLongTagIntersections checks the paths for intersections too long to
// list as SQL literals (JSON array / array literal, date-index walk): the
// page and the total agree with the database's own intersection.
func TestLongTagIntersections(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, dialect)
			name := func(s string) *string { return &s }
			a, err := s.CreateTag(ctx, store.TagInput{Name: name("a")})
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.CreateTag(ctx, store.TagInput{Name: name("b")})
			if err != nil {
				t.Fatal(err)
			}
			var docs []*store.Document
			var tags [][]int
			base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range 1500 {
				docs = append(docs, &store.Document{Title: fmt.Sprintf("doc %04d", (i*7919)%1500),
					Created: base.Add(time.Duration((i*104729)%1500) * time.Hour), Modified: base, Added: base,
					Checksum: fmt.Sprintf("%032x", i)})
				switch {
				case i%3 == 0:
					tags = append(tags, []int{a.ID})
				default:
					tags = append(tags, []int{a.ID, b.ID})
				}
			}
			if err := s.CreateDocuments(ctx, docs, tags); err != nil {
				t.Fatal(err)
			}
			f := store.DocumentFilter{Tags: &store.TagsFilter{All: []int{a.ID, b.ID}}}
			for _, order := range [][]store.DocumentOrder{
				{{Field: store.DocumentOrderCreated, Direction: store.Desc}},
				{{Field: store.DocumentOrderCreated, Direction: store.Asc}},
				{{Field: store.DocumentOrderTitle, Direction: store.Asc}},
			} {
				all, err := s.DocumentIDs(ctx, f, order) // the database intersects
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != 1000 {
					t.Fatalf("DocumentIDs: %d, want 1000", len(all))
				}
				for _, page := range []int{1, 7, 40, -1} {
					got, total, err := s.Documents(ctx, f, order, store.Page{Number: page, Size: 25})
					if err != nil {
						t.Fatal(err)
					}
					n, _, offset := store.Page{Number: page, Size: 25}.Limit(total)
					if total != 1000 || len(got) != 25 {
						t.Fatalf("order %v page %d (%d): %d rows of %d", order[0], page, n, len(got), total)
					}
					for i, d := range got {
						if d.ID != all[offset+i] {
							t.Fatalf("order %v page %d row %d: id %d, want %d", order[0], page, i, d.ID, all[offset+i])
						}
					}
				}
			}
		})
	}
}

// TestDocumentCountsAcrossProcesses: the per-object document counts and
// last correspondences are cached per generation; a change made through
// another store on the same database shows at once.
func TestDocumentCountsAcrossProcesses(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			a, b := twoProcesses(t, dialect)
			name := func(s string) *string { return &s }
			tg, _ := a.CreateTag(ctx, store.TagInput{Name: name("t")})
			c, _ := a.CreateCorrespondent(ctx, store.CorrespondentInput{Name: name("c")})
			ty, _ := a.CreateDocumentType(ctx, store.DocumentTypeInput{Name: name("ty")})
			counts := func() (int, int, int, time.Time) {
				t.Helper()
				tc, err := a.TagDocumentCounts(ctx, []int{tg.ID})
				if err != nil {
					t.Fatal(err)
				}
				cc, err := a.CorrespondentDocumentCounts(ctx, []int{c.ID})
				if err != nil {
					t.Fatal(err)
				}
				yc, err := a.DocumentTypeDocumentCounts(ctx, []int{ty.ID})
				if err != nil {
					t.Fatal(err)
				}
				lc, err := a.LastCorrespondences(ctx, []int{c.ID})
				if err != nil {
					t.Fatal(err)
				}
				return tc[tg.ID], cc[c.ID], yc[ty.ID], lc[c.ID]
			}
			if n1, n2, n3, last := counts(); n1+n2+n3 != 0 || !last.IsZero() {
				t.Fatalf("empty: %d %d %d %v", n1, n2, n3, last)
			}
			day := time.Date(2021, 5, 4, 0, 0, 0, 0, time.UTC)
			d := &store.Document{Title: "x", Created: day, Modified: day, Added: day, Checksum: "c1", CorrespondentID: &c.ID, DocumentTypeID: &ty.ID}
			if err := b.CreateDocument(ctx, d, []int{tg.ID}); err != nil {
				t.Fatal(err)
			}
			if n1, n2, n3, last := counts(); n1 != 1 || n2 != 1 || n3 != 1 || !last.Equal(day) {
				t.Fatalf("after b's create: %d %d %d %v", n1, n2, n3, last)
			}
			later := day.AddDate(1, 0, 0)
			if _, err := b.UpdateDocument(ctx, d.ID, store.DocumentUpdate{Created: &later}); err != nil {
				t.Fatal(err)
			}
			if _, _, _, last := counts(); !last.Equal(later) {
				t.Fatalf("after b's redate: %v", last)
			}
			if _, err := b.DeleteDocument(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
			if n1, n2, n3, last := counts(); n1+n2+n3 != 0 || !last.IsZero() {
				t.Fatalf("after b's delete: %d %d %d %v", n1, n2, n3, last)
			}
		})
	}
}

// TestArchiveTotalAcrossProcesses: the unfiltered list's total is cached
// per generation of counters.documents; another store's insert or delete
// shows at once.
func TestArchiveTotalAcrossProcesses(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			a, b := twoProcesses(t, dialect)
			mk := func(s *store.Store, i int) int {
				d := &store.Document{Title: fmt.Sprint("d", i), Checksum: fmt.Sprintf("%032d", i)}
				if err := s.CreateDocument(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
				return d.ID
			}
			total := func(page int) int {
				t.Helper()
				_, n, err := a.Documents(ctx, store.DocumentFilter{}, nil, store.Page{Number: page, Size: 2})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			for i := range 3 {
				mk(a, i)
			}
			if n := total(1); n != 3 {
				t.Fatalf("total %d, want 3", n)
			}
			if n := total(1); n != 3 { // now from the cache
				t.Fatalf("cached total %d, want 3", n)
			}
			id := mk(b, 10)
			if n := total(1); n != 4 {
				t.Fatalf("after b's insert: %d, want 4 (stale cached total)", n)
			}
			if n := total(-1); n != 4 {
				t.Fatalf("last page: total %d", n)
			}
			if _, err := b.DeleteDocument(ctx, id); err != nil {
				t.Fatal(err)
			}
			if n := total(1); n != 3 {
				t.Fatalf("after b's delete: %d, want 3", n)
			}
			if n := total(9); n != 3 {
				t.Fatalf("page past the end: total %d", n)
			}
		})
	}
}

// twoProcesses opens two stores on one fresh database, as two Quire
// processes sharing it would.
func twoProcesses(t *testing.T, dialect string) (*store.Store, *store.Store) {
	t.Helper()
	url := storetest.DatabaseURL(t, dialect)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), store.Config{URL: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open(), open()
}
