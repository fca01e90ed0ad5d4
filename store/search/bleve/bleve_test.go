package bleve_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/searchtest"
)

func open(t *testing.T) search.Engine {
	e, err := bleve.Open(t.TempDir(), bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) { searchtest.Run(t, open) }

// reopen closes e and opens the index in dir again, as a restart does; the
// new engine is closed when the test ends.
func reopen(t *testing.T, e *bleve.Engine, dir string) *bleve.Engine {
	t.Helper()
	e.Close()
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestReopenResumesRebuild checks that an unfinished rebuild survives a
// restart and that the swapped-in generation is what a restart opens.
func TestReopenResumesRebuild(t *testing.T) {
	dir := t.TempDir()
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := e.Index(ctx, searchtest.D(1, "old", "old words")); err != nil {
		t.Fatal(err)
	}
	rb, _ := e.BeginRebuild(ctx)
	if err := rb.Index(ctx, searchtest.D(1, "new", "new words")); err != nil {
		t.Fatal(err)
	}
	e = reopen(t, e, dir)
	rb, _ = e.BeginRebuild(ctx)
	if rb.LastID() > 1 {
		t.Fatalf("resumed LastID %d", rb.LastID())
	}
	for _, id := range []int{1, 2} {
		if id > rb.LastID() {
			if err := rb.Index(ctx, searchtest.D(id, "new", "new words")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	e = reopen(t, e, dir)
	r, err := e.Search(ctx, search.Request{Query: search.MustParse("new")})
	if err != nil || r.Total != 2 {
		t.Fatalf("after reopen: %v %v", r, err)
	}
}

// TestFlushMakesWritesDurable holds bleve's persister after its first
// snapshot, so the later batches are searchable but not on disk: Flush
// must wait for them (it may not return while they are held), and once
// it returns every document survives closing and reopening.
func TestFlushMakesWritesDurable(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() }) // after the persister is released
	held, release := bleve.HoldPersister(t)
	batch := func(b int) {
		var docs []search.Document
		for i := range 200 {
			id := b*200 + i + 1
			docs = append(docs, searchtest.D(id, fmt.Sprint("doc ", id), "durable words"))
		}
		if err := e.Index(ctx, docs...); err != nil {
			t.Fatal(err)
		}
	}
	batch(0)
	waitHeld(t, held)
	for b := 1; b < 5; b++ {
		batch(b)
	}
	if err := e.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := e.Flush(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush returned %v while batches were not on disk", err)
	}
	release()
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e = reopen(t, e, dir)
	if n, err := e.Count(ctx); err != nil || n != 999 {
		t.Fatalf("after reopening: %d documents (%v), want 999", n, err)
	}
}

func waitHeld(t *testing.T, held <-chan struct{}) {
	t.Helper()
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("bleve's persister wrote nothing in 30 s")
	}
}

// TestRebuildMarksOnlyDurableDocuments holds bleve's persister during a
// rebuild: the write that reaches a durability mark must wait for the
// disk, and LastID must not move past documents that are not on disk.
// Then the rebuild is interrupted and resumed from LastID, and the
// committed index holds every document.
func TestRebuildMarksOnlyDurableDocuments(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	const mark, n = search.RebuildMarkEvery, search.RebuildMarkEvery + 1000
	feed := func(rb search.Rebuild, from, to int) {
		for start := from; start <= to; start += 500 {
			var docs []search.Document
			for id := start; id < start+500 && id <= to; id++ {
				docs = append(docs, searchtest.D(id, "t", "rebuilt words"))
			}
			if err := rb.Index(ctx, docs...); err != nil {
				t.Error(err)
				return
			}
		}
	}
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() }) // after the persister is released
	rb, err := e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held, release := bleve.HoldPersister(t)
	feed(rb, 1, 500)
	waitHeld(t, held)
	feed(rb, 501, mark-1) // below the mark: returns without waiting
	done := make(chan struct{})
	go func() { defer close(done); feed(rb, mark, mark) }()
	select {
	case <-done:
		t.Fatal("the write reaching the mark returned while the rebuild's documents were not on disk")
	case <-time.After(time.Second):
	}
	if last := rb.LastID(); last != 0 {
		t.Fatalf("LastID %d while no marked document is on disk", last)
	}
	release()
	<-done
	if last := rb.LastID(); last != mark {
		t.Fatalf("LastID %d after the mark, want %d", last, mark)
	}
	feed(rb, mark+1, n)
	e = reopen(t, e, dir) // interrupted before Commit
	rb, err = e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := rb.LastID()
	if last < mark || last > n {
		t.Fatalf("resumed at LastID %d of %d", last, n)
	}
	feed(rb, last+1, n)
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := e.Count(ctx); err != nil || got != n {
		t.Fatalf("rebuilt index holds %d documents (%v), want %d", got, err, n)
	}
}

// setLayout writes layout into the LAYOUT file of generation gen (a name
// as in CURRENT or REBUILD), as an older or newer Quire would have.
func setLayout(t *testing.T, dir, file string, layout int) {
	t.Helper()
	gen, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, strings.TrimSpace(string(gen)), "LAYOUT")
	if err := os.WriteFile(p, []byte(fmt.Sprintln(layout)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLayoutRecordedAndRebuilt checks that a generation records the layout
// it was written in, that an index in another layout reports it, that a
// rebuild writes the current one, and that an unfinished rebuild in
// another layout is dropped rather than resumed.
func TestLayoutRecordedAndRebuilt(t *testing.T) {
	dir, ctx := t.TempDir(), context.Background()
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	live, current, err := e.Layout(ctx)
	if err != nil || live != current || current < 1 {
		t.Fatalf("new index: layout %d of %d, %v", live, current, err)
	}
	if err := e.Index(ctx, searchtest.D(1, "kept", "words")); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.Close()
	setLayout(t, dir, "CURRENT", current-1)
	e = reopen(t, e, dir)
	if live, _, _ := e.Layout(ctx); live != current-1 {
		t.Fatalf("index written in layout %d reports %d", current-1, live)
	}
	// an unfinished rebuild in the old layout is not resumed
	rb, err := e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Index(ctx, searchtest.D(1, "kept", "words")); err != nil {
		t.Fatal(err)
	}
	if err := rb.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	e.Close()
	setLayout(t, dir, "REBUILD", current-1)
	e = reopen(t, e, dir)
	rb, err = e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rb.LastID() != 0 {
		t.Errorf("a rebuild in layout %d was resumed at %d", current-1, rb.LastID())
	}
	if err := rb.Index(ctx, searchtest.D(1, "kept", "words")); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	e = reopen(t, e, dir)
	if live, current, _ := e.Layout(ctx); live != current {
		t.Errorf("after the rebuild: layout %d of %d", live, current)
	}
	if hits := searchtest.Hits(t, e, "kept"); len(hits) != 1 {
		t.Errorf("after the rebuild: %v", hits)
	}
}
