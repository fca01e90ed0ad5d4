package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/store"
)

func newTestHandler(user *store.User, err error) *Handler {
	return New(Config{
		Prefix: "/playground", Endpoint: "/graphql", LoginURL: "/accounts/login/",
		Authenticate:   func(*http.Request) (*store.User, error) { return user, err },
		CSRFCookieName: "q_csrftoken", NewCSRFToken: func() string { return "0123456789abcdefghijABCDEFGHIJ01" },
	})
}

// serve sends a request to h mounted on a router, as server/routes.go does.
func serve(h *Handler, method, target string, header http.Header) *http.Response {
	mux := chi.NewRouter()
	h.Mount(mux)
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPageWithoutCredentialsRedirectsToLogin(t *testing.T) {
	resp := serve(newTestHandler(nil, nil), "GET", "/playground", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/accounts/login/?next=%2Fplayground" {
		t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if h := resp.Header.Get("WWW-Authenticate"); h != "" {
		t.Errorf("WWW-Authenticate %q: a browser would show a Basic dialog instead of the form", h)
	}
}

func TestPageWithWrongCredentials(t *testing.T) {
	resp := serve(newTestHandler(nil, &store.Error{Code: store.Unauthenticated, Message: "Invalid username/password."}), "GET", "/playground", nil)
	if b := body(t, resp); resp.StatusCode != http.StatusUnauthorized || b != `{"detail":"Invalid username/password."}` ||
		resp.Header.Get("WWW-Authenticate") != `Basic realm="api"` {
		t.Fatalf("status %d, body %s, headers %v", resp.StatusCode, b, resp.Header)
	}
	resp = serve(newTestHandler(nil, &store.Error{Code: store.Internal, Message: "db down"}), "GET", "/playground", nil)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body(t, resp), "db down") {
		t.Fatalf("internal error: status %d", resp.StatusCode)
	}
}

func TestPageHeaders(t *testing.T) {
	resp := serve(newTestHandler(&store.User{ID: 1, Username: "admin"}, nil), "GET", "/playground", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'",
		"frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q allows %q", csp, bad)
		}
	}
	// Inline <style> only with this response's nonce, which the page hands
	// to GraphiQL; every response has a fresh one.
	m := regexp.MustCompile(`style-src 'self' 'nonce-([A-Za-z0-9_-]{22})';`).FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("CSP %q: style-src is not 'self' plus a nonce", csp)
	}
	nonce := m[1]
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("headers %v", resp.Header)
	}
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "q_csrftoken" {
			csrf = c
		}
	}
	if csrf == nil || csrf.Value == "" || csrf.HttpOnly {
		t.Errorf("the page must set a CSRF cookie the script can read: %v", resp.Cookies())
	}
	page := body(t, resp)
	if !strings.Contains(page, `<meta name="quire-style-nonce" content="`+nonce+`">`) {
		t.Errorf("page does not carry the CSP's nonce %s:\n%s", nonce, page)
	}
	if again := serve(newTestHandler(&store.User{ID: 1}, nil), "GET", "/playground", nil); strings.Contains(again.Header.Get("Content-Security-Policy"), nonce) {
		t.Error("nonce reused")
	}
	if !strings.Contains(page, `<meta name="quire-csrf-cookie" content="q_csrftoken">`) ||
		!strings.Contains(page, `<meta name="quire-graphql-endpoint" content="/graphql">`) {
		t.Errorf("page does not name the cookie and endpoint:\n%s", page)
	}

	// A browser that has the cookie keeps it.
	resp = serve(newTestHandler(&store.User{ID: 1}, nil), "GET", "/playground", http.Header{"Cookie": {"q_csrftoken=abc"}})
	if len(resp.Cookies()) != 0 {
		t.Errorf("cookie replaced: %v", resp.Cookies())
	}
}

var (
	attrURL   = regexp.MustCompile(`(?i)\b(?:src|href|action|content)\s*=\s*"([^"]*)"`)
	tagRe     = regexp.MustCompile(`(?is)<(script|link|style|iframe|img|base|form)\b[^>]*>`)
	remoteURL = regexp.MustCompile(`(?i)\bhttps?://([a-z0-9.-]+)`)
	cssURL    = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")]*)`)
)

