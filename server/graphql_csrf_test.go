package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
)

// csrfSite is the real HTTP surface (routes) over a fresh SQLite archive
// with a superuser "admin" logged in through the login form.
type csrfSite struct {
	url     string
	st      *store.Store
	session string // sessionid cookie value
	csrf    string // csrftoken cookie value
	token   string // API token of admin
}

const trustedApp = "https://app.example"

func newCSRFSite(t *testing.T, origins ...string) *csrfSite {
	t.Helper()
	ctx := context.Background()
	cfg := Config{DataDir: t.TempDir(), TimeZone: time.UTC, CORSAllowedOrigins: origins}
	logger := slog.New(slog.DiscardHandler)
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	if _, err := auth.EnsureSuperuser(ctx, a.st, "admin", "s3cret", ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a.st, a.res, a.auth, logger))
	t.Cleanup(srv.Close)
	s := &csrfSite{url: srv.URL, st: a.st}
	s.session, s.csrf = mustLoginForm(t, srv.URL, "admin", "s3cret")

	req, _ := http.NewRequest("POST", srv.URL+"/api/token/", strings.NewReader(`{"username":"admin","password":"s3cret"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, body := csrfDo(t, req)
	var tok struct{ Token string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok.Token == "" {
		t.Fatalf("POST /api/token/: %d %s", resp.StatusCode, body)
	}
	s.token = tok.Token
	return s
}

// mustLoginForm signs in through /accounts/login/ as a browser does and
// returns the sessionid and (rotated) csrftoken cookie values.
func mustLoginForm(t *testing.T, base, username, password string) (session, csrf string) {
	t.Helper()
	resp, err := http.Get(base + "/accounts/login/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "csrftoken" {
			csrf = c.Value
		}
	}
	form := url.Values{"username": {username}, "password": {password}, "csrfmiddlewaretoken": {csrf}}
	req, _ := http.NewRequest("POST", base+"/accounts/login/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "csrftoken", Value: csrf})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		switch c.Name {
		case "sessionid":
			session = c.Value
		case "csrftoken":
			csrf = c.Value
		}
	}
	if resp.StatusCode != http.StatusFound || session == "" || csrf == "" {
		t.Fatalf("login: status %d, session %q, csrf %q", resp.StatusCode, session, csrf)
	}
	return session, csrf
}

func csrfDo(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// Ways a request carries credentials.
func (s *csrfSite) withSession(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: s.session})
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: s.csrf})
}
func (s *csrfSite) withSessionOnly(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: s.session})
}
func (s *csrfSite) withBasic(r *http.Request) { r.SetBasicAuth("admin", "s3cret") }
func (s *csrfSite) withToken(r *http.Request) { r.Header.Set("Authorization", "Token "+s.token) }

// tagNames reads the tags from the database.
func (s *csrfSite) tagNames(t *testing.T) []string {
	t.Helper()
	tags, _, err := s.st.Tags(context.Background(), store.NameFilter{}, nil, store.Page{Number: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	return names
}

func (s *csrfSite) hasTag(t *testing.T, name string) bool {
	t.Helper()
	for _, n := range s.tagNames(t) {
		if n == name {
			return true
		}
	}
	return false
}

func csrfCreateTag(name string) string {
	return `mutation { createTag(input: {name: "` + name + `"}) { id name } }`
}

func csrfJSON(query string) io.Reader {
	b, _ := json.Marshal(map[string]string{"query": query})
	return bytes.NewReader(b)
}

// csrfMultipart is a GraphQL multipart request (operations, map) as an
// HTML form on another site can send it without a preflight.
func csrfMultipart(t *testing.T, query string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{}})
	if err := mw.WriteField("operations", string(ops)); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("map", "{}"); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func csrfWantDetail(t *testing.T, resp *http.Response, body []byte, status int, detail string) {
	t.Helper()
	var got struct{ Detail string }
	if resp.StatusCode != status || json.Unmarshal(body, &got) != nil || got.Detail != detail {
		t.Fatalf("got %d %s, want %d {\"detail\": %q}", resp.StatusCode, body, status, detail)
	}
}

func csrfWantData(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"data"`)) || bytes.Contains(body, []byte(`"errors"`)) {
		t.Fatalf("got %d %s, want data", resp.StatusCode, body)
	}
}

