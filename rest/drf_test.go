package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/uptrace/bun"

	"github.com/quirehq/quire/store"
)

// DRF conventions the contract (§2, §5) asks for.

func TestPagination(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for i := range 7 {
			e.mustCreate("POST", "/api/tags/", map[string]any{"name": fmt.Sprintf("tag %d", i)})
		}
		var p page[map[string]any]
		e.get("/api/tags/?page_size=3&name__icontains=tag%20&page=2", &p)
		if p.Count != 7 || len(p.Results) != 3 ||
			*p.Next != "http://testserver/api/tags/?name__icontains=tag+&page=3&page_size=3" ||
			*p.Previous != "http://testserver/api/tags/?name__icontains=tag+&page_size=3" {
			t.Fatalf("page 2: %+v next %v previous %v", p, *p.Next, *p.Previous)
		}
		p = page[map[string]any]{}
		e.get("/api/tags/?page_size=3&page=last", &p)
		if len(p.Results) != 1 || p.Next != nil || *p.Previous != "http://testserver/api/tags/?page=2&page_size=3" {
			t.Fatalf("last page: %+v", p)
		}
		for _, q := range []string{"page=0", "page=-1", "page=", "page=1.0", "page=abc", "page=4&page_size=3"} {
			rec := e.do("GET", "/api/tags/?"+q, nil)
			if rec.Code != 404 || rec.Body.String() != `{"detail":"Invalid page."}` {
				t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
			}
		}
		for q, want := range map[string]int{"page_size=0": 7, "page_size=-3": 7, "page_size=": 7, "page_size=x": 7,
			"page_size=2": 2, "page_size=1000000": 7, "page_size=5&page_size=2": 2} {
			p = page[map[string]any]{}
			e.get("/api/tags/?"+q, &p)
			if len(p.Results) != want {
				t.Errorf("%s: %d results, want %d", q, len(p.Results), want)
			}
		}
		var empty page[docOut]
		e.get("/api/documents/?page=1", &empty)
		e.want(e.do("GET", "/api/documents/?page=2", nil), 404)
	})
}

func TestFilterRules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		// repeated parameters: the last wins; unknown parameters are ignored
		var p page[docOut]
		e.get(fmt.Sprintf("/api/documents/?tags__id=%d&tags__id=%d&nonsense=1", f.t3, f.inbox), &p)
		if !slices.Equal(ids(p), []int{f.doc1}) {
			t.Errorf("repeated tags__id: %v", ids(p))
		}
		// empty values disable a filter; the default order is -created
		e.get("/api/documents/?title__icontains=&correspondent__id=", &p)
		if !slices.Equal(ids(p), []int{f.doc3, f.doc2, f.doc1}) {
			t.Errorf("default order %v", ids(p))
		}
		// names order case-insensitively; unknown ordering names are dropped
		var tags page[struct{ Name string }]
		e.get("/api/tags/?ordering=nonsense,-name", &tags)
		var names []string
		for _, tg := range tags.Results {
			names = append(names, tg.Name)
		}
		if !slices.Equal(names, []string{"Über", "tax", "Inbox"}) {
			t.Errorf("-name: %v", names)
		}
		for q, want := range map[string][]int{
			"created__year=2020&created__month=11&created__day=2":      {f.doc2},
			"created__date__gt=2020-11-02":                             {f.doc3},
			"created__date__lt=11/02/2020":                             {f.doc1},
			"created__gt=2020-11-02T09:15:00Z":                         {f.doc2, f.doc3},
			"created__lt=2020-11-02+10:15:00":                          {f.doc1}, // naive: server zone (+01:00)
			"search=bank,number":                                       {f.doc3},
			"correspondent__name__istartswith=acme":                    {f.doc1},
			fmt.Sprintf("id__in=%d,,%d&id=%d", f.doc1, f.doc2, f.doc2): {f.doc2},
			"archive_serial_number__isnull=true":                       {f.doc1, f.doc2, f.doc3},
			"archive_serial_number__isnull=maybe":                      {f.doc1, f.doc2, f.doc3},
			"document_type__isnull=0":                                  {f.doc1},
		} {
			p = page[docOut]{}
			e.get("/api/documents/?ordering=id&"+q, &p)
			if !slices.Equal(ids(p), want) {
				t.Errorf("%s: %v, want %v", q, ids(p), want)
			}
		}
		body := e.want(e.do("GET", "/api/documents/?created__month=x&added__date__lt=2020-02-30", nil), 400)
		if string(body) != `{"added__date__lt":["Enter a valid date."],"created__month":["Enter a number."]}` {
			t.Errorf("bad values: %s", body)
		}
	})
}

