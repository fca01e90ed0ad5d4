package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/consume"
	"github.com/quirehq/quire/server/consume/bridge"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/storetest"
)

// The tests use the real authenticator (server/auth): only the rest
// package itself must not import server/.

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testParams keep password hashing fast.
var testParams = auth.Params{Memory: 1024, Time: 1, Threads: 1}

// fixedNow is the clock of every test store: ids and timestamps are
// deterministic, so golden files hold on both databases.
var fixedNow = time.Date(2021, 3, 4, 10, 30, 0, 0, time.UTC)

// restAuth adapts auth.Authenticator to rest.Authenticator, as the server does.
type restAuth struct{ *auth.Authenticator }

func (a restAuth) Authenticate(r *http.Request) (*store.User, bool, error) {
	u, m, err := a.Authenticator.Authenticate(r)
	return u, m == auth.MethodSession, err
}

// env is one test's server: a fresh store, two users and the handler.
type env struct {
	t       *testing.T
	dialect string
	st      *store.Store
	res     *resolvers.Resolver
	engine  *bleve.Engine // the search index (documents reach it by reindex)
	au      *auth.Authenticator
	api     *rest.API
	h       http.Handler
	admin   *store.User
	other   *store.User
	token   string // admin's API token
	session string // admin's session cookie value
}

