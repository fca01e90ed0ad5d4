package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/quirehq/quire/graph"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// publicRoutes are the routes the contract (README's Routes table, API.md)
// lets in without credentials. TestAuthorizationMatrix checks that the
// router has exactly these public routes: every other route it serves must
// refuse anonymous and wrongly authenticated requests.
var publicRoutes = []string{
	"/healthz",
	"/api/",
	"/api/schema/",
	"/api/token/",
	"/api/remote_version/", // paperless-ngx's update check: Quire's version, never a lookup
	"/accounts/login/",
	"/accounts/logout/",
	"/fetch/doc/{id:[0-9]+}",
	"/fetch/thumb/{id:[0-9]+}",
	"/fetch/preview/{id:[0-9]+}",
	"/push",
	// Share links: the slug is the credential (NGX.md §6.11).
	"/share/{slug}",
	// The playground's static files (GraphiQL, React): no data in them.
	"/playground/assets/{name}",
}

// forbiddenWithoutCredentials are routes that answer an anonymous request
// 403 instead of 401 (paperless's consumer status websocket).
var forbiddenWithoutCredentials = []string{"/ws/status/"}

// csrfExempt are authenticated routes that do not check CSRF because no
// method of theirs changes anything: the websocket (the upgrade is a GET;
// any other method is refused by the handshake) and the playground page.
// A session request without the CSRF token must still not be served a
// 2xx by an unsafe method there.
var csrfExempt = []string{"/ws/status/", "/playground"}

// browserPages are authenticated routes made for a browser: the GraphQL
// playground sends a request without a session to the login form (302)
// and refuses other methods (405) before looking at credentials. Their
// refusal is any of 302 (to the login form), 401 or 405, never a 2xx.
var browserPages = []string{"/playground"}

// matrixCred is one way a request may (fail to) authenticate.
type matrixCred struct {
	name string
	// allowed reports whether a request with this credential and method
	// must be let through; refused ones get status and a detail prefix.
	allowed func(method string) bool
	status  int
	detail  string
}

const (
	credNone        = "none"
	credWrong       = "wrong-password"
	credBasic       = "basic"
	credToken       = "token"
	credSession     = "session+csrf"
	credSessionNoTk = "session-without-csrf"
)

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

var matrixCreds = []matrixCred{
	{name: credNone, allowed: func(string) bool { return false }, status: 401, detail: "Authentication credentials were not provided."},
	{name: credWrong, allowed: func(string) bool { return false }, status: 401, detail: "Invalid username/password."},
	{name: credSessionNoTk, allowed: safeMethod, status: 403, detail: "CSRF Failed"},
	{name: credBasic, allowed: func(string) bool { return true }},
	{name: credToken, allowed: func(string) bool { return true }},
	{name: credSession, allowed: func(string) bool { return true }},
}

// matrix is one test's server: the handler built by routes() over a
// fresh store, with an admin who has a token and a session.
type matrix struct {
	t       *testing.T
	st      *store.Store
	au      *auth.Authenticator
	h       http.Handler
	admin   *store.User
	token   string
	session string // session cookie value
	csrf    string // CSRF cookie value after the login
	n       int    // for unique names
	ix      *index.Indexer
	// the object permission matrix: who grants, and the unowned objects
	// its documents link to
	asOwner context.Context
	grantTo func(model store.Model, id int)
	shared  matrixShared
	// the owner of the matrix's objects
	ownerToken string
	ownerID    int
	// ngRoutes are the paths of the paperless-ng OpenAPI document; a
	// route not among them is paperless-ngx's only (ngxOnly).
	ngRoutes map[string]bool
}

// ngxOnly reports whether an /api/ route exists in paperless-ngx only:
// a request without a version is served as 10 there, and its 401
// challenges Token (NGX.md §3).
func (m *matrix) ngxOnly(pattern string) bool {
	if m.ngRoutes == nil {
		rec := httptest.NewRecorder()
		m.h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/schema/?version=1", nil))
		var doc struct{ Paths map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Paths) == 0 {
			m.t.Fatalf("paperless-ng OpenAPI document: %d %v", rec.Code, err)
		}
		m.ngRoutes = map[string]bool{}
		for p := range doc.Paths {
			m.ngRoutes[p] = true
		}
	}
	return strings.HasPrefix(pattern, "/api/") && !m.ngRoutes[pattern]
}

