package resolvers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/typesense"
)

// The tests below replay what an outside probe sent to /graphql as an
// ordinary (non-superuser) user; each must be refused or answered within a
// second or two, with a short error naming the limit.

// fast fails the test when fn takes longer than a second.
func fast(t *testing.T, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}

// post sends a raw body to h and returns the status and the response.
func post(h http.Handler, body io.Reader) (int, []byte) {
	req := httptest.NewRequest("POST", "/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func errorsOf(t *testing.T, body []byte) []gqlError {
	t.Helper()
	var resp struct{ Errors []gqlError }
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("undecodable body %q: %v", body, err)
	}
	return resp.Errors
}

func TestQueryLimits(t *testing.T) {
	e := newEnv(t, "sqlite")
	fields := func(n int, f string) string { return "{ " + strings.Repeat(f+" ", n) + "}" }
	aliases := func(n int, f string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, f)
		}
		b.WriteString("}")
		return b.String()
	}
	// fanOut is a chain of fragments, each spreading the one below twice:
	// 2^levels copies of the innermost fields once expanded.
	fanOut := func(levels int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...f%d }\nfragment f0 on Query { me { id username } statistics { documentsTotal } }\n", levels)
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, "fragment f%d on Query { ...f%d ...f%d }\n", i, i-1, i-1)
		}
		return b.String()
	}
	pages := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "tags(page: %d) { totalCount } ", i+1)
		}
		b.WriteString("}")
		return b.String()
	}
	deep := func(n int) string {
		return "{ __schema { types { fields { type " + strings.Repeat("{ ofType ", n) + "{ name }" + strings.Repeat(" }", n) + " } } } }"
	}
	for _, c := range []struct {
		name, query, code string
	}{
		{"DuplicateFieldsProbe", fields(20000, "statistics { documentsTotal }"), "QUERY_TOO_LARGE"},
		{"DuplicateFields", fields(2000, "__typename"), "TOO_MANY_FIELDS"},
		{"DuplicateFieldsFew", fields(21, "__typename"), "TOO_MANY_FIELDS"},
		{"SchemaAliasesProbe", aliases(5000, "__schema { types { name } }"), "QUERY_TOO_LARGE"},
		{"SchemaAliases", aliases(51, "__schema { queryType { name } }"), "TOO_MANY_ALIASES"},
		{"TypeAliases", aliases(51, `__type(name: "Document") { name }`), "TOO_MANY_ALIASES"},
		{"DocumentPageAliases", aliases(1000, "documents { items { id } }"), "TOO_MANY_ALIASES"},
		{"FragmentFanOut", fanOut(40), "TOO_MANY_FIELDS"},
		{"FragmentFanOutWide", fanOut(9), "TOO_MANY_FIELDS"},
		{"Deep", deep(20), "QUERY_TOO_DEEP"},
		{"SameFieldDifferentArgs", pages(450), "TOO_MANY_FIELDS"}, // validation reported each of 101,025 pairs
		{"SameFieldThroughFragments", "{ ...a ...b }\nfragment a on Query { " + strings.Repeat("__typename ", 15) + "}\nfragment b on Query { " + strings.Repeat("__typename ", 6) + "}", "TOO_MANY_FIELDS"},
		{"Tokens", "{ me(" + strings.Repeat("a: 1 ", 6000) + ") { id } }", "QUERY_TOO_LARGE"},
		{"PageSizeComplexity", "{ documents(pageSize: 100000) { items { id title content } } }", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"AliasedPagesComplexity", aliases(50, "documents(pageSize: 1000) { items { id } }"), "COMPLEXITY_LIMIT_EXCEEDED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var errs []gqlError
			fast(t, func() { errs = e.do(e.other, c.query, nil) })
			e.wantCode(errs, c.code)
		})
	}

	t.Run("WithinLimits", func(t *testing.T) {
		for _, q := range []string{
			fields(20, "__typename"), aliases(50, "__typename"), deep(15), fanOut(4),
			"{ " + strings.Repeat("me { id } ", 20) + strings.Repeat("statistics { documentsTotal } ", 20) + "}",
			"{ documents(pageSize: 100) { totalCount items { id title tags { name } correspondent { name } } } }",
		} {
			if errs := e.do(e.other, q, nil); len(errs) > 0 {
				t.Fatalf("%.80s…: %+v", q, errs)
			}
		}
	})
	t.Run("Introspection", func(t *testing.T) {
		var out struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		if errs := e.do(e.other, introspectionQuery, &out); len(errs) > 0 || len(out.Schema.Types) == 0 {
			t.Fatalf("GraphiQL's introspection query: %+v", errs)
		}
	})
}

