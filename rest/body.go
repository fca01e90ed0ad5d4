package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
)

// DRF's field messages (API §2.4).
const (
	msgRequired     = "This field is required."
	msgNotNull      = "This field may not be null."
	msgNotString    = "Not a valid string."
	msgNotInteger   = "A valid integer is required."
	msgNotBoolean   = "Must be a valid boolean."
	msgDateTimeForm = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)

// MaxBodyBytes bounds every request body but an upload's (the server
// applies it to each request before authentication, readBody again).
// Multipart bodies are parsed with this much memory, so a part of a body
// within the bound never spills to a temporary file.
const MaxBodyBytes = 10 << 20

// body is a parsed request body: a JSON object or form values. Reading a
// field converts it as the matching DRF serializer field does and records
// DRF's message under the field's wire name when it cannot.
type body struct {
	obj  map[string]any // JSON
	form url.Values     // urlencoded or multipart
	errs map[string][]string
}

// readBody parses the request body by its Content-Type (JSON, urlencoded
// or multipart; none with an empty body). On failure it answers (415,
// 400) and returns nil. jsonOnly refuses the form types with 415.
func (a *API) readBody(w http.ResponseWriter, r *http.Request, jsonOnly bool) *body {
	b := &body{}
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	unsupported := func() *body {
		a.writeJSON(w, r, http.StatusUnsupportedMediaType, detail(fmt.Sprintf("Unsupported media type %q in request.", ct)))
		return nil
	}
	switch {
	case mt == "application/json":
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			a.bodyError(w, r, "JSON parse error - ", err)
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			a.writeJSON(w, r, http.StatusBadRequest, detail("JSON parse error - "+err.Error()))
			return nil
		}
		if dec.More() {
			a.writeJSON(w, r, http.StatusBadRequest, detail("JSON parse error - Extra data"))
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			a.writeJSON(w, r, http.StatusBadRequest, map[string][]string{"non_field_errors": {
				"Invalid data. Expected a dictionary, but got " + pyType(v) + "."}})
			return nil
		}
		b.obj = obj
	case jsonOnly:
		return unsupported()
	case mt == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			a.bodyError(w, r, "Form parse error - ", err)
			return nil
		}
		b.form = r.PostForm
	case mt == "multipart/form-data":
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil {
			a.bodyError(w, r, "Multipart form parse error - ", err)
			return nil
		}
		b.form = url.Values(r.MultipartForm.Value)
	case ct == "":
		var probe [1]byte
		if n, _ := r.Body.Read(probe[:]); n > 0 {
			return unsupported()
		}
		b.form = url.Values{}
	default:
		return unsupported()
	}
	if fe := b.checkText(); len(fe) > 0 {
		a.fieldErrors(w, r, fe)
		return nil
	}
	return b
}

// checkInput applies the text rules (store.TextProblem) to the query
// string, answering 400 with the bad parameters, and to the path, whose
// bad names are 404: what cannot be stored names nothing. It reports
// whether the request may go on.
func (a *API) checkInput(w http.ResponseWriter, r *http.Request) bool {
	if store.TextProblem(r.URL.Path) != "" {
		a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
		return false
	}
	fe := map[string][]string{}
	for k, vs := range r.URL.Query() {
		if p := store.TextProblem(k); p != "" {
			fe[k] = append(fe[k], p)
			continue
		}
		for _, v := range vs {
			if p := store.TextProblem(v); p != "" {
				fe[k] = append(fe[k], p)
				break
			}
		}
	}
	if len(fe) > 0 {
		a.fieldErrors(w, r, fe)
		return false
	}
	return true
}

// checkText applies the text rules to every name and string of the
// body, keyed by the top-level field.
func (b *body) checkText() map[string][]string {
	fe := map[string][]string{}
	var walk func(field string, v any)
	walk = func(field string, v any) {
		switch x := v.(type) {
		case string:
			if p := store.TextProblem(x); p != "" && len(fe[field]) == 0 {
				fe[field] = append(fe[field], p)
			}
		case []any:
			for _, it := range x {
				walk(field, it)
			}
		case map[string]any:
			for k, it := range x {
				walk(field, k)
				walk(field, it)
			}
		}
	}
	for k, v := range b.obj {
		walk(k, k)
		walk(k, v)
	}
	for k, vs := range b.form {
		walk(k, k)
		for _, v := range vs {
			walk(k, v)
		}
	}
	return fe
}

// bodyError answers a body that could not be read: 413 when it is over
// its limit, else 400 with what (DRF's parse error prefix) and the cause.
func (a *API) bodyError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		a.writeJSON(w, r, http.StatusRequestEntityTooLarge, detail(fmt.Sprintf("Request body is larger than the limit of %d bytes.", mb.Limit)))
		return
	}
	a.writeJSON(w, r, http.StatusBadRequest, detail(what+err.Error()))
}

// pyType names a JSON value's Python type, for DRF's messages.
func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "int"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyStr is Python's str() of a JSON value (for "is not a valid choice").
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func (b *body) fail(name, msg string) {
	if b.errs == nil {
		b.errs = map[string][]string{}
	}
	b.errs[name] = append(b.errs[name], msg)
}

