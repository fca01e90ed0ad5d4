package search_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/store/search"
)

// TestHighlightPageAsFragmentsInTurn checks that a page's highlights, found
// on several cores, are those of Fragments called on each content in turn,
// term numbers (shared by the page) included.
func TestHighlightPageAsFragmentsInTurn(t *testing.T) {
	var contents []string
	for id := 1; id <= 24; id++ {
		contents = append(contents, benchDoc(id).Content)
	}
	contents = append(contents, "", "Rechnung RECHNUNG rechnung Betrag", strings.Repeat("konto ", 7000)+"rechnung")
	for _, q := range []string{"rechnung", "rechnung betrag", "rechnunq", "konto*", "ver*ung", `"freundlichen grüßen"`, "-rechnung"} {
		query := search.MustParse(q)
		page := search.NewHighlighter(query.Root, nil).Page(contents)
		h := search.NewHighlighter(query.Root, nil)
		lit := 0
		for i, c := range contents {
			want := h.Fragments(c)
			if !reflect.DeepEqual(page[i], want) {
				t.Fatalf("%q, content %d: page %v, in turn %v", q, i, page[i], want)
			}
			if want != nil {
				lit++
			}
		}
		if q != "-rechnung" && lit < 3 {
			t.Errorf("%q lit up %d contents: the comparison tests little", q, lit)
		}
	}
}

// BenchmarkHighlightPage cuts the highlights of a first page (10 contents
// of ~2 KB) in turn and as a page:
//
//	go test -run '^$' -bench HighlightPage -benchtime 2000x ./store/search/
func BenchmarkHighlightPage(b *testing.B) {
	var contents []string
	for id := 1; id <= 10; id++ {
		contents = append(contents, benchDoc(id).Content)
	}
	q := search.MustParse("rechnung betrag").Root
	known := func(*search.Term) bool { return false } // both words are in the index: no typos
	b.Run("in-turn", func(b *testing.B) {
		for b.Loop() {
			h := search.NewHighlighter(q, known)
			for _, c := range contents {
				h.Fragments(c)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			search.NewHighlighter(q, known).Page(contents)
		}
	})
}
