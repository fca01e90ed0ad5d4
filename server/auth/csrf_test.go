package auth

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
)

func TestParseOrigin(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"https://app.example", "https://app.example", ""},
		{" HTTPS://App.Example/ ", "https://app.example", ""},
		{"https://app.example:443", "https://app.example", ""},
		{"http://app.example:80", "http://app.example", ""},
		{"http://localhost:8000", "http://localhost:8000", ""},
		{"https://app.example:8443", "https://app.example:8443", ""},
		{"http://[::1]:8000", "http://[::1]:8000", ""},
		{"*", "", "wildcards"},
		{"https://*.example", "", "wildcards"},
		{"app.example", "", "http:// or https://"},
		{"ftp://app.example", "", "http:// or https://"},
		{"null", "", "http:// or https://"},
		{"https://app.example/path", "", "no path"},
		{"https://user@app.example", "", "no path"},
		{"https://app.example?x=1", "", "no path"},
		{"https://", "", "no path"},
	}
	for _, c := range cases {
		got, err := ParseOrigin(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseOrigin(%q) = %q, %v; want an error about %s", c.in, got, err, c.err)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	f := newFixture(t, Config{TrustedOrigins: []string{"https://app.example/", "not an origin"}})
	if got := strings.Join(f.a.TrustedOrigins(), " "); got != "https://app.example" {
		t.Fatalf("TrustedOrigins = %q", got)
	}
	req := func(origin string) *http.Request {
		r := httptest.NewRequest("GET", "/graphql", nil)
		r.Host = "quire.example:8000"
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	bad := func(o string) string {
		return "CSRF Failed: Origin checking failed - " + o + " does not match any trusted origins."
	}
	cases := []struct{ origin, wantMsg string }{
		{"", ""},
		{"http://quire.example:8000", ""},
		{"https://QUIRE.example:8000", ""},
		{"https://app.example", ""},
		{"https://app.example:443", ""},
		{"http://quire.example", bad("http://quire.example")},
		{"https://evil.example", bad("https://evil.example")},
		{"http://app.example", bad("http://app.example")},
		{"null", bad("null")},
	}
	for _, c := range cases {
		err := f.a.CheckOrigin(req(c.origin))
		if c.wantMsg == "" {
			if err != nil {
				t.Errorf("Origin %q: %v", c.origin, err)
			}
			continue
		}
		if store.ErrorCode(err) != store.Forbidden || store.ErrorMessage(err) != c.wantMsg {
			t.Errorf("Origin %q: %v, want %q", c.origin, err, c.wantMsg)
		}
	}
}

func TestCheckCSRFWebsocketAndTrustedReferer(t *testing.T) {
	f := newFixture(t, Config{TrustedOrigins: []string{"https://app.example"}})
	secret := NewCSRFToken()
	cookie := &http.Cookie{Name: "csrftoken", Value: secret}
	ws := func(origin string) *http.Request {
		r := request("GET", http.Header{"Upgrade": {"WebSocket"}, "Connection": {"Upgrade"}}, cookie)
		r.Host = "quire.example"
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	tlsPost := func(referer string) *http.Request {
		r := request("POST", http.Header{"X-Csrftoken": {secret}, "Referer": {referer}}, cookie)
		r.Host = "quire.example"
		r.TLS = &tls.ConnectionState{}
		return r
	}
	cases := []struct {
		name    string
		r       *http.Request
		wantMsg string
	}{
		{"WebsocketSameOrigin", ws("https://quire.example"), ""},
		{"WebsocketTrusted", ws("https://app.example"), ""},
		{"ErrWebsocketNoOrigin", ws(""), MsgCSRFNoOrigin},
		{"ErrWebsocketForeign", ws("https://evil.example"),
			"CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."},
		{"OtherUpgradeIsPlainGET", request("GET", http.Header{"Upgrade": {"h2c"}}), ""},
		{"TLSTrustedReferer", tlsPost("https://app.example/page"), ""},
		{"ErrTLSRefererLookalike", tlsPost("https://app.example.evil.example/"),
			"CSRF Failed: Referer checking failed - https://app.example.evil.example/ does not match any trusted origins."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.a.CheckCSRF(c.r)
			if c.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckCSRF = %v", err)
				}
				return
			}
			wantFailure(t, err, store.Forbidden, c.wantMsg)
		})
	}
}

