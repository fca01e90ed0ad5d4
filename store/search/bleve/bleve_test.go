package bleve_test

import (
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
	if rb.LastID() != 1 {
		t.Fatalf("resumed LastID %d", rb.LastID())
	}
	if err := rb.Index(ctx, searchtest.D(2, "new", "new words")); err != nil {
		t.Fatal(err)
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
