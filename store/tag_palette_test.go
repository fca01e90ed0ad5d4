package store

import (
	"strings"
	"testing"
)

// TestPalette: indices 1–13 round-trip through their colours (case does
// not matter); a colour outside the palette reads as 1, an index outside
// 1–13 has no colour.
func TestPalette(t *testing.T) {
	for i := 1; i <= 13; i++ {
		c, ok := PaletteColor(i)
		if !ok || PaletteIndex(c) != i || PaletteIndex(strings.ToUpper(c)) != i {
			t.Fatalf("index %d: %q %v", i, c, ok)
		}
	}
	if PaletteIndex("#123456") != 1 {
		t.Fatal("a colour outside the palette must read as 1")
	}
	for _, i := range []int{0, 14, -1} {
		if _, ok := PaletteColor(i); ok {
			t.Fatalf("index %d has a colour", i)
		}
	}
}
