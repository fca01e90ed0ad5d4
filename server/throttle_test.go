package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// POST /api/token/ takes 5 attempts a minute per client in every API
// version; the sixth is 429 with Retry-After, whatever the credentials.
// X-Forwarded-For names the client only behind a trusted proxy.
func TestTokenThrottle(t *testing.T) {
	cfg := testConfig(t)
	cfg.TrustedProxies = "127.0.0.1"
	base := startServer(t, cfg)
	post := func(version, forwarded, password string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/token/", strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if version != "" {
			req.Header.Set("Accept", "application/json; version="+version)
		}
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return resp, out
	}
	versions := []string{"", "2", "9", "10", "1"}
	for i, v := range versions {
		pw := "s3cret"
		if i%2 == 1 {
			pw = "wrong"
		}
		if resp, _ := post(v, "198.51.100.7", pw); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	for _, v := range []string{"", "10"} {
		resp, out := post(v, "198.51.100.7", "s3cret")
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt (version %q): %d %v", v, resp.StatusCode, out)
		}
		secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		if want := "Request was throttled. Expected available in " + strconv.Itoa(secs) + " seconds."; out["detail"] != want {
			t.Fatalf("detail %v, want %q", out["detail"], want)
		}
	}
	// Another client behind the trusted proxy is its own client.
	if resp, out := post("", "198.51.100.8", "s3cret"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another forwarded client: %d %v", resp.StatusCode, out)
	}
}
