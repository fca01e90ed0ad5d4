package store

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/uptrace/bun"
)

// postings is an in-memory copy of the tag postings: for each tag, the
// sorted ids of the documents carrying it. Intersecting them in memory
// makes "documents with all of these tags" a merge of sorted lists instead
// of one index probe per document of the smallest tag (≈1 µs each, so
// tens of milliseconds for popular tags).
//
// Coherence, also across several Quire processes on one database: every
// change of document_tags bumps counters.document_tags in the changing
// transaction (by trigger). Lists are loaded after reading that generation
// and kept under it; the page query that uses an intersection reads the
// generation in the same statement and, if it moved, the lists are
// reloaded and the query repeated. Transactions bypass the cache (they may
// hold uncommitted changes).
type postings struct {
	mu    sync.Mutex
	gen   int64 // generation the lists belong to; -1 when empty
	lists map[int][]int32
	size  int // ids held
}

// Limits of the postings cache.
const (
	maxCachedPostings = 4_000_000 // ids held (16 MB); beyond, the cache starts over
	maxLiteralIDs     = 20_000    // larger intersections are left to the database
)

func newPostings() *postings { return &postings{gen: -1, lists: map[int][]int32{}} }

// invalidate drops every list.
func (p *postings) invalidate() {
	p.mu.Lock()
	p.gen, p.lists, p.size = -1, map[int][]int32{}, 0
	p.mu.Unlock()
}

// tagsGeneration reads the current generation of document_tags.
func (s *Store) tagsGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := s.read.NewSelect().TableExpr("counters").Column("value").Where("name = 'document_tags'").Scan(ctx, &gen)
	if err != nil {
		return 0, fmt.Errorf("read tag generation: %w", err)
	}
	return gen, nil
}

// cachedIntersection returns the ids (ascending) of the documents carrying
// every tag in tagIDs and the generation they are valid for, loading the
// lists it lacks. It never runs inside a transaction.
func (s *Store) cachedIntersection(ctx context.Context, tagIDs []int) ([]int, int64, error) {
	p := s.postings
	p.mu.Lock()
	defer p.mu.Unlock()
	var missing []int
	for _, id := range tagIDs {
		if _, ok := p.lists[id]; !ok || p.gen < 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		// The generation first: lists read after it are at least as new,
		// so they are never labelled newer than they are.
		gen, err := s.tagsGeneration(ctx)
		if err != nil {
			return nil, 0, err
		}
		if gen != p.gen || p.size > maxCachedPostings {
			p.gen, p.lists, p.size = gen, map[int][]int32{}, 0
			missing = tagIDs
		}
		var rows []struct {
			TagID      int   `bun:"tag_id"`
			DocumentID int32 `bun:"document_id"`
		}
		err = s.read.NewSelect().TableExpr("document_tags").Column("tag_id", "document_id").
			Where("tag_id IN (?)", bun.In(missing)).OrderExpr("tag_id, document_id").Scan(ctx, &rows)
		if err != nil {
			return nil, 0, fmt.Errorf("load tag postings: %w", err)
		}
		for _, id := range missing {
			p.lists[id] = []int32{} // a tag without documents is a known, empty list
		}
		for _, r := range rows {
			p.lists[r.TagID] = append(p.lists[r.TagID], r.DocumentID)
		}
		p.size += len(rows)
	}
	lists := make([][]int32, len(tagIDs))
	for i, id := range tagIDs {
		lists[i] = p.lists[id]
	}
	return intersectSorted(lists), p.gen, nil
}

// intersectSorted intersects ascending id lists, smallest first.
func intersectSorted(lists [][]int32) []int {
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := make([]int, 0, len(lists[0]))
	for _, id := range lists[0] {
		out = append(out, int(id))
	}
	for _, l := range lists[1:] {
		j, k := 0, 0
		for _, id := range out {
			for j < len(l) && int(l[j]) < id {
				j++
			}
			if j < len(l) && int(l[j]) == id {
				out[k] = id
				k++
			}
		}
		out = out[:k]
	}
	return out
}
