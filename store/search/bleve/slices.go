package bleve

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/facet"
	index "github.com/blevesearch/bleve_index_api"
)

// A search over a large index runs on several cores. bleve searches one
// index on one goroutine; Quire opens one snapshot of it, cuts the
// snapshot's document numbers into contiguous slices holding about as many
// live documents each, and searches every slice with a searcher and
// collector of its own, concurrently. All slices read the same snapshot,
// so scores (document frequencies), totals and facet counts are exactly
// those of a search over the whole index; the slices' best hits are merged
// in the request's order, ties broken by document number as bleve breaks
// them.

// sliceMinDocs is the fewest live documents a slice is cut for: a search
// over fewer takes a couple of milliseconds, much of it fixed costs that
// every slice pays again (an index of 20,000 documents searched in two
// slices answered more slowly than whole; docs/benchmarks.md).
var sliceMinDocs = 20000

// sliceMax is the most slices a search is cut into.
var sliceMax = func() int { return min(runtime.GOMAXPROCS(0), 8) }

// search answers req over the generation's index, in slices when the
// index is large enough and the request is one slicing supports.
func (g *generation) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	if !sliceable(req) {
		return g.idx.SearchInContext(ctx, req)
	}
	reader, err := g.reader()
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	bounds := cut(reader, sliceMax())
	if len(bounds) <= 2 {
		return g.idx.SearchInContext(ctx, req)
	}
	n := len(bounds) - 1
	outs := make([]sliceResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { outs[i] = g.searchSlice(ctx, reader, req, bounds[i], bounds[i+1]) })
	}
	wg.Wait()

	res := &bleve.SearchResult{Status: &bleve.SearchStatus{Total: 1, Successful: 1}}
	var hits bsearch.DocumentMatchCollection
	for _, o := range outs {
		if o.err != nil {
			return nil, o.err
		}
		res.Total += o.total
		res.MaxScore = max(res.MaxScore, o.maxScore)
		hits = append(hits, o.hits...)
		if o.facets != nil {
			if res.Facets == nil {
				res.Facets = bsearch.FacetResults{}
			}
			for name, fr := range o.facets {
				if have, ok := res.Facets[name]; ok {
					have.Merge(fr)
				} else {
					res.Facets[name] = fr
				}
			}
		}
	}
	for name, fr := range res.Facets {
		fr.Fixup(req.Facets[name].Size)
	}
	scoring, desc := req.Sort.CacheIsScore(), req.Sort.CacheDescending()
	sort.SliceStable(hits, func(a, b int) bool { return req.Sort.Compare(scoring, desc, hits[a], hits[b]) < 0 })
	if req.From >= len(hits) {
		hits = nil
	} else {
		hits = hits[req.From:min(req.From+req.Size, len(hits))]
	}
	for _, h := range hits {
		if err, _ := bleve.LoadAndHighlightFields(h, req, "", reader, nil); err != nil {
			return nil, err
		}
	}
	res.Hits = hits
	res.Request = req
	return res, nil
}

// reader opens a snapshot of the generation's index; the caller closes it.
func (g *generation) reader() (index.IndexReader, error) {
	adv, err := g.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	return r, nil
}

// sliceable reports whether req asks only for what searchSlice gathers:
// hits in an order, totals, stored fields and term facets.
func sliceable(req *bleve.SearchRequest) bool {
	if req.Highlight != nil || req.Explain || req.SearchAfter != nil || req.SearchBefore != nil ||
		req.IncludeLocations || req.Score != "" {
		return false
	}
	for _, f := range req.Facets {
		if f.NumericRanges != nil || f.DateTimeRanges != nil || f.TermPrefix != "" || f.TermPattern != "" {
			return false
		}
	}
	return true
}

type sliceResult struct {
	hits     bsearch.DocumentMatchCollection
	total    uint64
	maxScore float64
	facets   bsearch.FacetResults
	err      error
}