func TestTrailingSlashAndFormats(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			method, path, location string
			status                 int
		}{
			{"GET", "/api/documents?page=2", "/api/documents/?page=2", 301},
			{"HEAD", "/api/tags", "/api/tags/", 301},
			{"POST", "/api/tags", "/api/tags/", 308},
			{"GET", "/api", "/api/", 301},
			{"DELETE", "/api/tags/3", "/api/tags/3/", 308},
		} {
			rec := e.do(c.method, c.path, nil, anon)
			if rec.Code != c.status || rec.Header().Get("Location") != c.location {
				t.Errorf("%s %s: %d %q", c.method, c.path, rec.Code, rec.Header().Get("Location"))
			}
		}
		for _, p := range []string{"/api/nothing/", "/api/nothing", "/api/tags/1/nope/", "/api/documents.xml"} {
			if rec := e.do("GET", p, nil); rec.Code != 404 || rec.Body.String() != `{"detail":"Not found."}` {
				t.Errorf("%s: %d %s", p, rec.Code, rec.Body)
			}
		}
		f := e.seed()
		plain := e.want(e.do("GET", "/api/documents/", nil), 200)
		for _, p := range []string{"/api/documents.json", "/api/documents.json/", "/api/documents/?format=json"} {
			if got := e.want(e.do("GET", p, nil, header("Accept", "text/html")), 200); string(got) != string(plain) {
				t.Errorf("%s differs", p)
			}
		}
		e.want(e.do("GET", fmt.Sprintf("/api/documents/%d.json", f.doc1), nil), 200)
		e.want(e.do("GET", "/api/documents/?format=xml", nil), 404)
		e.want(e.do("GET", "/api/tags/abc/", nil), 404)
	})
}

func TestContentNegotiation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
		rec := e.do("GET", "/api/documents/?ordering=title", nil, header("Accept", browser))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "Document List") || !strings.Contains(body, "<span>GET</span>") ||
			!strings.Contains(body, "tags__id__all") || !strings.Contains(body, "correspondent__name") ||
			!strings.Contains(body, "&#34;count&#34;: 3") {
			t.Fatalf("browsable page: %d %s", rec.Code, body)
		}
		rec = e.do("GET", "/api/", nil, anon, header("Accept", "text/html"))
		if !strings.Contains(rec.Body.String(), "Api Root") {
			t.Errorf("root page %s", rec.Body)
		}
		if rec := e.do("GET", "/api/documents/?format=api", nil); !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("format=api: %v", rec.Header())
		}
		for accept, status := range map[string]int{"application/json": 200, "*/*": 200, "application/*": 200,
			"application/xml": 406, "application/json; version=2": 200, "application/json; version=1": 200, "application/json; version=x": 406} {
			if rec := e.do("GET", "/api/tags/", nil, header("Accept", accept)); rec.Code != status {
				t.Errorf("Accept %s: %d", accept, rec.Code)
			}
		}
		// 406 comes before authentication
		rec = e.do("GET", "/api/tags/", nil, anon, header("Accept", "application/xml"))
		if rec.Code != 406 || rec.Body.String() != `{"detail":"Could not satisfy the request Accept header."}` {
			t.Errorf("406 before auth: %d %s", rec.Code, rec.Body)
		}
		rec = e.do("GET", "/api/documents/", nil)
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" || rec.Header().Get("Vary") != "Accept" ||
			rec.Header().Get("Content-Length") == "" || strings.Contains(rec.Body.String(), `\u`) ||
			!strings.Contains(rec.Body.String(), `"Rechnung März <1>"`) || strings.Contains(rec.Body.String(), ", ") {
			t.Errorf("JSON rendering: %v %s", rec.Header(), rec.Body)
		}
	})
}

