package parse

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateRE is paperless-ng's DATE_REGEX (documents/parsers.py), in Go
// syntax: D.M.Y, Y.M.D (separators . / -), "D. Month YYYY", "D Month
// YY(YY)", "Month D, YYYY" and "Month YYYY". Python's trailing
// (\b|(?=[_-])) is checked by hand (rightEdge).
var dateRE = regexp.MustCompile(
	`([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4}|[0-9]{2})` +
		`|([0-9]{4}|[0-9]{2})[./-]([0-9]{1,2})[./-]([0-9]{1,2})` +
		`|([0-9]{1,2})[. ]+([^ ]{3,9}) ([0-9]{4}|[0-9]{2})` +
		`|(\pL{3,9}) ([0-9]{1,2}), ([0-9]{4})` +
		`|(\pL{3,9}) ([0-9]{4})`)

// months maps lower-case month names and abbreviations (English, German,
// French, Spanish, Italian, Dutch, Portuguese) to month numbers.
var months = func() map[string]time.Month {
	names := [][]string{
		{"january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "januari", "janeiro"},
		{"february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "februari", "fevereiro", "fev"},
		{"march", "mar", "märz", "maerz", "mär", "mars", "marzo", "maart", "mrt", "março", "marco"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
		{"may", "mai", "mayo", "maggio", "mag", "mei", "maio"},
		{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"},
		{"august", "aug", "août", "aout", "agosto", "ago", "augustus"},
		{"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"},
		{"november", "nov", "novembre", "noviembre", "novembro"},
		{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro"},
	}
	m := map[string]time.Month{}
	for i, ns := range names {
		for _, n := range ns {
			m[n] = time.Month(i + 1)
		}
	}
	return m
}()

// FoundDate is a date found in text and the string it was read from.
type FoundDate struct {
	Date   time.Time
	String string
}

// FindDate returns the first date in text that paperless would take:
// each candidate substring is read with order ("DMY", "MDY", "YMD", "YDM",
// "DYM", "MYD"; "" means "DMY"), the first day of the month when no day
// is given, at midnight in loc; the first whose year is after 1900 and
// before now's year + 5 wins.
func FindDate(text, order string, now time.Time, loc *time.Location) (FoundDate, bool) {
	if order == "" {
		order = "DMY"
	}
	if loc == nil {
		loc = time.UTC
	}
	order = strings.ToUpper(order)
	for from := 0; from < len(text); {
		idx := dateRE.FindStringSubmatchIndex(text[from:])
		if idx == nil {
			break
		}
		start, end := from+idx[0], from+idx[1]
		sub := func(g int) string {
			if idx[2*g] < 0 {
				return ""
			}
			return text[from+idx[2*g] : from+idx[2*g+1]]
		}
		if !rightEdge(text, end) {
			// Not a match for Python either: try the next position.
			_, size := utf8.DecodeRuneInString(text[start:])
			from = start + max(size, 1)
			continue
		}
		if d, ok := readDate(sub, order, loc); ok && d.Year() > 1900 && d.Year() < now.Year()+5 {
			return FoundDate{Date: d, String: text[start:end]}, true
		}
		from = end // finditer goes on after a match the date parser rejected
	}
	return FoundDate{}, false
}

// rightEdge is Python's (\b|(?=[_-])) after a match ending in a digit.
func rightEdge(text string, end int) bool {
	if end >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[end:])
	return !(unicode.IsLetter(r) || unicode.IsNumber(r))
}

func readDate(sub func(int) string, order string, loc *time.Location) (time.Time, bool) {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	var y, m, d int
	switch {
	case sub(1) != "": // a.b.YEAR
		a, b := atoi(sub(1)), atoi(sub(2))
		y = year(sub(3))
		switch order {
		case "MDY", "MYD", "YMD":
			m, d = a, b
		default:
			d, m = a, b
		}
	case sub(4) != "": // YEAR.b.c
		y = year(sub(4))
		b, c := atoi(sub(5)), atoi(sub(6))
		if order == "YDM" {
			d, m = b, c
		} else {
			m, d = b, c
		}
	case sub(7) != "": // D. Month YYYY
		mon, ok := month(sub(8))
		if !ok {
			return time.Time{}, false
		}
		d, m, y = atoi(sub(7)), int(mon), year(sub(9))
	case sub(10) != "": // Month D, YYYY
		mon, ok := month(sub(10))
		if !ok {
			return time.Time{}, false
		}
		m, d, y = int(mon), atoi(sub(11)), year(sub(12))
	case sub(13) != "": // Month YYYY
		mon, ok := month(sub(13))
		if !ok {
			return time.Time{}, false
		}
		m, d, y = int(mon), 1, year(sub(14))
	default:
		return time.Time{}, false
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Day() != d { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// year reads a 2- or 4-digit year; two digits pivot like strptime's %y
// (69–99 → 19xx, 00–68 → 20xx).
func year(s string) int {
	n, _ := strconv.Atoi(s)
	if len(s) == 2 {
		if n >= 69 {
			return 1900 + n
		}
		return 2000 + n
	}
	return n
}

func month(s string) (time.Month, bool) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	m, ok := months[s]
	return m, ok
}

// filenameDateRE is the 1.x file name convention "<DATE> - <title>" with
// DATE = YYYYMMDDZ or YYYYMMDDHHMMSSZ (UTC).
var filenameDateRE = regexp.MustCompile(`(?i)^([0-9]{8}|[0-9]{14})Z - (.*)$`)

// FilenameTitleDate splits a file name (without extension) by the
// "<DATE> - <title>" convention; without it the title is the whole name.
func FilenameTitleDate(name string) (title string, date time.Time, ok bool) {
	mm := filenameDateRE.FindStringSubmatch(name)
	if mm == nil {
		return name, time.Time{}, false
	}
	layout := "20060102"
	if len(mm[1]) == 14 {
		layout = "20060102150405"
	}
	t, err := time.ParseInLocation(layout, mm[1], time.UTC)
	if err != nil {
		return name, time.Time{}, false
	}
	return mm[2], t, true
}