const matrixPassword = "matrix-s3cret"

func newMatrix(t *testing.T, dialect string) *matrix {
	return newMatrixEnv(t, dialect, nil)
}

// newMatrixEnv is newMatrix with more configuration (the search engine).
func newMatrixEnv(t *testing.T, dialect string, extra map[string]string) *matrix {
	t.Helper()
	vars := map[string]string{
		"QUIRE_DATA_DIR":     t.TempDir(),
		"QUIRE_DATABASE_URL": storetest.DatabaseURL(t, dialect),
	}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := parseConfig("quire", []string{"--addr", "127.0.0.1:0"}, env(vars), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	a, err := openApp(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	// Cheap hashes: a wrong password is verified against the stored hash
	// on every request, and the matrix sends a few hundred of them.
	params := auth.Params{Memory: 1024, Time: 1, Threads: 1}
	a.auth = auth.New(a.st, logger, time.Now, auth.Config{Params: params})
	a.res.Credentials = a.auth
	m := &matrix{t: t, st: a.st, au: a.auth, h: routes(a.st, a.res, a.auth, logger), ix: a.ix}
	ctx := context.Background()
	m.admin = &store.User{Username: "admin", Password: params.Hash(matrixPassword), IsActive: true, IsSuperuser: true, IsStaff: true, DateJoined: time.Now()}
	if err := a.st.CreateUser(ctx, m.admin); err != nil {
		t.Fatal(err)
	}
	tok, err := a.st.TokenForUser(ctx, m.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.token = tok.Key
	m.login()
	return m
}

// login signs in through the HTML form, as a browser does, and keeps the
// session and the rotated CSRF cookie.
func (m *matrix) login() {
	m.t.Helper()
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, httptest.NewRequest("GET", "/accounts/login/", nil))
	var csrf string
	for _, c := range rec.Result().Cookies() {
		if c.Name == m.au.CSRFCookieName() {
			csrf = c.Value
		}
	}
	if csrf == "" {
		m.t.Fatalf("login form set no CSRF cookie: %v", rec.Result().Header)
	}
	form := url.Values{"username": {"admin"}, "password": {matrixPassword}, "csrfmiddlewaretoken": {csrf}, "next": {"/"}}
	req := httptest.NewRequest("POST", "/accounts/login/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: m.au.CSRFCookieName(), Value: csrf})
	rec = httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusFound {
		m.t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		switch c.Name {
		case m.au.SessionCookieName():
			m.session = c.Value
		case m.au.CSRFCookieName():
			m.csrf = c.Value
		}
	}
	if m.session == "" || m.csrf == "" {
		m.t.Fatalf("login set no session or CSRF cookie: %v", rec.Result().Header)
	}
}

// authenticate applies a credential to a request.
func (m *matrix) authenticate(r *http.Request, cred string) {
	switch cred {
	case credNone:
	case credWrong:
		r.SetBasicAuth("admin", "not-"+matrixPassword)
	case credBasic:
		r.SetBasicAuth("admin", matrixPassword)
	case credToken:
		// The admin's current key: an authorised generate_auth_token or
		// regenerateApiToken replaced the one made at the start.
		if tok, err := m.st.TokenForUser(context.Background(), m.admin.ID); err == nil {
			m.token = tok.Key
		}
		r.Header.Set("Authorization", "Token "+m.token)
	case credSession, credSessionNoTk:
		// A browser sends both cookies on a cross-site request; only a
		// page of the site itself can read the CSRF cookie into the header.
		r.AddCookie(&http.Cookie{Name: m.au.SessionCookieName(), Value: m.session})
		r.AddCookie(&http.Cookie{Name: m.au.CSRFCookieName(), Value: m.csrf})
		if cred == credSession {
			r.Header.Set("X-CSRFToken", m.csrf)
		}
	}
}

func (m *matrix) name(prefix string) string {
	m.n++
	return fmt.Sprintf("%s %d", prefix, m.n)
}

// kindOf names the kind of object a route or GraphQL field works on.
func kindOf(s string) string {
	l := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	switch {
	case strings.Contains(l, "correspondent"):
		return "correspondent"
	case strings.Contains(l, "documenttype"):
		return "document_type"
	case strings.Contains(l, "tag"):
		return "tag"
	case strings.Contains(l, "savedview"):
		return "saved_view"
	case strings.Contains(l, "log"):
		return "log"
	case strings.Contains(l, "user"):
		return "user" // a fresh user: deleteUser must not hit the admin
	case strings.Contains(l, "doc"), strings.Contains(l, "thumb"), strings.Contains(l, "preview"),
		strings.Contains(l, "morelike"), strings.Contains(l, "selection"), strings.Contains(l, "bulk"):
		return "document"
	}
	return ""
}

// target creates a fresh object of kind, so that every request of the
// matrix acts on something that exists, and returns its id (0 for none).
func (m *matrix) target(kind string) int {
	m.t.Helper()
	ctx := context.Background()
	var id int
	var err error
	name := m.name(kind)
	switch kind {
	case "correspondent":
		var c *store.Correspondent
		c, err = m.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: &name})
		if c != nil {
			id = c.ID
		}
	case "document_type":
		var d *store.DocumentType
		d, err = m.st.CreateDocumentType(ctx, store.DocumentTypeInput{Name: &name})
		if d != nil {
			id = d.ID
		}
	case "tag":
		var tg *store.Tag
		tg, err = m.st.CreateTag(ctx, store.TagInput{Name: &name})
		if tg != nil {
			id = tg.ID
		}
	case "saved_view":
		f := false
		var v *store.SavedView
		v, err = m.st.CreateSavedView(ctx, m.admin.ID, store.SavedViewInput{Name: &name, ShowOnDashboard: &f, ShowInSidebar: &f})
		if v != nil {
			id = v.ID
		}
	case "document":
		now := time.Now().UTC().Truncate(time.Second)
		d := &store.Document{Title: name, Content: "matrix content " + name, Created: now, Added: now, Modified: now,
			MimeType: "text/plain", Checksum: fmt.Sprintf("%032d", m.n), OriginalFilename: "matrix.txt"}
		err = m.st.CreateDocument(ctx, d, nil)
		id = d.ID
	case "log":
		err = m.st.AddLogEntries(ctx, store.LogEntry{Logger: "paperless", Message: name, Level: store.LevelInfo})
	case "user":
		u := &store.User{Username: strings.ReplaceAll(name, " ", "_"), Password: "!", IsActive: true, DateJoined: time.Now()}
		err = m.st.CreateUser(ctx, u)
		id = u.ID
	default:
		return 0
	}
	if err != nil {
		m.t.Fatalf("create %s: %v", kind, err)
	}
	return id
}

// fingerprint describes what a refused request must not change: how many
// objects of each kind and consumption tasks there are, the admin's
// token, and the target object itself.
func (m *matrix) fingerprint(kind string, id int) string {
	m.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	all := store.Page{Number: 1, Size: 1}
	docs, err1 := m.st.CountDocuments(ctx)
	_, tags, err2 := m.st.Tags(ctx, store.NameFilter{}, nil, all)
	_, corrs, err3 := m.st.Correspondents(ctx, store.NameFilter{}, nil, all)
	_, types, err4 := m.st.DocumentTypes(ctx, store.NameFilter{}, nil, all)
	_, views, err5 := m.st.SavedViews(ctx, m.admin.ID, all)
	tasks, err6 := m.st.ConsumptionTasks(ctx, store.TaskFilter{Limit: 100000})
	tok, err7 := m.st.TokenForUser(ctx, m.admin.ID)
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if err != nil {
			m.t.Fatalf("fingerprint: %v", err)
		}
	}
	fmt.Fprintf(&b, "documents=%d tags=%d correspondents=%d types=%d views=%d tasks=%d token=%s\n",
		docs, tags, corrs, types, views, len(tasks), tok.Key)
	var obj any
	var err error
	switch kind {
	case "correspondent":
		obj, err = m.st.Correspondent(ctx, id)
	case "document_type":
		obj, err = m.st.DocumentType(ctx, id)
	case "tag":
		obj, err = m.st.Tag(ctx, id)
	case "saved_view":
		obj, err = m.st.SavedView(ctx, m.admin.ID, id)
	case "document":
		obj, err = m.st.Document(ctx, id)
		if err == nil {
			tagIDs, terr := m.st.TagIDsByDocuments(ctx, []int{id})
			if terr != nil {
				m.t.Fatal(terr)
			}
			fmt.Fprintf(&b, "tags of document: %v\n", tagIDs[id])
		}
	}
	if id != 0 {
		if err != nil {
			fmt.Fprintf(&b, "%s %d: %s\n", kind, id, store.ErrorCode(err))
		} else {
			fmt.Fprintf(&b, "%s %d: %+v\n", kind, id, obj)
		}
	}
	return b.String()
}

