package rest

import (
	"encoding/json"
	"net/url"
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

// ngxDocumentFilters are the document list's filters in the paperless-ngx
// versions (NGX.md §6.3): the 1.x set with ngx's date lookups, plus
// original_filename, checksum, mime_type, `__id__none` on references,
// storage path, owner, shared_by, the custom field filters and the
// database side of the `text` and `title_search` modes.
func ngxDocumentFilters(loc *time.Location) filterSet[store.DocumentFilter] {
	type F = store.DocumentFilter
	var s filterSet[F]
	for _, d := range documentFilters(loc) {
		if !strings.HasPrefix(d.Name, "created__") && !strings.HasPrefix(d.Name, "added__") && !strings.HasPrefix(d.Name, "modified__") && d.Name != "tags__id__in" {
			s = append(s, d)
		}
	}
	add := func(defs ...filterDef[F]) { s = append(s, defs...) }
	// ngx's tags__id__in ignores a list with a non-number (1.x: 400)
	add(filterDef[F]{param{"tags__id__in", "integers", "has at least one of these tags (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			ensure(&f.Tags).Any = ids
		}
		return ""
	}})
	add(ngxDateFilters("created", "created", loc, false, func(f *F) **store.DateFilter { return &f.Created })...)
	add(ngxDateFilters("added", "added", loc, true, func(f *F) **store.DateFilter { return &f.Added })...)
	add(ngxDateFilters("modified", "modified", loc, true, func(f *F) **store.DateFilter { return &f.Modified })...)
	add(textFilters("original_filename", "name as uploaded", func(f *F) **store.TextFilter { return &f.OriginalFilename })...)
	add(textFilters("checksum", "MD5 checksum of the original", func(f *F) **store.TextFilter { return &f.Checksum })...)
	add(noneFilter("correspondent__id__none", "correspondent", func(f *F) **store.IDFilter { return &f.Correspondent }))
	add(noneFilter("document_type__id__none", "document type", func(f *F) **store.IDFilter { return &f.DocumentType }))
	add(isnullFilter("storage_path__isnull", "storage path", func(f *F, b bool) { ensure(&f.StoragePath).Isnull = &b }))
	add(idFilters("storage_path__id", "storage path", func(f *F) **store.IDFilter { return &f.StoragePath })...)
	add(noneFilter("storage_path__id__none", "storage path", func(f *F) **store.IDFilter { return &f.StoragePath }))
	add(textFilters("storage_path__name", "storage path name", func(f *F) **store.TextFilter { return &f.StoragePathName })...)
	add(isnullFilter("owner__isnull", "owner", func(f *F, b bool) { ensure(&f.Owner).Isnull = &b }))
	add(idFilters("owner__id", "owner", func(f *F) **store.IDFilter { return &f.Owner })...)
	add(noneFilter("owner__id__none", "owner", func(f *F) **store.IDFilter { return &f.Owner }))
	add(filterDef[F]{param{"shared_by__id", "integer", "owned by this user and shared with someone"}, func(f *F, v string) string {
		n, err := strconv.Atoi(v)
		if err != nil {
			return msgEnterNumber
		}
		f.SharedBy = &n
		return ""
	}})
	cf := func(f *F) *store.TagsFilter { return ensure(&f.CustomFields) }
	add(filterDef[F]{param{"custom_fields__id__all", "integers", "has every one of these custom fields (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			cf(f).All = append(cf(f).All, ids...)
		}
		return ""
	}}, filterDef[F]{param{"custom_fields__id__in", "integers", "has at least one of these custom fields (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			cf(f).Any = ids
		}
		return ""
	}}, filterDef[F]{param{"custom_fields__id__none", "integers", "has none of these custom fields (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			cf(f).None = ids
		}
		return ""
	}}, filterDef[F]{param{"has_custom_fields", "boolean", "has at least one custom field (true) or none (false)"}, func(f *F, v string) string {
		if b, ok := boolStyle(v); ok {
			f.HasCustomFields = &b
		}
		return ""
	}}, filterDef[F]{param{"custom_fields__icontains", "string", "a custom field's name or value contains (case-insensitive; deprecated)"}, func(f *F, v string) string {
		f.CustomFieldsIcontains = &v
		return ""
	}}, filterDef[F]{param{"custom_field_query", "json", "custom field expression (NGX.md §8.3), URL-encoded JSON"}, func(f *F, v string) string {
		d := json.NewDecoder(strings.NewReader(v))
		d.UseNumber()
		var expr any
		if err := d.Decode(&expr); err != nil || d.More() {
			return "Value must be valid JSON."
		}
		if expr == nil {
			expr = []any{} // JSON null: not an expression
		}
		f.CustomFieldQuery = expr
		return ""
	}}, filterDef[F]{param{"mime_type", "string", "the original's MIME type contains (case-insensitive)"}, func(f *F, v string) string {
		f.MimeType = &v
		return ""
	}}, filterDef[F]{param{"text", "string", "title or content contains (case-insensitive; the database side of ngx's text mode)"}, func(f *F, v string) string {
		f.TitleContent = &v
		return ""
	}}, filterDef[F]{param{"title_search", "string", "title contains (case-insensitive; the database side of ngx's title_search mode)"}, func(f *F, v string) string {
		ensure(&f.Title).Icontains = &v
		return ""
	}})
	return s
}

