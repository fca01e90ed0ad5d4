package match

import (
	"fmt"
	"testing"

	"github.com/quirehq/quire/store"
)

// The cases are paperless-ng's src/documents/tests/test_matchables.py.
func TestMatches(t *testing.T) {
	cases := []struct {
		match string
		alg   store.MatchingAlgorithm
		yes   []string
		no    []string
	}{
		{"alpha charlie gamma", store.MatchAll,
			[]string{"I have alpha, charlie, and gamma in me"},
			[]string{"I have alpha in me", "I have charlie in me", "I have gamma in me", "I have alpha and charlie in me", "I have alphas, charlie, and gamma in me", "I have alphas in me", "I have bravo in me"}},
		{"12 34 56", store.MatchAll,
			[]string{"I have 12 34, and 56 in me"},
			[]string{"I have 12 in me", "I have 34 in me", "I have 56 in me", "I have 12 and 34 in me", "I have 120, 34, and 56 in me", "I have 123456 in me", "I have 01234567 in me"}},
		{`brown fox "lazy dogs"`, store.MatchAll,
			[]string{"the quick brown fox jumped over the lazy dogs", "the quick brown fox jumped over the lazy  dogs"},
			[]string{"the quick fox jumped over the lazy dogs", "the quick brown wolf jumped over the lazy dogs", "the quick brown fox jumped over the fat dogs", "the quick brown fox jumped over the lazy cats"}},
		{"alpha charlie gamma", store.MatchAny,
			[]string{"I have alpha in me", "I have charlie in me", "I have gamma in me", "I have alpha, charlie, and gamma in me", "I have alpha and charlie in me"},
			[]string{"I have alphas in me", "I have bravo in me"}},
		{"12 34 56", store.MatchAny,
			[]string{"I have 12 34, and 56 in me", "I have 12 in me", "I have 34 in me", "I have 56 in me", "I have 12 and 34 in me", "I have 120, 34, and 560 in me"},
			[]string{"I have 123456 in me", "I have 01234567 in me", "I have 120, 340, and 560 in me"}},
		{`"brown fox" " lazy dogs "`, store.MatchAny,
			[]string{"the quick brown fox", "jumped over the lazy dogs."},
			[]string{"the lazy fox jumped over the brown dogs"}},
		{"alpha charlie gamma", store.MatchLiteral,
			[]string{"I have 'alpha charlie gamma' in me"},
			[]string{"I have alpha in me", "I have charlie in me", "I have gamma in me", "I have alpha and charlie in me", "I have alphas, charlie, and gamma in me", "I have alphas in me", "I have bravo in me"}},
		{"12 34 56", store.MatchLiteral,
			[]string{"I have 12 34 56 in me"},
			[]string{"I have 12 in me", "I have 34 in me", "I have 56 in me", "I have 12 and 34 in me", "I have 12 34, and 56 in me", "I have 120, 34, and 560 in me", "I have 120, 340, and 560 in me", "I have 123456 in me", "I have 01234567 in me"}},
		{`alpha\w+gamma`, store.MatchRegex,
			[]string{"I have alpha_and_gamma in me", "I have alphas_and_gamma in me"},
			[]string{"I have alpha in me", "I have alpha and charlie in me", "I have alpha_and_charlie in me", "I have alphas, charlie, and gamma in me", "I have alphas in me", "I have bravo in me", "I have alpha, charlie, and gamma in me"}},
		{"[", store.MatchRegex, nil, []string{"I have alpha, charlie, and gamma in me", "["}},
		{`(?<=rechnung\s)nr\.`, store.MatchRegex, []string{"Rechnung Nr. 5"}, []string{"Nr. 5"}},
		{"Springfield, Miss.", store.MatchFuzzy,
			[]string{"1220 Main Street, Springf eld, Miss.", "1220 Main Street, Spring field, Miss.", "1220 Main Street, Springfeld, Miss.", "1220 Main Street Springfield Miss"},
			[]string{"1220 Main Street, Springfield, Mich."}},
		// Unicode word boundaries (Go's \b would see "ü" as a boundary).
		{"müller", store.MatchAny, []string{"Herr MÜLLER schreibt", "müller"}, []string{"Müllerstraße 5", "xmüller"}},
		{"straße", store.MatchLiteral, []string{"Hauptstraße"[0:0] + "die straße"}, []string{"Hauptstraße"}},
		{"c++", store.MatchAny, []string{"use c++11"}, []string{"c++", "c++ code"}}, // Python: \bc\+\+\b needs a word character after
		{"", store.MatchAny, nil, []string{"anything"}},
		{"   ", store.MatchLiteral, nil, []string{"   "}},
		{"alpha", store.MatchAuto, nil, []string{"alpha"}},
		{"alpha", store.MatchNone, nil, []string{"alpha"}},
	}
	for _, c := range cases {
		for _, insensitive := range []bool{true} {
			m := store.Matching{Match: c.match, MatchingAlgorithm: c.alg, IsInsensitive: insensitive}
			for _, s := range c.yes {
				if !Matches(m, s) {
					t.Errorf("%d %q should match %q", c.alg, c.match, s)
				}
			}
			for _, s := range c.no {
				if Matches(m, s) {
					t.Errorf("%d %q should not match %q", c.alg, c.match, s)
				}
			}
		}
	}
}

func TestMatchesCaseSensitive(t *testing.T) {
	// The content is always lower-cased: an upper-case match with
	// is_insensitive=false never matches (paperless quirk, §11.4).
	m := store.Matching{Match: "ACME", MatchingAlgorithm: store.MatchAny, IsInsensitive: false}
	if Matches(m, "ACME corp") {
		t.Error("case-sensitive upper-case match must not match lower-cased content")
	}
	m.Match = "acme"
	if !Matches(m, "ACME corp") {
		t.Error("lower-case case-sensitive match should match")
	}
}

func TestRegexErrors(t *testing.T) {
	if err := ValidateRegex("["); err == nil {
		t.Error("[ should not compile")
	}
	if _, err := MatchesErr(store.Matching{Match: "(", MatchingAlgorithm: store.MatchRegex}, "x"); err == nil {
		t.Error("want an error for an invalid pattern")
	}
	if err := ValidateRegex(`(?P<year>\d{4})`); err != nil {
		t.Errorf("python named group: %v", err)
	}
}

func TestPartialRatio(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"this is a test", "this is a test!", 100},
		{"new york mets", "the wonderful new york mets", 100},
		{"fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear", 91}, // (fuzzywuzzy README: partial ratio on this pair)
		{"", "abc", 0},
		{"abc", "abc", 100},
		{"abc", "xyz", 0},
		{"springfield miss", "1220 main street springfield mich", 88},
	}
	for _, c := range cases {
		if got := PartialRatio(c.a, c.b); got != c.want {
			t.Errorf("PartialRatio(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := ratio([]rune("this is a test"), []rune("this is a test!")); fmt.Sprintf("%.0f", got*100) != "97" {
		t.Errorf("ratio = %v, want ~0.97", got)
	}
}

func TestPartialRatioLongText(t *testing.T) {
	long := make([]rune, 0, 600000)
	for len(long) < 590000 {
		long = append(long, []rune("lorem ipsum dolor sit amet ")...)
	}
	text := string(long) + "springfield miss"
	if got := PartialRatio("springfield miss", text); got != 100 {
		t.Errorf("match at the end of a long text: %d", got)
	}
}
