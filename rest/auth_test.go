package rest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/rest"
)

// TestAuthMatrix sends every route and method of the OpenAPI document
// (which TestOpenAPIMatchesRoutes ties to the router) with each kind of
// credentials.
func TestAuthMatrix(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		var doc struct {
			Paths map[string]map[string]struct {
				Security *[]any `json:"security"`
			} `json:"paths"`
		}
		e.get("/api/schema/", &doc)
		var paths []string
		for p := range doc.Paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		modes := []struct {
			name string
			opt  opt
		}{
			{"none", anon},
			{"wrong_password", basic("admin", "wrong")},
			{"basic", basic("admin", adminPassword)},
			{"token", header("Authorization", "Token "+e.token)},
			{"session_without_csrf", e.sessionOpt(false)},
			{"session_with_csrf", e.sessionOpt(true)},
		}
		n := 0
		for _, p := range paths {
			url := strings.ReplaceAll(strings.ReplaceAll(p, "{id}", "999999"), "{name}", "nope")
			methods := []string{"OPTIONS"}
			for m := range doc.Paths[p] {
				methods = append(methods, strings.ToUpper(m))
			}
			sort.Strings(methods)
			for _, m := range methods {
				public := false
				if op, ok := doc.Paths[p][strings.ToLower(m)]; ok {
					public = op.Security != nil && len(*op.Security) == 0
				} else {
					for _, op := range doc.Paths[p] {
						public = op.Security != nil && len(*op.Security) == 0
					}
				}
				unsafe := m != "GET" && m != "HEAD" && m != "OPTIONS"
				for _, mode := range modes {
					var body any
					if unsafe {
						body = map[string]any{}
					}
					rec := e.do(m, url, body, mode.opt)
					n++
					var want string
					switch {
					case mode.name == "wrong_password":
						want = "401"
					case mode.name == "none" && !public:
						want = "401"
					case mode.name == "session_without_csrf" && unsafe:
						want = "403"
					default:
						want = "allowed"
					}
					got := "allowed"
					if rec.Code == 401 || rec.Code == 403 {
						got = strconv.Itoa(rec.Code)
					}
					if got != want {
						t.Errorf("%s %s as %s: %d %s, want %s", m, url, mode.name, rec.Code, rec.Body, want)
					}
					if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") != `Basic realm="api"` {
						t.Errorf("%s %s as %s: 401 without WWW-Authenticate", m, url, mode.name)
					}
					if want == "403" && !strings.Contains(rec.Body.String(), "CSRF Failed: ") {
						t.Errorf("%s %s: 403 body %s", m, url, rec.Body)
					}
				}
			}
		}
		if n < 100 {
			t.Fatalf("only %d requests: the route list is too short", n)
		}
	})
}

