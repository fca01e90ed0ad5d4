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
