package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/searchtest"
)

// TestConformanceSliced runs the conformance suite with every search cut
// into three slices, however small the index.
func TestConformanceSliced(t *testing.T) {
	bleve.SliceSearches(t, 1, 3)
	searchtest.Run(t, open)
}

// TestSlicedSearchMatchesWhole compares searches cut into slices with the
// same searches over the whole index, on an index of several segments with
// deleted documents: totals, hits in order (ties included), scores,
// highlights and facet counts must all be the same.
func TestSlicedSearchMatchesWhole(t *testing.T) {
	e, ctx := open(t), context.Background()
	r := rand.New(rand.NewPCG(7, 11))
	words := strings.Fields("rechnung invoice konto bank miete steuer zahlung brief vertrag kunde")
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(words[r.IntN(len(words))] + " ")
		}
		return b.String()
	}
	const n = 1500
	for start := 1; start <= n; start += 100 { // one segment per write
		var docs []search.Document
		for id := start; id < start+100; id++ {
			d := searchtest.D(id, text(2), text(1+r.IntN(12)))
			d.Created = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(1000)) * 24 * time.Hour)
			if c := r.IntN(4); c > 0 {
				d.CorrespondentID, d.Correspondent = &c, "corr "+words[c]
			}
			if a := r.IntN(3); a > 0 {
				asn := r.IntN(50)
				d.ASN = &asn
			}
			for range r.IntN(3) {
				tg := 1 + r.IntN(5)
				d.TagIDs, d.Tags = append(d.TagIDs, tg), append(d.Tags, fmt.Sprint("tag", tg))
			}
			docs = append(docs, d)
		}
		if err := e.Index(ctx, docs...); err != nil {
			t.Fatal(err)
		}
	}
	var gone []int
	for id := 3; id <= n; id += 7 {
		gone = append(gone, id)
	}
	if err := e.Delete(ctx, gone...); err != nil {
		t.Fatal(err)
	}
	queries := []string{"rechnung", "rechnung konto", "bank OR miete", "steuer -brief", `"zahlung vertrag"`,
		"kun*", "title:invoice", "created:[2021 to 2022]", "rechnug", "tag:tag2 kunde", "NOT bank", "nothingatall"}
	sorts := []search.Sort{{}, {Field: search.SortCreated}, {Field: search.SortTitle, Desc: true}, {Field: search.SortASN},
		{Field: search.SortCorrespondent, Desc: true}}
	compared := 0
	for _, qs := range queries {
		q := search.MustParse(qs)
		for _, s := range sorts {
			for _, page := range []int{1, 2, 40} {
				req := search.Request{Query: q, Sort: s, Page: page, PageSize: 7, Highlight: page == 1, Facets: page == 2}
				whole, sliced := compareSliced(t, e, req)
				if !reflect.DeepEqual(whole, sliced) {
					t.Errorf("%q sort %v page %d:\nwhole  %+v\nsliced %+v", qs, s, page, whole, sliced)
				}
				if len(whole.Hits) > 0 {
					compared++
				}
			}
		}
	}
	if compared < 80 {
		t.Fatalf("only %d searches with hits compared", compared)
	}
}

// compareSliced runs req over the whole index and in slices. Ties are
// ordered by document number, which bleve's background merges change, so
// the whole search runs again after the sliced one; when the two whole
// searches differ, a merge came between and all three run again.
func compareSliced(t *testing.T, e search.Engine, req search.Request) (whole, sliced *search.Result) {
	t.Helper()
	run := func(slices int) *search.Result {
		if slices > 1 {
			bleve.SliceSearches(t, 1, slices)
		} else {
			bleve.SliceSearches(t, 1<<30, 1)
		}
		r, err := e.Search(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for range 20 {
		whole, sliced = run(1), run(3)
		if again := run(1); reflect.DeepEqual(whole, again) {
			return whole, sliced
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the index kept changing under the searches")
	return nil, nil
}
