package store

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"modernc.org/sqlite"
)

// SQL functions registered with the SQLite driver (every connection opened
// after init has them):
//
//   - quire_fold(text) returns the Unicode case folding of text (NULL stays
//     NULL). SQLite's own lower() and LIKE fold ASCII only.
//   - quire_date_part(part, timestamp, zone) returns the year, month or day
//     of a stored timestamp in the IANA zone, as an integer.
const (
	sqliteFoldFunc     = "quire_fold"
	sqliteDatePartFunc = "quire_date_part"
)

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(sqliteFoldFunc, 1, sqliteFold)
	sqlite.MustRegisterDeterministicScalarFunction(sqliteDatePartFunc, 3, sqliteDatePart)
}

func sqliteFold(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		return foldKey(v), nil
	case []byte:
		return foldKey(string(v)), nil
	default:
		return foldKey(fmt.Sprint(v)), nil
	}
}

// sqliteTimeLayouts are the forms a timestamp may be stored in: bun writes
// the first; the others are what other SQLite tools write.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func parseSQLiteTime(v driver.Value) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case int64:
		return time.Unix(v, 0), true
	case []byte:
		return parseSQLiteTime(string(v))
	case string:
		for _, l := range sqliteTimeLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

var zoneCache sync.Map // zone name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, l)
	return l, nil
}

func sqliteDatePart(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	part, _ := args[0].(string)
	t, ok := parseSQLiteTime(args[1])
	if !ok {
		return nil, nil
	}
	zone, _ := args[2].(string)
	loc, err := loadZone(zone)
	if err != nil {
		return nil, fmt.Errorf("%s: time zone %q: %w", sqliteDatePartFunc, zone, err)
	}
	t = t.In(loc)
	switch part {
	case "year":
		return int64(t.Year()), nil
	case "month":
		return int64(t.Month()), nil
	case "day":
		return int64(t.Day()), nil
	}
	return nil, fmt.Errorf("%s: unknown part %q", sqliteDatePartFunc, part)
}

var folder = cases.Fold()

// foldKey returns the Unicode case folding of s ("Ärger" and "ÄRGER" give
// "ärger"): the name_key and title_key columns hold it, so uniqueness and
// ordering are case-insensitive and identical on both databases.
func foldKey(s string) string {
	return folder.String(s)
}

// Slugify turns a name into paperless's slug (Django slugify): NFKD
// normalise, drop non-ASCII, lower-case, drop everything that is not a
// word character, space or hyphen, trim spaces, and collapse runs of hyphens
// and spaces into one hyphen. "Bank & Co. KG" gives "bank-co-kg".
func Slugify(name string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		if r >= unicode.MaxASCII {
			continue
		}
		r = unicode.ToLower(r)
		if r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	var out strings.Builder
	sep := false
	for _, r := range s {
		if r == '-' || unicode.IsSpace(r) {
			if !sep {
				out.WriteByte('-')
			}
			sep = true
			continue
		}
		sep = false
		out.WriteRune(r)
	}
	return out.String()
}

// escapeLike escapes the LIKE wildcards in s for an `ESCAPE '\'` clause.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