// ngxSearchModes are the list's full-text modes; at most one may be given.
var ngxSearchModes = []string{"text", "title_search", "query", "more_like_id"}

// ngxSearchModeProblem is paperless-ngx's answer to more than one
// full-text mode on the document list ("" when at most one is set).
func ngxSearchModeProblem(q url.Values) string {
	n := 0
	for _, m := range ngxSearchModes {
		if q.Has(m) {
			n++
		}
	}
	if n > 1 {
		return "Specify only one of text, title_search, query, or more_like_id."
	}
	return ""
}

// noneFilter is prefix (`x__id__none`): rows referencing none of the
// comma-separated ids; a non-number disables it.
func noneFilter[F any](name, what string, get func(*F) **store.IDFilter) filterDef[F] {
	return filterDef[F]{param{name, "integers", what + " is none of these ids (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			t := ensure(get(f))
			t.None = append(t.None, ids...)
		}
		return ""
	}}
}

// ngxDateFilters are paperless-ngx's lookups on a date (DATE_KWARGS:
// year, month, day, gt, gte, lt, lte, all dates; plus the
// date__gt/gte/lt/lte aliases) or, with instants, on a datetime
// (DATETIME_KWARGS: gt, gte, lt, lte are ISO datetimes).
func ngxDateFilters[F any](prefix, what string, loc *time.Location, instants bool, get func(*F) **store.DateFilter) []filterDef[F] {
	out := []filterDef[F]{}
	for _, d := range dateFilters(prefix, what, loc, get) {
		switch strings.TrimPrefix(d.Name, prefix+"__") {
		case "year", "month", "day", "date__gt", "date__lt":
			out = append(out, d)
		}
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
	out = append(out,
		date("date__gte", "on or after this date", func(t *store.DateFilter, d time.Time) { t.DateGte = &d }),
		date("date__lte", "on or before this date", func(t *store.DateFilter, d time.Time) { t.DateLte = &d }))
	if !instants {
		return append(out,
			date("gt", "date after", func(t *store.DateFilter, d time.Time) { t.DateGt = &d }),
			date("gte", "on or after this date", func(t *store.DateFilter, d time.Time) { t.DateGte = &d }),
			date("lt", "date before", func(t *store.DateFilter, d time.Time) { t.DateLt = &d }),
			date("lte", "on or before this date", func(t *store.DateFilter, d time.Time) { t.DateLte = &d }))
	}
	return append(out,
		instant("gt", "after (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Gt = &d }),
		instant("gte", "at or after (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Gte = &d }),
		instant("lt", "before (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Lt = &d }),
		instant("lte", "at or before (ISO datetime)", func(t *store.DateFilter, d time.Time) { t.Lte = &d }))
}

// nestFields turns field errors whose key is a path ("custom_field_query/1/0",
// see store.DocumentFilter.CustomFieldQuery) into DRF's nested error
// objects: {"custom_field_query":{"1":{"0":["…"]}}}. Other keys stay flat.
func nestFields(fields map[string][]string) any {
	nested := false
	for k := range fields {
		if strings.Contains(k, "/") {
			nested = true
			break
		}
	}
	if !nested {
		return fields
	}
	out := map[string]any{}
	for k, msgs := range fields {
		parts := strings.Split(k, "/")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = msgs
	}
	customFieldItemErrors(out)
	return out
}

// ngxDocumentOrders reads the document ordering of the paperless-ngx
// versions: 1.x's names plus page_count, num_notes, storage_path__name
// and custom_field_<id>.
func ngxDocumentOrders() func(q url.Values) []store.DocumentOrder {
	type O = store.DocumentOrder
	known := append(documentOrders(), orderDef[O]{"page_count", func(desc bool) O {
		return O{Field: store.DocumentOrderPageCount, Direction: dir(desc)}
	}}, orderDef[O]{"num_notes", func(desc bool) O {
		return O{Field: store.DocumentOrderNumNotes, Direction: dir(desc)}
	}}, orderDef[O]{"storage_path__name", func(desc bool) O {
		return O{Field: store.DocumentOrderStoragePathName, Direction: dir(desc)}
	}})
	return func(q url.Values) []O {
		v, ok := last(q, "ordering")
		if !ok {
			return nil
		}
		var out []O
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			name, desc := strings.CutPrefix(item, "-")
			if id, ok := strings.CutPrefix(name, "custom_field_"); ok {
				if n, err := strconv.Atoi(id); err == nil {
					out = append(out, O{Field: store.DocumentOrderCustomField, Direction: dir(desc), CustomField: n})
				}
				continue
			}
			out = append(out, known.parse(url.Values{"ordering": {item}})...)
		}
		return out
	}
}
