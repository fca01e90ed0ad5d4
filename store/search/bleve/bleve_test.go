package bleve_test

import (
	"fmt"
	"testing"

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
	e.Close()
	e, err = bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
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
	e.Close()
	e, _ = bleve.Open(dir, bleve.Options{})
	r, err := e.Search(ctx, search.Request{Query: search.MustParse("new")})
	if err != nil || r.Total != 2 {
		t.Fatalf("after reopen: %v %v", r, err)
	}
}

// TestFlushMakesWritesDurable closes the engine right after Flush (Close
// itself writes nothing that bleve has not persisted): every flushed
// document must be there after reopening.
func TestFlushMakesWritesDurable(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for b := range 5 {
		var docs []search.Document
		for i := range 200 {
			id := b*200 + i + 1
			docs = append(docs, searchtest.D(id, fmt.Sprint("doc ", id), "durable words"))
		}
		if err := e.Index(ctx, docs...); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e, err = bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n, err := e.Count(ctx); err != nil || n != 999 {
		t.Fatalf("after reopening: %d documents (%v), want 999", n, err)
	}
}

// TestInterruptedRebuildLosesNothing feeds a rebuild past a few durability
// marks, stops without committing, and resumes from LastID: the committed
// index must hold every document — LastID never counts one that was not
// on disk.
func TestInterruptedRebuildLosesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	const n = 12000
	feed := func(rb search.Rebuild, from int) {
		for start := from + 1; start <= n; start += 500 {
			var docs []search.Document
			for id := start; id < start+500 && id <= n; id++ {
				docs = append(docs, searchtest.D(id, "t", "rebuilt words"))
			}
			if err := rb.Index(ctx, docs...); err != nil {
				t.Fatal(err)
			}
		}
	}
	e, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	feed(rb, 0)
	e.Close() // interrupted before Commit
	e, err = bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rb, err = e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := rb.LastID()
	if last < n/2 || last > n {
		t.Fatalf("resumed at LastID %d of %d", last, n)
	}
	feed(rb, last)
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := e.Count(ctx); err != nil || got != n {
		t.Fatalf("rebuilt index holds %d documents (%v), want %d", got, err, n)
	}
}
