package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/store"
)

// detailBody is DRF's {"detail": "…"} error body.
type detailBody struct {
	Detail string `json:"detail"`
}

func detail(msg string) detailBody { return detailBody{Detail: msg} }

// encodeJSON renders v as DRF's JSONRenderer does: compact, UTF-8 with
// non-ASCII characters literal, no HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(nil), nil
	}
	if e, ok := v.(envelope); ok {
		if a, ok := e.Results.(jsonAppender); ok {
			return e.appendJSON(a), nil
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode appends a newline
}

// jsonAppender is a response value that writes its own compact JSON.
// encoding/json would re-scan and compact a Marshaler's output, which for
// a page of documents (tens of kilobytes of text) costs more than writing it.
type jsonAppender interface{ appendJSON(b []byte) []byte }

// appendJSON writes the envelope with results that write themselves.
func (e envelope) appendJSON(results jsonAppender) []byte {
	b := append(make([]byte, 0, 64*1024+12*e.allLen()), `{"count":`...)
	b = strconv.AppendInt(b, int64(e.Count), 10)
	for _, l := range []struct {
		key string
		url *string
	}{{`,"next":`, e.Next}, {`,"previous":`, e.Previous}} {
		b = append(b, l.key...)
		if l.url == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *l.url)
		}
	}
	if e.All != nil {
		b = append(b, `,"all":[`...)
		for i, id := range *e.All {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(id), 10)
		}
		b = append(b, ']')
	}
	b = append(b, `,"results":`...)
	b = results.appendJSON(b)
	if e.DisplayCount != nil {
		b = append(b, `,"display_count":`...)
		b = strconv.AppendInt(b, int64(*e.DisplayCount), 10)
	}
	if e.SelectionData != nil {
		sel, _ := encodeJSON(e.SelectionData) // plain structs: cannot fail
		b = append(append(b, `,"selection_data":`...), sel...)
	}
	if e.ngxSearch {
		b = append(b, `,"corrected_query":null`...)
	}
	return append(b, '}')
}

// writeJSON answers with v as JSON, or as the browsable HTML page when the
// client asked for HTML.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	a.writeBody(w, r, status, body)
}

// writeBody answers with an encoded JSON body (or its HTML page).
func (a *API) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	in := info(r)
	if in.html {
		body = a.browsablePage(r, in, status, body)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
}

// writeNoContent answers 204 without a body.
func writeNoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// writeError is the one error writer of the REST layer: it maps a
// store.Error code to a status and a DRF body. names maps the resolvers'
// (GraphQL, camelCase) field names to this endpoint's paperless names;
// unlisted names are converted to snake_case and the object-level field
// "" becomes non_field_errors. Unclassified errors are logged here, once,
// and answered with a generic message carrying the request id.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error, names map[string]string) {
	switch store.ErrorCode(err) {
	case store.Unauthenticated:
		w.Header().Set("WWW-Authenticate", `Basic realm="api"`)
		a.writeJSON(w, r, http.StatusUnauthorized, detail(store.ErrorMessage(err)))
	case store.Forbidden:
		a.writeJSON(w, r, http.StatusForbidden, detail(store.ErrorMessage(err)))
	case store.NotFound:
		a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
	case store.Throttled:
		if e := (*store.Error)(nil); errors.As(err, &e) && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		a.writeJSON(w, r, http.StatusTooManyRequests, detail(store.ErrorMessage(err)))
	case store.Validation, store.Conflict:
		fields := store.ErrorFields(err)
		if len(fields) == 0 {
			a.writeJSON(w, r, http.StatusBadRequest, map[string][]string{"non_field_errors": {store.ErrorMessage(err)}})
			return
		}
		a.writeJSON(w, r, http.StatusBadRequest, nestFields(renameFields(fields, names)))
	default:
		id := middleware.GetReqID(r.Context())
		a.logger.LogAttrs(r.Context(), slog.LevelError, "rest request failed",
			slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
		msg := "A server error occurred."
		if id != "" {
			msg = "A server error occurred (request " + id + ")."
		}
		body, _ := encodeJSON(detail(msg))
		a.writeBody(w, r, http.StatusInternalServerError, body)
	}
}

// fieldErrors answers 400 with DRF field errors already in wire names.
func (a *API) fieldErrors(w http.ResponseWriter, r *http.Request, fe map[string][]string) {
	a.writeJSON(w, r, http.StatusBadRequest, fe)
}

// renameFields maps resolver field names to wire names.
func renameFields(fields map[string][]string, names map[string]string) map[string][]string {
	out := make(map[string][]string, len(fields))
	for k, msgs := range fields {
		n, ok := names[k]
		switch {
		case ok:
		case k == "":
			n = "non_field_errors"
		default:
			n = snake(k)
		}
		out[n] = append(out[n], msgs...)
	}
	return out
}

// snake turns a GraphQL field name into snake_case (tagIds -> tag_ids).
func snake(s string) string {
	var b strings.Builder
	for i, c := range s {
		if unicode.IsUpper(c) {
			if i > 0 {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// jsonTime writes a datetime as DRF does: ISO 8601 in the server time
// zone, microseconds only when not zero, "Z" for a zero UTC offset.
type jsonTime struct{ t time.Time }

// MarshalJSON implements json.Marshaler.
func (j jsonTime) MarshalJSON() ([]byte, error) {
	return appendTime(make([]byte, 0, 34), j.t), nil
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		s := strconv.Itoa(us)
		for i := len(s); i < 6; i++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	if _, off := t.Zone(); off == 0 {
		b = append(b, 'Z')
	} else {
		b = t.AppendFormat(b, "-07:00")
	}
	return append(b, '"')
}

// nullTime is a datetime or null.
type nullTime struct{ t *time.Time }

// MarshalJSON implements json.Marshaler.
func (n nullTime) MarshalJSON() ([]byte, error) {
	if n.t == nil {
		return []byte("null"), nil
	}
	return appendTime(nil, *n.t), nil
}

// at converts t to the server time zone.
func (a *API) at(t time.Time) jsonTime { return jsonTime{t.In(a.loc)} }

func (a *API) atPtr(t *time.Time) nullTime {
	if t == nil {
		return nullTime{}
	}
	v := t.In(a.loc)
	return nullTime{&v}
}