// searchSlice collects the best From+Size hits of req among the documents
// numbered lo up to hi (hi 0: to the end).
func (g *generation) searchSlice(ctx context.Context, reader index.IndexReader, req *bleve.SearchRequest, lo, hi uint64) (out sliceResult) {
	s, err := req.Query.Searcher(ctx, reader, g.idx.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return sliceResult{err: err}
	}
	defer func() {
		if err := s.Close(); err != nil && out.err == nil {
			out.err = err
		}
	}()
	order := req.Sort.Copy()
	coll := collector.NewTopNCollector(req.From+req.Size, 0, order)
	if len(req.Facets) > 0 {
		fb := bsearch.NewFacetsBuilder(reader)
		for name, f := range req.Facets {
			fb.Add(name, facet.NewTermsFacetBuilder(f.Field, f.Size))
		}
		coll.SetFacetsBuilder(fb)
	}
	ss := &sliceSearcher{Searcher: s}
	if lo > 0 {
		ss.lo = docNum(lo)
	}
	if hi > 0 {
		ss.hi = docNum(hi)
	}
	if err := coll.Collect(ctx, ss, reader); err != nil {
		return sliceResult{err: fmt.Errorf("search slice: %w", err)}
	}
	hits := coll.Results()
	for _, h := range hits {
		// bleve breaks ties by the order a collector saw its hits in;
		// across slices that is the document number
		h.HitNumber = binary.BigEndian.Uint64(h.IndexInternalID)
	}
	return sliceResult{hits: hits, total: coll.Total(), maxScore: coll.MaxScore(), facets: coll.FacetResults()}
}

// docNum is scorch's internal id of document number n.
func docNum(n uint64) index.IndexInternalID {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// cut returns the document numbers at which the reader's snapshot is cut
// into at most n slices of at least sliceMinDocs live documents each:
// 0, then the start of every further slice, then 0 for "to the end". A
// snapshot too small to cut, or not a scorch snapshot, gives one slice.
func cut(reader index.IndexReader, n int) []uint64 {
	whole := []uint64{0, 0}
	is, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return whole
	}
	segs := is.Segments()
	var live int64
	for _, s := range segs {
		live += s.LiveSize()
	}
	n = min(n, int(live/int64(max(sliceMinDocs, 1))))
	if n < 2 {
		return whole
	}
	bounds := []uint64{0}
	var before, base int64 // live documents and document numbers before segment s
	next := int64(1)       // the slice whose start is looked for
	for _, s := range segs {
		l, full := s.LiveSize(), s.FullSize()
		for next < int64(n) && before+l > next*live/int64(n) {
			// documents are assumed evenly deleted within a segment
			at := base + (next*live/int64(n)-before)*full/max(l, 1)
			if at > int64(bounds[len(bounds)-1]) {
				bounds = append(bounds, uint64(at))
			}
			next++
		}
		before, base = before+l, base+full
	}
	return append(bounds, 0)
}

// sliceSearcher limits a searcher to the documents numbered lo up to hi
// (lo nil: from the start; hi nil: to the end).
type sliceSearcher struct {
	bsearch.Searcher
	lo, hi  index.IndexInternalID
	started bool
}

func (s *sliceSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.started && s.lo != nil {
		return s.Advance(ctx, s.lo)
	}
	s.started = true
	m, err := s.Searcher.Next(ctx)
	return s.within(ctx, m, err)
}

func (s *sliceSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	s.started = true
	if bytes.Compare(id, s.lo) < 0 {
		id = s.lo
	}
	m, err := s.Searcher.Advance(ctx, id)
	return s.within(ctx, m, err)
}

func (s *sliceSearcher) within(ctx *bsearch.SearchContext, m *bsearch.DocumentMatch, err error) (*bsearch.DocumentMatch, error) {
	if err != nil || m == nil || s.hi == nil || bytes.Compare(m.IndexInternalID, s.hi) < 0 {
		return m, err
	}
	ctx.DocumentMatchPool.Put(m)
	return nil, nil
}
