package resolvers_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// memoEnv is a resolver with a Memo of max bytes and a build function
// that counts its calls and renders the number of tags.
type memoEnv struct {
	res    *resolvers.Resolver
	builds atomic.Int32
}

func newMemoEnv(t *testing.T, max int64) *memoEnv {
	t.Helper()
	res := resolvers.New(storetest.Open(t, "sqlite"), nil)
	res.Memo = resolvers.NewMemo(max)
	return &memoEnv{res: res}
}

func (m *memoEnv) build(ctx context.Context) ([]byte, error) {
	m.builds.Add(1)
	_, n, err := m.res.Store.Tags(ctx, store.NameFilter{}, nil, store.Page{})
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "%d tags", n), nil
}

func (m *memoEnv) get(t *testing.T, ctx context.Context, key string) string {
	t.Helper()
	b, err := m.res.Rendered(ctx, key, m.build)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMemoReusesUntilTheArchiveChanges(t *testing.T) {
	ctx := context.Background()
	m := newMemoEnv(t, 1<<20)
	if got := m.get(t, ctx, "k"); got != "0 tags" {
		t.Fatalf("first: %q", got)
	}
	m.get(t, ctx, "k")
	if n := m.builds.Load(); n != 1 {
		t.Fatalf("%d builds for two reads of an unchanged archive, want 1", n)
	}
	name := "new"
	if _, err := m.res.Store.CreateTag(ctx, store.TagInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if got := m.get(t, ctx, "k"); got != "1 tags" {
		t.Fatalf("after a change: %q (stale)", got)
	}
	if n := m.builds.Load(); n != 2 {
		t.Fatalf("%d builds, want 2", n)
	}
	// Another key, and the same key for another user, render separately.
	m.get(t, ctx, "other")
	m.get(t, resolvers.WithUser(ctx, &store.User{ID: 7}), "k")
	if n := m.builds.Load(); n != 4 {
		t.Fatalf("%d builds, want 4", n)
	}
	if n := m.res.Memo.Len(); n != 3 {
		t.Fatalf("memo holds %d answers, want 3", n)
	}
}

func TestMemoKeepsNoErrors(t *testing.T) {
	ctx := context.Background()
	m := newMemoEnv(t, 1<<20)
	calls := 0
	fail := func(context.Context) ([]byte, error) { calls++; return nil, errors.New("boom") }
	for range 2 {
		if _, err := m.res.Rendered(ctx, "k", fail); err == nil {
			t.Fatal("error lost")
		}
	}
	if calls != 2 || m.res.Memo.Len() != 0 {
		t.Fatalf("calls %d, held %d: an error was kept", calls, m.res.Memo.Len())
	}
}

func TestMemoStaysWithinItsSize(t *testing.T) {
	ctx := context.Background()
	m := newMemoEnv(t, 8<<10)
	page := strings.Repeat("x", 900) // under max/8
	for i := range 40 {
		b, err := m.res.Rendered(ctx, fmt.Sprint("k", i), func(context.Context) ([]byte, error) { return []byte(page), nil })
		if err != nil || string(b) != page {
			t.Fatal(b, err)
		}
	}
	if n := m.res.Memo.Len(); n == 0 || n*900 > 8<<10 {
		t.Fatalf("memo holds %d answers of 900 bytes, limit 8 KiB", n)
	}
	// The most recent is kept, the oldest are gone.
	built := false
	m.res.Rendered(ctx, "k39", func(context.Context) ([]byte, error) { built = true; return nil, nil })
	if built {
		t.Error("the most recent answer was evicted")
	}
	m.res.Rendered(ctx, "k0", func(context.Context) ([]byte, error) { built = true; return []byte(page), nil })
	if !built {
		t.Error("the oldest answer was kept beyond the limit")
	}
	// One answer over an eighth of the memory is served, not kept.
	before := m.res.Memo.Len()
	big := strings.Repeat("y", 2<<10)
	m.res.Rendered(ctx, "big", func(context.Context) ([]byte, error) { return []byte(big), nil })
	if m.res.Memo.Len() > before {
		t.Error("an oversized answer was kept")
	}
}

func TestMemoSharesOneBuildBetweenConcurrentCallers(t *testing.T) {
	ctx := context.Background()
	m := newMemoEnv(t, 1<<20)
	release := make(chan struct{})
	var builds atomic.Int32
	build := func(context.Context) ([]byte, error) {
		builds.Add(1)
		<-release
		return []byte("page"), nil
	}
	var wg sync.WaitGroup
	var started sync.WaitGroup
	for range 8 {
		started.Add(1)
		wg.Go(func() {
			started.Done()
			b, err := m.res.Rendered(ctx, "k", build)
			if err != nil || string(b) != "page" {
				t.Errorf("%q %v", b, err)
			}
		})
	}
	started.Wait()
	for builds.Load() == 0 {
		runtime.Gosched() // until the first caller is building
	}
	close(release)
	wg.Wait()
	// Callers arriving before the first build registered may build too;
	// all eight building means nothing was shared.
	if n := builds.Load(); n >= 8 {
		t.Fatalf("%d builds for 8 concurrent callers", n)
	}
}

func TestNilMemoAlwaysBuilds(t *testing.T) {
	m := newMemoEnv(t, 0)
	if m.res.Memo != nil {
		t.Fatal("NewMemo(0) keeps answers")
	}
	m.get(t, context.Background(), "k")
	m.get(t, context.Background(), "k")
	if n := m.builds.Load(); n != 2 {
		t.Fatalf("%d builds without a memo, want 2", n)
	}
}

// TestMemoFollowsAnotherReplica changes the archive through a second
// store on the same database, as another Quire replica would: the first
// replica's kept answer must not be served again.
func TestMemoFollowsAnotherReplica(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.DatabaseURL(t, dialect)
			open := func() *store.Store {
				s, err := store.Open(ctx, store.Config{URL: url})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			a, b := open(), open()
			m := &memoEnv{res: resolvers.New(a, nil)}
			m.res.Memo = resolvers.NewMemo(1 << 20)
			if got := m.get(t, ctx, "k"); got != "0 tags" {
				t.Fatalf("first: %q", got)
			}
			name := "from b"
			if _, err := b.CreateTag(ctx, store.TagInput{Name: &name}); err != nil {
				t.Fatal(err)
			}
			if got := m.get(t, ctx, "k"); got != "1 tags" {
				t.Fatalf("after another replica's change: %q (stale)", got)
			}
		})
	}
}
