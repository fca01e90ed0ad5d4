package index_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/searchtest"
	"github.com/quirehq/quire/store/search/typesense"
	"github.com/quirehq/quire/store/storetest"
)

var seq atomic.Int64

// engines returns an opener per engine under test: bleve always,
// Typesense when TEST_TYPESENSE_URL is set (a failure under CI=true).
func engines(t *testing.T) map[string]func(t *testing.T, dir string) search.Engine {
	out := map[string]func(t *testing.T, dir string) search.Engine{
		"bleve": func(t *testing.T, dir string) search.Engine {
			e, err := bleve.Open(dir, bleve.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return e
		},
	}
	url := os.Getenv("TEST_TYPESENSE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Error("TEST_TYPESENSE_URL is not set: CI must test Typesense")
		} else {
			t.Log("Typesense skipped: TEST_TYPESENSE_URL is not set")
		}
		return out
	}
	aliases := map[string]string{} // one collection alias per index folder
	out["typesense"] = func(t *testing.T, dir string) search.Engine {
		alias, ok := aliases[dir]
		if !ok {
			alias = fmt.Sprintf("quireidx_%d_%d", time.Now().UnixNano(), seq.Add(1))
			aliases[dir] = alias
		}
		e, err := typesense.Open(context.Background(), typesense.Config{URL: url, APIKey: os.Getenv("TEST_TYPESENSE_API_KEY"),
			Alias: alias, StatsDir: dir, Contents: noContents})
		if err != nil {
			t.Fatal(err)
		}
		if !ok { // the server outlives the test: drop its collections
			t.Cleanup(func() { e.DropAll(context.Background()) })
		}
		return e
	}
	return out
}

func ptr(s string) *string { return &s }

// noContents is the source of document contents for engines these tests
// ask for no highlights.
func noContents(context.Context, []int) (map[int]string, error) { return nil, nil }

func TestOutboxKeepsIndexInStep(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		for name, open := range engines(t) {
			t.Run(dialect+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				st := storetest.Open(t, dialect)
				dir := t.TempDir()
				eng := open(t, dir)
				defer eng.Close()
				ix := index.New(st, eng, nil)

				tag, _ := st.CreateTag(ctx, store.TagInput{Name: ptr("Steuer")})
				corr, _ := st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("Finanzamt")})
				now := time.Now()
				var ids []int
				for i, content := range []string{"invoice for the garden hose", "Rechnung über Gartenschlauch", "bank statement september"} {
					d := &store.Document{Title: fmt.Sprint("doc ", i), Content: content, Created: now, Modified: now, Added: now, Checksum: fmt.Sprint("c", i)}
					if i == 1 {
						d.CorrespondentID = &corr.ID
					}
					if err := st.CreateDocument(ctx, d, []int{tag.ID}); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, d.ID)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := searchtest.Hits(t, eng, "garden"); !slices.Equal(got, ids[:1]) {
					t.Fatalf("garden: %v", got)
				}
				if got := searchtest.Hits(t, eng, "correspondent:finanzamt"); !slices.Equal(got, ids[1:2]) {
					t.Fatalf("correspondent: %v", got)
				}
				// Renaming a tag re-indexes its documents (names are indexed).
				if _, err := st.UpdateTag(ctx, tag.ID, store.TagInput{Name: ptr("Taxes")}); err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := searchtest.Hits(t, eng, "tag:taxes"); !slices.Equal(got, ids) {
					t.Fatalf("tag:taxes after rename: %v", got)
				}
				// An edit and a deletion reach the index.
				if _, err := st.UpdateDocument(ctx, ids[2], store.DocumentUpdate{Content: ptr("bank statement october")}); err != nil {
					t.Fatal(err)
				}
				if _, err := st.DeleteDocument(ctx, ids[0]); err != nil {
					t.Fatal(err)
				}
				if err := ix.Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if got := searchtest.Hits(t, eng, "october"); !slices.Equal(got, ids[2:]) {
					t.Fatalf("october: %v", got)
				}
				if got := searchtest.Hits(t, eng, "garden"); len(got) != 0 {
					t.Fatalf("deleted document still found: %v", got)
				}
				if _, n, _ := st.OutboxHead(ctx); n != 0 {
					t.Fatalf("%d entries left in the outbox", n)
				}
			})
		}
	}
}

