package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The client tests run published paperless clients, unmodified, against a
// real Quire (SQLite, documents consumed from real uploads): a script
// under testdata/clients/ makes each client do a whole job — connect,
// list, filter, search, read, download, upload and wait, edit tags, read
// custom fields (none exist: empty answers), delete — and the test checks
// the effects through Quire's own API. .ci/setup installs the clients:
// pypaperless 6.0.2 in .ci/pyclients, @baruchiro/paperless-mcp 2.2.1 in
// .ci/paperless-mcp.

// clientTool returns path when it exists; otherwise the test is skipped
// outside CI and fails with CI=true (CI installs the clients).
func clientTool(t *testing.T, what, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := "client test needs " + what + " (" + path + "): run .ci/setup"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// clientFixture is what a client script is told about the seeded archive
// (the keys the scripts read).
type clientFixture struct {
	Titles       []string `json:"titles"`
	Tag          int      `json:"tag"`
	Tag2         int      `json:"tag2"`
	FilterWord   string   `json:"filter_word"`
	FilterTitle  string   `json:"filter_title"`
	TaggedTitles []string `json:"tagged_titles"`
	SearchWord   string   `json:"search_word"`
	SearchTitle  string   `json:"search_title"`
	ReadID       int      `json:"read_id"`
	ReadTitle    string   `json:"read_title"`
	ReadText     string   `json:"read_text"`
	ReadBytes    string   `json:"read_bytes"`
	ReadFile     string   `json:"read_file"` // the uploaded file's name
	UploadPath   string   `json:"upload_path"`
	UploadTitle  string   `json:"upload_title"`
	EditID       int      `json:"edit_id"`
	EditTitle    string   `json:"edit_title"`
	DeleteID     int      `json:"delete_id"`
	NewTag       string   `json:"new_tag"` // made, renamed and deleted
}

// seedForClients uploads three text documents through post_document,
// waits for the consumer, makes the tags Bills (on two of them) and
// Travel and a correspondent, and returns the fixture and an API token.
func seedForClients(t *testing.T, base string) (clientFixture, string) {
	t.Helper()
	docs := []struct{ file, title, text string }{
		{"electricity.txt", "Electricity bill", "Electricity bill for November from Acme Power, meter 4711.\n"},
		{"train.txt", "Train ticket", "Train ticket Berlin to Hamburg, second class, one way.\n"},
		{"water.txt", "Water bill", "Water bill for the fourth quarter from Globex Utilities.\n"},
	}
	for _, d := range docs {
		postDocument(t, base, d.file, d.title, []byte(d.text))
	}
	ids := waitForDocuments(t, base, len(docs))
	var bills, travel struct{ ID int }
	restJSON(t, base, "POST", "/api/tags/", `{"name":"Bills"}`, http.StatusCreated, &bills)
	restJSON(t, base, "POST", "/api/tags/", `{"name":"Travel"}`, http.StatusCreated, &travel)
	restJSON(t, base, "POST", "/api/correspondents/", `{"name":"Acme Power"}`, http.StatusCreated, nil)
	restJSON(t, base, "POST", "/api/documents/bulk_edit/", fmt.Sprintf(`{"documents":[%d,%d],"method":"add_tag","parameters":{"tag":%d}}`,
		ids["electricity.txt"], ids["water.txt"], bills.ID), http.StatusOK, nil)
	var tok struct{ Token string }
	restJSON(t, base, "POST", "/api/token/", `{"username":"admin","password":"s3cret"}`, http.StatusOK, &tok)

	upload := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(upload, []byte("Minutes of the residents' association, December.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return clientFixture{
		Titles: []string{"Electricity bill", "Train ticket", "Water bill"},
		Tag:    bills.ID, Tag2: travel.ID,
		FilterWord: "ticket", FilterTitle: "Train ticket",
		TaggedTitles: []string{"Electricity bill", "Water bill"},
		SearchWord:   "Globex", SearchTitle: "Water bill",
		ReadID: ids["electricity.txt"], ReadTitle: "Electricity bill", ReadText: "meter 4711", ReadBytes: docs[0].text, ReadFile: docs[0].file,
		UploadPath: upload, UploadTitle: "Residents minutes",
		EditID: ids["train.txt"], EditTitle: "Train ticket (Hamburg)",
		DeleteID: ids["water.txt"],
		NewTag:   "Urgent",
	}, tok.Token
}

// restJSON sends a REST request as admin, wants status and decodes the
// answer into out (when not nil).
func restJSON(t *testing.T, base, method, path, body string, status int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json; version=10")
	req.SetBasicAuth("admin", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d %s (want %d)", method, path, resp.StatusCode, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// clientStep is one step of a script's result.
type clientStep struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// runClient runs a client script and fails t for each failing step; it
// returns the script's result object.
func runClient(t *testing.T, argv []string, env ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res struct {
		OK     bool           `json:"ok"`
		Steps  []clientStep   `json:"steps"`
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("%v: %v; no result line (%v)\nstdout:\n%s\nstderr:\n%s", argv, runErr, err, stdout.String(), stderr.String())
	}
	for _, s := range res.Steps {
		if !s.OK {
			t.Errorf("step %q failed: %s", s.Name, s.Error)
		} else {
			t.Logf("step %q: ok", s.Name)
		}
	}
	if !res.OK || runErr != nil || len(res.Steps) == 0 {
		t.Errorf("client script %v failed (%v); stderr:\n%s", argv, runErr, stderr.String())
	}
	return res.Result
}

// checkClientEffects checks through REST what the client changed: the
// edited document's title and tags, the deleted document, the upload.
func checkClientEffects(t *testing.T, base string, fx clientFixture, wantTags []int, uploadTags []int) {
	t.Helper()
	var doc struct {
		Title string
		Tags  []int
	}
	restJSON(t, base, "GET", fmt.Sprintf("/api/documents/%d/", fx.EditID), "", http.StatusOK, &doc)
	slices.Sort(doc.Tags)
	slices.Sort(wantTags)
	if doc.Title != fx.EditTitle || !slices.Equal(doc.Tags, wantTags) {
		t.Errorf("edited document %d: title %q tags %v, want %q %v", fx.EditID, doc.Title, doc.Tags, fx.EditTitle, wantTags)
	}
	restJSON(t, base, "GET", fmt.Sprintf("/api/documents/%d/", fx.DeleteID), "", http.StatusNotFound, nil) // deleted
	var page struct {
		Results []struct {
			Title string
			Tags  []int
		}
	}
	restJSON(t, base, "GET", "/api/documents/?title__iexact="+strings.ReplaceAll(fx.UploadTitle, " ", "%20"), "", http.StatusOK, &page)
	if len(page.Results) != 1 || !slices.Equal(page.Results[0].Tags, uploadTags) {
		t.Errorf("uploaded document %q: %+v (want one, tags %v)", fx.UploadTitle, page.Results, uploadTags)
	}
}

// TestPypaperlessJob: pypaperless 6 (paperless-ngx API 10) lists,
// filters, searches, reads, downloads, uploads and waits for the task,
// edits tags (bulk and PATCH), reads the (empty) custom fields and
// deletes.
func TestPypaperlessJob(t *testing.T) {
	python := clientTool(t, "pypaperless 6.0.2", filepath.Join("..", ".ci", "pyclients", "bin", "python"))
	base := startServer(t, testConfig(t))
	fx, token := seedForClients(t, base)
	fxJSON, _ := json.Marshal(fx)
	t.Logf("fixture: %s", fxJSON)
	res := runClient(t, []string{python, filepath.Join("testdata", "clients", "pypaperless_job.py")},
		"QUIRE_BASE_URL="+base, "QUIRE_TOKEN="+token, "CLIENT_FIXTURE="+string(fxJSON))
	if v, _ := res["api_version"].(float64); v != 10 {
		t.Errorf("pypaperless saw API version %v, want 10", res["api_version"])
	}
	checkClientEffects(t, base, fx, []int{fx.Tag, fx.Tag2}, []int{fx.Tag})
}

// TestPaperlessMCPJob: the paperless-mcp server, driven over stdio
// JSON-RPC, does the same job with its tools, asking for API version 9
// (its default) and 10.
func TestPaperlessMCPJob(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		node = clientTool(t, "node", "node")
	}
	mcp := clientTool(t, "@baruchiro/paperless-mcp 2.2.1", filepath.Join("..", ".ci", "paperless-mcp", "node_modules", "@baruchiro", "paperless-mcp", "build", "index.js"))
	mcp, _ = filepath.Abs(mcp)
	for _, version := range []string{"9", "10"} {
		t.Run("v"+version, func(t *testing.T) {
			base := startServer(t, testConfig(t))
			fx, token := seedForClients(t, base)
			fxJSON, _ := json.Marshal(fx)
			runClient(t, []string{node, filepath.Join("testdata", "clients", "paperless_mcp_job.cjs")},
				"QUIRE_BASE_URL="+base, "QUIRE_TOKEN="+token, "MCP_SERVER="+mcp, "PAPERLESS_API_VERSION="+version, "CLIENT_FIXTURE="+string(fxJSON))
			checkClientEffects(t, base, fx, []int{fx.Tag2}, []int{fx.Tag})
		})
	}
}
