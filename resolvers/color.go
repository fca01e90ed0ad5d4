package resolvers

import (
	"math"
	"regexp"
	"strconv"

	"github.com/quirehq/quire/store"
)

// DefaultTagColor is the colour of a tag created without one.
const DefaultTagColor = "#a6cee3"

// PaletteColor returns the hex colour of v1 palette index i (1–13); the
// table is store's (store.PaletteColor), which the export and import use too.
func PaletteColor(i int) (string, bool) { return store.PaletteColor(i) }

// PaletteIndex returns the v1 palette index of a hex colour, or 1 for a
// colour outside the palette (store.PaletteIndex).
func PaletteIndex(color string) int { return store.PaletteIndex(color) }

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
