package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAPISettingsChecked: QUIRE_DEFAULT_API_VERSION, QUIRE_URL and
// QUIRE_TRUSTED_PROXIES are checked at start, reported with the others.
func TestAPISettingsChecked(t *testing.T) {
	_, err := parseConfig("quire", nil, env(map[string]string{
		"QUIRE_DATA_DIR":            t.TempDir(),
		"QUIRE_DEFAULT_API_VERSION": "3",
		"PAPERLESS_URL":             "https://archive.example/paperless",
		"QUIRE_TRUSTED_PROXIES":     "10.0.0.0/8, proxy.local",
		"QUIRE_LOG_LEVEL":           "loud",
	}), io.Discard, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`QUIRE_DEFAULT_API_VERSION: "3" is not an API version`,
		`PAPERLESS_URL: "https://archive.example/paperless": give only scheme and host`,
		`QUIRE_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR prefix`,
		"QUIRE_LOG_LEVEL",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	cfg, err := parseConfig("quire", nil, env(map[string]string{
		"QUIRE_DATA_DIR":            t.TempDir(),
		"QUIRE_DEFAULT_API_VERSION": "10",
		"QUIRE_URL":                 "https://archive.example",
		"PAPERLESS_URL":             "https://other.example",
		"QUIRE_TRUSTED_PROXIES":     "10.0.0.0/8,::1",
	}), io.Discard, nil)
	if err != nil || cfg.DefaultAPIVersion != "10" || cfg.links().URL != "https://archive.example" || len(cfg.links().TrustedProxies) != 2 {
		t.Fatalf("%+v %v", cfg, err)
	}
}

// TestQuireVersionEverywhere: every response of the real server names
// Quire's version, whatever route and status; /api/ answers follow the
// server's default version and QUIRE_URL.
func TestQuireVersionEverywhere(t *testing.T) {
	cfg := testConfig(t)
	cfg.DefaultAPIVersion = "10"
	cfg.PublicURL = "https://archive.example"
	base := startServer(t, cfg)
	do := func(method, path, accept string, auth bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader("{}"))
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if auth {
			req.SetBasicAuth("admin", "s3cret")
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, c := range []struct {
		method, path, accept string
		auth                 bool
		status               int
	}{
		{"GET", "/healthz", "", false, 200},
		{"POST", "/graphql", "", false, 401},
		{"POST", "/graphql", "", true, 400}, // {} has no query
		{"GET", "/api/", "", false, 200},
		{"GET", "/api/tags/", "", false, 401},
		{"GET", "/api/tags/", "application/json; version=11", true, 406},
		{"GET", "/api/tags/", "", true, 200},
		{"GET", "/api/nothing/", "", true, 404},
		{"GET", "/api/tags", "", true, 301},
		{"GET", "/accounts/login/", "", false, 200},
		{"GET", "/fetch/doc/1", "", false, 302},
		{"GET", "/elsewhere", "", false, 404},
	} {
		resp := do(c.method, c.path, c.accept, c.auth)
		if resp.StatusCode != c.status || resp.Header.Get("X-Quire-Version") != Version {
			t.Errorf("%s %s: %d, X-Quire-Version %q", c.method, c.path, resp.StatusCode, resp.Header.Get("X-Quire-Version"))
		}
	}

	// Default 10: a version-less request gets the paperless-ngx family.
	resp := do("GET", "/api/tags/", "", true)
	if resp.Header.Get("X-Api-Version") != "10" || resp.Header.Get("X-Version") != "3.0.5" {
		t.Errorf("default 10: %v", resp.Header)
	}
	resp = do("GET", "/api/tags/", "application/json; version=2", true)
	if resp.Header.Get("X-Api-Version") != "2" || resp.Header.Get("X-Version") != "1.5.0" {
		t.Errorf("version 2: %v", resp.Header)
	}
	// QUIRE_URL fixes the root's links.
	var root map[string]string
	if err := json.NewDecoder(do("GET", "/api/", "", true).Body).Decode(&root); err != nil || root["tags"] != "https://archive.example/api/tags/" {
		t.Errorf("root %v %v", root, err)
	}
	// pypaperless probes the schema at version 10: 200 JSON with headers.
	resp = do("GET", "/api/schema/", "application/json; version=10", true)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("X-Api-Version") != "10" {
		t.Errorf("schema: %d %v", resp.StatusCode, resp.Header)
	}
}
