package typesense_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/searchtest"
	"github.com/quirehq/quire/store/search/typesense"
)

var seq atomic.Int64

// Server returns TEST_TYPESENSE_URL and TEST_TYPESENSE_API_KEY, skipping the
// test when unset (failing under CI=true).
func server(t testing.TB) (url, key string) {
	url, key = os.Getenv("TEST_TYPESENSE_URL"), os.Getenv("TEST_TYPESENSE_API_KEY")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_TYPESENSE_URL is not set (CI must run the Typesense conformance suite)")
		}
		t.Skip("TEST_TYPESENSE_URL not set: skipping the Typesense search engine")
	}
	return url, key
}

// config is a configuration with an alias of its own and a fresh
// statistics folder, for tests that ask for no highlights.
func config(t *testing.T) typesense.Config {
	url, key := server(t)
	return typesense.Config{URL: url, APIKey: key, StatsDir: t.TempDir(),
		Alias:    fmt.Sprintf("quiretest_%d_%d", time.Now().UnixNano(), seq.Add(1)),
		Contents: new(contents).get}
}

// contents stands in for Quire's database as the source of document
// contents for highlights: it holds what was indexed through recording.
type contents struct {
	mu sync.Mutex
	m  map[int]string
}

func (c *contents) put(docs []search.Document) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int]string{}
	}
	for _, d := range docs {
		c.m[d.ID] = d.Content
	}
}

