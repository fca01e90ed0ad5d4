package rest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestTextInputRules: a NUL character or bytes that are not UTF-8 in any
// string a client sends, and an over-long substring lookup, are a 400
// naming the field, never a 500, on both databases (SQLite refuses a NUL
// in a statement's text, PostgreSQL a NUL or non-UTF-8 bytes in any text
// value; a LIKE pattern over 50,000 bytes is "too complex" for SQLite).
func TestTextInputRules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		long := strings.Repeat("a", 100000)
		const nul, bad = "a%00b", "a%FFb"
		const msgNUL, msgUTF8 = "Null characters are not allowed.", "Enter valid UTF-8 text."
		msgLong := "Ensure this value has at most 1000 characters (it has 100000)."
		for _, c := range []struct {
			method, path string
			body         any
			opts         []opt
			field, msg   string
		}{
			{"GET", "/api/documents/?title__icontains=" + nul, nil, nil, "title__icontains", msgNUL},
			{"GET", "/api/documents/?title__icontains=" + bad, nil, nil, "title__icontains", msgUTF8},
			{"GET", "/api/documents/?title__icontains=" + long, nil, nil, "title__icontains", msgLong},
			{"GET", "/api/documents/?content__istartswith=" + long, nil, nil, "content__istartswith", msgLong},
			{"GET", "/api/documents/?title_content=" + long, nil, nil, "title_content", msgLong},
			{"GET", "/api/documents/?correspondent__name__iexact=" + nul, nil, nil, "correspondent__name__iexact", msgNUL},
			{"GET", "/api/documents/?tags__name__iendswith=" + bad, nil, nil, "tags__name__iendswith", msgUTF8},
			{"GET", "/api/documents/?ordering=" + nul, nil, nil, "ordering", msgNUL},
			{"GET", "/api/documents/?query=" + nul, nil, nil, "query", msgNUL},
			{"GET", "/api/documents/?fields=" + nul, nil, nil, "fields", msgNUL},
			{"GET", "/api/documents/?" + nul + "=1", nil, nil, "a\x00b", msgNUL},
			{"GET", "/api/tags/?name__icontains=" + nul, nil, nil, "name__icontains", msgNUL},
			{"GET", "/api/correspondents/?name__iexact=" + bad, nil, nil, "name__iexact", msgUTF8},
			{"GET", "/api/document_types/?name__istartswith=" + long, nil, nil, "name__istartswith", msgLong},
			{"GET", "/api/search/autocomplete/?term=" + nul, nil, nil, "term", msgNUL},
			{"GET", "/api/saved_views/?name=" + nul, nil, nil, "name", msgNUL},
			{"POST", "/api/tags/", map[string]any{"name": "a\x00b"}, nil, "name", msgNUL},
			{"POST", "/api/correspondents/", "name=" + bad, nil, "name", msgUTF8},
			{"POST", "/api/correspondents/", map[string]any{"name": "x", "match": "a\x00"}, nil, "match", msgNUL},
			{"PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"title": "t\x00"}, nil, "title", msgNUL},
			{"PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"content": "c\x00"}, nil, "content", msgNUL},
			{"POST", "/api/saved_views/", map[string]any{"name": "v", "show_on_dashboard": true, "show_in_sidebar": true,
				"filter_rules": []any{map[string]any{"rule_type": 0, "value": "a\x00"}}}, nil, "filter_rules", msgNUL},
			{"POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc1}, "method": "a\x00", "parameters": map[string]any{}}, nil, "method", msgNUL},
			{"POST", "/api/token/", map[string]any{"username": "admin\x00", "password": "x"}, []opt{anon}, "username", msgNUL},
			{"POST", "/api/token/", "username=" + bad + "&password=x", []opt{anon}, "username", msgUTF8},
		} {
			t.Run(c.method+" "+trim(c.path), func(t *testing.T) {
				rec := e.do(c.method, c.path, c.body, c.opts...)
				var got map[string][]string
				if rec.Code != 400 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got[c.field]) == 0 || got[c.field][0] != c.msg {
					t.Fatalf("%d %s, want 400 {%q: [%q]}", rec.Code, trim(rec.Body.String()), c.field, c.msg)
				}
			})
		}
		// Uploads: the form's values and the file's name.
		pdf := []byte("%PDF-1.4\n%%EOF\n")
		for _, c := range []struct {
			parts      []part
			field, msg string
		}{
			{[]part{{name: "document", filename: "a.pdf", data: pdf}, field("title", "t\x00")}, "title", msgNUL},
			{[]part{{name: "document", filename: "a.pdf", data: pdf}, field("title", "t\xff")}, "title", msgUTF8},
		} {
			rec := e.upload(c.parts...)
			var got map[string][]string
			if rec.Code != 400 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got[c.field]) == 0 || got[c.field][0] != c.msg {
				t.Errorf("upload %q: %d %s, want 400 {%q: [%q]}", c.parts[len(c.parts)-1], rec.Code, trim(rec.Body.String()), c.field, c.msg)
			}
		}
		// A file name with a NUL is a malformed part, one that is not
		// UTF-8 a suspicious name.
		for _, name := range []string{"a\x00.pdf", "a\xff.pdf"} {
			if rec := e.upload(part{name: "document", filename: name, data: pdf}); rec.Code != 400 {
				t.Errorf("upload named %q: %d %s", name, rec.Code, trim(rec.Body.String()))
			}
		}
		// A name in the path is no input to check: it names nothing.
		for _, p := range []string{"/api/logs/" + nul + "/", "/api/logs/" + bad + "/"} {
			if rec := e.do("GET", p, nil); rec.Code != 404 {
				t.Errorf("GET %s: %d %s, want 404", p, rec.Code, rec.Body)
			}
		}
		// Within the bound, a long lookup is an ordinary filter.
		var p page[docOut]
		e.get("/api/documents/?title__icontains="+url.QueryEscape(strings.Repeat("ä", 1000)), &p)
		if p.Count != 0 {
			t.Errorf("1000 characters: %+v", p)
		}
		// The login form: a NUL in the username is a failed login.
		form := url.Values{"username": {"admin\x00"}, "password": {adminPassword}, "csrfmiddlewaretoken": {csrfToken}}
		rec := e.do("POST", "/accounts/login/", form.Encode(), e.sessionOpt(true))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Please enter a correct username and password") {
			t.Errorf("login with a NUL: %d %s", rec.Code, trim(rec.Body.String()))
		}
		// Basic credentials carrying a NUL are wrong credentials.
		if rec := e.do("GET", "/api/tags/", nil, basic("admin\x00", adminPassword)); rec.Code != 401 && rec.Code != 403 {
			t.Errorf("basic auth with a NUL: %d %s", rec.Code, rec.Body)
		}
	})
}

func trim(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
