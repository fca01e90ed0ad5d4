package store

import "strings"

// tagPalette is paperless's v1 tag colour table: index i+1 is
// tagPalette[i]. Tags store a hex colour; API v1 and the paperless-ng
// export write the palette index.
var tagPalette = [...]string{
	"#a6cee3", "#1f78b4", "#b2df8a", "#33a02c", "#fb9a99", "#e31a1c", "#fdbf6f",
	"#ff7f00", "#cab2d6", "#6a3d9a", "#b15928", "#000000", "#cccccc",
}

// PaletteColor returns the hex colour of v1 palette index i (1–13).
func PaletteColor(i int) (string, bool) {
	if i < 1 || i > len(tagPalette) {
		return "", false
	}
	return tagPalette[i-1], true
}

// PaletteIndex returns the v1 palette index of a hex colour, or 1 for a
// colour outside the palette (as paperless 1.x reads it).
func PaletteIndex(color string) int {
	c := strings.ToLower(color)
	for i, p := range tagPalette {
		if p == c {
			return i + 1
		}
	}
	return 1
}