var csrfField = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`)

func cookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestLoginForm covers /accounts/login/, sessions with CSRF, and logout.
func TestLoginForm(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rec := e.do("GET", "/accounts/login/?next=/documents", nil, anon)
		m := csrfField.FindStringSubmatch(rec.Body.String())
		csrf := cookie(rec, "csrftoken")
		if rec.Code != 200 || m == nil || csrf == nil || csrf.Value != m[1] {
			t.Fatalf("login form: %d %s", rec.Code, rec.Body)
		}
		form := func(user, pw, next string) string {
			return url.Values{"username": {user}, "password": {pw}, "next": {next}, "csrfmiddlewaretoken": {csrf.Value}}.Encode()
		}
		withCSRF := func(r *http.Request) { r.Header.Del("Authorization"); r.AddCookie(csrf) }
		if rec := e.do("POST", "/accounts/login/", form("admin", adminPassword, "/"), anon); rec.Code != 403 {
			t.Fatalf("login without CSRF cookie: %d", rec.Code)
		}
		rec = e.do("POST", "/accounts/login/", form("admin", "wrong", "/"), withCSRF)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Please enter a correct username and password") || cookie(rec, "sessionid") != nil {
			t.Fatalf("wrong password: %d %s", rec.Code, rec.Body)
		}
		for next, want := range map[string]string{"/documents?x=1": "/documents?x=1", "//evil.example/": "/", "https://evil.example/": "/", "": "/"} {
			rec = e.do("POST", "/accounts/login/", form("admin", adminPassword, next), withCSRF)
			if rec.Code != 302 || rec.Header().Get("Location") != want {
				t.Errorf("next %q: %d %q", next, rec.Code, rec.Header().Get("Location"))
			}
		}
		session, newCSRF := cookie(rec, "sessionid"), cookie(rec, "csrftoken")
		if session == nil || !session.HttpOnly || newCSRF == nil || newCSRF.Value == csrf.Value {
			t.Fatalf("cookies after login: %v", rec.Result().Cookies())
		}
		viaSession := func(r *http.Request) { r.Header.Del("Authorization"); r.AddCookie(session); r.AddCookie(newCSRF) }
		e.want(e.do("GET", "/api/documents/", nil, viaSession), 200)
		rec = e.do("POST", "/api/tags/", map[string]any{"name": "s"}, viaSession)
		if rec.Code != 403 || rec.Body.String() != `{"detail":"CSRF Failed: CSRF token missing or incorrect."}` {
			t.Fatalf("session POST without header: %d %s", rec.Code, rec.Body)
		}
		e.want(e.do("POST", "/api/tags/", map[string]any{"name": "s"}, viaSession, header("X-CSRFToken", newCSRF.Value)), 201)
		// a wrong Basic header fails even with a good session
		e.want(e.do("GET", "/api/tags/", nil, viaSession, basic("admin", "wrong")), 401)

		rec = e.do("GET", "/accounts/logout/", nil, viaSession)
		if rec.Code != 302 || rec.Header().Get("Location") != "/accounts/login/" {
			t.Fatalf("logout: %d %v", rec.Code, rec.Header())
		}
		e.want(e.do("GET", "/api/documents/", nil, viaSession), 401)
	})
}

// TestWebUI serves a frontend folder: files as they are, index.html with
// its base rewritten for app routes, a login redirect without a session,
// and nothing outside the folder.
func TestWebUI(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "ui")
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
		must(os.WriteFile(filepath.Join(dir, "index.html"), []byte(`<html><head><base href="/static/frontend/en-US/"></head><body>app</body></html>`), 0o644))
		must(os.WriteFile(filepath.Join(dir, "assets", "main.js"), []byte("console.log(1)"), 0o644))
		must(os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("secret"), 0o644))
		must(os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(dir, "link.txt")))

		ui, err := rest.UIHandler(dir, restAuth{e.au})
		must(err)
		r := chi.NewRouter()
		r.Mount("/api", e.api.APIHandler())
		r.Mount("/accounts", e.api.AccountsHandler())
		r.NotFound(ui.ServeHTTP)
		get := func(path string, opts ...opt) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", path, nil)
			for _, o := range opts {
				o(req)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			return rec
		}
		if rec := get("/assets/main.js"); rec.Code != 200 || rec.Body.String() != "console.log(1)" {
			t.Errorf("asset: %d %s", rec.Code, rec.Body)
		}
		if rec := get("/documents/12?x=1"); rec.Code != 302 || rec.Header().Get("Location") != "/accounts/login/?next=%2Fdocuments%2F12%3Fx%3D1" {
			t.Errorf("anonymous app route: %d %v", rec.Code, rec.Header())
		}
		session := e.sessionOpt(false)
		for _, p := range []string{"/", "/documents/12", "/index.html", "/link.txt", "/../secret.txt", "/assets/"} {
			rec := get(p, session)
			if rec.Code != 200 || rec.Body.String() != `<html><head><base href="/"></head><body>app</body></html>` {
				t.Errorf("%s: %d %s", p, rec.Code, rec.Body)
			}
		}
		if rec := get("/api/nothing/", session); rec.Code != 404 || rec.Body.String() != `{"detail":"Not found."}` {
			t.Errorf("API paths are not the app's: %d %s", rec.Code, rec.Body)
		}
		if _, err := rest.UIHandler(parent, restAuth{e.au}); err == nil {
			t.Error("a folder without index.html was accepted")
		}
	})
}