// walkRoutes lists the router's routes and their methods (chi.Walk), so
// that a route added to routes() cannot escape the matrix.
func walkRoutes(t *testing.T, h http.Handler) map[string][]string {
	t.Helper()
	rt, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("routes() returned %T, not a chi router", h)
	}
	out := map[string][]string{}
	err := chi.Walk(rt, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out[route] = append(out[route], method)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Safe methods first, DELETE last: every request gets a fresh target
	// anyway, but the order keeps failures readable.
	rank := map[string]int{"GET": 0, "HEAD": 1, "OPTIONS": 2, "TRACE": 3, "POST": 4, "PUT": 5, "PATCH": 6, "CONNECT": 7, "DELETE": 8}
	for _, ms := range out {
		sort.Slice(ms, func(i, j int) bool { return rank[ms[i]] < rank[ms[j]] })
	}
	return out
}

var routeParam = regexp.MustCompile(`\{([a-z_]+)(:[^}]*)?\}`)

// restBody is a request body that succeeds for an authorised caller, so
// that a refusal is what keeps it from changing anything. want is the
// status an authorised request gets.
type restBody struct {
	body        func(m *matrix, id int) (contentType string, body []byte)
	want        int
	changes     bool // an authorised request changes the fingerprint
	changesKind bool // … of the target itself (counts stay)
}