// TestGraphQLCSRF sends mutations to /graphql the ways a browser can carry
// the session cookie, and checks in the database what they did.
func TestGraphQLCSRF(t *testing.T) {
	s := newCSRFSite(t, trustedApp)
	post := func(name string, body io.Reader, contentType string, creds func(*http.Request), hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.url+"/graphql", body)
		req.Header.Set("Content-Type", contentType)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if creds != nil {
			creds(req)
		}
		return csrfDo(t, req)
	}

	t.Run("ErrSessionJSONWithoutToken", func(t *testing.T) {
		resp, body := post("", csrfJSON(csrfCreateTag("json-no-token")), "application/json", s.withSession)
		csrfWantDetail(t, resp, body, 403, auth.MsgCSRFBadToken)
		if s.hasTag(t, "json-no-token") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("ErrSessionJSONWrongToken", func(t *testing.T) {
		resp, body := post("", csrfJSON(csrfCreateTag("json-wrong-token")), "application/json", s.withSession,
			"X-CSRFToken", auth.NewCSRFToken())
		csrfWantDetail(t, resp, body, 403, auth.MsgCSRFBadToken)
		if s.hasTag(t, "json-wrong-token") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("ErrSessionWithoutCSRFCookie", func(t *testing.T) {
		resp, body := post("", csrfJSON(csrfCreateTag("no-cookie")), "application/json", s.withSessionOnly, "X-CSRFToken", s.csrf)
		csrfWantDetail(t, resp, body, 403, auth.MsgCSRFNoCookie)
		if s.hasTag(t, "no-cookie") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("SessionJSONWithToken", func(t *testing.T) {
		resp, body := post("", csrfJSON(csrfCreateTag("json-token")), "application/json", s.withSession, "X-CSRFToken", s.csrf)
		csrfWantData(t, resp, body)
		if !s.hasTag(t, "json-token") {
			t.Fatal("no tag created")
		}
	})
	t.Run("ErrSessionQueryWithoutToken", func(t *testing.T) {
		// Every POST needs the token, as REST (Django) has it.
		resp, body := post("", csrfJSON(`{ me { username } }`), "application/json", s.withSession)
		csrfWantDetail(t, resp, body, 403, auth.MsgCSRFBadToken)
	})
	t.Run("ErrSessionMultipartCrossOrigin", func(t *testing.T) {
		body, ct := csrfMultipart(t, csrfCreateTag("multipart-evil"))
		resp, out := post("", body, ct, s.withSession, "Origin", "https://evil.example")
		csrfWantDetail(t, resp, out, 403, auth.MsgCSRFBadToken)
		if s.hasTag(t, "multipart-evil") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("ErrSessionMultipartFormFieldToken", func(t *testing.T) {
		// GraphQL reads the token from the header only; the body is left
		// unread for the GraphQL transport (and refused unread cross-site).
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("operations", `{"query":"`+strings.ReplaceAll(csrfCreateTag("multipart-field"), `"`, `\"`)+`"}`)
		mw.WriteField("map", "{}")
		mw.WriteField("csrfmiddlewaretoken", s.csrf)
		mw.Close()
		resp, out := post("", &buf, mw.FormDataContentType(), s.withSession)
		csrfWantDetail(t, resp, out, 403, auth.MsgCSRFBadToken)
		if s.hasTag(t, "multipart-field") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("SessionMultipartWithToken", func(t *testing.T) {
		body, ct := csrfMultipart(t, csrfCreateTag("multipart-token"))
		resp, out := post("", body, ct, s.withSession, "X-CSRFToken", s.csrf)
		csrfWantData(t, resp, out)
		if !s.hasTag(t, "multipart-token") {
			t.Fatal("no tag created")
		}
	})
	t.Run("ErrSessionFormAndTextPlain", func(t *testing.T) {
		// The other bodies an HTML form or a no-cors fetch can send.
		q := csrfCreateTag("form-evil")
		resp, out := post("", strings.NewReader(url.Values{"query": {q}}.Encode()), "application/x-www-form-urlencoded", s.withSession)
		csrfWantDetail(t, resp, out, 403, auth.MsgCSRFBadToken)
		resp, out = post("", csrfJSON(q), "text/plain", s.withSession)
		csrfWantDetail(t, resp, out, 403, auth.MsgCSRFBadToken)
		if s.hasTag(t, "form-evil") {
			t.Fatal("the mutation ran")
		}
	})
	t.Run("BasicAndTokenNeedNoCSRF", func(t *testing.T) {
		resp, out := post("", csrfJSON(csrfCreateTag("basic")), "application/json", s.withBasic, "Origin", "https://evil.example")
		csrfWantData(t, resp, out)
		resp, out = post("", csrfJSON(csrfCreateTag("token")), "application/json", s.withToken)
		csrfWantData(t, resp, out)
		body, ct := csrfMultipart(t, csrfCreateTag("token-multipart"))
		resp, out = post("", body, ct, s.withToken)
		csrfWantData(t, resp, out)
		for _, n := range []string{"basic", "token", "token-multipart"} {
			if !s.hasTag(t, n) {
				t.Errorf("no tag %q created", n)
			}
		}
	})
	t.Run("ErrBasicWrongWithSession", func(t *testing.T) {
		// A wrong Authorization header is not rescued by the cookie.
		resp, out := post("", csrfJSON(csrfCreateTag("wrong-basic")), "application/json", func(r *http.Request) {
			s.withSession(r)
			r.SetBasicAuth("admin", "nope")
		}, "X-CSRFToken", s.csrf)
		csrfWantDetail(t, resp, out, 401, auth.MsgInvalidLogin)
	})

	get := func(query string, creds func(*http.Request)) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+"/graphql?"+url.Values{"query": {query}}.Encode(), nil)
		if creds != nil {
			creds(req)
		}
		return csrfDo(t, req)
	}
	t.Run("ErrGETMutation", func(t *testing.T) {
		for name, creds := range map[string]func(*http.Request){"session": s.withSession, "basic": s.withBasic} {
			resp, out := get(csrfCreateTag("get-"+name), creds)
			if resp.StatusCode != http.StatusNotAcceptable || !bytes.Contains(out, []byte("GET requests only allow query operations")) {
				t.Errorf("%s: GET mutation answered %d %s", name, resp.StatusCode, out)
			}
			if s.hasTag(t, "get-"+name) {
				t.Errorf("%s: GET ran a mutation", name)
			}
		}
	})
	t.Run("SessionGETQuery", func(t *testing.T) {
		resp, out := get(`{ me { username } }`, s.withSession)
		csrfWantData(t, resp, out)
	})
}

// csrfDialWS opens a graphql-transport-ws connection to /graphql; it returns
// the handshake's status when the server refuses it.
func csrfDialWS(t *testing.T, base string, hdr http.Header) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: hdr})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, http.StatusSwitchingProtocols
}

// csrfRunWS runs one operation on c and returns its first result.
func csrfRunWS(t *testing.T, c *websocket.Conn, query string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	send(map[string]any{"type": "connection_init"})
	if m := read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query}})
	for {
		m := read()
		switch m["type"] {
		case "ka", "ping":
			continue
		case "next":
			return m["payload"].(map[string]any)
		default:
			t.Fatalf("got %v", m)
		}
	}
}

func TestGraphQLWebsocketOrigin(t *testing.T) {
	s := newCSRFSite(t, trustedApp)
	self := s.url // the page's origin when it is served by Quire
	session := "sessionid=" + s.session
	basic := "Basic " + csrfBasic("admin", "s3cret")
	cases := []struct {
		name   string
		hdr    http.Header
		status int
	}{
		{"SessionSameOrigin", http.Header{"Cookie": {session}, "Origin": {self}}, 101},
		{"SessionTrustedOrigin", http.Header{"Cookie": {session}, "Origin": {trustedApp}}, 101},
		{"ErrSessionForeignOrigin", http.Header{"Cookie": {session}, "Origin": {"https://evil.example"}}, 403},
		{"ErrSessionNullOrigin", http.Header{"Cookie": {session}, "Origin": {"null"}}, 403},
		{"ErrSessionNoOrigin", http.Header{"Cookie": {session}}, 403},
		{"BasicNoOrigin", http.Header{"Authorization": {basic}}, 101},
		{"ErrBasicForeignOrigin", http.Header{"Authorization": {basic}, "Origin": {"https://evil.example"}}, 403},
		{"ErrAnonymous", http.Header{"Origin": {self}}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, status := csrfDialWS(t, s.url, c.hdr)
			if status != c.status {
				t.Fatalf("handshake status %d, want %d", status, c.status)
			}
			if conn == nil {
				return
			}
			tag := "ws-" + c.name
			res := csrfRunWS(t, conn, csrfCreateTag(tag))
			if res["errors"] != nil || !s.hasTag(t, tag) {
				t.Fatalf("mutation over websocket: %v", res)
			}
		})
	}
}