// BenchmarkCheckCSRF is the per-request cost of the CSRF check of a
// session POST: a Django-masked token in the header against the cookie,
// among a browser's usual other cookies, and the same over TLS (Referer).
func BenchmarkCheckCSRF(b *testing.B) {
	a := New(nil, nil, nil, Config{TrustedOrigins: []string{"https://app.example"}})
	secret := NewCSRFToken()
	mask := randomCSRF(csrfSecretLen)
	masked := []byte(mask)
	for i := range csrfSecretLen {
		x := strings.IndexByte(csrfChars, secret[i])
		y := strings.IndexByte(csrfChars, mask[i])
		masked = append(masked, csrfChars[(x+y)%len(csrfChars)])
	}
	newReq := func() *http.Request {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-CSRFToken", string(masked))
		r.Header.Set("Cookie", "django_language=en; sessionid=0123456789abcdefghijklmnopqrstuv; csrftoken="+secret+"; theme=dark")
		return r
	}
	b.Run("Header", func(b *testing.B) {
		r := newReq()
		for b.Loop() {
			if err := a.checkCSRF(r, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("HeaderTLSReferer", func(b *testing.B) {
		r := newReq()
		r.Host = "quire.example"
		r.TLS = &tls.ConnectionState{}
		r.Header.Set("Referer", "https://quire.example/documents/")
		for b.Loop() {
			if err := a.checkCSRF(r, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ErrMissingToken", func(b *testing.B) {
		r := newReq()
		r.Header.Del("X-CSRFToken")
		for b.Loop() {
			if err := a.checkCSRF(r, false); err == nil {
				b.Fatal("no error")
			}
		}
	})
}

// TestPublicOriginBehindProxy: a proxy hands Quire another Host than the
// one clients use (QUIRE_URL); pages of that public origin pass the
// Referer and websocket Origin checks, and it does not become a CORS
// origin (TrustedOrigin stays false).
func TestPublicOriginBehindProxy(t *testing.T) {
	f := newFixture(t, Config{PublicOrigin: "https://Docs.Example/"})
	secret := NewCSRFToken()
	cookie := &http.Cookie{Name: "csrftoken", Value: secret}
	ws := func(origin string) *http.Request {
		r := request("GET", http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Origin": {origin}}, cookie)
		r.Host = "127.0.0.1:8000"
		return r
	}
	tlsPost := func(referer string) *http.Request {
		r := request("POST", http.Header{"X-Csrftoken": {secret}, "Referer": {referer}}, cookie)
		r.Host = "127.0.0.1:8000"
		r.TLS = &tls.ConnectionState{}
		return r
	}
	for _, c := range []struct {
		name string
		r    *http.Request
		ok   bool
	}{
		{"WebsocketPublic", ws("https://docs.example"), true},
		{"WebsocketPublicDefaultPort", ws("https://docs.example:443"), true},
		{"WebsocketOther", ws("https://evil.example"), false},
		{"WebsocketPublicOtherScheme", ws("http://docs.example"), false},
		{"RefererPublic", tlsPost("https://docs.example/documents/1"), true},
		{"RefererOther", tlsPost("https://evil.example/"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := f.a.CheckCSRF(c.r)
			if c.ok && err != nil {
				t.Fatalf("CheckCSRF = %v", err)
			}
			if !c.ok && store.ErrorCode(err) != store.Forbidden {
				t.Fatalf("CheckCSRF = %v, want Forbidden", err)
			}
		})
	}
	if f.a.TrustedOrigin("https://docs.example") {
		t.Fatal("the public origin became a CORS origin")
	}
}
