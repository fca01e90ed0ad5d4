package server

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store/storetest"
)

// TestDeleteRemovesFiles deletes documents through every way in —
// GraphQL deleteDocument and bulkEditDocuments(DELETE), REST DELETE and
// REST bulk_edit delete — each time followed by emptying the trash (a
// deletion only moves documents there: TestTrashAndShareLinks), and
// checks that each document's original, archive version and thumbnail
// go once that is committed, with the storage folders left empty (API
// §7.1), on both databases.
func TestDeleteRemovesFiles(t *testing.T) {
	fixture.RequireTools(t, "pdftotext", "pdftoppm", "pdfinfo", "tesseract", "ocrmypdf")
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			data := t.TempDir()
			cfg, err := parseConfig("quire", []string{"--addr", "127.0.0.1:0"}, env(map[string]string{
				"QUIRE_DATA_DIR":        data,
				"QUIRE_DATABASE_URL":    storetest.DatabaseURL(t, dialect),
				"QUIRE_ADMIN_USER":      "admin",
				"QUIRE_ADMIN_PASSWORD":  "s3cret",
				"QUIRE_FILENAME_FORMAT": "{title}/{correspondent}/file",
			}), io.Discard, nil)
			if err != nil {
				t.Fatal(err)
			}
			base := startServer(t, cfg)
			basic := func(r *http.Request) { r.SetBasicAuth("admin", "s3cret") }
			media := filepath.Join(data, "media", "documents")

			// alpha, delta, echo: PDFs with an archive version; shared-1
			// and shared-2 share their folders.
			uploads := []struct{ name, title string }{
				{"alpha.pdf", "alpha"}, {"shared-1.txt", "shared"}, {"shared-2.txt", "shared"},
				{"delta.pdf", "delta"}, {"echo.pdf", "echo"},
			}
			for i, u := range uploads {
				body := fixture.PDF(12, fmt.Sprintf("Document %d, %s", i, u.title), "Some words so that the text layer is long enough to keep.")
				if strings.HasSuffix(u.name, ".txt") {
					body = []byte(fmt.Sprintf("note %d in the shared folder", i))
				}
				postDocument(t, base, u.name, u.title, body)
			}
			docs := waitForDocuments(t, base, len(uploads))

			type stored struct{ original, archive, thumbnail string }
			files := map[string]stored{}
			for name, id := range docs {
				_, body := gql(t, base, fmt.Sprintf(`{ documentMetadata(id: %d) { mediaFilename archiveMediaFilename } }`, id), basic)
				md, _ := body["data"].(map[string]any)["documentMetadata"].(map[string]any)
				orig, _ := md["mediaFilename"].(string)
				if orig == "" {
					t.Fatalf("%s: no media file name: %v", name, body)
				}
				s := stored{original: filepath.Join(media, "originals", orig), thumbnail: filepath.Join(media, "thumbnails", fmt.Sprintf("%07d.png", id))}
				if a, ok := md["archiveMediaFilename"].(string); ok {
					s.archive = filepath.Join(media, "archive", a)
				} else if strings.HasSuffix(name, ".pdf") {
					t.Fatalf("%s: no archive version", name)
				}
				for _, p := range []string{s.original, s.archive, s.thumbnail} {
					if _, err := os.Stat(p); p != "" && err != nil {
						t.Fatalf("%s: stored file missing before the deletion: %v", name, err)
					}
				}
				files[name] = s
			}
			gone := func(names ...string) {
				t.Helper()
				if code := restDo(t, base, "POST", "/api/trash/", `{"action":"empty"}`); code != http.StatusOK {
					t.Fatalf("empty the trash: %d", code)
				}
				for _, n := range names {
					s := files[n]
					for _, p := range []string{s.original, s.archive, s.thumbnail} {
						if _, err := os.Stat(p); p != "" && err == nil {
							t.Errorf("%s: %s still exists", n, p)
						}
					}
				}
			}
			folders := func(kind string) []string {
				t.Helper()
				entries, err := os.ReadDir(filepath.Join(media, kind))
				if err != nil {
					t.Fatalf("%s folder: %v", kind, err)
				}
				var out []string
				for _, e := range entries {
					out = append(out, e.Name())
				}
				return out
			}

			// GraphQL deleteDocument.
			if _, body := gql(t, base, fmt.Sprintf(`mutation { deleteDocument(id: %d) }`, docs["alpha.pdf"]), basic); body["errors"] != nil {
				t.Fatalf("deleteDocument: %v", body)
			}
			gone("alpha.pdf")
			if got := folders("originals"); slices.Contains(got, "alpha") {
				t.Errorf("emptied originals folder alpha/ left: %v", got)
			}
			if got := folders("archive"); slices.Contains(got, "alpha") {
				t.Errorf("emptied archive folder alpha/ left: %v", got)
			}

			// REST DELETE of one of two documents in a folder: the folder stays.
			if code := restDo(t, base, "DELETE", fmt.Sprintf("/api/documents/%d/", docs["shared-1.txt"]), ""); code != http.StatusNoContent {
				t.Fatalf("REST DELETE: %d", code)
			}
			gone("shared-1.txt")
			if _, err := os.Stat(files["shared-2.txt"].original); err != nil {
				t.Fatalf("the other document's file went too: %v", err)
			}

			// GraphQL bulk delete, one of whose files is already gone: not an error.
			if err := os.Remove(files["delta.pdf"].thumbnail); err != nil {
				t.Fatal(err)
			}
			_, body := gql(t, base, fmt.Sprintf(`mutation { bulkEditDocuments(input: {documentIds: [%d, %d], method: DELETE}) }`, docs["delta.pdf"], docs["shared-2.txt"]), basic)
			if body["errors"] != nil {
				t.Fatalf("bulkEditDocuments: %v", body)
			}
			gone("delta.pdf", "shared-2.txt")
			if got := folders("originals"); slices.Contains(got, "shared") || slices.Contains(got, "delta") {
				t.Errorf("emptied folders left: %v", got)
			}

			// REST bulk_edit delete.
			if code := restDo(t, base, "POST", "/api/documents/bulk_edit/", fmt.Sprintf(`{"documents":[%d],"method":"delete","parameters":{}}`, docs["echo.pdf"])); code != http.StatusOK {
				t.Fatalf("REST bulk_edit: %d", code)
			}
			gone("echo.pdf")

			// Everything is gone but the roots themselves.
			for _, kind := range []string{"originals", "archive", "thumbnails"} {
				if got := folders(kind); len(got) != 0 {
					t.Errorf("%s folder still holds %v", kind, got)
				}
			}
		})
	}
}

