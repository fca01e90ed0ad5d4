package search_test

import (
	"math/rand/v2"
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

// TestWithinDistance compares WithinDistance with the edit distance by
// the textbook table, on random words of a small alphabet (so that near
// words are common), long words included.
func TestWithinDistance(t *testing.T) {
	distance := func(a, b []rune) int {
		d := make([][]int, len(a)+1)
		for i := range d {
			d[i] = make([]int, len(b)+1)
			d[i][0] = i
		}
		for j := range d[0] {
			d[0][j] = j
		}
		for i := 1; i <= len(a); i++ {
			for j := 1; j <= len(b); j++ {
				c := 1
				if a[i-1] == b[j-1] {
					c = 0
				}
				d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			}
		}
		return d[len(a)][len(b)]
	}
	r := rand.New(rand.NewPCG(3, 4))
	letters := []rune("abcäöß")
	word := func() string {
		n := r.IntN(9)
		if r.IntN(20) == 0 {
			n = 45 + r.IntN(20) // longer than the buffers on the stack
		}
		w := make([]rune, n)
		for i := range w {
			w[i] = letters[r.IntN(len(letters))]
		}
		return string(w)
	}
	near := 0
	for range 20000 {
		a, b := word(), word()
		if r.IntN(2) == 0 && len(a) > 0 { // an edit or two of a
			rb := []rune(a)
			rb[r.IntN(len(rb))] = letters[r.IntN(len(letters))]
			b = string(rb)
		}
		d := distance([]rune(a), []rune(b))
		for k := 0; k <= 3; k++ {
			if got := search.WithinDistance(a, b, k); got != (d <= k) {
				t.Fatalf("WithinDistance(%q, %q, %d) = %v, distance %d", a, b, k, got, d)
			}
		}
		if d > 0 && d <= 2 {
			near++
		}
	}
	if near < 1000 {
		t.Fatalf("only %d near pairs: the test tests little", near)
	}
}

func BenchmarkWithinDistance(b *testing.B) {
	words := strings.Fields("rechnung rechnunq zahlung überweisung kontoauszug invoice invoise payment statement")
	for i := 0; b.Loop(); i++ {
		search.WithinDistance(words[i%len(words)], words[(i+1)%len(words)], 2)
	}
}
