package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quirehq/quire/store"
)

// Logs in the 0.9 dialect (API §12.2, C2): /api/logs/ pages the log
// records, /api/logs/<id>/ is one record. Versions 1 and up serve the
// names and lines of the 1.x form (views.go); a name that is not a number
// keeps its lines in version 0 too.

const msgValidUUID = "Enter a valid UUID."

// logJSON is a log record (0.9's LogSerializer); it writes itself.
type logJSON struct {
	e   *store.LogEntry
	loc *time.Location
}

func (l logJSON) appendJSON(b []byte) []byte {
	e := l.e
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(e.ID), 10)
	b = append(b, `,"created":`...)
	b = appendTime(b, e.Created.In(l.loc))
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"group":`...)
	if e.Group == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *e.Group)
	}
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(e.Level), 10)
	return append(b, '}')
}

// MarshalJSON implements json.Marshaler.
func (l logJSON) MarshalJSON() ([]byte, error) { return l.appendJSON(nil), nil }

// logPage is a page of log records; it writes itself.
type logPage []logJSON

func (p logPage) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, l := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = l.appendJSON(b)
	}
	return append(b, ']')
}

// parseUUID reads a UUID as Django's UUIDField does (hyphens optional,
// braces and urn:uuid: allowed) and writes it the way it is stored.
func parseUUID(v string) (string, bool) {
	u, err := uuid.Parse(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// logFilters are 0.9's LogFilterSet: level (INT_KWARGS), created
// (DATE_KWARGS), group (exact, __in).
func logFilters(loc *time.Location) filterSet[store.LogFilter] {
	type F = store.LogFilter
	var s filterSet[F]
	for _, d := range intFilters("level", "level", func(f *F) **store.IntFilter { return &f.Level }) {
		if !strings.HasSuffix(d.Name, "__isnull") {
			s = append(s, d)
		}
	}
	s = append(s, dateFilters("created", "created", loc, func(f *F) **store.DateFilter { return &f.Created })...)
	s = append(s, filterDef[F]{param{"group", "uuid", "the consumption run's group"}, func(f *F, v string) string {
		g, ok := parseUUID(v)
		if !ok {
			return msgValidUUID
		}
		f.Group = &g
		return ""
	}}, filterDef[F]{param{"group__in", "string", "group is one of (comma-separated UUIDs)"}, func(f *F, v string) string {
		var gs []string
		for _, item := range strings.Split(v, ",") {
			if item == "" {
				continue
			}
			g, ok := parseUUID(item)
			if !ok {
				return msgValidUUID
			}
			gs = append(gs, g)
		}
		if len(gs) > 0 {
			f.GroupIn = gs
		}
		return ""
	}})
	return s
}

// logRecords is the 0.9 log endpoint: read-only, ordered by created
// (newest first by default).
func (a *API) logRecords() *resource[store.LogEntry, store.LogFilter, store.Direction, struct{}] {
	q := a.res.Query()
	return &resource[store.LogEntry, store.LogFilter, store.Direction, struct{}]{
		filters: logFilters(a.loc),
		orders: orderSet[store.Direction]{{"created", func(desc bool) store.Direction {
			return dir(desc)
		}}},
		list: func(ctx context.Context, f *store.LogFilter, o []store.Direction, page, size *int) ([]store.LogEntry, int, int, error) {
			var order *store.Direction
			if len(o) > 0 {
				order = &o[0]
			}
			l, err := q.LogEntries(ctx, f, order, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.LogEntry,
		render: func(_ context.Context, _ *http.Request, items []store.LogEntry, _ bool) (any, error) {
			out := make(logPage, len(items))
			for i := range items {
				out[i] = logJSON{e: &items[i], loc: a.loc}
			}
			return out, nil
		},
	}
}
