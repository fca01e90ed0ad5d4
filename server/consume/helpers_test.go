package consume

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// env is a store, a service and its data folder.
type env struct {
	st  *store.Store
	svc *Service
	cfg Config
}

func newEnv(t testing.TB, dialect string, mod func(*Config)) *env {
	t.Helper()
	st := storetest.Open(t, dialect)
	cfg := Config{DataDir: t.TempDir(), Lease: 3 * time.Second, Poll: 50 * time.Millisecond,
		RetryBackoff: 50 * time.Millisecond, StableFor: 200 * time.Millisecond, WatchPoll: 200 * time.Millisecond,
		ClassifierInterval: -1, Parse: parseConfig()}
	if mod != nil {
		mod(&cfg)
	}
	svc, err := New(st, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, svc: svc, cfg: svc.cfg}
}

func parseConfig() (c parse.Config) {
	c.OCRMode = "skip_noarchive"
	return c
}

// run runs the service until the test ends.
func (e *env) run(t testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
}

func (e *env) submit(t testing.TB, name string, body []byte) *store.ConsumptionTask {
	t.Helper()
	task, err := e.svc.Submit(context.Background(), Upload{Filename: name, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("submit %s: %v", name, err)
	}
	return task
}

// wait waits until the task ended and returns it.
func (e *env) wait(t testing.TB, id string) *store.ConsumptionTask {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		task, err := e.st.ConsumptionTask(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if task.State == store.TaskSuccess || task.State == store.TaskFailed {
			return task
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %s did not finish", id)
	return nil
}

func mustSucceed(t testing.TB, e *env, task *store.ConsumptionTask) *store.Document {
	t.Helper()
	if task.State != store.TaskSuccess || task.DocumentID == nil {
		t.Fatalf("task %s: state %s, message %v", task.OriginalFilename, task.State, deref(task.Message))
	}
	doc, err := e.st.Document(context.Background(), *task.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func requireOCR(t testing.TB) {
	t.Helper()
	fixture.RequireTools(t, "pdftotext", "pdftoppm", "pdfinfo", "tesseract", "ocrmypdf")
}

func fileExists(t testing.TB, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	return err == nil
}

func logMessages(t testing.TB, st *store.Store, group string) []string {
	t.Helper()
	entries, _, err := st.LogEntries(context.Background(), store.LogFilter{Group: &group}, store.Asc, store.Page{Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Message)
	}
	return out
}

func dirFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
