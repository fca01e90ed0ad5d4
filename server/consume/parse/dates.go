package parse

import (
	"strings"
	"time"
)

// FindDates returns up to limit distinct dates in text, in the order they
// appear, each read as FindDate reads the first (paperless-ngx suggests a
// document's dates this way).
func FindDates(text, order string, now time.Time, loc *time.Location, limit int) []FoundDate {
	var out []FoundDate
	seen := map[time.Time]bool{}
	for from := 0; from < len(text) && len(out) < limit; {
		d, ok := FindDate(text[from:], order, now, loc)
		if !ok {
			break
		}
		at := strings.Index(text[from:], d.String)
		if at < 0 { // cannot happen: FindDate read it from this text
			break
		}
		from += at + len(d.String)
		if !seen[d.Date] {
			seen[d.Date] = true
			out = append(out, d)
		}
	}
	return out
}
