package rest

import (
	"errors"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/quirehq/quire/store"
)

// post_document's errors in the 0.9 dialect (API §10.3, C5): 400
// text/html with Django's form error list, e.g.
// <ul class="errorlist"><li>document<ul class="errorlist"><li>This field is required.</li></ul></li></ul>

// uploadMessages09 are 0.9's words for what the 1.x form says otherwise.
var uploadMessages09 = map[string]string{
	"No file was submitted.": "This field is required.",
}

// uploadErrors09 writes the field errors as 0.9's error list.
func (a *API) uploadErrors09(w http.ResponseWriter, fields map[string][]string) {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(`<ul class="errorlist">`)
	for _, name := range names {
		b.WriteString("<li>" + html.EscapeString(name) + `<ul class="errorlist">`)
		for _, msg := range fields[name] {
			if m, ok := uploadMessages09[msg]; ok {
				msg = m
			} else if name == "document" && strings.HasPrefix(msg, "File type ") && strings.HasSuffix(msg, " not supported") {
				msg = "This mime type is not supported."
			}
			b.WriteString("<li>" + html.EscapeString(msg) + "</li>")
		}
		b.WriteString("</ul></li>")
	}
	b.WriteString("</ul>")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	w.Write([]byte(b.String()))
}

// uploadError09 writes a validation error of the upload as 0.9's error
// list and reports whether it did (other errors keep their JSON form).
func (a *API) uploadError09(w http.ResponseWriter, err error) bool {
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.Validation || len(se.Fields) == 0 {
		return false
	}
	fields := make(map[string][]string, len(se.Fields))
	for k, msgs := range se.Fields {
		if n, ok := uploadNames[k]; ok {
			k = n
		}
		fields[k] = append(fields[k], msgs...)
	}
	a.uploadErrors09(w, fields)
	return true
}
