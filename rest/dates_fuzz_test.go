package rest

import (
	"testing"
	"time"
)

// FuzzFilterDates: the REST date and datetime readers (filters and
// writable datetime fields) never panic, and what they accept is a real
// instant that reads back the same from its own ISO form.
func FuzzFilterDates(f *testing.F) {
	for _, s := range []string{"2020-01-01", "01/02/2020", "1/2/20", "2020-13-45", "2020-02-30", "0000-01-01", "9999-12-31",
		"2020-11-30T09:15:00Z", "2020-11-30 09:15:00.123456+02:00", "2020-11-30T09:15+0530", "2020-11-30T9:5:1,5-01",
		"2020-11-30T24:00:00", "2020-11-30T23:59:60Z", "2020-11-30T00:00:00+99:99", " 2020-11-30T00:00 ", "2020-11-30T00:00:00.1234567890Z",
		"\x00", "٢٠٢٠-١١-٣٠"} {
		f.Add(s)
	}
	loc := time.FixedZone("test", -3*3600)
	f.Fuzz(func(t *testing.T, v string) {
		if d, ok := parseDate(v, loc); ok {
			if d.Hour() != 0 || d.Minute() != 0 || d.Location() != loc {
				t.Fatalf("date %q: %v", v, d)
			}
			if back, ok := parseDate(d.Format("2006-01-02"), loc); !ok || !back.Equal(d) {
				t.Fatalf("date %q: %v reads back as %v %v", v, d, back, ok)
			}
		}
		if d, ok := parseDateTime(v, loc); ok {
			if d.Year() < 0 || d.Year() > 9999 {
				t.Fatalf("datetime %q: year %d", v, d.Year())
			}
			iso := d.Format("2006-01-02T15:04:05.999999Z07:00")
			if back, ok := parseDateTime(iso, loc); !ok || !back.Equal(d) {
				t.Fatalf("datetime %q: %v (%s) reads back as %v %v", v, d, iso, back, ok)
			}
		}
	})
}