func csrfBasic(user, password string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, password)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// TestGraphQLIntrospectionNeedsUser: without credentials nothing of the
// schema is revealed, whatever the transport.
func TestGraphQLIntrospectionNeedsUser(t *testing.T) {
	s := newCSRFSite(t)
	const q = `{ __schema { types { name } } }`
	req, _ := http.NewRequest("POST", s.url+"/graphql", csrfJSON(q))
	req.Header.Set("Content-Type", "application/json")
	resp, body := csrfDo(t, req)
	csrfWantDetail(t, resp, body, 401, auth.MsgNotAuthenticated)

	req, _ = http.NewRequest("GET", s.url+"/graphql?"+url.Values{"query": {q}}.Encode(), nil)
	resp, body = csrfDo(t, req)
	csrfWantDetail(t, resp, body, 401, auth.MsgNotAuthenticated)

	if _, status := csrfDialWS(t, s.url, http.Header{"Origin": {s.url}}); status != 401 {
		t.Fatalf("anonymous websocket handshake: %d, want 401", status)
	}

	// The same query with credentials works (the test can fail).
	req, _ = http.NewRequest("GET", s.url+"/graphql?"+url.Values{"query": {q}}.Encode(), nil)
	s.withBasic(req)
	resp, body = csrfDo(t, req)
	csrfWantData(t, resp, body)
	if !bytes.Contains(body, []byte(`"Document"`)) {
		t.Fatalf("introspection: %s", body)
	}
}

