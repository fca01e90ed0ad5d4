package rest

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
)

// django-filter's messages for bad filter values (API §5.3).
const (
	msgEnterNumber   = "Enter a number."
	msgEnterDate     = "Enter a valid date."
	msgEnterDateTime = "Enter a valid date/time."
	msgEnterUUID     = "Enter a valid UUID."
)

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// ensure returns *p, allocating it first when nil.
func ensure[T any](p **T) *T {
	if *p == nil {
		*p = new(T)
	}
	return *p
}

// textFilters are the four case-insensitive lookups on prefix
// (CHAR_KWARGS): prefix__istartswith, __iendswith, __icontains, __iexact.
func textFilters[F any](prefix, what string, get func(*F) **store.TextFilter) []filterDef[F] {
	lookups := []struct {
		name, help string
		set        func(t *store.TextFilter, v string)
	}{
		{"istartswith", "starts with", func(t *store.TextFilter, v string) { t.Istartswith = &v }},
		{"iendswith", "ends with", func(t *store.TextFilter, v string) { t.Iendswith = &v }},
		{"icontains", "contains", func(t *store.TextFilter, v string) { t.Icontains = &v }},
		{"iexact", "equals", func(t *store.TextFilter, v string) { t.Iexact = &v }},
	}
	out := make([]filterDef[F], len(lookups))
	for i, l := range lookups {
		out[i] = filterDef[F]{param{prefix + "__" + l.name, "string", what + " " + l.help + " (case-insensitive)"},
			func(f *F, v string) string { l.set(ensure(get(f)), v); return "" }}
	}
	return out
}

// idFilters are prefix (exact id) and prefix__in (comma-separated ids;
// empty items ignored).
func idFilters[F any](prefix, what string, get func(*F) **store.IDFilter) []filterDef[F] {
	return []filterDef[F]{
		{param{prefix, "integer", what + " id"}, func(f *F, v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msgEnterNumber
			}
			ensure(get(f)).Exact = &n
			return ""
		}},
		{param{prefix + "__in", "integers", what + " id is one of (comma-separated)"}, func(f *F, v string) string {
			ids, ok := intList(v, true)
			if !ok {
				return msgEnterNumber
			}
			if len(ids) > 0 {
				t := ensure(get(f))
				t.In = append(t.In, ids...)
			}
			return ""
		}},
	}
}

// isnullFilter is name (boolean style): true selects rows without the
// reference.
func isnullFilter[F any](name, what string, set func(f *F, isnull bool)) filterDef[F] {
	return filterDef[F]{param{name, "boolean", what + " is not set (true) or set (false)"}, func(f *F, v string) string {
		if b, ok := boolStyle(v); ok {
			set(f, b)
		}
		return ""
	}}
}

// intFilters are prefix (exact), __gt, __gte, __lt, __lte and __isnull.
func intFilters[F any](prefix, what string, get func(*F) **store.IntFilter) []filterDef[F] {
	cmp := func(suffix, help string, set func(t *store.IntFilter, n int)) filterDef[F] {
		name := prefix
		if suffix != "" {
			name += "__" + suffix
		}
		return filterDef[F]{param{name, "integer", what + " " + help}, func(f *F, v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msgEnterNumber
			}
			set(ensure(get(f)), n)
			return ""
		}}
	}
	return []filterDef[F]{
		cmp("", "equals", func(t *store.IntFilter, n int) { t.Exact = &n }),
		cmp("gt", "greater than", func(t *store.IntFilter, n int) { t.Gt = &n }),
		cmp("gte", "at least", func(t *store.IntFilter, n int) { t.Gte = &n }),
		cmp("lt", "less than", func(t *store.IntFilter, n int) { t.Lt = &n }),
		cmp("lte", "at most", func(t *store.IntFilter, n int) { t.Lte = &n }),
		isnullFilter(prefix+"__isnull", what, func(f *F, b bool) { ensure(get(f)).Isnull = &b }),
	}
}

// dateFilters are DATE_KWARGS on prefix: __year, __month, __day (calendar
// parts in the server zone), __date__gt, __date__lt (a date) and __gt,
// __lt (an ISO datetime; naive ones are in loc).
func dateFilters[F any](prefix, what string, loc *time.Location, get func(*F) **store.DateFilter) []filterDef[F] {
	part := func(suffix, help string, set func(t *store.DateFilter, n int)) filterDef[F] {
		return filterDef[F]{param{prefix + "__" + suffix, "integer", what + " " + help}, func(f *F, v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msgEnterNumber
			}
			set(ensure(get(f)), n)
			return ""
		}}
	}
	date := func(suffix, help string, set func(t *store.DateFilter, d time.Time)) filterDef[F] {
		return filterDef[F]{param{prefix + "__" + suffix, "date", what + " " + help}, func(f *F, v string) string {
			d, ok := parseDate(v, loc)
			if !ok {
				return msgEnterDate
			}
			set(ensure(get(f)), d)
			return ""
		}}
	}
	instant := func(suffix, help string, set func(t *store.DateFilter, d time.Time)) filterDef[F] {
		return filterDef[F]{param{prefix + "__" + suffix, "date-time", what + " " + help}, func(f *F, v string) string {
			d, ok := parseDateTime(v, loc)
			if !ok {
				return msgEnterDateTime
			}
			set(ensure(get(f)), d)
			return ""
		}}
	}
	return []filterDef[F]{
		part("year", "year", func(t *store.DateFilter, n int) { t.Year = &n }),
		part("month", "month (1-12)", func(t *store.DateFilter, n int) { t.Month = &n }),
		part("day", "day of month", func(t *store.DateFilter, n int) { t.Day = &n }),
		date("date__gt", "date after", func(t *store.DateFilter, d time.Time) { t.DateGt = &d }),
		date("date__lt", "date before", func(t *store.DateFilter, d time.Time) { t.DateLt = &d }),
		instant("gt", "after (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Gt = &d }),
		instant("lt", "before (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Lt = &d }),
	}
}

// intList parses comma-separated integers; with skipEmpty, empty items
// are dropped, otherwise they make the list invalid.
func intList(v string, skipEmpty bool) ([]int, bool) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		if s == "" && skipEmpty {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// boolStyle reads django-filter's boolean values: true/1, false/0
// (case-insensitive); anything else is no value.
func boolStyle(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// parseDate reads Django's default date input formats: YYYY-MM-DD,
// MM/DD/YYYY, MM/DD/YY.
func parseDate(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02", "01/02/2006", "01/02/06", "1/2/2006", "1/2/06"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isoDateTime is Django's datetime_re (django.utils.dateparse).
var isoDateTime = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`)

// parseDateTime reads an ISO 8601 datetime as Django's parse_datetime
// does; naive values are in loc.
func parseDateTime(v string, loc *time.Location) (time.Time, bool) {
	m := isoDateTime.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return time.Time{}, false
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	us := 0
	if m[7] != "" {
		us = num((m[7] + "00000")[:6])
	}
	zone := loc
	switch tz := m[8]; {
	case tz == "Z":
		zone = time.UTC
	case tz != "":
		sign := 1
		if tz[0] == '-' {
			sign = -1
		}
		tz = strings.ReplaceAll(tz[1:], ":", "")
		off := num(tz[:2]) * 3600
		if len(tz) > 2 {
			off += num(tz[2:]) * 60
		}
		if off >= 24*3600 { // Python's timezone refuses it: a wrong format
			return time.Time{}, false
		}
		zone = time.FixedZone("", sign*off)
	}
	y, mo, d, h, mi, s := num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, us*1000, zone)
	if t.Day() != d { // 31 February
		return time.Time{}, false
	}
	return t, true
}