// TestServedFilesReferenceNoOtherHost checks what the page loads: the HTML
// names only this server's asset paths (with matching integrity), no
// inline script or style; the stylesheets load nothing but data: URLs;
// and the scripts mention only the documentation hosts GraphiQL and React
// link to (as text, never loaded: the browser test proves nothing is
// fetched from elsewhere). A new host there needs a look before it is
// added to the list.
func TestServedFilesReferenceNoOtherHost(t *testing.T) {
	h := newTestHandler(&store.User{ID: 1}, nil)
	resp := serve(h, "GET", "/playground", nil)
	page := body(t, resp)
	if strings.Contains(page, "//") {
		t.Errorf("page has an absolute or protocol-relative URL:\n%s", page)
	}
	tags := tagRe.FindAllStringSubmatch(page, -1)
	var scripts, styles int
	for _, m := range tags {
		switch strings.ToLower(m[1]) {
		case "script":
			scripts++
			if !strings.Contains(m[0], ` src="/playground/assets/`) || !strings.Contains(m[0], ` integrity="sha256-`) {
				t.Errorf("inline or foreign script: %s", m[0])
			}
		case "link":
			styles++
			if !strings.Contains(m[0], ` href="/playground/assets/`) || !strings.Contains(m[0], ` integrity="sha256-`) {
				t.Errorf("foreign stylesheet: %s", m[0])
			}
		default:
			t.Errorf("unexpected element %s", m[0])
		}
	}
	if scripts != len(scriptFiles) || styles != len(styleFiles) {
		t.Errorf("page loads %d scripts and %d stylesheets, want %d and %d", scripts, styles, len(scriptFiles), len(styleFiles))
	}
	for _, m := range attrURL.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], ":") {
			t.Errorf("URL with a scheme in the page: %s", m[0])
		}
	}

	docHosts := map[string]bool{"www.w3.org": true, "github.com": true, "codemirror.net": true, "commonmark.org": true,
		"en.wikipedia.org": true, "reactjs.org": true}
	for _, u := range h.AssetURLs() {
		if !strings.Contains(page, `"`+u+`"`) {
			t.Errorf("page does not load %s", u)
		}
		resp := serve(h, "GET", u, nil)
		b := body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", u, resp.StatusCode)
		}
		sum := sha256.Sum256([]byte(b))
		if !strings.Contains(html.UnescapeString(page), `integrity="sha256-`+base64.StdEncoding.EncodeToString(sum[:])+`"`) {
			t.Errorf("%s: integrity in the page does not match the content", u)
		}
		switch {
		case strings.HasSuffix(u, ".css"):
			if strings.Contains(b, "@import") {
				t.Errorf("%s imports another stylesheet", u)
			}
			for _, m := range cssURL.FindAllStringSubmatch(b, -1) {
				if !strings.HasPrefix(m[1], "data:") && !strings.HasPrefix(m[1], "#") {
					t.Errorf("%s loads %q", u, m[1])
				}
			}
		case strings.HasSuffix(u, ".js"):
			for _, m := range remoteURL.FindAllStringSubmatch(b, -1) {
				if !docHosts[strings.ToLower(m[1])] {
					t.Errorf("%s refers to %s", u, m[0])
				}
			}
		}
	}
}

func TestAssetCaching(t *testing.T) {
	h := newTestHandler(nil, nil) // assets need no session
	var js string
	for _, u := range h.AssetURLs() {
		if strings.Contains(u, "/graphiql.min.") && strings.HasSuffix(u, ".js") {
			js = u
		}
	}
	if !regexp.MustCompile(`^/playground/assets/graphiql\.min\.[0-9a-f]{12}\.js$`).MatchString(js) {
		t.Fatalf("GraphiQL script URL %q is not content-hashed", js)
	}
	resp := serve(h, "GET", js, nil)
	plain := body(t, resp)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	resp = serve(h, "GET", js, http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified || body(t, resp) != "" {
		t.Errorf("If-None-Match: status %d", resp.StatusCode)
	}
	resp = serve(h, "GET", js, http.Header{"Accept-Encoding": {"gzip, br"}})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if string(unzipped) != plain || len(plain) < 3*int(resp.ContentLength) {
		t.Errorf("gzip: %d bytes for %d, round trip equal %v", resp.ContentLength, len(plain), string(unzipped) == plain)
	}
	for _, u := range []string{"/playground/assets/graphiql.min.js", "/playground/assets/..%2fplayground.go", "/playground/assets/"} {
		if resp := serve(h, "GET", u, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", u, resp.StatusCode)
		}
	}
}

// TestAssetChecksums: the committed assets match assets/SHA256SUMS, which
// go generate trusts to skip fetching.
func TestAssetChecksums(t *testing.T) {
	sums, err := os.ReadFile(filepath.Join("assets", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sums)), "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[0], "# generated by gen.go") {
		t.Fatalf("SHA256SUMS:\n%s", sums)
	}
	for _, line := range lines[1:] {
		sum, name, _ := strings.Cut(line, "  ")
		b, err := os.ReadFile(filepath.Join("assets", name))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("assets/%s does not match SHA256SUMS", name)
		}
	}
}

// TestGenerateIsOfflineWhenAssetsArePresent runs the generator with no npm
// (nor anything else) on PATH: with the committed files in place it must
// succeed and change nothing.
func TestGenerateIsOfflineWhenAssetsArePresent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	before := snapshot(t)
	cmd := exec.Command(goBin, "run", "gen.go")
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run gen.go without npm: %v\n%s", err, out.String())
	}
	if out.Len() != 0 {
		t.Errorf("generator printed (it should have had nothing to do):\n%s", out.String())
	}
	if after := snapshot(t); after != before {
		t.Error("generator changed assets/")
	}
}

func snapshot(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir("assets")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, _ := e.Info()
		data, _ := os.ReadFile(filepath.Join("assets", e.Name()))
		sum := sha256.Sum256(data)
		b.WriteString(e.Name() + " " + info.ModTime().String() + " " + hex.EncodeToString(sum[:]) + "\n")
	}
	return b.String()
}

// BenchmarkPage renders the page for an authenticated request (the
// authenticator itself is benchmarked in server/auth).
func BenchmarkPage(b *testing.B) {
	h := newTestHandler(&store.User{ID: 1}, nil)
	mux := chi.NewRouter()
	h.Mount(mux)
	req := httptest.NewRequest("GET", "/playground", nil)
	req.Header.Set("Cookie", "q_csrftoken=abc")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkAssetGzip serves GraphiQL's script (about 1 MB) gzipped, after
// the first request compressed it.
func BenchmarkAssetGzip(b *testing.B) {
	h := newTestHandler(nil, nil)
	mux := chi.NewRouter()
	h.Mount(mux)
	var js string
	for _, u := range h.AssetURLs() {
		if strings.Contains(u, "/graphiql.min.") && strings.HasSuffix(u, ".js") {
			js = u
		}
	}
	req := httptest.NewRequest("GET", js, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	mux.ServeHTTP(httptest.NewRecorder(), req) // compresses once
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