func TestMethodsAndOptions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for path, allow := range map[string]string{
			"/api/tags/":                     "GET, POST, HEAD, OPTIONS",
			"/api/tags/1/":                   "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
			"/api/documents/":                "GET, HEAD, OPTIONS",
			"/api/documents/bulk_edit/":      "POST, OPTIONS",
			"/api/logs/":                     "GET, HEAD, OPTIONS",
			"/api/token/":                    "POST, OPTIONS",
			"/api/":                          "GET, HEAD, OPTIONS",
			"/api/saved_views/":              "GET, POST, HEAD, OPTIONS",
			"/api/documents/1/":              "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
			"/api/statistics/":               "GET, HEAD, OPTIONS",
			"/api/documents/selection_data/": "POST, OPTIONS",
		} {
			rec := e.do("OPTIONS", path, nil)
			if rec.Code != 200 || rec.Header().Get("Allow") != allow {
				t.Errorf("OPTIONS %s: %d Allow %q", path, rec.Code, rec.Header().Get("Allow"))
			}
		}
		rec := e.do("PATCH", "/api/logs/", map[string]any{})
		if rec.Code != 405 || rec.Body.String() != `{"detail":"Method \"PATCH\" not allowed."}` {
			t.Errorf("405: %d %s", rec.Code, rec.Body)
		}
		if rec := e.do("HEAD", "/api/tags/", nil); rec.Code != 200 {
			t.Errorf("HEAD: %d", rec.Code)
		}
	})
}

func TestBodies(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		// the POST response has no computed fields; GET has them
		body := e.want(e.do("POST", "/api/correspondents/", "name=Form+Corp&matching_algorithm=3&is_insensitive=false"), 201)
		if string(body) != `{"id":3,"slug":"form-corp","name":"Form Corp","match":"","matching_algorithm":3,"is_insensitive":false}` {
			t.Errorf("form POST: %s", body)
		}
		rec := e.do("POST", "/api/tags/", "x", header("Content-Type", "text/plain"))
		if rec.Code != 415 || rec.Body.String() != `{"detail":"Unsupported media type \"text/plain\" in request."}` {
			t.Errorf("415: %d %s", rec.Code, rec.Body)
		}
		rec = e.do("POST", "/api/tags/", "{nope", header("Content-Type", "application/json"))
		if rec.Code != 400 || !strings.HasPrefix(rec.Body.String(), `{"detail":"JSON parse error - `) {
			t.Errorf("bad JSON: %d %s", rec.Code, rec.Body)
		}
		rec = e.do("POST", "/api/tags/", []int{1})
		if rec.Body.String() != `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}` {
			t.Errorf("list body: %s", rec.Body)
		}
		for name, c := range map[string]struct {
			path string
			body any
			want string
		}{
			"ErrNameBlank":    {"/api/tags/", map[string]any{"name": "  "}, `{"name":["This field may not be blank."]}`},
			"ErrBadBool":      {"/api/tags/", map[string]any{"name": "x", "is_inbox_tag": "maybe"}, `{"is_inbox_tag":["Must be a valid boolean."]}`},
			"ErrBadAlgorithm": {"/api/tags/", map[string]any{"name": "x", "matching_algorithm": 9}, `{"matching_algorithm":["\"9\" is not a valid choice."]}`},
			"ErrNameTooLong":  {"/api/document_types/", map[string]any{"name": strings.Repeat("n", 129)}, `{"name":["Ensure this field has no more than 128 characters."]}`},
			"ErrBadPK":        {fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"document_type": "abc"}, `{"document_type":["Incorrect type. Expected pk value, received str."]}`},
			"ErrBadTagPK":     {fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"tags": []any{f.t2, 999}}, `{"tags":["Invalid pk \"999\" - object does not exist."]}`},
			"ErrBadDate":      {fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"created": "2020-01-01"}, `{"created":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}`},
			"ErrBadASN":       {fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"archive_serial_number": 2147483648}, `{"archive_serial_number":["Ensure this value is less than or equal to 2147483647."]}`},
			"ErrNullTitle":    {fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"title": nil}, `{"title":["This field may not be null."]}`},
		} {
			t.Run(name, func(t *testing.T) {
				e := e.with(t)
				method := "POST"
				if strings.Contains(c.path, "documents") {
					method = "PATCH"
				}
				if body := e.want(e.do(method, c.path, c.body), 400); string(body) != c.want {
					t.Errorf("%s, want %s", body, c.want)
				}
			})
		}
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"archive_serial_number": 5}), 200)
		body = e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc3), map[string]any{"archive_serial_number": 5}), 400)
		if string(body) != `{"archive_serial_number":["document with this archive serial number already exists."]}` {
			t.Errorf("ASN conflict: %s", body)
		}
		var d map[string]any
		json.Unmarshal(e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1),
			map[string]any{"created": "2021-02-03 04:05", "correspondent": nil, "tags": []int{}}), 200), &d)
		if d["created"] != "2021-02-03T04:05:00+01:00" || d["correspondent"] != nil || fmt.Sprint(d["tags"]) != "[]" {
			t.Errorf("patched %v", d)
		}
	})
}