// countingReader yields n bytes of a JSON string without holding them and
// counts how many were read.
type countingReader struct{ n, read int }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(len(p), r.n-r.read)
	for i := range k {
		p[i] = 'a'
	}
	if r.read == 0 {
		copy(p, `{"query":"`)
	}
	r.read += k
	return k, nil
}

func TestBodyLimits(t *testing.T) {
	e := newEnv(t, "sqlite")
	t.Run("HugeBody", func(t *testing.T) {
		r := &countingReader{n: 200 << 20}
		var code int
		var body []byte
		fast(t, func() { code, body = post(e.other, r) })
		if code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d: %s", code, body)
		}
		e.wantCode(errorsOf(t, body), "REQUEST_TOO_LARGE")
		if r.read > 2<<20 {
			t.Fatalf("read %d bytes of the body", r.read)
		}
	})
	t.Run("BatchArray", func(t *testing.T) {
		one := `{"query":"{ me { id username } statistics { documentsTotal } }"},`
		batch := "[" + strings.Repeat(one, 10000)[:len(one)*10000-1] + "]" // ~650 KB
		var code int
		var body []byte
		fast(t, func() { code, body = post(e.other, strings.NewReader(batch)) })
		if code != http.StatusBadRequest || len(body) > 512 || bytes.Contains(body, []byte("documentsTotal")) {
			t.Fatalf("status %d, %d bytes: %.300s", code, len(body), body)
		}
		if err := e.wantCode(errorsOf(t, body), "BAD_REQUEST"); !strings.Contains(err.Message, "batched") {
			t.Fatalf("message %q", err.Message)
		}
	})
	for name, b := range map[string]string{
		"BadJSON":       `{"query": "{ me { id } }", ` + strings.Repeat("x", 100000),
		"QueryNotText":  `{"query": 5, "pad": "` + strings.Repeat("x", 100000) + `"}`,
		"VariablesList": `{"query": "{ me { id } }", "variables": ["` + strings.Repeat("x", 100000) + `"]}`,
		"NotAnObject":   `"` + strings.Repeat("x", 100000) + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			code, body := post(e.other, strings.NewReader(b))
			if code != http.StatusBadRequest || len(body) > 512 {
				t.Fatalf("status %d, %d bytes: %.300s", code, len(body), body)
			}
			e.wantCode(errorsOf(t, body), "BAD_REQUEST")
		})
	}
	t.Run("GETQueryTooLarge", func(t *testing.T) {
		q := "{ " + strings.Repeat("__typename ", 7000) + "}"
		req := httptest.NewRequest("GET", "/graphql?query="+url.QueryEscape(q), nil)
		rec := httptest.NewRecorder()
		e.other.ServeHTTP(rec, req)
		e.wantCode(errorsOf(t, rec.Body.Bytes()), "QUERY_TOO_LARGE")
	})
}