// TestAccessTokensFollowOwnersAndGrants checks that the index holds each
// document's access tokens (owner, grants to users and groups, or public)
// and that a change of owner or grants reaches it through the outbox, so
// a restricted search sees what the database would let its user see.
func TestAccessTokensFollowOwnersAndGrants(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		for name, open := range engines(t) {
			t.Run(dialect+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				st := storetest.Open(t, dialect)
				eng := open(t, t.TempDir())
				defer eng.Close()
				ix := index.New(st, eng, nil)
				alice, bob := &store.User{Username: "alice", Password: "x", IsActive: true}, &store.User{Username: "bob", Password: "x", IsActive: true}
				for _, u := range []*store.User{alice, bob} {
					if err := st.CreateUser(ctx, u); err != nil {
						t.Fatal(err)
					}
				}
				staff := &store.Group{Name: "staff"}
				if err := st.CreateGroup(ctx, staff, nil); err != nil {
					t.Fatal(err)
				}
				now := time.Now()
				owners := []*int{nil, &alice.ID, &bob.ID, &bob.ID}
				var ids []int
				for i, owner := range owners {
					d := &store.Document{Title: fmt.Sprint("doc ", i), Content: "quarterly invoice", Created: now, Modified: now, Added: now,
						Checksum: fmt.Sprint("c", i), OwnerID: owner}
					if err := st.CreateDocument(ctx, d, nil); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, d.ID)
				}
				groups := []int{staff.ID}
				if err := st.SetPermissions(ctx, store.ModelDocument, ids[2:3], store.PermissionsUpdate{View: &store.HoldersUpdate{Groups: &groups}}); err != nil {
					t.Fatal(err)
				}
				aliceIn := &store.Principal{UserID: alice.ID, GroupIDs: []int{staff.ID}}
				visible := func(p *store.Principal) []int {
					t.Helper()
					if err := ix.Drain(ctx); err != nil {
						t.Fatal(err)
					}
					r, err := eng.Search(ctx, search.Request{Query: search.MustParse("invoice"), Filter: search.Filter{ACL: p.ACL()}, PageSize: 100})
					if err != nil {
						t.Fatal(err)
					}
					var out []int
					for _, h := range r.Hits {
						out = append(out, h.ID)
					}
					slices.Sort(out)
					if r.Total != len(out) {
						t.Errorf("total %d, %d hits", r.Total, len(out))
					}
					return out
				}
				if got := visible(aliceIn); !slices.Equal(got, ids[:3]) {
					t.Errorf("alice in staff: %v, want %v (public, hers, granted to staff)", got, ids[:3])
				}
				if got := visible(&store.Principal{UserID: alice.ID}); !slices.Equal(got, ids[:2]) {
					t.Errorf("alice alone: %v, want %v", got, ids[:2])
				}
				if got := visible(&store.Principal{UserID: bob.ID}); !slices.Equal(got, []int{ids[0], ids[2], ids[3]}) {
					t.Errorf("bob: %v, want %v", got, []int{ids[0], ids[2], ids[3]})
				}
				if got := visible(&store.Principal{UserID: bob.ID, Superuser: true}); !slices.Equal(got, ids) {
					t.Errorf("a superuser: %v, want all", got)
				}
				// a grant to alice and a change of owner reach the index
				users := []int{alice.ID}
				if err := st.SetPermissions(ctx, store.ModelDocument, ids[3:4], store.PermissionsUpdate{Change: &store.HoldersUpdate{Users: &users}}); err != nil {
					t.Fatal(err)
				}
				if err := st.SetOwner(ctx, store.ModelDocument, ids[1], &bob.ID); err != nil {
					t.Fatal(err)
				}
				if got := visible(&store.Principal{UserID: alice.ID}); !slices.Equal(got, []int{ids[0], ids[3]}) {
					t.Errorf("alice after the changes: %v, want %v", got, []int{ids[0], ids[3]})
				}
				// a rebuild writes the same tokens
				if err := ix.Rebuild(ctx, nil); err != nil {
					t.Fatal(err)
				}
				if got := visible(aliceIn); !slices.Equal(got, []int{ids[0], ids[2], ids[3]}) {
					t.Errorf("alice in staff after a rebuild: %v, want %v", got, []int{ids[0], ids[2], ids[3]})
				}
			})
		}
	}
}

// TestEngineDownLosesNothing closes the engine (a real failure: every
// write to it errs), changes documents, and checks that the writes
// succeed, the changes stay queued, and a new engine catches up.
func TestEngineDownLosesNothing(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	dir := t.TempDir()
	eng, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := index.New(st, eng, nil)
	eng.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(runCtx) }()
	now := time.Now()
	d := &store.Document{Title: "written while search is down", Content: "photovoltaik", Created: now, Modified: now, Added: now, Checksum: "x"}
	if err := st.CreateDocument(ctx, d, nil); err != nil {
		t.Fatalf("a write failed because search is down: %v", err)
	}
	ix.Notify()
	time.Sleep(300 * time.Millisecond)
	if _, n, _ := st.OutboxHead(ctx); n == 0 {
		t.Fatal("the change left the outbox although the engine is down")
	}
	cancel()
	<-done

	eng, err = bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := index.New(st, eng, nil).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := searchtest.Hits(t, eng, "photovoltaik"); !slices.Equal(got, []int{d.ID}) {
		t.Fatalf("after recovery: %v", got)
	}
}

