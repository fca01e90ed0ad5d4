package search

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFoldTableMatchesGeneralPath checks Fold's table against the general
// path for every rune it covers, and on random mixed strings (accents as
// precomposed letters and as combining marks, other scripts).
func TestFoldTableMatchesGeneralPath(t *testing.T) {
	for r := rune(0); r < foldTableEnd+0x100; r++ {
		s := "X" + string(r) + "y"
		if got, want := Fold(s), foldSlow(s); got != want {
			t.Errorf("Fold(%q) = %q, general path %q", s, got, want)
		}
	}
	pieces := []string{"a", "Z", "ä", "Ö", "ß", "ẞ", "é", "E\u0301", "\u0308", "ø", "Ł", "ı", "İ", "ǅ", "Ǆ", "ﬁ",
		"Ω", "я", "Ж", "한", "ひ", "٣", "1", ".", "œ", "Æ", "ŉ", "ǰ", "\u0327", "ç", "Ç"}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range 1 + rnd.IntN(6) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := Fold(s), foldSlow(s); got != want {
			t.Fatalf("Fold(%q) = %q, general path %q", s, got, want)
		}
	}
	for in, want := range map[string]string{"Straße": "strasse", "Ärger": "arger", "CAFÉ": "cafe", "ascii": "ascii", "Føroyar": "foroyar"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkFold(b *testing.B) {
	words := strings.Fields("Rechnung für Straße Überweisung invoice Payment Kontoauszug Grüßen résumé")
	for i := 0; b.Loop(); i++ {
		Fold(words[i%len(words)])
	}
}

// TestAnalyzeValues: the values of a many-valued field are analysed as
// the text JoinValues makes of them (offsets into it), with a position
// gap of ValueGap between values, so that no phrase spans two of them;
// a value without words leaves no gap.
func TestAnalyzeValues(t *testing.T) {
	vs := []string{"Call the Landlord", "—", "Second note"}
	text := JoinValues(vs)
	toks := AnalyzeValues(vs)
	type tok struct {
		term, spelt string
		pos         int
	}
	var got []tok
	for _, k := range toks {
		got = append(got, tok{k.Term, text[k.Start:k.End], k.Pos})
	}
	want := []tok{{"call", "Call", 0}, {"landlord", "Landlord", 1}, {"second", "Second", 1 + ValueGap}, {"note", "note", 2 + ValueGap}}
	if len(got) != len(want) {
		t.Fatalf("tokens %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if AnalyzeValues(nil) != nil {
		t.Error("no values: tokens")
	}
}