func jsonBody(v func(m *matrix, id int) any) func(m *matrix, id int) (string, []byte) {
	return func(m *matrix, id int) (string, []byte) {
		b, err := json.Marshal(v(m, id))
		if err != nil {
			panic(err)
		}
		return "application/json", b
	}
}

func named(m *matrix, _ int) any { return map[string]any{"name": m.name("renamed")} }

func restBodies() map[string]restBody {
	create := restBody{body: jsonBody(named), want: 201, changes: true}
	update := restBody{body: jsonBody(named), want: 200, changes: true}
	remove := restBody{want: 204, changes: true}
	view := func(m *matrix, _ int) any {
		return map[string]any{"name": m.name("view"), "show_on_dashboard": true, "show_in_sidebar": true, "filter_rules": []any{}}
	}
	docEdit := func(m *matrix, _ int) any {
		return map[string]any{"title": m.name("retitled"), "correspondent": nil, "document_type": nil, "tags": []int{}}
	}
	out := map[string]restBody{}
	for _, c := range []string{"correspondents", "document_types", "tags"} {
		out["POST /api/"+c+"/"] = create
		out["PUT /api/"+c+"/{id}/"] = update
		out["PATCH /api/"+c+"/{id}/"] = update
		out["DELETE /api/"+c+"/{id}/"] = remove
	}
	out["POST /api/saved_views/"] = restBody{body: jsonBody(view), want: 201, changes: true}
	out["PUT /api/saved_views/{id}/"] = restBody{body: jsonBody(view), want: 200, changes: true}
	out["PATCH /api/saved_views/{id}/"] = restBody{body: jsonBody(view), want: 200, changes: true}
	out["DELETE /api/saved_views/{id}/"] = remove
	out["PUT /api/documents/{id}/"] = restBody{body: jsonBody(docEdit), want: 200, changes: true}
	out["PATCH /api/documents/{id}/"] = restBody{body: jsonBody(docEdit), want: 200, changes: true}
	out["DELETE /api/documents/{id}/"] = remove
	out["POST /api/documents/bulk_edit/"] = restBody{body: jsonBody(func(_ *matrix, id int) any {
		return map[string]any{"documents": []int{id}, "method": "delete", "parameters": map[string]any{}}
	}), want: 200, changes: true}
	out["POST /api/documents/selection_data/"] = restBody{body: jsonBody(func(_ *matrix, id int) any {
		return map[string]any{"documents": []int{id}}
	}), want: 200}
	out["POST /api/profile/generate_auth_token/"] = restBody{want: 200, changes: true}
	out["POST /api/documents/post_document/"] = restBody{body: func(m *matrix, _ int) (string, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("document", "matrix.txt")
		fmt.Fprintf(fw, "a note for the matrix, %s", m.name("upload"))
		w.WriteField("title", "uploaded")
		w.Close()
		return w.FormDataContentType(), buf.Bytes()
	}, want: 200, changes: true}
	return out
}

