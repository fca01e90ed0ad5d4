package bleve

import (
	"context"
	"math"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// Numbers and dates are indexed as bleve's prefix-coded terms, but only at
// a few of the precision shifts bleve writes (it writes every fourth bit,
// 16 terms per value, most of them unique to one document: a fifth of the
// CPU spent indexing and merging). The shifts are a subset of
// bleve's, so an index written with bleve's own date fields answers the
// same range queries.
var (
	// dateShifts index a date (nanoseconds) exactly, by ~69 seconds, ~4.9
	// hours, ~52 days and ~36 years: a range costs at most 2×255 terms
	// per level, looked up as dictionary ranges.
	dateShifts = []uint{0, 36, 44, 52, 60}
	// idShifts index the document number for sorting only.
	idShifts = []uint{0}
)

// trieField is one of bleve's numeric or date fields (its name, options,
// stored value and type), indexed at shifts only.
type trieField struct {
	document.Field
	v      int64 // the value as bleve prefix-codes it
	shifts []uint
	freqs  index.TokenFrequencies
}

func (f *trieField) AnalyzedLength() int                              { return len(f.shifts) }
func (f *trieField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *trieField) Analyze() {
	tfs := make([]index.TokenFreq, len(f.shifts))
	buf := make([]byte, 11*len(f.shifts)) // a prefix-coded int64 takes at most 11 bytes
	f.freqs = make(index.TokenFrequencies, len(f.shifts))
	for i, s := range f.shifts {
		var term numeric.PrefixCoded
		term, buf, _ = numeric.NewPrefixCodedInt64Prealloc(f.v, s, buf) // shifts are < 64
		tfs[i].Term = term[:len(term):len(term)]
		if !f.Options().SkipFreqNorm() {
			tfs[i].SetFrequency(1)
		}
		if f.Options().IncludeTermVectors() {
			tfs[i].Locations = []*index.TokenLocation{{Start: 0, End: len(term), Position: 1}}
		}
		f.freqs[string(term)] = &tfs[i]
	}
}

const signBit = uint64(1) << 63

// span is a run of buckets at one shift: the values v with
// lo ≤ sortable(v)>>shift ≤ hi.
type span struct {
	shift  uint
	lo, hi uint64
}

// splitRange covers [lo, hi] (inclusive) with the fewest buckets at the
// given shifts (ascending, the first 0): exact values at both ends, ever
// coarser buckets towards the middle.
func splitRange(lo, hi int64, shifts []uint) []span {
	if lo > hi {
		return nil
	}
	u, w := uint64(lo)^signBit, uint64(hi)^signBit // bleve's sortable order
	var out []span
	for i, s := range shifts {
		if i == len(shifts)-1 {
			return append(out, span{s, u >> s, w >> s})
		}
		mask := uint64(1)<<shifts[i+1] - 1
		if u&mask != 0 { // u..end of its coarser bucket, at this shift
			e := u | mask
			if e >= w {
				return append(out, span{s, u >> s, w >> s})
			}
			out = append(out, span{s, u >> s, e >> s})
			u = e + 1
		}
		if w&mask != mask { // start of w's coarser bucket..w
			b := w &^ mask
			if b <= u {
				return append(out, span{s, u >> s, w >> s})
			}
			out = append(out, span{s, b >> s, w >> s})
			w = b - 1
		}
	}
	return out
}

// bucketTerm is the term of bucket b at shift s.
func bucketTerm(b uint64, s uint) []byte {
	return numeric.MustNewPrefixCodedInt64(int64((b<<s)^signBit), s)
}

// trieRange matches the documents whose field holds a value in [lo, hi]
// (inclusive), for fields indexed at least at shifts. It looks each span
// up as a dictionary range, so only terms that exist are searched.
type trieRange struct {
	field  string
	lo, hi int64
	shifts []uint
}

// Searcher implements query.Query.
func (q trieRange) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	var terms [][]byte
	for _, sp := range splitRange(q.lo, q.hi, q.shifts) {
		d, err := r.FieldDictRange(q.field, bucketTerm(sp.lo, sp.shift), bucketTerm(sp.hi, sp.shift))
		if err != nil {
			return nil, err
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			terms = append(terms, []byte(e.Term))
		}
		if err := d.Close(); err != nil {
			return nil, err
		}
	}
	return searcher.NewMultiTermSearcherBytes(ctx, r, terms, q.field, 1, opts, true)
}

// nanos is t as bleve's date fields hold it, clamped to what they can
// represent (dates outside it are not indexed at all).
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// dateRange matches documents whose date field lies in [from, to); a zero
// time leaves that end open.
func dateRange(field string, from, to time.Time) trieRange {
	q := trieRange{field: field, lo: math.MinInt64, hi: math.MaxInt64, shifts: dateShifts}
	if !from.IsZero() {
		q.lo = nanos(from)
	}
	if !to.IsZero() {
		switch n := nanos(to); {
		case to.After(time.Unix(0, math.MaxInt64)):
		case n == math.MinInt64:
			q.lo, q.hi = 1, 0 // nothing is earlier
		default:
			q.hi = n - 1
		}
	}
	return q
}