func TestCORS(t *testing.T) {
	s := newCSRFSite(t, trustedApp, "http://localhost:8000")
	preflight := func(path, origin string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("OPTIONS", s.url+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type, x-csrftoken")
		resp, _ := csrfDo(t, req)
		return resp
	}
	vary := func(h http.Header) string { return strings.Join(h.Values("Vary"), ", ") }

	for _, path := range []string{"/graphql", "/api/tags/", "/api/documents/bulk_edit/"} {
		t.Run("PreflightTrusted"+path, func(t *testing.T) {
			resp := preflight(path, trustedApp)
			h := resp.Header
			if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != trustedApp ||
				h.Get("Access-Control-Allow-Credentials") != "true" ||
				!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
				!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "x-csrftoken") ||
				!strings.Contains(vary(h), "Origin") {
				t.Fatalf("preflight: %d %v", resp.StatusCode, h)
			}
		})
	}
	t.Run("PreflightOtherTrusted", func(t *testing.T) {
		if got := preflight("/graphql", "http://localhost:8000").Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:8000" {
			t.Fatalf("Access-Control-Allow-Origin = %q", got)
		}
	})
	t.Run("PreflightForeign", func(t *testing.T) {
		for _, origin := range []string{"https://evil.example", "https://app.example.evil.example", "null", "http://app.example"} {
			resp := preflight("/graphql", origin)
			for k := range resp.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("%s: %s: %q", origin, k, resp.Header.Get(k))
				}
			}
			if resp.StatusCode == http.StatusNoContent {
				t.Errorf("%s: preflight answered", origin)
			}
		}
	})
	t.Run("ActualRequests", func(t *testing.T) {
		for _, path := range []string{"/graphql?query=%7Bme%7Busername%7D%7D", "/api/tags/"} {
			req, _ := http.NewRequest("GET", s.url+path, nil)
			req.Header.Set("Origin", trustedApp)
			s.withToken(req)
			resp, body := csrfDo(t, req)
			h := resp.Header
			if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != trustedApp ||
				h.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(vary(h), "Origin") {
				t.Fatalf("%s: %d %v %s", path, resp.StatusCode, h, body)
			}
			if path == "/api/tags/" && !strings.Contains(vary(h), "Accept") {
				t.Fatalf("REST's Vary lost: %q", vary(h))
			}

			req, _ = http.NewRequest("GET", s.url+path, nil)
			req.Header.Set("Origin", "https://evil.example")
			s.withToken(req)
			resp, _ = csrfDo(t, req)
			if resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Credentials") != "" ||
				!strings.Contains(vary(resp.Header), "Origin") {
				t.Fatalf("%s foreign: %v", path, resp.Header)
			}
		}
	})
	t.Run("OtherPathsUntouched", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.url+"/healthz", nil)
		req.Header.Set("Origin", trustedApp)
		resp, _ := csrfDo(t, req)
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("/healthz: %v", resp.Header)
		}
	})
	t.Run("SessionFromTrustedOriginStillNeedsToken", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.url+"/graphql", csrfJSON(csrfCreateTag("cors-no-token")))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", trustedApp)
		s.withSession(req)
		resp, body := csrfDo(t, req)
		csrfWantDetail(t, resp, body, 403, auth.MsgCSRFBadToken)
		if resp.Header.Get("Access-Control-Allow-Origin") != trustedApp {
			t.Fatalf("the refusal must be readable by the trusted app: %v", resp.Header)
		}
	})
}

