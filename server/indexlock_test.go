package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/storetest"
)

// TestCommandsBesideOpenIndex: with the embedded index open elsewhere (as
// a running `quire serve` holds it), `quire reindex` refuses at once
// naming the holder, and `quire import` imports into the database and
// leaves the indexing to the holder, which finds the documents queued.
func TestCommandsBesideOpenIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := bleve.Open(filepath.Join(dir, "index"), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	vars := map[string]string{"QUIRE_DATA_DIR": dir}

	var out, errOut bytes.Buffer
	start := time.Now()
	err = Run(ctx, []string{"reindex"}, env(vars), strings.NewReader(""), &out, &errOut)
	took := time.Since(start)
	want := fmt.Sprintf("another Quire process (pid %d) has the search index in %s open; stop it", os.Getpid(), filepath.Join(dir, "index"))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("reindex beside an open index: %v, want %q", err, want)
	}
	if took > 5*time.Second {
		t.Fatalf("reindex took %s to refuse", took)
	}

	out.Reset()
	errOut.Reset()
	if err := Run(ctx, []string{"import", "../testdata/paperless-export-1.x"}, env(vars), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import beside an open index: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "importing without it") {
		t.Errorf("import did not say it leaves the index to its holder:\n%s", errOut.String())
	}
	_, total, err := st.Documents(ctx, store.DocumentFilter{}, nil, store.Page{})
	if err != nil || total == 0 {
		t.Fatalf("documents after the import: %d, %v", total, err)
	}
	if err := index.New(st, eng, nil).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := eng.Count(ctx); err != nil || n != total {
		t.Fatalf("the holder indexed %d documents from the queue (%v), want %d", n, err, total)
	}
}

// TestReindexObeysSignals runs `quire reindex` in a child process and
// sends it SIGTERM mid-way: it ends within a couple of seconds, saying how
// to continue, and a second run completes the index.
func TestReindexObeysSignals(t *testing.T) {
	if d := os.Getenv("QUIRE_TEST_REINDEX_CHILD"); d != "" {
		err := Run(context.Background(), []string{"reindex", "--data-dir", d}, os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "quire:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	const docs = 4000
	if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: docs, Tags: 5, Correspondents: 5, Types: 2, ContentBytes: 2000}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestReindexObeysSignals$")
	cmd.Env = append(os.Environ(), "QUIRE_TEST_REINDEX_CHILD="+dir)
	var stderr safeBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it reports progress, then stop it.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(stderr.String(), "documents (") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no progress within a minute:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("reindex still running 10 s after SIGTERM:\n%s", stderr.String())
	}
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), "Interrupted: run `quire reindex` again") {
		t.Fatalf("after SIGTERM: %v\n%s", err, stderr.String())
	}
	t.Logf("reindex ended %s after SIGTERM", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("reindex took %s to end after SIGTERM", took)
	}

	var out, errOut bytes.Buffer
	if err := Run(ctx, []string{"reindex"}, env(map[string]string{"QUIRE_DATA_DIR": dir}), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("second reindex: %v\n%s", err, errOut.String())
	}
	if want := fmt.Sprintf("Search index rebuilt: %d documents", docs); !strings.Contains(out.String(), want) {
		t.Fatalf("second reindex: %q, want %q", out.String(), want)
	}
}

// safeBuffer is a bytes.Buffer a child process writes while the test reads.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