// TestAuthorizationMatrix sends every method of every route of the
// server's router (chi.Walk over routes()) and every GraphQL query and
// mutation (from the executable schema) with each way of (not)
// authenticating: none and a wrong password get 401 with DRF's body; a
// session without the CSRF token gets 403 "CSRF Failed: …" for unsafe
// methods; Basic, Token and a session with the CSRF token get through.
// A refused request must not change anything. Runs on SQLite and, with
// TEST_POSTGRES_DSN, on PostgreSQL.
func TestAuthorizationMatrix(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			m := newMatrix(t, dialect)
			routes := walkRoutes(t, m.h)
			t.Run("PublicRoutes", func(t *testing.T) { m.publicRoutes(t, routes) })
			t.Run("REST", func(t *testing.T) { m.restMatrix(t, routes) })
			t.Run("GraphQL", func(t *testing.T) { m.graphQLMatrix(t) })
		})
	}
}

// publicRoutes checks that the router's routes include every listed
// public route and that those answer an anonymous request; that no other
// route does is checked by restMatrix.
func (m *matrix) publicRoutes(t *testing.T, routes map[string][]string) {
	for _, p := range publicRoutes {
		methods, ok := routes[p]
		if !ok {
			t.Errorf("public route %s is no longer served: update publicRoutes and the README's Routes table", p)
			continue
		}
		for _, method := range methods {
			if method == "CONNECT" {
				continue
			}
			req := httptest.NewRequest(method, m.path(p, 0), nil)
			rec := httptest.NewRecorder()
			m.h.ServeHTTP(rec, req)
			// The login form checks CSRF itself (a cross-site login).
			csrf := rec.Code == 403 && strings.Contains(rec.Body.String(), "CSRF Failed")
			if rec.Code == 401 || rec.Code == 403 && !csrf || rec.Code >= 500 {
				t.Errorf("public %s %s without credentials: %d %s", method, p, rec.Code, rec.Body)
			}
		}
	}
}

// path fills a route pattern's parameters; a mounted handler's "/*" is
// its root.
func (m *matrix) path(pattern string, id int) string {
	pattern = strings.TrimSuffix(pattern, "*")
	return routeParam.ReplaceAllStringFunc(pattern, func(s string) string {
		if strings.HasPrefix(s, "{name") {
			return "paperless"
		}
		return fmt.Sprint(id)
	})
}

func (m *matrix) restMatrix(t *testing.T, routes map[string][]string) {
	bodies := restBodies()
	var patterns []string
	for p := range routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		if slices.Contains(publicRoutes, pattern) || pattern == "/graphql" {
			continue // public; /graphql has its own matrix below
		}
		kind := kindOf(pattern)
		for _, method := range routes[pattern] {
			rb, hasBody := bodies[method+" "+pattern]
			for _, cred := range matrixCreds {
				t.Run(fmt.Sprintf("%s_%s_%s", method, strings.Trim(pattern, "/"), cred.name), func(t *testing.T) {
					id := m.target(kind)
					var body io.Reader
					ct := ""
					if hasBody && rb.body != nil {
						var b []byte
						ct, b = rb.body(m, id)
						body = bytes.NewReader(b)
					}
					req := httptest.NewRequest(method, m.path(pattern, id), body)
					if ct != "" {
						req.Header.Set("Content-Type", ct)
					}
					req.Header.Set("Accept", "application/json")
					m.authenticate(req, cred.name)
					before := m.fingerprint(kind, id)
					rec := httptest.NewRecorder()
					m.h.ServeHTTP(rec, req)
					after := m.fingerprint(kind, id)
					m.checkREST(t, pattern, method, cred, rec, hasBody, rb, before, after)
				})
			}
		}
	}
}

