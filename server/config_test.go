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
