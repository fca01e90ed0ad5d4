package parse

import (
	"strings"
	"testing"
	"time"
)

// FuzzFindDate: the content date parser never panics, and a date it
// finds is sane: read from a substring of the text, at midnight in the
// zone asked for, in paperless's year window, and found again (the same
// date) in that substring alone.
func FuzzFindDate(f *testing.F) {
	for _, s := range []string{
		"Invoice dated 12.03.2021 total", "Date: 2021-03-12 here", "Berlin, 5. März 2020", "Dated March 5, 2020.",
		"Statement for August 2019", "invalid 31.02.2020 then 01.03.2020", "glued 12.03.2021x then 13.03.2021",
		"underscore 12.03.2021_x", "99.99.9999", "1.1.00", "0.0.0000", "29.02.2100 29.02.2000", "Février 2020",
		"janv. 3 2020", "ÄÖÜ 12, 2020", "12.\xff\xfe 2020", "5 \x00ars 2020", strings.Repeat("1.1.1111", 200),
		strings.Repeat("12.03.2021x", 100), "",
	} {
		for _, order := range []string{"DMY", "MDY", "YMD", "YDM", "DYM", "MYD", "", "xyz"} {
			f.Add(s, order)
		}
	}
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("test", 5*3600+1800)
	f.Fuzz(func(t *testing.T, text, order string) {
		got, ok := FindDate(text, order, now, loc)
		if !ok {
			if got != (FoundDate{}) {
				t.Fatalf("no date but %+v", got)
			}
			return
		}
		d := got.Date
		switch {
		case got.String == "" || !strings.Contains(text, got.String):
			t.Fatalf("%q: found %q, not in the text", text, got.String)
		case d.Year() <= 1900 || d.Year() >= now.Year()+5:
			t.Fatalf("%q: year %d outside the window", text, d.Year())
		case d.Location() != loc || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0:
			t.Fatalf("%q: %v is not midnight in %v", text, d, loc)
		}
		again, ok := FindDate(got.String, order, now, loc)
		if !ok || !again.Date.Equal(d) || again.String != got.String {
			t.Fatalf("%q: %q gives %v, alone %+v %v", text, got.String, d, again, ok)
		}
	})
}

// FuzzFilenameTitleDate: the file name convention never panics; a date
// it reads is UTC and the title is what follows it.
func FuzzFilenameTitleDate(f *testing.F) {
	for _, s := range []string{"20200102Z - Notes", "20200102030405Z - A - B", "Acme - Invoice", "20201340Z - x",
		"99999999999999Z - y", "20200102z - ", "20200102Z -", "\x00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		title, d, ok := FilenameTitleDate(name)
		if !ok {
			if title != name || !d.IsZero() {
				t.Fatalf("%q: no date but %q %v", name, title, d)
			}
			return
		}
		if !strings.HasSuffix(name, title) || len(title) >= len(name) || d.Location() != time.UTC {
			t.Fatalf("%q: title %q date %v", name, title, d)
		}
	})
}