func (m *matrix) checkREST(t *testing.T, pattern, method string, cred matrixCred, rec *httptest.ResponseRecorder, hasBody bool, rb restBody, before, after string) {
	t.Helper()
	got := fmt.Sprintf("%s %s: %d %.300s", method, pattern, rec.Code, rec.Body)
	if rec.Code >= 500 {
		t.Errorf("server error: %s", got)
	}
	if cred.allowed(method) {
		if rec.Code == 401 || rec.Code == 403 {
			t.Errorf("refused an authorised request: %s", got)
		}
		if hasBody && rec.Code != rb.want {
			t.Errorf("want %d: %s", rb.want, got)
		}
		if hasBody && rb.changes && before == after {
			t.Errorf("an authorised request changed nothing (the fingerprint cannot see it): %s", got)
		}
		return
	}
	if before != after {
		t.Errorf("a refused request changed the archive: %s\nbefore: %safter:  %s", got, before, after)
	}
	if slices.Contains(browserPages, pattern) {
		loc := rec.Header().Get("Location")
		if !(rec.Code == 302 && strings.HasPrefix(loc, "/accounts/login/") || rec.Code == 401 || rec.Code == 405) {
			t.Errorf("want a redirect to the login form, 401 or 405: %s (Location %q)", got, loc)
		}
		return
	}
	if cred.name == credSessionNoTk && slices.Contains(csrfExempt, pattern) {
		if rec.Code < 400 {
			t.Errorf("an unsafe method without the CSRF token was served: %s", got)
		}
		return
	}
	status := cred.status
	if cred.name == credNone && slices.Contains(forbiddenWithoutCredentials, pattern) {
		status = 403
	}
	if rec.Code != status {
		t.Errorf("want %d: %s", status, got)
		return
	}
	if method == http.MethodHead {
		return
	}
	var out struct{ Detail string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || !strings.HasPrefix(out.Detail, cred.detail) {
		t.Errorf("want a DRF body with detail %q…: %s", cred.detail, got)
	}
	challenge := `Basic realm="api"`
	if cred.name != credWrong && m.ngxOnly(pattern) { // credWrong sends Basic
		challenge = "Token"
	}
	if status == 401 && rec.Header().Get("WWW-Authenticate") != challenge {
		t.Errorf("401 without WWW-Authenticate %s: %s %v", challenge, got, rec.Header())
	}
}

// gqlOp is one GraphQL operation of the matrix.
type gqlOp struct {
	field    *ast.FieldDefinition
	mutation bool
}

// graphQLMatrix sends one operation per Query and Mutation field.
func (m *matrix) graphQLMatrix(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var ops []gqlOp
	for _, f := range schema.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			ops = append(ops, gqlOp{field: f})
		}
	}
	for _, f := range schema.Mutation.Fields {
		ops = append(ops, gqlOp{field: f, mutation: true})
	}
	if len(ops) < 30 {
		t.Fatalf("only %d operations in the schema", len(ops))
	}
	for _, op := range ops {
		kind := kindOf(op.field.Name)
		for _, cred := range matrixCreds {
			methods := []string{"POST"}
			if !op.mutation {
				methods = append(methods, "GET")
			}
			for _, method := range methods {
				t.Run(fmt.Sprintf("%s_%s_%s", op.field.Name, method, cred.name), func(t *testing.T) {
					id := m.target(kind)
					req := m.gqlRequest(t, schema, op, method, id)
					m.authenticate(req, cred.name)
					before := m.fingerprint(kind, id)
					rec := httptest.NewRecorder()
					m.h.ServeHTTP(rec, req)
					after := m.fingerprint(kind, id)
					got := fmt.Sprintf("%s %s: %d %.300s", method, op.field.Name, rec.Code, rec.Body)
					if rec.Code >= 500 {
						t.Errorf("server error: %s", got)
					}
					if cred.allowed(method) {
						if rec.Code != 200 {
							t.Errorf("refused an authorised operation: %s", got)
						}
						var out struct {
							Errors []struct {
								Message    string
								Extensions struct{ Code string }
							}
						}
						json.Unmarshal(rec.Body.Bytes(), &out)
						for _, e := range out.Errors {
							if e.Extensions.Code == "UNAUTHENTICATED" || e.Extensions.Code == "FORBIDDEN" {
								t.Errorf("refused an authorised operation: %s", got)
							}
						}
						return
					}
					if before != after {
						t.Errorf("a refused operation changed the archive: %s\nbefore: %safter:  %s", got, before, after)
					}
					if rec.Code != cred.status {
						t.Errorf("want %d: %s", cred.status, got)
						return
					}
					var out struct{ Detail string }
					if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || !strings.HasPrefix(out.Detail, cred.detail) {
						t.Errorf("want a body with detail %q…: %s", cred.detail, got)
					}
				})
			}
		}
	}
}

