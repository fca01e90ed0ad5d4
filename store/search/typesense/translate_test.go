package typesense

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire/store/search"
)

// TestSplitFiltersOnlyWhatQCannotMatch checks which clauses of a query are
// left to Typesense's q alone and which also need filter_by.
func TestSplitFiltersOnlyWhatQCannotMatch(t *testing.T) {
	v, err := search.OpenVocab(filepath.Join(t.TempDir(), "v.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	docs := []search.Document{{ID: 1, Title: "Invoice", Content: "bank statement ελλάδα 1.5 insurance"}, {ID: 2, Tags: []string{"Insurance"}}}
	if err := v.Apply(search.AnalyzeDocuments(docs), nil); err != nil {
		t.Fatal(err)
	}
	tr := translator{v: v, cx: "t_cx"}
	for _, c := range []struct {
		query, q string
		filter   []string // parts the filter must contain ("" alone: no filter)
	}{
		{"invoice bank", "invoice bank", []string{""}},
		{`"bank statement" invoice`, `"bank statement" invoice`, []string{""}},
		{"1.5", "1.5", []string{""}},
		{"invoice -bank", "invoice -bank", []string{""}},
		{`invoice -"bank statement"`, `invoice -"bank statement"`, []string{""}},
		{"-bank", "-bank", []string{""}},
		{"title:invoice bank", "invoice bank", []string{"t_title:=[`invoice`]"}},
		{"invoise", "*", []string{"content:[`invoise`,`invoice`]"}}, // unknown: a typo allowed
		{"inv* bank", "bank", []string{"`invoice`"}},
		{"invoice OR bank", "*", []string{"content:[`invoice`]", "||", "content:[`bank`]"}},
		{"ελλάδα bank", "ελλαδα bank", []string{"t_cx:=[`ελλαδα`]"}}, // beyond ASCII: filtered too
		{"-ελλάδα", "*", []string{"t_cx:!=[`ελλαδα`]", "t_title:!=[`ελλαδα`]"}},
		{"tag:inbox bank", "bank", []string{"tag:=[`inbox`]"}},
		{"invoice OR -bank", "*", []string{"content:[`invoice`]", "||", "lacks[bank]"}},
		{"invoice -content:bank", "invoice", []string{"lacks[bank]"}},
		{"-inv*", "-invoice", []string{""}},
		{"-banc", "-banc -bank", []string{""}}, // a typo allowed
		{"-(bank OR statement)", "-bank -statement", []string{""}},
		{"invoice -(bank OR title:statement)", "invoice -bank", []string{"t_title:!=[`statement`]"}},
		{"NOT (bank statement)", "*", []string{"lacks[bank]", "||", "lacks[statement]"}},
		{"-ins*", "*", []string{"lacks[insurance]", "t_title:!=[`insurance`]"}}, // a tag's name: q would exclude the tag
	} {
		tq := tr.split(search.MustParse(c.query).Root)
		if tq.q != c.q {
			t.Errorf("%q: q = %q, want %q", c.query, tq.q, c.q)
		}
		if ranked := strings.Trim(c.q, `*-"`) != "" && !strings.HasPrefix(c.q, "-"); tq.ranked != ranked {
			t.Errorf("%q: ranked %v, want %v", c.query, tq.ranked, ranked)
		}
		filter := ""
		if tq.filter != nil {
			err := tq.filter.resolve(func(ws []string) (string, error) { return "lacks" + fmt.Sprint(ws), nil })
			if err != nil {
				t.Fatal(err)
			}
			filter = tq.filter.String()
		}
		for _, part := range c.filter {
			if part == "" && filter != "" || !strings.Contains(filter, part) {
				t.Errorf("%q: filter %q, want it to contain %q", c.query, filter, part)
			}
		}
		if strings.Contains(c.query, "bank") && !strings.Contains(c.query, "-bank") && !strings.Contains(c.query, "OR") &&
			!strings.Contains(c.query, "NOT") &&
			strings.Contains(filter, "`bank`") {
			t.Errorf("%q: filter %q also matches the exact word bank, which q matches", c.query, filter)
		}
		if strings.Contains(c.query, "-bank") && strings.Contains(filter, "lacks") != strings.Contains(c.query, " OR ") {
			t.Errorf("%q: filter %q: the word's absence is for q to say, unless nested", c.query, filter)
		}
	}
}

// TestOutside checks the filter of every document number but some.
func TestOutside(t *testing.T) {
	for _, c := range []struct {
		ids  []int
		want string
	}{
		{nil, "doc_id:>=0"},
		{[]int{0}, "doc_id:>=1"},
		{[]int{0, 1, 2}, "doc_id:>=3"},
		{[]int{1, 2, 5}, "(doc_id:[0..0, 3..4] || doc_id:>=6)"},
		{[]int{3, 9}, "(doc_id:[0..2, 4..8] || doc_id:>=10)"},
	} {
		if got := outside(c.ids); got != c.want {
			t.Errorf("outside(%v) = %q, want %q", c.ids, got, c.want)
		}
	}
}

// TestFilterTokens checks the count of a filter's tokens against what
// Typesense 0.24 accepts: 50 conditions joined by || (99 tokens) pass,
// 51 do not; and that leaves are not parenthesised.
func TestFilterTokens(t *testing.T) {
	ors := func(n int) string { return strings.TrimSuffix(strings.Repeat("a:=[`x`] || ", n), " || ") }
	if n := filterTokens(ors(50)); n != 99 {
		t.Errorf("50 conditions: %d tokens", n)
	}
	if n := filterTokens(ors(51)); n <= maxFilterTokens {
		t.Errorf("51 conditions: %d tokens, within the bound", n)
	}
	if n := filterTokens("(a:=[`x`] || b:=[`y`]) && c:=[`z`]"); n != 7 {
		t.Errorf("grouped: %d tokens", n)
	}
	f := and(leaf("a:=[`x`]", ""), or(leaf("b:=[`y`]", ""), leaf("c:=[`z`]", ""))).String()
	if f != "a:=[`x`] && (b:=[`y`] || c:=[`z`])" {
		t.Errorf("rendered %q", f)
	}
}

// TestExpansionsBounded checks that a query expands at most
// maxExpandedTerms terms (each typo scans the vocabulary) and is marked
// for refusal beyond, and that a term used twice is expanded once.
func TestExpansionsBounded(t *testing.T) {
	v, err := search.OpenVocab(filepath.Join(t.TempDir(), "v.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Apply(search.AnalyzeDocuments([]search.Document{{ID: 1, Content: "invoice insurance"}}), nil); err != nil {
		t.Fatal(err)
	}
	var words []string
	for i := range maxExpandedTerms + 6 {
		words = append(words, fmt.Sprintf("title:invoize%d", i))
	}
	tr := translator{v: v, cx: "t_cx", x: &expansions{words: map[*search.Term][]string{}}}
	tr.split(search.MustParse(strings.Join(words, " ")).Root)
	if !tr.x.over || len(tr.x.words) != maxExpandedTerms {
		t.Fatalf("over %v after %d expansions", tr.x.over, len(tr.x.words))
	}
	tr = translator{v: v, cx: "t_cx", x: &expansions{words: map[*search.Term][]string{}}}
	tr.split(search.MustParse("invoise ins*").Root)
	if tr.x.over || len(tr.x.words) != 2 {
		t.Fatalf("two terms: over %v, %d expansions", tr.x.over, len(tr.x.words))
	}
}