// postDocument uploads a file through REST post_document.
func postDocument(t *testing.T, base, name, title string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("document", name)
	fw.Write(body)
	w.WriteField("title", title)
	w.Close()
	req, _ := http.NewRequest("POST", base+"/api/documents/post_document/", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.SetBasicAuth("admin", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post_document %s: %d %s", name, resp.StatusCode, b)
	}
}

// waitForDocuments waits until n consumption tasks succeeded and returns
// their documents' ids by file name.
func waitForDocuments(t *testing.T, base string, n int) map[string]int {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		_, body := gql(t, base, `{ consumptionTasks(states: [SUCCESS, FAILED]) { state filename message document { id } } }`, func(r *http.Request) { r.SetBasicAuth("admin", "s3cret") })
		tasks, _ := body["data"].(map[string]any)["consumptionTasks"].([]any)
		if len(tasks) >= n {
			out := map[string]int{}
			for _, x := range tasks {
				task := x.(map[string]any)
				if task["state"] != "SUCCESS" {
					t.Fatalf("consumption failed: %v", task)
				}
				var id int
				fmt.Sscan(task["document"].(map[string]any)["id"].(string), &id)
				out[task["filename"].(string)] = id
			}
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%d documents were not consumed in time", n)
	return nil
}

// restDo sends a REST request as admin and returns the status.
func restDo(t *testing.T, base, method, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth("admin", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}