func TestCORSDisabledByDefault(t *testing.T) {
	s := newCSRFSite(t)
	req, _ := http.NewRequest("OPTIONS", s.url+"/graphql", nil)
	req.Header.Set("Origin", trustedApp)
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, _ := csrfDo(t, req)
	if resp.StatusCode == http.StatusNoContent {
		t.Fatal("preflight answered without trusted origins")
	}
	req, _ = http.NewRequest("GET", s.url+"/api/tags/", nil)
	req.Header.Set("Origin", trustedApp)
	s.withBasic(req)
	resp2, _ := csrfDo(t, req)
	for _, h := range []http.Header{resp.Header, resp2.Header} {
		for k := range h {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s: %q", k, h.Get(k))
			}
		}
		if strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
			t.Errorf("Vary: %v", h.Values("Vary"))
		}
	}
}

func TestConfigCORSAllowedOrigins(t *testing.T) {
	parse := func(vars map[string]string) (Config, error) {
		vars["QUIRE_DATA_DIR"] = t.TempDir()
		return parseConfig("quire", nil, env(vars), io.Discard, nil)
	}
	cfg, err := parse(map[string]string{"QUIRE_CORS_ALLOWED_ORIGINS": " https://App.Example/ ,http://localhost:8000,https://x.example:443,"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.CORSAllowedOrigins, " "); got != "https://app.example http://localhost:8000 https://x.example" {
		t.Fatalf("origins = %q", got)
	}
	cfg, err = parse(map[string]string{"PAPERLESS_CORS_ALLOWED_HOSTS": "http://localhost:8000"})
	if err != nil || len(cfg.CORSAllowedOrigins) != 1 {
		t.Fatalf("paperless alias: %v %v", cfg.CORSAllowedOrigins, err)
	}
	cfg, err = parse(map[string]string{})
	if err != nil || cfg.CORSAllowedOrigins != nil {
		t.Fatalf("default must be none: %v %v", cfg.CORSAllowedOrigins, err)
	}
	_, err = parse(map[string]string{"QUIRE_CORS_ALLOWED_ORIGINS": "*,app.example,https://a.example/path,ftp://b.example"})
	if err == nil {
		t.Fatal("no error")
	}
	line := regexp.MustCompile(`QUIRE_CORS_ALLOWED_ORIGINS: .*`).FindString(err.Error())
	for _, want := range []string{`"*"`, `"app.example"`, `"https://a.example/path"`, `"ftp://b.example"`} {
		if !strings.Contains(line, want) {
			t.Errorf("the setting's line does not mention %s: %v", want, err)
		}
	}
}

// TestStatusWebsocketOrigin: /ws/status/ checks the Origin as /graphql
// does, so a browser app on a trusted origin can follow consumption while
// other sites cannot ride the session.
func TestStatusWebsocketOrigin(t *testing.T) {
	s := newCSRFSite(t, trustedApp)
	session := "sessionid=" + s.session
	basic := "Basic " + csrfBasic("admin", "s3cret")
	for _, c := range []struct {
		name   string
		hdr    http.Header
		status int
	}{
		{"SessionSameOrigin", http.Header{"Cookie": {session}, "Origin": {s.url}}, 101},
		{"SessionTrustedOrigin", http.Header{"Cookie": {session}, "Origin": {trustedApp}}, 101},
		{"ErrSessionForeignOrigin", http.Header{"Cookie": {session}, "Origin": {"https://evil.example"}}, 403},
		{"ErrSessionNoOrigin", http.Header{"Cookie": {session}}, 403},
		{"BasicNoOrigin", http.Header{"Authorization": {basic}}, 101},
		{"ErrBasicForeignOrigin", http.Header{"Authorization": {basic}, "Origin": {"https://evil.example"}}, 403},
		{"ErrAnonymous", http.Header{"Origin": {s.url}}, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/ws/status/",
				&websocket.DialOptions{HTTPHeader: c.hdr})
			status := http.StatusSwitchingProtocols
			if err != nil {
				if resp == nil {
					t.Fatalf("dial: %v", err)
				}
				status = resp.StatusCode
			} else {
				conn.CloseNow()
			}
			if status != c.status {
				t.Fatalf("handshake status %d, want %d", status, c.status)
			}
		})
	}
}
