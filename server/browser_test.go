package server

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The browser tests run a script under testdata/browser/ in Debian's
// chromium through testdata/browser/runner.cjs (playwright-core from
// .ci/browser, installed by .ci/setup), with every request to another host
// aborted and failing the run. See runner.cjs for the script interface.

// browserRunner returns the node binary, or skips the test when node,
// chromium or playwright-core is missing outside CI (with CI=true a
// missing tool fails the test: CI installs them).
func browserRunner(t *testing.T) string {
	t.Helper()
	var missing []string
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(chromiumPath()); err != nil {
		missing = append(missing, "chromium ("+chromiumPath()+")")
	}
	if _, err := os.Stat(filepath.Join("..", ".ci", "browser", "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "playwright-core (.ci/browser/node_modules)")
	}
	if len(missing) > 0 {
		msg := "browser test needs " + strings.Join(missing, ", ") + ": run .ci/setup"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// browserResult is the runner's last line.
type browserResult struct {
	OK      bool            `json:"ok"`
	Blocked []string        `json:"blocked"`
	Errors  []string        `json:"errors"`
	Error   string          `json:"error"`
	Result  json.RawMessage `json:"result"`
}

// runBrowser runs testdata/browser/<script> against base with env added
// (NAME=value) and returns what the script returned. Any failure, a
// request to another host or a console error fails t.
func runBrowser(t *testing.T, base, script string, env ...string) json.RawMessage {
	t.Helper()
	node := browserRunner(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "browser", "runner.cjs"), filepath.Join("testdata", "browser", script))
	cmd.Env = append(os.Environ(), append([]string{"QUIRE_BASE_URL=" + base, "CHROMIUM=" + chromiumPath()}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res browserResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("browser script %s: %v; no result line (%v)\nstdout:\n%s\nstderr:\n%s", script, runErr, err, stdout.String(), stderr.String())
	}
	if len(res.Blocked) > 0 {
		t.Errorf("browser script %s tried to reach other hosts (the page must work offline):\n  %s", script, strings.Join(res.Blocked, "\n  "))
	}
	if !res.OK || runErr != nil {
		t.Fatalf("browser script %s failed (%v): %s\nerrors: %s\nstderr:\n%s", script, runErr, res.Error, strings.Join(res.Errors, "\n  "), stderr.String())
	}
	return res.Result
}

// TestPlaygroundInBrowser: a person without a session opens /playground,
// lands on the login form, signs in, comes back to GraphiQL (all assets
// from Quire, nothing from elsewhere, no CSP violation), and a query and a
// mutation return data, the mutation carrying the CSRF header taken from
// the prefixed cookie.
func TestPlaygroundInBrowser(t *testing.T) {
	browserRunner(t)
	cfg := testConfig(t)
	cfg.CookiePrefix = "q1_"
	base := startServer(t, cfg)
	raw := runBrowser(t, base, "playground.cjs", "QUIRE_USER=admin", "QUIRE_PASSWORD=s3cret", "QUIRE_CSRF_COOKIE=q1_csrftoken")
	var out struct {
		Me      struct{ Username string }
		Tag     struct{ ID, Name string }
		Headers struct{ CSP, Nosniff string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("result %s: %v", raw, err)
	}
	if out.Me.Username != "admin" || out.Tag.ID == "" || !strings.HasPrefix(out.Tag.Name, "playground ") {
		t.Errorf("result: %s", raw)
	}
	if !strings.Contains(out.Headers.CSP, "script-src 'self'") || out.Headers.Nosniff != "nosniff" {
		t.Errorf("page headers: %+v", out.Headers)
	}
}
