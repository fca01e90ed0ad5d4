package bleve

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/quirehq/quire/store/search"
)

// TestSplitRangeCoversExactly checks that the spans of a range hold every
// value in it exactly once and nothing else, at the edges of buckets and
// of the int64 range too.
func TestSplitRangeCoversExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64,
		1 << 36, 1<<36 - 1, 1 << 44, -(1 << 52), 1<<60 + 5}
	pick := func() int64 {
		switch r.IntN(4) {
		case 0:
			return edges[r.IntN(len(edges))]
		case 1:
			return r.Int64() - r.Int64()
		default: // dates near one another, as documents' are
			return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() + r.Int64N(int64(400*24*time.Hour)) - int64(200*24*time.Hour)
		}
	}
	count := func(spans []span, v int64) int {
		n := 0
		for _, sp := range spans {
			if b := (uint64(v) ^ signBit) >> sp.shift; b >= sp.lo && b <= sp.hi {
				n++
			}
		}
		return n
	}
	for range 3000 {
		lo, hi := pick(), pick()
		if lo > hi && r.IntN(4) > 0 {
			lo, hi = hi, lo
		}
		spans := splitRange(lo, hi, dateShifts)
		if lo <= hi && len(spans) > 2*len(dateShifts) {
			t.Fatalf("[%d, %d]: %d spans", lo, hi, len(spans))
		}
		probes := []int64{lo, hi, pick(), pick()}
		if lo > math.MinInt64 {
			probes = append(probes, lo-1)
		}
		if hi < math.MaxInt64 {
			probes = append(probes, hi+1)
		}
		if lo < hi {
			probes = append(probes, lo+r.Int64N(max(1, hi/2-lo/2)))
		}
		for _, v := range probes {
			want := 0
			if v >= lo && v <= hi {
				want = 1
			}
			if got := count(spans, v); got != want {
				t.Fatalf("[%d, %d] %v: %d is covered %d times, want %d", lo, hi, spans, v, got, want)
			}
		}
	}
}

// TestDateRangeOnBothIndexFormats runs date ranges on an index of
// documents built by Quire (dates at dateShifts) and on one of the same
// documents indexed by bleve's mapping (every fourth shift, as indexes
// written before trieField hold them), against the answer worked out
// by hand.
func TestDateRangeOnBothIndexFormats(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	var docs []search.Document
	for id := 1; id <= 400; id++ {
		var at time.Time
		switch r.IntN(5) {
		case 0:
			at = base.Add(time.Duration(r.Int64N(int64(10 * time.Minute)))) // within one bucket or two
		case 1:
			at = time.Date(1900+r.IntN(300), 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		default:
			at = base.Add(time.Duration(r.Int64N(int64(3*365*24*time.Hour))) - 18*30*24*time.Hour).Truncate(time.Second)
		}
		docs = append(docs, search.Document{ID: id, Title: "d", Created: at, Added: at, Modified: at})
	}
	analysed := search.AnalyzeDocuments(docs)
	open := func(name string) bleve.Index {
		idx, err := bleve.New(filepath.Join(t.TempDir(), name), indexMapping())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return idx
	}
	quire, reference := open("quire"), open("mapping")
	qb, mb := quire.NewBatch(), reference.NewBatch()
	for i, d := range docs {
		if err := qb.IndexAdvanced(build.document(analysed[i])); err != nil {
			t.Fatal(err)
		}
		if err := mb.Index(docID(d.ID), mapped(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := quire.Batch(qb); err != nil {
		t.Fatal(err)
	}
	if err := reference.Batch(mb); err != nil {
		t.Fatal(err)
	}
	point := func() time.Time {
		switch r.IntN(4) {
		case 0:
			return time.Time{} // open end
		case 1:
			return docs[r.IntN(len(docs))].Created // exactly a document's date
		default:
			return docs[r.IntN(len(docs))].Created.Add(time.Duration(r.Int64N(int64(2*time.Hour))) - time.Hour)
		}
	}
	for range 300 {
		from, to := point(), point()
		var want []int
		for _, d := range docs {
			if (from.IsZero() || !d.Created.Before(from)) && (to.IsZero() || d.Created.Before(to)) {
				want = append(want, d.ID)
			}
		}
		for name, idx := range map[string]bleve.Index{"quire": quire, "mapping": reference} {
			req := bleve.NewSearchRequestOptions(dateRange(fCreated, from, to), len(docs)+1, 0, false)
			res, err := idx.SearchInContext(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, h := range res.Hits {
				id, _ := strconv.Atoi(h.ID)
				got = append(got, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s index, created in [%v, %v): %d hits, want %d", name, from, to, len(got), len(want))
			}
		}
	}
}
