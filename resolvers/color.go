package resolvers

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// palette is paperless's v1 tag colour table: index i+1 is palette[i].
var palette = [...]string{
	"#a6cee3", "#1f78b4", "#b2df8a", "#33a02c", "#fb9a99", "#e31a1c", "#fdbf6f",
	"#ff7f00", "#cab2d6", "#6a3d9a", "#b15928", "#000000", "#cccccc",
}

// DefaultTagColor is the colour of a tag created without one.
const DefaultTagColor = "#a6cee3"

// PaletteColor returns the hex colour of v1 palette index i (1–13).
func PaletteColor(i int) (string, bool) {
	if i < 1 || i > len(palette) {
		return "", false
	}
	return palette[i-1], true
}

// PaletteIndex returns the v1 palette index of a hex colour, or 1 for a
// colour outside the palette (as paperless 1.x reads it).
func PaletteIndex(color string) int {
	c := strings.ToLower(color)
	for i, p := range palette {
		if p == c {
			return i + 1
		}
	}
	return 1
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// TextColor returns "#ffffff" or "#000000", whichever reads better on the
// background colour, by paperless's luminance rule; "#000000" when the
// colour cannot be parsed.
func TextColor(color string) string {
	if !hexColor.MatchString(color) {
		return "#000000"
	}
	var rgb [3]float64
	for i := range rgb {
		v, _ := strconv.ParseUint(color[1+2*i:3+2*i], 16, 8)
		rgb[i] = float64(v) / 256
	}
	lum := math.Sqrt(0.299*rgb[0]*rgb[0] + 0.587*rgb[1]*rgb[1] + 0.114*rgb[2]*rgb[2])
	if lum < 0.53 {
		return "#ffffff"
	}
	return "#000000"
}