func TestPersistedQueries(t *testing.T) {
	e := newEnv(t, "sqlite")
	apq := func(q string) string {
		sum := sha256.Sum256([]byte(q))
		return `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	}
	get := func(ext string) []gqlError {
		req := httptest.NewRequest("GET", "/graphql?extensions="+url.QueryEscape(ext), nil)
		rec := httptest.NewRecorder()
		e.other.ServeHTTP(rec, req)
		var resp struct {
			Data   struct{ Me struct{ Username string } }
			Errors []gqlError
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("%s: %v", rec.Body, err)
		}
		if len(resp.Errors) == 0 && resp.Data.Me.Username != "other" {
			t.Fatalf("answer %s", rec.Body)
		}
		return resp.Errors
	}
	postAPQ := func(q, ext string) []gqlError {
		b, _ := json.Marshal(map[string]any{"query": q, "extensions": json.RawMessage(ext)})
		if q == "" {
			b, _ = json.Marshal(map[string]any{"extensions": json.RawMessage(ext)})
		}
		_, body := post(e.other, bytes.NewReader(b))
		return errorsOf(t, body)
	}
	q := "{ me { username } }"
	if errs := get(apq(q)); len(errs) != 1 || errs[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %+v", errs)
	}
	if errs := postAPQ(q, apq(q)); len(errs) > 0 {
		t.Fatalf("register: %+v", errs)
	}
	if errs := get(apq(q)); len(errs) > 0 {
		t.Fatalf("GET by hash: %+v", errs)
	}
	if errs := postAPQ("", apq(q)); len(errs) > 0 {
		t.Fatalf("POST by hash: %+v", errs)
	}
	// A query over the limits is refused before the cache stores it.
	big := "{ " + strings.Repeat("me { username } ", 2000) + "}"
	e.wantCode(postAPQ(big, apq(big)), "TOO_MANY_FIELDS")
	if errs := get(apq(big)); len(errs) != 1 || errs[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("refused query was stored: %+v", errs)
	}
}

// introspectionQuery is GraphiQL's (graphql-js getIntrospectionQuery with
// descriptions, deprecated input fields and repeatable directives).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations isRepeatable args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

// flipContext is a request context that reports itself cancelled after its
// err-th check: the client going away at a chosen point in the middle of a
// request, deterministically (a real cancel would race the work).
type flipContext struct {
	context.Context
	checks, after int
	done          chan struct{}
}

func (c *flipContext) Err() error {
	c.checks++
	if c.checks > c.after {
		return context.Canceled
	}
	return nil
}

func (c *flipContext) Done() <-chan struct{} {
	if c.checks > c.after {
		return c.done
	}
	return nil
}

func TestCancelledRequestStops(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	tag, err := e.st.CreateTag(ctx, store.TagInput{Name: ptr("Bank")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var docs []*store.Document
	var tags [][]int
	for i := range 300 {
		docs = append(docs, &store.Document{Title: fmt.Sprint("Doc ", i), Created: now, Modified: now, Added: now, Checksum: fmt.Sprint(i)})
		tags = append(tags, []int{tag.ID})
	}
	if err := e.st.CreateDocuments(ctx, docs, tags); err != nil {
		t.Fatal(err)
	}
	query := `{ documents(pageSize: 300) { totalCount items { id title tags { name } correspondent { name } } } }`
	run := func(rctx context.Context) (int, []byte) {
		b, _ := json.Marshal(map[string]string{"query": query})
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(b)).WithContext(rctx)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.other.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	// Uncancelled, the page resolves in full.
	if _, body := run(ctx); len(errorsOf(t, body)) > 0 {
		t.Fatalf("uncancelled: %.300s", body)
	}
	t.Run("BeforeStart", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var body []byte
		fast(t, func() { _, body = run(cctx) })
		// gqlgen writes nothing but null for an operation whose context
		// ended before it started.
		if string(body) != "null" && !bytes.Contains(body, []byte(`"CANCELLED"`)) {
			t.Fatalf("%.300s", body)
		}
	})
	t.Run("MidRequest", func(t *testing.T) {
		fc := &flipContext{Context: ctx, after: 20, done: make(chan struct{})}
		close(fc.done)
		var body []byte
		fast(t, func() { _, body = run(fc) })
		errs := errorsOf(t, body)
		if len(errs) == 0 {
			t.Fatalf("%.300s", body)
		}
		for _, err := range errs {
			if err.Extensions.Code != "CANCELLED" {
				t.Fatalf("%+v: want CANCELLED (the client left; not an internal error)", err)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestSearchWildcardFlood replays the probe's `a*` written 500 times (and
// its spaced form) through GraphQL on an index of 8 documents, on the
// embedded index and, with TEST_TYPESENSE_URL, on Typesense: refused as
// VALIDATION on the query at once, while `a*` itself is answered.
func TestSearchWildcardFlood(t *testing.T) {
	engines := map[string]func(t *testing.T, st *store.Store) search.Engine{
		"bleve": func(t *testing.T, _ *store.Store) search.Engine {
			eng, err := bleve.Open(t.TempDir(), bleve.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eng.Close() })
			return eng
		},
	}
	if url := os.Getenv("TEST_TYPESENSE_URL"); url != "" {
		engines["typesense"] = func(t *testing.T, st *store.Store) search.Engine {
			eng, err := typesense.Open(t.Context(), typesense.Config{URL: url, APIKey: os.Getenv("TEST_TYPESENSE_API_KEY"),
				Alias: fmt.Sprintf("quiretest_limits_%d", time.Now().UnixNano()), StatsDir: t.TempDir(), Contents: st.DocumentContents})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eng.DropAll(context.Background()) })
			return eng
		}
	} else {
		t.Log("TEST_TYPESENSE_URL not set: Typesense skipped")
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, "sqlite")
			e.res.Search = open(t, e.st)
			ctx := context.Background()
			now := time.Now()
			for i := range 8 {
				d := &store.Document{Title: fmt.Sprint("Doc ", i), Content: "an apple a day keeps the doctor away, alpha " + fmt.Sprint(i),
					Created: now, Modified: now, Added: now, Checksum: fmt.Sprint(i)}
				if err := e.st.CreateDocument(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := index.New(e.st, e.res.Search, nil).Drain(ctx); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{strings.Repeat("a*", 500), strings.Repeat("a* ", 500), strings.Repeat("a* ", search.MaxWildcardTerms+1)} {
				var errs []gqlError
				fast(t, func() {
					errs = e.do(e.other, fmt.Sprintf(`{ search(query: %q) { totalCount } }`, q), nil)
				})
				if err := e.wantCode(errs, "VALIDATION"); len(err.Extensions.Fields["query"]) == 0 {
					t.Fatalf("%.20q…: %+v, want the message on query", q, err)
				}
			}
			var out struct{ Search struct{ TotalCount int } }
			fast(t, func() {
				if errs := e.do(e.other, `{ search(query: "a* al*") { totalCount } }`, &out); len(errs) > 0 {
					t.Fatalf("a*: %+v", errs)
				}
			})
			if out.Search.TotalCount != 8 {
				t.Fatalf("a* al*: %d hits", out.Search.TotalCount)
			}
		})
	}
}

// TestUploadLimit checks that the multipart transport refuses a body over
// the configured upload limit (plus room for the operation) without
// reading it all.
func TestUploadLimit(t *testing.T) {
	e := newEnv(t, "sqlite")
	h := e.res.HandlerWithLimits(resolvers.Limits{MaxUploadSize: 64 << 10})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", `{"query":"mutation ($f: Upload!) { uploadDocument(file: $f) { id } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "big.pdf")
	fw.Write(bytes.Repeat([]byte("x"), 4<<20))
	mw.Close()
	size := buf.Len()
	body := &countingBody{r: &buf}
	req := httptest.NewRequest("POST", "/graphql", body)
	req.ContentLength = int64(size)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req = req.WithContext(resolvers.WithUser(resolvers.WithLoaders(req.Context(), e.st), e.user))
	rec := httptest.NewRecorder()
	fast(t, func() { h.ServeHTTP(rec, req) })
	if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.Len() > 512 {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	if body.n > 2<<20 || body.n >= size {
		t.Fatalf("read %d of %d bytes", body.n, size)
	}
}

// TestUploadNeedsLength checks that a multipart body of unknown length
// (chunked) is refused with 411 before any of it is read: gqlgen would
// hold its file parts in memory, up to the upload limit.
func TestUploadNeedsLength(t *testing.T) {
	e := newEnv(t, "sqlite")
	h := e.res.HandlerWithLimits(resolvers.Limits{MaxUploadSize: 64 << 20})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", `{"query":"mutation ($f: Upload!) { uploadDocument(file: $f) { id } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "note.txt")
	fw.Write([]byte("a small note"))
	mw.Close()
	body := &countingBody{r: &buf}
	req := httptest.NewRequest("POST", "/graphql", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req = req.WithContext(resolvers.WithUser(resolvers.WithLoaders(req.Context(), e.st), e.user))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusLengthRequired || !strings.Contains(rec.Body.String(), `"code":"BAD_REQUEST"`) {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	if body.n != 0 {
		t.Fatalf("read %d bytes of a refused body", body.n)
	}
}

type countingBody struct {
	r io.Reader
	n int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
