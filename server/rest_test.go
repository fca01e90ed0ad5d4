package server

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeREST checks the wiring of the REST layer, its login form and
// the web UI (the rest package tests the behaviour).
func TestServeREST(t *testing.T) {
	ui := t.TempDir()
	if err := os.WriteFile(filepath.Join(ui, "index.html"), []byte(`<base href="/static/">app`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	if _, err := parseConfig("quire", []string{"--ui-dir", t.TempDir()}, env(map[string]string{"QUIRE_DATA_DIR": t.TempDir()}), io.Discard, nil); err == nil ||
		!strings.Contains(err.Error(), "index.html") {
		t.Fatalf("a UI folder without index.html: %v", err)
	}
	cfg.UIDir = ui
	base := startServer(t, cfg)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, user string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if user != "" {
			req.SetBasicAuth(user, "s3cret")
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct {
		path, user string
		status     int
	}{
		{"/api/documents/", "", 401},
		{"/api/documents/", "admin", 200},
		{"/api/documents", "admin", 301},
		{"/api/nothing/", "admin", 404},
		{"/api/schema/", "", 200},
		{"/accounts/login/", "", 200},
		{"/", "", 302},
		{"/documents/1", "admin", 200},
	} {
		if resp := get(c.path, c.user); resp.StatusCode != c.status {
			t.Errorf("GET %s as %q: %d, want %d", c.path, c.user, resp.StatusCode, c.status)
		}
	}
	if resp := get("/api/", "admin"); resp.Header.Get("X-Version") != "1.5.0" || resp.Header.Get("X-Quire-Version") != Version {
		t.Errorf("X-Version %q, X-Quire-Version %q", resp.Header.Get("X-Version"), resp.Header.Get("X-Quire-Version"))
	}
}