// gqlRequest builds a request for op: the field with every required
// argument filled (ids of the fresh target, unique names, the first enum
// value) selecting __typename. An Upload argument makes it a multipart
// request (the GraphQL multipart spec), as a cross-site form could send.
func (m *matrix) gqlRequest(t *testing.T, schema *ast.Schema, op gqlOp, method string, id int) *http.Request {
	t.Helper()
	var args []string
	upload := false
	for _, a := range op.field.Arguments {
		if a.Type.Name() == "Upload" {
			upload = true
			args = append(args, a.Name+": $file")
			continue
		}
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		args = append(args, a.Name+": "+m.gqlValue(schema, a.Type, a.Name, id, 0))
	}
	sel := op.field.Name
	if len(args) > 0 {
		sel += "(" + strings.Join(args, ", ") + ")"
	}
	if def := schema.Types[op.field.Type.Name()]; def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union) {
		sel += " { __typename }"
	}
	kw := "query"
	if op.mutation {
		kw = "mutation"
	}
	vars := ""
	if upload {
		vars = "($file: Upload!)"
	}
	query := fmt.Sprintf("%s Matrix%s { %s }", kw, vars, sel)
	switch {
	case method == "GET":
		return httptest.NewRequest("GET", "/graphql?"+url.Values{"query": {query}}.Encode(), nil)
	case upload:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"file": nil}})
		w.WriteField("operations", string(ops))
		w.WriteField("map", `{"0": ["variables.file"]}`)
		fw, _ := w.CreateFormFile("0", "matrix.txt")
		fmt.Fprintf(fw, "an uploaded note %s", m.name("upload"))
		w.Close()
		req := httptest.NewRequest("POST", "/graphql", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return req
	default:
		body, _ := json.Marshal(map[string]string{"query": query})
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
}

// gqlValue is a literal of type typ: ids are the target's, strings unique.
func (m *matrix) gqlValue(schema *ast.Schema, typ *ast.Type, name string, id, depth int) string {
	if typ.Elem != nil {
		return "[" + m.gqlValue(schema, typ.Elem, name, id, depth) + "]"
	}
	def := schema.Types[typ.NamedType]
	switch {
	case typ.NamedType == "ID" || typ.NamedType == "Int":
		return fmt.Sprint(max(id, 1))
	case typ.NamedType == "Boolean":
		return "false"
	case typ.NamedType == "Float":
		return "1.0"
	case def != nil && def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def != nil && def.Kind == ast.InputObject && depth < 3:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil || f.Name == "name" {
				fields = append(fields, f.Name+": "+m.gqlValue(schema, f.Type, f.Name, id, depth+1))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	if typ.NamedType == "String" {
		if name == "name" || name == "term" || name == "query" {
			return fmt.Sprintf("%q", m.name("matrix"))
		}
		return `"paperless"`
	}
	return `"x"`
}