func TestToken(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var out struct{ Token string }
		json.Unmarshal(e.want(e.do("POST", "/api/token/", map[string]any{"username": "admin", "password": adminPassword}, anon), 200), &out)
		if out.Token != e.token {
			t.Fatalf("token %q, want the user's token %q", out.Token, e.token)
		}
		e.want(e.do("POST", "/api/token/", "username=admin&password="+adminPassword, anon), 200)
		e.want(e.do("GET", "/api/token/", nil), 405)
		e.want(e.do("GET", "/api/tags/", nil, header("Authorization", "Token "+out.Token)), 200)
		e.want(e.do("POST", "/api/token/", map[string]any{"username": "admin", "password": adminPassword}, e.sessionOpt(false)), 403)
	})
}

// TestOpenAPIMatchesRoutes fails when a route is missing from the
// OpenAPI documents or a document lists a route that is not served: the
// paperless-ng document (?version=1) and the paperless-ngx one
// (?version=10) together name every route, each with its methods.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type document struct {
			OpenAPI string                               `json:"openapi"`
			Paths   map[string]map[string]map[string]any `json:"paths"`
		}
		served := map[string]bool{}
		err := chi.Walk(e.api.APIHandler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			served[route] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		inSome := map[string]bool{}
		for _, version := range []string{"1", "10"} {
			var doc document
			e.get("/api/schema/?version="+version, &doc, anon)
			if !strings.HasPrefix(doc.OpenAPI, "3.") {
				t.Fatalf("version %s: openapi %q", version, doc.OpenAPI)
			}
			documented := map[string]bool{}
			var paths []string
			for p, ops := range doc.Paths {
				for m := range ops {
					documented[strings.ToUpper(m)+" "+p] = true
				}
				paths = append(paths, strings.TrimPrefix(p, "/api"))
				inSome[strings.TrimPrefix(p, "/api")] = true
			}
			for _, p := range paths {
				if !served[p] {
					t.Errorf("version %s: OpenAPI path %s is not served", version, p)
				}
			}
			// every documented method answers in the document's version
			// (not 404/405) and undocumented ones are refused
			for _, p := range paths {
				url := "/api" + strings.ReplaceAll(strings.ReplaceAll(p, "{id}", "999999"), "{name}", "nope")
				for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
					rec := e.do(m, url, map[string]any{}, header("Accept", "application/json; version="+version))
					if documented[m+" /api"+p] == (rec.Code == 405) {
						t.Errorf("version %s: %s %s: %d (documented %v)", version, m, url, rec.Code, documented[m+" /api"+p])
					}
				}
			}
		}
		for route := range served {
			if !inSome[route] {
				t.Errorf("route %s is in no OpenAPI document", route)
			}
		}
	})
}

// queryCounter counts the SQL statements a store runs.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	q.n.Add(1)
	return ctx
}
func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// TestPageCostsConstantQueries: relations go through the resolvers'
// dataloaders, so a page costs the same number of queries at any size.
func TestPageCostsConstantQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		for i := range 30 {
			d := &store.Document{Title: fmt.Sprint("doc ", i), MimeType: "text/plain", Checksum: fmt.Sprint("c", i), CorrespondentID: &f.corr}
			if err := e.st.CreateDocument(ctx, d, []int{f.t2, f.t3}); err != nil {
				t.Fatal(err)
			}
		}
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		cost := func(path string) int64 {
			before := qc.n.Load()
			e.want(e.do("GET", path, nil, header("Authorization", "Token "+e.token)), 200)
			return qc.n.Load() - before
		}
		for _, p := range []string{"/api/documents/?page_size=%d", "/api/tags/?page_size=%d", "/api/correspondents/?page_size=%d"} {
			cost(fmt.Sprintf(p, 2)) // warm the store's per-generation count caches
			// A verified credential is read again once a second
			// (auth.DefaultRevalidate), so a slow machine can see one
			// more statement in either request: measure again (a new
			// query string, so the page is not served from the
			// rendered-page cache). A page whose cost grows with its
			// size differs every time.
			var small, large int64
			for attempt := range 3 {
				small = cost(fmt.Sprintf(p, 1) + fmt.Sprintf("&attempt=%d", attempt))
				large = cost(fmt.Sprintf(p, 30) + fmt.Sprintf("&attempt=%d", attempt))
				if small == large {
					break
				}
			}
			if small != large || large > 6 {
				t.Errorf("%s: %d queries for 1 item, %d for 30", p, small, large)
			}
		}
	})
}