// raw returns the field's value: the JSON value, or for forms the last
// string value. ok is false when the field is absent.
func (b *body) raw(name string) (any, bool) {
	if b.obj != nil {
		v, ok := b.obj[name]
		return v, ok
	}
	vs, ok := b.form[name]
	if !ok || len(vs) == 0 {
		return nil, false
	}
	return vs[len(vs)-1], true
}

// has reports whether the field is present.
func (b *body) has(name string) bool { _, ok := b.raw(name); return ok }

// str reads a CharField (trimmed when trim). A nil result with set true
// is an explicit null (only when nullable).
func (b *body) str(name string, nullable, trim bool) (v *string, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	var s string
	switch t := x.(type) {
	case nil:
		if nullable {
			return nil, true
		}
		b.fail(name, msgNotNull)
		return nil, false
	case string:
		s = t
	case json.Number:
		s = t.String()
	default:
		b.fail(name, msgNotString)
		return nil, false
	}
	if trim {
		s = strings.TrimSpace(s)
	}
	return &s, true
}

// integer reads an IntegerField.
func (b *body) integer(name string, nullable bool) (v *int, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	if x == nil || (b.form != nil && x == "" && nullable) {
		if nullable {
			return nil, true
		}
		b.fail(name, msgNotNull)
		return nil, false
	}
	n, ok := toInt(x)
	if !ok {
		b.fail(name, msgNotInteger)
		return nil, false
	}
	return &n, true
}

// toInt converts an integral JSON number or numeric string.
func toInt(x any) (int, bool) {
	var s string
	switch t := x.(type) {
	case json.Number:
		s = t.String()
	case string:
		s = strings.TrimSpace(t)
	default:
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// boolean reads a BooleanField.
func (b *body) boolean(name string) (v *bool, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	switch t := x.(type) {
	case bool:
		return &t, true
	case nil:
		b.fail(name, msgNotNull)
		return nil, false
	}
	switch pyStr(x) {
	case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1", "1.0":
		return ptr(true), true
	case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0", "0.0":
		return ptr(false), true
	}
	b.fail(name, msgNotBoolean)
	return nil, false
}

// pkValue converts one primary-key value; msg is DRF's complaint.
func pkValue(x any) (int, string) {
	switch x.(type) {
	case bool, []any, map[string]any, nil:
		return 0, "Incorrect type. Expected pk value, received " + pyType(x) + "."
	}
	n, ok := toInt(x)
	if !ok {
		return 0, "Incorrect type. Expected pk value, received " + pyType(x) + "."
	}
	return n, ""
}

// pk reads a PrimaryKeyRelatedField; a nil result with set true is an
// explicit null (an empty form value reads as null too).
func (b *body) pk(name string, nullable bool) (v *int, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	if x == nil || (b.form != nil && x == "") {
		if nullable {
			return nil, true
		}
		b.fail(name, msgNotNull)
		return nil, false
	}
	n, msg := pkValue(x)
	if msg != "" {
		b.fail(name, msg)
		return nil, false
	}
	return &n, true
}

// pkList reads a many PrimaryKeyRelatedField: a JSON list, or repeated
// form values.
func (b *body) pkList(name string) (ids []int, set bool) {
	var items []any
	if b.obj != nil {
		x, ok := b.obj[name]
		if !ok {
			return nil, false
		}
		switch t := x.(type) {
		case nil:
			b.fail(name, msgNotNull)
			return nil, false
		case []any:
			items = t
		default:
			b.fail(name, fmt.Sprintf("Expected a list of items but got type %q.", pyType(x)))
			return nil, false
		}
	} else {
		vs, ok := b.form[name]
		if !ok {
			return nil, false
		}
		for _, v := range vs {
			items = append(items, v)
		}
	}
	ids = []int{}
	for _, it := range items {
		n, msg := pkValue(it)
		if msg != "" {
			b.fail(name, msg)
			return nil, false
		}
		ids = append(ids, n)
	}
	return ids, true
}

// datetime reads a DateTimeField (naive values in loc).
func (b *body) datetime(name string, loc *time.Location) (v *time.Time, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	if x == nil {
		b.fail(name, msgNotNull)
		return nil, false
	}
	s, isStr := x.(string)
	t, good := parseDateTime(s, loc)
	if !isStr || !good {
		b.fail(name, msgDateTimeForm)
		return nil, false
	}
	return &t, true
}

// choice reads an integer ChoiceField with choices lo..hi (DRF compares
// str(value) with the choices, so 4 and "4" are fine, 4.0 and true not).
func (b *body) choice(name string, lo, hi int) (v *int, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	s := pyStr(x)
	if n, err := strconv.Atoi(s); err == nil && n >= lo && n <= hi && strconv.Itoa(n) == s {
		return &n, true
	}
	b.fail(name, fmt.Sprintf("%q is not a valid choice.", s))
	return nil, false
}
