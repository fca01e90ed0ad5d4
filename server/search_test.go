package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/typesense"
	"github.com/quirehq/quire/store/storetest"
)

// TestIndexRebuiltAtStartAndByCommand: a data folder whose database holds
// documents but which has no index is indexed in the background at start;
// `quire reindex` rebuilds it from scratch with progress output.
func TestIndexRebuiltAtStartAndByCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Seed(ctx, st, storetest.SeedConfig{Documents: 700, Tags: 5, Correspondents: 5, Types: 2, ContentBytes: 300}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// The embedded index (the Typesense engine has its own conformance suite).
	vars := map[string]string{"QUIRE_DATA_DIR": dir, "QUIRE_ADMIN_USER": "admin", "QUIRE_ADMIN_PASSWORD": "pw"}

	var out, errOut bytes.Buffer
	if err := Run(ctx, []string{"reindex"}, env(vars), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("reindex: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "Search index rebuilt: 700 documents") || !strings.Contains(errOut.String(), "700/700 documents (100%)") {
		t.Fatalf("reindex output:\n%s\n%s", out.String(), errOut.String())
	}

	// Remove the index: the server notices and rebuilds it.
	if err := os.RemoveAll(dir + "/index"); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig("quire", []string{"--addr", "127.0.0.1:0"}, env(vars), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, cfg)
	basic := func(r *http.Request) { r.SetBasicAuth("admin", "pw") }
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := gql(t, base, `{ search(query: "rechnung OR invoice OR konto") { totalCount } }`, basic)
		data, _ := body["data"].(map[string]any)
		s, _ := data["search"].(map[string]any)
		if n, _ := s["totalCount"].(float64); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the index was not rebuilt at start: %v", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTypesenseSettings(t *testing.T) {
	_, err := parseConfig("quire", nil, env(map[string]string{"QUIRE_DATA_DIR": t.TempDir(), "QUIRE_TYPESENSE_URL": "ftp://x"}), io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "QUIRE_TYPESENSE_URL") {
		t.Fatalf("bad Typesense URL: %v", err)
	}
	_, err = parseConfig("quire", nil, env(map[string]string{"QUIRE_DATA_DIR": t.TempDir(), "QUIRE_TYPESENSE_URL": "http://127.0.0.1:8108"}), io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "QUIRE_TYPESENSE_API_KEY") {
		t.Fatalf("Typesense URL without a key: %v", err)
	}
}

// TestServeOnTypesense runs the server on Typesense (QUIRE_TYPESENSE_URL,
// an alias of its own): an archive with documents but an empty collection
// is indexed at start, and search highlights come from the text in the
// database, which Typesense does not keep.
func TestServeOnTypesense(t *testing.T) {
	url, key := os.Getenv("TEST_TYPESENSE_URL"), os.Getenv("TEST_TYPESENSE_API_KEY")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_TYPESENSE_URL is not set (CI must test Typesense)")
		}
		t.Skip("TEST_TYPESENSE_URL not set")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	d := &store.Document{Title: "Letter", Content: "Dear customer, the zebracorn invoice is attached.", MimeType: "text/plain", Checksum: "c1"}
	if err := st.CreateDocument(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()
	alias := fmt.Sprintf("quireserve_%d", time.Now().UnixNano())
	cfg, err := parseConfig("quire", []string{"--addr", "127.0.0.1:0"}, env(map[string]string{
		"QUIRE_DATA_DIR": dir, "QUIRE_ADMIN_USER": "admin", "QUIRE_ADMIN_PASSWORD": "pw",
		"QUIRE_TYPESENSE_URL": url, "QUIRE_TYPESENSE_API_KEY": key, "QUIRE_TYPESENSE_COLLECTION": alias,
	}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the Typesense server outlives the test
		if e, err := typesense.Open(ctx, typesense.Config{URL: url, APIKey: key, Alias: alias, StatsDir: t.TempDir(),
			Contents: func(context.Context, []int) (map[int]string, error) { return nil, nil }}); err == nil {
			e.DropAll(ctx)
			e.Close()
		}
	})
	base := startServer(t, cfg)
	basic := func(r *http.Request) { r.SetBasicAuth("admin", "pw") }
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := gql(t, base, `{ search(query: "zebracorn") { totalCount hits { id highlightHtml } } }`, basic)
		data, _ := body["data"].(map[string]any)
		s, _ := data["search"].(map[string]any)
		if n, _ := s["totalCount"].(float64); n == 1 {
			hits, _ := s["hits"].([]any)
			hit, _ := hits[0].(map[string]any)
			if html, _ := hit["highlightHtml"].(string); !strings.Contains(html, `zebracorn</span> invoice is attached`) {
				t.Fatalf("highlights %q", html)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the document was not indexed in Typesense: %v", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
