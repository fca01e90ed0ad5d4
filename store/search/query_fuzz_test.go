package search

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire/store"
)

// FuzzParse feeds the query parser arbitrary text (seeds: f.Add below and
// testdata/fuzz/FuzzParse). A query either parses into a tree within the
// parser's limits or is refused with a *ParseError — a Validation error,
// never Internal — quickly; it never panics. CI runs it briefly:
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 20s ./store/search/
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		"", "bank", "bank statement", "bank OR invoice", "bank NOT invoice", "bank -invoice", `"bank statement"`,
		"(a OR b) c", "title:invoice", "tag:inbox", "tag:in*", "inv*", "b?nk", "*", "***", "?", "a**b", "*a*b*",
		"asn:123", "asn:[10 to 20]", "asn:[* to 5]", "created:2020-11", "created:yesterday", "created:last week",
		`created:"this month"`, "added:[-1 week to now]", "modified:[2020-01-01 to]", "created:[2021 to 2020]",
		"word^2", "title:(a OR b)", "NOT", "-", "bank -", "a:b:c", "[", "]", "{}", "c++", "e-mail", "title:",
		strings.Repeat("a*", 500), strings.Repeat("a* ", 20), strings.Repeat("(", 40) + "a" + strings.Repeat(")", 40),
		"ελλάδα straße Ærø", "\xff\xfe", "\u200bbank\ufeff", "created:30.11.2020", "asn:abc", `"unterminated`,
	} {
		f.Add(q)
	}
	now := time.Date(2021, 3, 17, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, q string) {
		start := time.Now()
		pq, err := Parse(q, now, time.UTC)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%q: parsed in %v", q, d)
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || store.ErrorCode(err) != store.Validation || pe.Message == "" {
				t.Fatalf("%q: %v (%T) is not a validation ParseError", q, err, err)
			}
			// Pos counts in the query as parsed: invalid UTF-8 replaced.
			if pe.Pos < 0 || pe.Pos > len(strings.ToValidUTF8(q, "\uFFFD")) {
				t.Fatalf("%q: error position %d outside the query", q, pe.Pos)
			}
			return
		}
		terms, wild := 0, 0
		Walk(pq.Root, func(n Node) bool {
			switch n := n.(type) {
			case *Term:
				terms++
				if n.Prefix || n.Pattern != "" {
					wild++
				}
				if n.Pattern != "" {
					if strings.Count(n.Pattern, "*")+strings.Count(n.Pattern, "?") > MaxWildcards || strings.Contains(n.Pattern, "**") {
						t.Fatalf("%q: pattern %q over the limits", q, n.Pattern)
					}
					if _, err := WildcardRegexp(n.Pattern); err != nil {
						t.Fatalf("%q: pattern %q: %v", q, n.Pattern, err)
					}
				}
				if n.Field != FieldTag && (n.Start < 0 || n.End > len(pq.Text) || n.Start > n.End) {
					t.Fatalf("%q: term %+v outside the text", q, n)
				}
				if !utf8.ValidString(n.Term) {
					t.Fatalf("%q: term %q is not UTF-8", q, n.Term)
				}
			case *And:
				if len(n.Nodes) < 2 {
					t.Fatalf("%q: And of %d", q, len(n.Nodes))
				}
			case *Or:
				if len(n.Nodes) < 2 {
					t.Fatalf("%q: Or of %d", q, len(n.Nodes))
				}
			case nil:
				t.Fatalf("%q: nil node in the tree", q)
			}
			return true
		})
		if terms > MaxQueryTerms || wild > MaxWildcardTerms {
			t.Fatalf("%q: %d terms, %d with wildcards", q, terms, wild)
		}
	})
}