const (
	adminPassword = "s3cret"
	otherPassword = "other-pw"
	csrfToken     = "abcdefghijklmnopqrstuvwxyzABCDEF"
)

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	loc, err := time.LoadLocation(storetest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return fixedNow }
	st := storetest.OpenConfig(t, dialect, store.Config{Now: now, Location: loc})
	res := resolvers.New(st, nil)
	res.Memo = resolvers.NewMemo(8 << 20) // as served: list pages reused until the archive changes
	au := auth.New(st, nil, now, auth.Config{Params: testParams})
	res.Credentials = au
	// A consumer that is never run: uploads are validated and queued.
	svc, err := consume.New(st, consume.Config{DataDir: t.TempDir(), Location: loc, DisableWatcher: true, ClassifierInterval: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Consumer = bridge.Consumer{Svc: svc}
	res.Location = loc
	eng, err := bleve.Open(t.TempDir(), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	res.Search = eng
	api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: loc, Version: "0.1.0"})
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Mount(rest.Prefix, api.APIHandler())
	r.Mount("/accounts", api.AccountsHandler())
	api.MountRoot(r)
	e := &env{t: t, dialect: dialect, st: st, res: res, engine: eng, au: au, api: api, h: r}
	e.admin = e.user("admin", adminPassword, true)
	e.other = e.user("other", otherPassword, false)
	ctx := context.Background()
	tok, err := st.TokenForUser(ctx, e.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.token = tok.Key
	if e.session, err = au.NewSession(ctx, e.admin.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) user(name, password string, super bool) *store.User {
	e.t.Helper()
	u := &store.User{Username: name, Password: testParams.Hash(password), IsActive: true, IsSuperuser: super, DateJoined: fixedNow}
	if err := e.st.CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// reindex brings the search index up to date with the store (the
// server's indexer does this in the background).
func (e *env) reindex() {
	e.t.Helper()
	if err := index.New(e.st, e.engine, nil).Drain(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// with returns the env for a subtest (failures go to t).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// forEachDialect runs fn on SQLite and (with TEST_POSTGRES_DSN) PostgreSQL.
func forEachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

// opt changes a request.
type opt func(r *http.Request)

func anon(r *http.Request) { r.Header.Del("Authorization") }

func basic(user, pw string) opt {
	return func(r *http.Request) { r.SetBasicAuth(user, pw) }
}

func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

func asOther(r *http.Request) { r.SetBasicAuth("other", otherPassword) }

func v2(r *http.Request) { r.Header.Set("Accept", "application/json; version=2") }

// session authenticates by the session cookie, with or without CSRF.
func (e *env) sessionOpt(csrf bool) opt {
	return func(r *http.Request) {
		r.Header.Del("Authorization")
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: e.session})
		if csrf {
			r.AddCookie(&http.Cookie{Name: "csrftoken", Value: csrfToken})
			r.Header.Set("X-CSRFToken", csrfToken)
		}
	}
}

// do sends a request as admin (Basic) unless an opt says otherwise. A
// non-string body is sent as JSON.
func (e *env) do(method, path string, body any, opts ...opt) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		ct = "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
		ct = "application/json"
	}
	req := httptest.NewRequest(method, "http://testserver"+path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.SetBasicAuth("admin", adminPassword)
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// want asserts the status and returns the body.
func (e *env) want(rec *httptest.ResponseRecorder, status int) []byte {
	e.t.Helper()
	if rec.Code != status {
		e.t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// get fetches path as admin, wants 200 and decodes the JSON body into v.
func (e *env) get(path string, v any, opts ...opt) {
	e.t.Helper()
	body := e.want(e.do("GET", path, nil, opts...), 200)
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			e.t.Fatalf("decode %s: %v\n%s", path, err, body)
		}
	}
}

// page is a decoded DRF envelope.
type page[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

type docOut struct {
	ID            int    `json:"id"`
	Title         string `json:"title"`
	Correspondent *int   `json:"correspondent"`
	DocumentType  *int   `json:"document_type"`
	Tags          []int  `json:"tags"`
}

// ids lists the ids of a document page.
func ids(p page[docOut]) []int {
	out := []int{}
	for _, d := range p.Results {
		out = append(out, d.ID)
	}
	return out
}

// golden compares body with testdata/<name>.json, or rewrites it under -update.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	want := append(append([]byte{}, body...), '\n')
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rest -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", path, want, got)
	}
}

// fixture is the data most tests share.
type fixture struct {
	corr, corr2, typ, inbox, t2, t3 int
	doc1, doc2, doc3                int
}

func (e *env) mustCreate(method, path string, body any) int {
	e.t.Helper()
	var out struct{ ID int }
	if err := json.Unmarshal(e.want(e.do(method, path, body), 201), &out); err != nil {
		e.t.Fatal(err)
	}
	return out.ID
}

// seed creates two correspondents, a type, three tags (t1 inbox) and
// three documents: doc1 has t1, doc2 has t2, doc3 has t2 and t3 (the
// fixture of paperless's filter tests); doc1 has both correspondent and
// type. Also a saved view and log lines.
func (e *env) seed() fixture {
	e.t.Helper()
	var f fixture
	f.corr = e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "ACME GmbH", "match": "acme", "matching_algorithm": 1})
	f.corr2 = e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "bank & Co. KG"})
	f.typ = e.mustCreate("POST", "/api/document_types/", map[string]any{"name": "Invoice"})
	f.inbox = e.mustCreate("POST", "/api/tags/", map[string]any{"name": "Inbox", "is_inbox_tag": true, "colour": 6})
	f.t2 = e.mustCreate("POST", "/api/tags/", map[string]any{"name": "tax"})
	f.t3 = e.mustCreate("POST", "/api/tags/", map[string]any{"name": "Über"})
	ctx := context.Background()
	mk := func(title, content string, day int, corr, typ *int, tags ...int) int {
		created := time.Date(2020, 11, day, 9, 15, 0, 123000, time.UTC)
		d := &store.Document{Title: title, Content: content, CorrespondentID: corr, DocumentTypeID: typ,
			Created: created, Added: created.Add(time.Hour), Modified: created.Add(2 * time.Hour),
			MimeType: "application/pdf", Checksum: fmt.Sprintf("%032d", day), OriginalFilename: title + ".pdf"}
		if err := e.st.CreateDocument(ctx, d, tags); err != nil {
			e.t.Fatal(err)
		}
		return d.ID
	}
	f.doc1 = mk("Rechnung März <1>", "invoice for \"you\" & me", 1, &f.corr, &f.typ, f.inbox)
	f.doc2 = mk("bank statement", "things i paid for in september", 2, nil, nil, f.t2)
	f.doc3 = mk("contract", "bank account\nnumber", 3, nil, nil, f.t2, f.t3)
	e.mustCreate("POST", "/api/saved_views/", map[string]any{"name": "Inbox", "show_on_dashboard": true,
		"show_in_sidebar": false, "sort_field": "created", "filter_rules": []any{map[string]any{"rule_type": 6, "value": fmt.Sprint(f.inbox)}}})
	err := e.st.AddLogEntries(ctx,
		store.LogEntry{Logger: "paperless", Message: "Consuming simple.pdf", Level: store.LevelInfo},
		store.LogEntry{Logger: "paperless", Message: "Document consumption finished", Level: store.LevelInfo},
		store.LogEntry{Logger: "mail", Message: "Checking mail", Level: store.LevelDebug})
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}
