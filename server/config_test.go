package server

import (
	"io"
	"runtime/debug"
	"strings"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	cfg, err := parseConfig("quire", nil, func(k string) string {
		if k == "QUIRE_MEMORY_LIMIT_MB" {
			return "300"
		}
		return ""
	}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	applyMemoryLimit(cfg, func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Fatalf("memory limit %d, want 300 MiB", got)
	}
	debug.SetMemoryLimit(before)
	applyMemoryLimit(cfg, func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	})
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("GOMEMLIMIT set, yet the limit became %d", got)
	}
	if _, err := parseConfig("quire", nil, func(k string) string {
		if k == "QUIRE_MEMORY_LIMIT_MB" {
			return "lots"
		}
		return ""
	}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "QUIRE_MEMORY_LIMIT_MB") {
		t.Fatalf("a bad limit: %v", err)
	}
}

// TestCommandLines checks what --help lists, where positional arguments
// may stand among the flags, and that a mistake is one line of error.
func TestCommandLines(t *testing.T) {
	data := t.TempDir()
	env := func(string) string { return "" }
	var help strings.Builder
	if err := Run(t.Context(), []string{"--help"}, env, strings.NewReader(""), io.Discard, &help); err != nil {
		t.Fatal(err)
	}
	for _, l := range commandLines {
		if !strings.Contains(help.String(), l.usage+"\n") {
			t.Errorf("quire --help does not list %q:\n%s", l.usage, help.String())
		}
	}
	help.Reset()
	if err := Run(t.Context(), []string{"import", "--help"}, env, strings.NewReader(""), io.Discard, &help); err != nil {
		t.Fatal(err)
	}
	if h := help.String(); strings.Count(h, "Usage:") != 1 || !strings.HasPrefix(h, "Usage: quire import DIR") ||
		!strings.Contains(h, "-batch") || strings.Contains(h, "-addr") || strings.Contains(h, "QUIRE_UI_DIR") {
		t.Errorf("quire import --help: the import's usage once, its --batch, no serving flags:\n%s", h)
	}
	if err := Run(t.Context(), []string{"bogus"}, env, strings.NewReader(""), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), `unknown command "bogus"`) {
		t.Errorf("an unknown command: %v", err)
	}

	empty := t.TempDir()
	err := Run(t.Context(), []string{"import", "--data-dir", data, empty}, env, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no manifest.json") || strings.Count(err.Error(), empty) != 1 {
		t.Errorf("an import of a folder without a manifest: %v (the folder named once)", err)
	}

	for _, args := range [][]string{{"--data-dir", data, "DIR"}, {"DIR", "--data-dir", data}} {
		cfg, err := parseConfig("quire import", args, env, io.Discard, nil)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if len(cfg.Args) != 1 || cfg.Args[0] != "DIR" || cfg.DataDir != data {
			t.Errorf("%q: args %q, data folder %s", args, cfg.Args, cfg.DataDir)
		}
	}
	// The superuser settings matter to serve and createsuperuser alone;
	// half of the pair is a mistake only at serve.
	admin := func(k string) string {
		return map[string]string{"QUIRE_DATA_DIR": data, "QUIRE_ADMIN_USER": "ada"}[k]
	}
	if _, err := parseConfig("quire", nil, admin, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "QUIRE_ADMIN_PASSWORD is not") {
		t.Errorf("serve with a superuser and no password: %v", err)
	}
	if cfg, err := parseConfig("quire createsuperuser", nil, admin, io.Discard, nil); err != nil || cfg.AdminUser != "ada" {
		t.Errorf("createsuperuser takes QUIRE_ADMIN_USER and reads the password: %v, %q", err, cfg.AdminUser)
	}
	if cfg, err := parseConfig("quire import", []string{"DIR"}, admin, io.Discard, nil); err != nil || cfg.AdminUser != "" {
		t.Errorf("import ignores QUIRE_ADMIN_USER: %v, %q", err, cfg.AdminUser)
	}

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"quire import", []string{"--data-dir", data}, "missing DIR (usage: quire import DIR"},
		{"quire export", []string{"a", "b"}, "unexpected arguments: b"},
		{"quire", []string{"a"}, "unexpected arguments: a"},
		{"quire export", []string{"--addr", "127.0.0.1:1", "DIR"}, "flag provided but not defined: -addr (usage: quire export DIR [flags]"},
	} {
		var out strings.Builder
		_, err := parseConfig(c.name, c.args, env, &out, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: error %v, want %q", c.name, c.args, err, c.want)
		}
		if out.Len() > 0 {
			t.Errorf("%s %q printed %q besides its error", c.name, c.args, out.String())
		}
	}
}
