package bleve

import (
	"context"
	"encoding/binary"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A restricted search keeps the matches of its query that carry one of
// the searcher's access tokens (search.Filter.ACL). Checking the tokens'
// postings for every match (a disjunction of term searchers advanced in
// step, bleve's filter clause) cost a one-word search half its time
// again; instead each segment of the index — immutable once written —
// gets a bitmap of its documents carrying any of the tokens, built once
// from the tokens' postings and cached, and a match costs a bitmap
// lookup. The filter leaves scores alone, so a restricted search ranks
// its hits as an unrestricted one does.

// aclQuery matches the matches of inner that carry one of tokens.
type aclQuery struct {
	inner  query.Query
	tokens []string
	key    string // the tokens, joined: the cache key
	cache  *aclCache
}

func newACLQuery(inner query.Query, tokens []string, cache *aclCache) *aclQuery {
	return &aclQuery{inner: inner, tokens: tokens, key: strings.Join(tokens, "\x00"), cache: cache}
}

// Searcher implements query.Query.
func (q *aclQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := q.inner.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	is, ok := i.(*scorch.IndexSnapshot)
	if !ok {
		// not scorch: bleve's filter clause over the tokens' postings
		s.Close()
		b := query.NewBooleanQuery([]query.Query{q.inner}, nil, nil)
		b.AddFilter(tokensQuery(q.tokens))
		return b.Searcher(ctx, i, m, options)
	}
	vis, err := q.cache.visible(is, q.tokens, q.key)
	if err != nil {
		s.Close()
		return nil, err
	}
	seg := 0
	return searcher.NewFilteringSearcher(ctx, s, func(_ *bsearch.SearchContext, d *bsearch.DocumentMatch) bool {
		n := binary.BigEndian.Uint64(d.IndexInternalID)
		// matches mostly come in order: look in the last segment first
		if n < vis.offsets[seg] || seg+1 < len(vis.offsets) && n >= vis.offsets[seg+1] {
			seg = sort.Search(len(vis.offsets), func(k int) bool { return vis.offsets[k] > n }) - 1
			if seg < 0 {
				seg = 0
				return false
			}
		}
		bm := vis.bitmaps[seg]
		return bm != nil && bm.Contains(uint32(n-vis.offsets[seg]))
	}), nil
}

// tokensQuery matches the documents carrying any of tokens.
func tokensQuery(tokens []string) query.Query {
	qs := make([]query.Query, len(tokens))
	for i, t := range tokens {
		qs[i] = termQ(fACL, t)
	}
	return disj(qs)
}

// visibleSet is, for one snapshot, each segment's first document number
// and the bitmap of its documents carrying one of a searcher's tokens
// (nil: none).
type visibleSet struct {
	offsets []uint64
	bitmaps []*roaring.Bitmap
}

// aclCache holds, per segment and set of tokens, the bitmap of the
// segment's documents carrying one of them. Only the segments of the
// snapshot searched last are kept: a merged-away segment's bitmaps go
// with the next search after the merge.
type aclCache struct {
	mu   sync.Mutex
	segs map[segment.Segment]map[string]*roaring.Bitmap
}

// visible returns the visible set of snapshot is for tokens (key: their
// cache key), building the bitmaps of segments not cached yet.
func (c *aclCache) visible(is *scorch.IndexSnapshot, tokens []string, key string) (*visibleSet, error) {
	segs := is.Segments()
	vs := &visibleSet{offsets: make([]uint64, len(segs)), bitmaps: make([]*roaring.Bitmap, len(segs))}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[segment.Segment]map[string]*roaring.Bitmap, len(segs))
	var off uint64
	for k, ss := range segs {
		vs.offsets[k] = off
		off += uint64(ss.FullSize())
		sg := ss.Segment()
		m := c.segs[sg]
		if m == nil {
			m = map[string]*roaring.Bitmap{}
		}
		next[sg] = m
		bm, ok := m[key]
		if !ok {
			var err error
			if bm, err = carrying(sg, tokens); err != nil {
				return nil, err
			}
			m[key] = bm
		}
		vs.bitmaps[k] = bm
	}
	c.segs = next
	return vs, nil
}

// carrying returns the bitmap of the documents of segment sg that carry
// one of tokens (nil: none).
func carrying(sg segment.Segment, tokens []string) (*roaring.Bitmap, error) {
	dict, err := sg.Dictionary(fACL)
	if err != nil {
		return nil, err
	}
	if dict == nil {
		return nil, nil
	}
	out := roaring.New()
	for _, t := range tokens {
		pl, err := dict.PostingsList([]byte(t), nil, nil)
		if err != nil {
			return nil, err
		}
		if pl == nil || pl.Count() == 0 {
			continue
		}
		it := pl.Iterator(false, false, false, nil)
		if o, ok := it.(segment.OptimizablePostingsIterator); ok {
			if bm := o.ActualBitmap(); bm != nil {
				out.Or(bm)
				continue
			}
			if n, ok := o.DocNum1Hit(); ok {
				out.Add(uint32(n))
				continue
			}
		}
		for {
			p, err := it.Next()
			if err != nil {
				return nil, err
			}
			if p == nil {
				break
			}
			out.Add(uint32(p.Number()))
		}
	}
	if out.IsEmpty() {
		return nil, nil
	}
	out.RunOptimize()
	return out, nil
}