// TestRebuildResumes interrupts a rebuild after its first batch and runs it
// again: the second run continues where the first stopped and the swapped-in
// index holds every document.
func TestRebuildResumes(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, "sqlite")
			if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: 1200, Tags: 5, Correspondents: 5, Types: 2, ContentBytes: 200}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			eng := open(t, dir)
			ix := index.New(st, eng, nil)
			need, why, err := ix.CheckAtStart(ctx)
			if err != nil || !need {
				t.Fatalf("an empty index over 1200 documents needs a rebuild: %v %q %v", need, why, err)
			}
			stop, cancel := context.WithCancel(ctx)
			var first []int
			err = ix.Rebuild(stop, func(done, total int) {
				first = append(first, done)
				cancel()
			})
			if err == nil || len(first) != 1 {
				t.Fatalf("interrupted rebuild: err %v, progress %v", err, first)
			}
			eng.Close()

			eng = open(t, dir) // a new process
			defer eng.Close()
			ix = index.New(st, eng, nil)
			var second []int
			if err := ix.Rebuild(ctx, func(done, total int) { second = append(second, done) }); err != nil {
				t.Fatal(err)
			}
			if len(second) == 0 || second[0] <= first[0] || second[len(second)-1] != 1200 {
				t.Fatalf("resumed progress %v after %v", second, first)
			}
			if n, err := eng.Count(ctx); err != nil || n != 1200 {
				t.Fatalf("indexed %d, %v", n, err)
			}
			if need, why, _ := ix.CheckAtStart(ctx); need {
				t.Fatalf("index complete but CheckAtStart says %q", why)
			}
		})
	}
}

// TestCheckAtStartNoticesOldLayout checks that an index written in another
// layout than this Quire writes (its generation's LAYOUT file says so, as
// one written by an older version would) is found out of date at start,
// and is no longer once rebuilt.
func TestCheckAtStartNoticesOldLayout(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: 50, Tags: 2, Correspondents: 2, Types: 1, ContentBytes: 100}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	eng, err := bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := index.New(st, eng, nil)
	if err := ix.Rebuild(ctx, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	if need, why, err := ix.CheckAtStart(ctx); need || err != nil {
		t.Fatalf("a fresh index: %v %q %v", need, why, err)
	}
	eng.Close()
	gen, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, strings.TrimSpace(string(gen)), "LAYOUT"), []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err = bleve.Open(dir, bleve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ix = index.New(st, eng, nil)
	need, why, err := ix.CheckAtStart(ctx)
	if err != nil || !need || !strings.Contains(why, "layout 0") {
		t.Fatalf("an index in layout 0: %v %q %v", need, why, err)
	}
	if err := ix.Rebuild(ctx, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	if need, why, _ := ix.CheckAtStart(ctx); need {
		t.Fatalf("rebuilt, but CheckAtStart says %q", why)
	}
}

// TestRebuildRemovesGhosts checks that a document the new index holds but
// the archive does not — what a deletion racing the rebuild's write of the
// document leaves behind — is queued at the end of the rebuild and removed
// by the indexer.
func TestRebuildRemovesGhosts(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, "sqlite")
			if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: 600, Tags: 2, Correspondents: 2, Types: 1, ContentBytes: 100}); err != nil {
				t.Fatal(err)
			}
			eng := open(t, t.TempDir())
			defer eng.Close()
			ix := index.New(st, eng, nil)
			ghost := searchtest.D(900000, "ghost", "phantasmagoria")
			wrote := false
			err := ix.Rebuild(ctx, func(done, total int) {
				if !wrote { // written to the live index and to the rebuild
					wrote = true
					if err := eng.Index(ctx, ghost); err != nil {
						t.Error(err)
					}
				}
			})
			if err != nil || !wrote {
				t.Fatalf("rebuild: %v (ghost written: %v)", err, wrote)
			}
			if err := ix.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if hits := searchtest.Hits(t, eng, "phantasmagoria"); len(hits) != 0 {
				t.Errorf("the ghost is still found: %v", hits)
			}
			ids, err := eng.IDs(ctx)
			if err != nil || len(ids) != 600 || slices.Contains(ids, ghost.ID) {
				t.Errorf("indexed after the rebuild: %d documents, ghost %v, %v", len(ids), slices.Contains(ids, ghost.ID), err)
			}
		})
	}
}