func (c *contents) get(_ context.Context, ids []int) (map[int]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int]string{}
	for _, id := range ids {
		if s, ok := c.m[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}

// recording is an engine whose indexed documents' contents are kept in c.
type recording struct {
	*typesense.Engine
	c *contents
}

func (r recording) Index(ctx context.Context, docs ...search.Document) error {
	r.c.put(docs)
	return r.Engine.Index(ctx, docs...)
}

func (r recording) BeginRebuild(ctx context.Context) (search.Rebuild, error) {
	rb, err := r.Engine.BeginRebuild(ctx)
	if err != nil {
		return nil, err
	}
	return recordingRebuild{rb, r.c}, nil
}

type recordingRebuild struct {
	search.Rebuild
	c *contents
}

func (r recordingRebuild) Index(ctx context.Context, docs ...search.Document) error {
	r.c.put(docs)
	return r.Rebuild.Index(ctx, docs...)
}

func openWith(t *testing.T, cfg typesense.Config) *typesense.Engine {
	t.Helper()
	e, err := typesense.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func open(t *testing.T) search.Engine {
	c := new(contents)
	cfg := config(t)
	cfg.Contents = c.get
	e := openWith(t, cfg)
	t.Cleanup(func() {
		if err := e.DropAll(context.Background()); err != nil {
			t.Errorf("drop test collections: %v", err)
		}
		e.Close()
	})
	return recording{e, c}
}

func TestConformance(t *testing.T) { searchtest.Run(t, open) }

// replicas opens two engines on one alias with statistics folders of their
// own, as two Quire processes sharing a Typesense cluster.
func replicas(t *testing.T) (a, b *typesense.Engine) {
	cfg := config(t)
	a = openWith(t, cfg)
	cfg.StatsDir = t.TempDir()
	b = openWith(t, cfg)
	t.Cleanup(func() {
		if err := a.DropAll(context.Background()); err != nil {
			t.Errorf("drop test collections: %v", err)
		}
		a.Close()
		b.Close()
	})
	return a, b
}

// TestRebuildSeesOtherReplicasWrites checks that a rebuild by one process
// receives the changes another process indexes meanwhile (a deletion
// included), that the other process keeps writing to the live collection
// after the swap, and that it cannot start a rebuild of its own meanwhile.
func TestRebuildSeesOtherReplicasWrites(t *testing.T) {
	a, b := replicas(t)
	ctx := t.Context()
	if err := a.Index(ctx, searchtest.D(1, "one", "apple"), searchtest.D(2, "two", "apple"), searchtest.D(3, "three", "apple")); err != nil {
		t.Fatal(err)
	}
	rb, err := a.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// the rebuild reads the archive: documents 1 to 3 as they were
	if err := rb.Index(ctx, searchtest.D(1, "one", "apple"), searchtest.D(2, "two", "apple"), searchtest.D(3, "three", "apple")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.BeginRebuild(ctx); store.ErrorCode(err) != store.Conflict {
		t.Errorf("second rebuild while one runs: %v, want a conflict", err)
	}
	// meanwhile, through the other process: 2 deleted, 1 changed, 4 added
	if err := b.Delete(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Index(ctx, searchtest.D(1, "one", "banana"), searchtest.D(4, "four", "apple")); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := searchtest.Hits(t, b, "apple"); !slices.Equal(got, []int{3, 4}) {
		t.Errorf("apple after the swap: %v, want [3 4]", got)
	}
	if got := searchtest.Hits(t, b, "banana"); !slices.Equal(got, []int{1}) {
		t.Errorf("banana after the swap: %v, want [1]", got)
	}
	// the other process still writes to (and counts) the live collection
	if err := b.Index(ctx, searchtest.D(5, "five", "cherry")); err != nil {
		t.Fatalf("write after another process's swap: %v", err)
	}
	if got := searchtest.Hits(t, a, "cherry"); !slices.Equal(got, []int{5}) {
		t.Errorf("cherry: %v, want [5]", got)
	}
	if n, err := b.Count(ctx); err != nil || n != 4 {
		t.Errorf("count: %d, %v; want 4", n, err)
	}
	// and may rebuild now
	rb2, err := b.BeginRebuild(ctx)
	if err != nil {
		t.Fatalf("rebuild after the first was committed: %v", err)
	}
	if err := rb2.Abort(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestOpenLeavesOtherReplicasRebuild checks that a process starting while
// another rebuilds leaves that rebuild alone, and that one finding its own
// unfinished rebuild resumes it.
func TestOpenLeavesOtherReplicasRebuild(t *testing.T) {
	cfg := config(t)
	ctx := t.Context()
	a := openWith(t, cfg)
	defer func() { a.DropAll(context.Background()); a.Close() }()
	rb, err := a.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Index(ctx, searchtest.D(7, "seven", "plum")); err != nil {
		t.Fatal(err)
	}
	// however old the rebuild's collection, its announcement protects it
	typesense.SetStaleAfter(t, 0)
	other := cfg
	other.StatsDir = t.TempDir()
	openWith(t, other).Close()
	if err := rb.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// the same process, restarted, resumes its rebuild
	a.Close()
	a2 := openWith(t, cfg)
	defer a2.Close()
	rb2, err := a2.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rb2.LastID() != 7 {
		t.Errorf("resumed rebuild at %d, want 7", rb2.LastID())
	}
	if err := rb2.Commit(ctx); err != nil {
		t.Fatalf("commit of the rebuild another process saw: %v", err)
	}
	if got := searchtest.Hits(t, a2, "plum"); !slices.Equal(got, []int{7}) {
		t.Errorf("plum: %v, want [7]", got)
	}
}

// TestOpenDropsStrayCollections checks that Open drops a collection of its
// alias that is neither live nor announced once it is older than an hour
// (a younger one may be a rebuild being announced), with its statistics.
func TestOpenDropsStrayCollections(t *testing.T) {
	cfg := config(t)
	ctx := t.Context()
	a := openWith(t, cfg)
	defer func() { a.DropAll(context.Background()); a.Close() }()
	stray, err := typesense.CreateStray(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	reopen := func() []string {
		cfg.StatsDir = t.TempDir()
		openWith(t, cfg).Close()
		names, err := typesense.Collections(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	if names := reopen(); !slices.Contains(names, stray) {
		t.Errorf("a young stray collection was dropped: %v", names)
	}
	typesense.SetStaleAfter(t, 0)
	if names := reopen(); slices.Contains(names, stray) || len(names) != 1 {
		t.Errorf("collections after Open: %v, want only the live one", names)
	}
}

// TestLayoutFromCollectionName checks that the layout of the collection the
// alias points at is read from its name (<alias>_<n> is layout 1,
// <alias>_l<N>_<n> layout N) and that a rebuild writes the current one.
func TestLayoutFromCollectionName(t *testing.T) {
	e := open(t).(recording).Engine
	ctx := t.Context()
	live, current, err := e.Layout(ctx)
	if err != nil || live != current {
		t.Fatalf("new collection: layout %d of %d, %v", live, current, err)
	}
	for suffix, want := range map[string]int{"l0_17": 0, "l7_18": 7, "19": 1} {
		if err := typesense.UseCollection(ctx, e, suffix); err != nil {
			t.Fatal(err)
		}
		if live, _, _ := e.Layout(ctx); live != want {
			t.Errorf("collection _%s: layout %d, want %d", suffix, live, want)
		}
	}
	if err := typesense.UseCollection(ctx, e, "l0_20"); err != nil {
		t.Fatal(err)
	}
	rb, err := e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if live, current, _ := e.Layout(ctx); live != current {
		t.Errorf("after the rebuild: layout %d of %d", live, current)
	}
}

// TestUpgradeFromLayout1 checks that a collection of layout 1, as an older
// Quire left it, takes writes and answers searches until the rebuild that
// the new layout calls for swaps its successor in.
func TestUpgradeFromLayout1(t *testing.T) {
	cfg := config(t)
	ctx := t.Context()
	a := openWith(t, cfg)
	defer func() { a.DropAll(context.Background()); a.Close() }()
	if err := typesense.UseCollection(ctx, a, "21"); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b := openWith(t, cfg)
	defer b.Close()
	if live, current, err := b.Layout(ctx); err != nil || live != 1 || current < 3 {
		t.Fatalf("layout %d of %d (%v), want 1 of 3 or more", live, current, err)
	}
	docs := []search.Document{searchtest.D(1, "Invoice", "bank ελλάδα transfer"), searchtest.D(2, "Letter", "greetings")}
	check := func(when string) {
		for q, want := range map[string][]int{"bank": {1}, "ελλάδα": {1}, "content:ελλάδα": {1}, "-ελλάδα": {2},
			"-bank": {2}, "invoice OR -content:bank": {1, 2}, "greetings -invoice": {2}} {
			if got := searchtest.Hits(t, b, q); !slices.Equal(got, want) {
				t.Errorf("%s: %q finds %v, want %v", when, q, got, want)
			}
		}
	}
	if err := b.Index(ctx, docs...); err != nil {
		t.Fatalf("write to the collection of layout 1: %v", err)
	}
	check("layout 1")
	// a collection of layout 1 has no access tokens: a restricted
	// searcher finds nothing there (rather than an error or everything)
	r, err := b.Search(ctx, search.Request{Query: search.MustParse("bank"), Filter: search.Filter{ACL: []string{store.ACLPublic}}})
	if err != nil || r.Total != 0 || len(r.Hits) != 0 {
		t.Errorf("layout 1, restricted: %+v, %v; want nothing", r, err)
	}
	if w, err := b.Autocomplete(ctx, "ban", 10, []string{store.ACLPublic}); err != nil || len(w) != 0 {
		t.Errorf("layout 1, restricted autocomplete: %v, %v; want nothing", w, err)
	}
	rb, err := b.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if live, current, _ := b.Layout(ctx); live != current {
		t.Errorf("after the rebuild: layout %d of %d", live, current)
	}
	check("the current layout")
}

// TestAbandonedRebuildIsTakenOver checks that a rebuild announced by a
// process that never finished it blocks another rebuild only until it is
// taken to be abandoned.
func TestAbandonedRebuildIsTakenOver(t *testing.T) {
	a, b := replicas(t)
	ctx := t.Context()
	if _, err := a.BeginRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	a.Close() // gone for good, its rebuild announced
	if _, err := b.BeginRebuild(ctx); store.ErrorCode(err) != store.Conflict {
		t.Fatalf("rebuild beside a recent one: %v, want a conflict", err)
	}
	typesense.SetAbandonAfter(t, 0)
	rb, err := b.BeginRebuild(ctx)
	if err != nil {
		t.Fatalf("taking over an abandoned rebuild: %v", err)
	}
	if err := rb.Index(ctx, searchtest.D(3, "three", "quince")); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := searchtest.Hits(t, b, "quince"); !slices.Equal(got, []int{3}) {
		t.Errorf("quince: %v, want [3]", got)
	}
	names, err := typesense.Collections(ctx, b)
	if err != nil || len(names) != 1 {
		t.Errorf("collections after the takeover: %v, %v; want only the live one", names, err)
	}
}

// TestHighlightsReadContentsFromTheArchive checks that highlights come
// from Config.Contents, which is required, and that its failure fails the
// search rather than dropping the highlights. (The failing source is a
// stand-in: a database that fails on demand cannot be had otherwise.)
func TestHighlightsReadContentsFromTheArchive(t *testing.T) {
	cfg := config(t)
	cfg.Contents = nil
	if _, err := typesense.Open(t.Context(), cfg); err == nil {
		t.Fatal("Open without a source of contents succeeded")
	}
	fail := false
	cfg.Contents = func(_ context.Context, ids []int) (map[int]string, error) {
		if fail {
			return nil, errors.New("database unavailable")
		}
		return map[int]string{1: "the archive's text: invoice"}, nil
	}
	e := openWith(t, cfg)
	t.Cleanup(func() { e.DropAll(context.Background()); e.Close() })
	if err := e.Index(t.Context(), searchtest.D(1, "Invoice", "indexed text: invoice")); err != nil {
		t.Fatal(err)
	}
	req := search.Request{Query: search.MustParse("invoice"), Highlight: true}
	r, err := e.Search(t.Context(), req)
	if err != nil || len(r.Hits) != 1 || len(r.Hits[0].Highlights) == 0 {
		t.Fatalf("search: %+v %v", r, err)
	}
	var text string
	for _, f := range r.Hits[0].Highlights[0] {
		text += f.Text
	}
	if !strings.Contains(text, "archive") {
		t.Errorf("highlights %q are not from the archive's text", text)
	}
	fail = true
	if _, err := e.Search(t.Context(), req); err == nil || !strings.Contains(err.Error(), "database unavailable") {
		t.Errorf("a failing source of contents: %v", err)
	}
	req.Highlight = false
	if r, err := e.Search(t.Context(), req); err != nil || len(r.Hits) != 1 {
		t.Errorf("without highlights: %+v %v", r, err)
	}
}
