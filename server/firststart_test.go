package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveLog starts and stops the server with env and returns its log.
func serveLog(t *testing.T, vars map[string]string) string {
	t.Helper()
	vars["QUIRE_ADDR"] = "127.0.0.1:0"
	cfg, err := parseConfig("quire", nil, env(vars), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(&buf, nil)), ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	return buf.String()
}

// TestFirstStartWarning: a server with no user says once, as a warning,
// how to create one; with a user it says nothing of the kind.
func TestFirstStartWarning(t *testing.T) {
	dir := t.TempDir()
	log := serveLog(t, map[string]string{"QUIRE_DATA_DIR": dir})
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "no user exists yet") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") ||
		!strings.Contains(lines[0], "quire createsuperuser") || !strings.Contains(lines[0], "QUIRE_ADMIN_PASSWORD") {
		t.Fatalf("want one warning naming createsuperuser and QUIRE_ADMIN_USER/PASSWORD, got %q\nlog:\n%s", lines, log)
	}

	log = serveLog(t, map[string]string{"QUIRE_DATA_DIR": dir, "QUIRE_ADMIN_USER": "admin", "QUIRE_ADMIN_PASSWORD": "s3cret"})
	if strings.Contains(log, "no user exists yet") {
		t.Errorf("warning although a user exists:\n%s", log)
	}
}
