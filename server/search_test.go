package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
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
