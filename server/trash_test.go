package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store/storetest"
)

// TestTrashAndShareLinks runs the trash and share links end to end on a
// real server with real consumption, on both databases: deleting (REST,
// GraphQL, bulk edit) moves documents to the trash and keeps their files;
// restoring brings them back; emptying removes rows and files. Share
// links download without login (whole file and ranges, archive or
// original), and stop for an unknown slug, after expiry and while the
// document is in the trash.
func TestTrashAndShareLinks(t *testing.T) {
	fixture.RequireTools(t, "pdftotext", "pdftoppm", "pdfinfo", "tesseract", "ocrmypdf")
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			data := t.TempDir()
			cfg, err := parseConfig("quire", []string{"--addr", "127.0.0.1:0"}, env(map[string]string{
				"QUIRE_DATA_DIR":              data,
				"QUIRE_DATABASE_URL":          storetest.DatabaseURL(t, dialect),
				"QUIRE_ADMIN_USER":            "admin",
				"QUIRE_ADMIN_PASSWORD":        "s3cret",
				"PAPERLESS_EMPTY_TRASH_DELAY": "7",
			}), io.Discard, nil)
			if err != nil {
				t.Fatal(err)
			}
			base := startServer(t, cfg)
			basic := func(r *http.Request) { r.SetBasicAuth("admin", "s3cret") }
			media := filepath.Join(data, "media", "documents")

			pdf := fixture.PDF(12, "Power bill March", "Some words so that the text layer is long enough to keep.")
			postDocument(t, base, "alpha.pdf", "alpha", pdf)
			postDocument(t, base, "note.txt", "note", []byte("a note to keep in the trash"))
			docs := waitForDocuments(t, base, 2)
			alpha, note := docs["alpha.pdf"], docs["note.txt"]

			files := map[int][]string{}
			for _, id := range []int{alpha, note} {
				_, body := gql(t, base, fmt.Sprintf(`{ documentMetadata(id: %d) { mediaFilename archiveMediaFilename } }`, id), basic)
				md, _ := body["data"].(map[string]any)["documentMetadata"].(map[string]any)
				orig, _ := md["mediaFilename"].(string)
				if orig == "" {
					t.Fatalf("document %d: no media file: %v", id, body)
				}
				files[id] = []string{filepath.Join(media, "originals", orig), filepath.Join(media, "thumbnails", fmt.Sprintf("%07d.png", id))}
				if a, ok := md["archiveMediaFilename"].(string); ok {
					files[id] = append(files[id], filepath.Join(media, "archive", a))
				}
			}
			if len(files[alpha]) != 3 {
				t.Fatalf("alpha has no archive version: %v", files[alpha])
			}
			exist := func(want bool, ids ...int) {
				t.Helper()
				for _, id := range ids {
					for _, p := range files[id] {
						if _, err := os.Stat(p); (err == nil) != want {
							t.Errorf("document %d: %s exists=%v, want %v", id, p, err == nil, want)
						}
					}
				}
			}

			var ui struct {
				Settings map[string]any `json:"settings"`
			}
			ngxJSON(t, base, "GET", "/api/ui_settings/", "", true, http.StatusOK, &ui)
			if ui.Settings["trash_delay"] != float64(7) {
				t.Errorf("ui_settings trash_delay = %v, want 7", ui.Settings["trash_delay"])
			}

			// Share links: archive (default), original, and one that expires soon.
			var l1, l2, l3 shareLinkWire
			ngxJSON(t, base, "POST", "/api/share_links/", fmt.Sprintf(`{"document":%d}`, alpha), true, http.StatusCreated, &l1)
			ngxJSON(t, base, "POST", "/api/share_links/", fmt.Sprintf(`{"document":%d,"file_version":"original"}`, alpha), true, http.StatusCreated, &l2)
			expires := time.Now().Add(3 * time.Second).UTC()
			ngxJSON(t, base, "POST", "/api/share_links/", fmt.Sprintf(`{"document":%d,"expiration":%q}`, note, expires.Format(time.RFC3339Nano)), true, http.StatusCreated, &l3)
			if len(l1.Slug) != 50 || l1.FileVersion != "archive" || l2.FileVersion != "original" || l3.Expiration == nil || l1.Document != alpha {
				t.Fatalf("links: %+v %+v %+v", l1, l2, l3)
			}
			var bad map[string][]string
			ngxJSON(t, base, "POST", "/api/share_links/", `{"document":99999}`, true, http.StatusBadRequest, &bad)
			if len(bad["document"]) == 0 {
				t.Errorf("unknown document: %v", bad)
			}
			ngxJSON(t, base, "POST", "/api/share_links/", fmt.Sprintf(`{"document":%d,"expiration":"2001-01-01T00:00:00Z"}`, alpha), true, http.StatusBadRequest, &bad)
			if len(bad["expiration"]) == 0 {
				t.Errorf("past expiration: %v", bad)
			}
			if code, _, _ := ngxDo(t, base, "GET", "/api/share_links/", "", false, nil); code != http.StatusUnauthorized {
				t.Errorf("share links without login: %d", code)
			}

			// Without login: the archive, a range of it, the original.
			code, body, h := ngxDo(t, base, "GET", "/share/"+l1.Slug, "", false, nil)
			if code != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF")) || h.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
				t.Fatalf("share archive: %d %q %v", code, body[:min(len(body), 20)], h)
			}
			archive, _ := os.ReadFile(files[alpha][2])
			if !bytes.Equal(body, archive) {
				t.Errorf("share link did not serve the archive version (%d vs %d bytes)", len(body), len(archive))
			}
			code, body, _ = ngxDo(t, base, "GET", "/share/"+l1.Slug, "", false, map[string]string{"Range": "bytes=0-3"})
			if code != http.StatusPartialContent || string(body) != "%PDF" {
				t.Errorf("range: %d %q", code, body)
			}
			code, body, _ = ngxDo(t, base, "GET", "/share/"+l2.Slug, "", false, nil)
			if code != http.StatusOK || !bytes.Equal(body, pdf) {
				t.Errorf("share original: %d, %d bytes (want the %d uploaded)", code, len(body), len(pdf))
			}
			if code, _, _ := ngxDo(t, base, "GET", "/share/"+strings.Repeat("x", 50), "", false, nil); code != http.StatusNotFound {
				t.Errorf("unknown slug: %d", code)
			}
			if code, _, _ := ngxDo(t, base, "GET", "/share/"+l3.Slug, "", false, nil); code != http.StatusOK {
				t.Errorf("link before expiry: %d", code)
			}
			time.Sleep(time.Until(expires) + 100*time.Millisecond)
			code, body, _ = ngxDo(t, base, "GET", "/share/"+l3.Slug, "", false, nil)
			if code != http.StatusNotFound || !strings.Contains(string(body), "expired") {
				t.Errorf("expired link: %d %s", code, body)
			}
			// GraphQL: the same links, and errors with codes and field paths.
			_, gq := gql(t, base, fmt.Sprintf(`{ document(id: %d) { deletedAt shareLinks { slug path fileVersion expired } } }`, alpha), basic)
			gl, _ := gq["data"].(map[string]any)["document"].(map[string]any)["shareLinks"].([]any)
			if len(gl) != 2 || gl[0].(map[string]any)["path"] != "/share/"+l1.Slug || gl[1].(map[string]any)["fileVersion"] != "ORIGINAL" {
				t.Errorf("GraphQL shareLinks: %v", gq)
			}
			_, gq = gql(t, base, fmt.Sprintf(`mutation { createShareLink(input: {documentId: %d, expiration: "2001-01-01T00:00:00Z"}) { id } }`, alpha), basic)
			if errs, _ := gq["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["extensions"].(map[string]any)["code"] != "VALIDATION" {
				t.Errorf("GraphQL createShareLink in the past: %v", gq)
			}
			_, gq = gql(t, base, `mutation { restoreDocuments(documentIds: [99999]) }`, basic)
			if errs, _ := gq["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["extensions"].(map[string]any)["code"] != "VALIDATION" {
				t.Errorf("GraphQL restore of a document not in the trash: %v", gq)
			}
			var links []shareLinkWire
			ngxJSON(t, base, "GET", fmt.Sprintf("/api/documents/%d/share_links/", alpha), "", true, http.StatusOK, &links)
			if len(links) != 2 || links[0].ID != l1.ID {
				t.Errorf("alpha's links: %+v", links)
			}

			waitSearch(t, base, "alpha", 1)

			// REST DELETE: to the trash, files kept, hidden, its links stop.
			if code, body, _ := ngxDo(t, base, "DELETE", fmt.Sprintf("/api/documents/%d/", alpha), "", true, nil); code != http.StatusNoContent {
				t.Fatalf("DELETE: %d %s", code, body)
			}
			exist(true, alpha)
			waitSearch(t, base, "alpha", 0) // the index drops it
			if code, _, _ := ngxDo(t, base, "GET", fmt.Sprintf("/api/documents/%d/", alpha), "", true, nil); code != http.StatusNotFound {
				t.Errorf("trashed document answered %d", code)
			}
			if code, _, _ := ngxDo(t, base, "GET", "/share/"+l1.Slug, "", false, nil); code != http.StatusNotFound {
				t.Errorf("link to a trashed document answered %d", code)
			}
			var page struct {
				Count   int              `json:"count"`
				All     []int            `json:"all"`
				Results []map[string]any `json:"results"`
			}
			ngxJSON(t, base, "GET", "/api/trash/", "", true, http.StatusOK, &page)
			if page.Count != 1 || len(page.Results) != 1 || int(page.Results[0]["id"].(float64)) != alpha || page.Results[0]["deleted_at"] == nil {
				t.Fatalf("trash: %+v", page)
			}
			ngxJSONv(t, base, "9", "GET", "/api/trash/", "", http.StatusOK, &page)
			if len(page.All) != 1 || page.All[0] != alpha {
				t.Errorf("v9 trash all: %v", page.All)
			}
			var list struct {
				Count int `json:"count"`
			}
			ngxJSON(t, base, "GET", "/api/documents/", "", true, http.StatusOK, &list)
			if list.Count != 1 {
				t.Errorf("document list counts %d, want 1", list.Count)
			}

			// Restore: back, with its link.
			var res struct {
				Result string `json:"result"`
				DocIDs []int  `json:"doc_ids"`
			}
			ngxJSON(t, base, "POST", "/api/trash/", fmt.Sprintf(`{"action":"restore","documents":[%d]}`, alpha), true, http.StatusOK, &res)
			if res.Result != "OK" || len(res.DocIDs) != 1 || res.DocIDs[0] != alpha {
				t.Errorf("restore: %+v", res)
			}
			if code, _, _ := ngxDo(t, base, "GET", "/share/"+l1.Slug, "", false, nil); code != http.StatusOK {
				t.Errorf("restored document's link answered %d", code)
			}
			waitSearch(t, base, "alpha", 1) // and takes it back
			ngxJSON(t, base, "POST", "/api/trash/", fmt.Sprintf(`{"action":"restore","documents":[%d]}`, alpha), true, http.StatusBadRequest, &bad)
			if got := bad["documents"]; len(got) != 1 || got[0] != "Some documents in the list have not yet been deleted." {
				t.Errorf("restore of a document not in the trash: %v", bad)
			}
			ngxJSON(t, base, "POST", "/api/trash/", `{"action":"burn"}`, true, http.StatusBadRequest, &bad)
			if len(bad["action"]) == 0 {
				t.Errorf("unknown action: %v", bad)
			}

			// GraphQL deleteDocument and REST bulk_edit delete: the trash too.
			if _, body := gql(t, base, fmt.Sprintf(`mutation { deleteDocument(id: %d) }`, alpha), basic); body["errors"] != nil {
				t.Fatalf("deleteDocument: %v", body)
			}
			if code, body, _ := ngxDo(t, base, "POST", "/api/documents/bulk_edit/", fmt.Sprintf(`{"documents":[%d],"method":"delete","parameters":{}}`, note), true, nil); code != http.StatusOK {
				t.Fatalf("bulk_edit delete: %d %s", code, body)
			}
			exist(true, alpha, note)
			_, body2 := gql(t, base, `{ trash { totalCount items { id deletedAt } } }`, basic)
			if tr, _ := body2["data"].(map[string]any)["trash"].(map[string]any); tr == nil || tr["totalCount"].(float64) != 2 {
				t.Fatalf("GraphQL trash: %v", body2)
			}

			// A duplicate of a document in the trash is refused, saying so.
			postDocument(t, base, "again.pdf", "again", pdf)
			var failed map[string]any
			for deadline := time.Now().Add(time.Minute); failed == nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				_, body := gql(t, base, `{ consumptionTasks(states: [FAILED]) { filename message } }`, basic)
				if tasks, _ := body["data"].(map[string]any)["consumptionTasks"].([]any); len(tasks) > 0 {
					failed = tasks[0].(map[string]any)
				}
			}
			if msg, _ := failed["message"].(string); !strings.Contains(msg, "duplicate") || !strings.HasSuffix(msg, "Note: existing document is in the trash.") {
				t.Errorf("duplicate of a trashed document: %v", failed)
			}
			var tasks struct {
				Results []struct {
					Status     string         `json:"status"`
					ResultData map[string]any `json:"result_data"`
				} `json:"results"`
			}
			ngxJSON(t, base, "GET", "/api/tasks/?status=failure", "", true, http.StatusOK, &tasks)
			if len(tasks.Results) != 1 || tasks.Results[0].ResultData["duplicate_in_trash"] != true ||
				int(tasks.Results[0].ResultData["duplicate_of"].(float64)) != alpha {
				t.Errorf("failed task: %+v", tasks)
			}

			// Empty (no list: the whole trash): rows, files and links go.
			ngxJSON(t, base, "POST", "/api/trash/", `{"action":"empty"}`, true, http.StatusOK, &res)
			if len(res.DocIDs) != 2 {
				t.Errorf("empty: %+v", res)
			}
			exist(false, alpha, note)
			ngxJSON(t, base, "GET", "/api/trash/", "", true, http.StatusOK, &page)
			if page.Count != 0 {
				t.Errorf("trash after emptying: %d", page.Count)
			}
			var linkPage struct {
				Count int `json:"count"`
			}
			ngxJSON(t, base, "GET", "/api/share_links/", "", true, http.StatusOK, &linkPage)
			if linkPage.Count != 0 {
				t.Errorf("share links after emptying: %d", linkPage.Count)
			}
		})
	}
}

// waitSearch polls the full-text search until query has want hits (the
// indexer follows the database through the outbox).
func waitSearch(t *testing.T, base, query string, want int) {
	t.Helper()
	var got any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, body := gql(t, base, fmt.Sprintf(`{ search(query: %q) { totalCount } }`, query), func(r *http.Request) { r.SetBasicAuth("admin", "s3cret") })
		if sr, _ := body["data"].(map[string]any)["search"].(map[string]any); sr != nil {
			got = sr["totalCount"]
			if got == float64(want) {
				return
			}
		}
	}
	t.Errorf("search %q: %v hits, want %d", query, got, want)
}

// shareLinkWire is the paperless-ngx share link object.
type shareLinkWire struct {
	ID          int     `json:"id"`
	Slug        string  `json:"slug"`
	Document    int     `json:"document"`
	FileVersion string  `json:"file_version"`
	Expiration  *string `json:"expiration"`
	Created     string  `json:"created"`
}

// ngxDo sends a request in API version 10 (as admin when auth) and returns
// the status, body and headers.
func ngxDo(t *testing.T, base, method, path, body string, auth bool, headers map[string]string) (int, []byte, http.Header) {
	t.Helper()
	return ngxDoV(t, base, "10", method, path, body, auth, headers)
}

func ngxDoV(t *testing.T, base, version, method, path, body string, auth bool, headers map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Accept", "application/json; version="+version)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if auth {
		req.SetBasicAuth("admin", "s3cret")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// ngxJSON sends an authenticated version 10 request, checks the status
// and decodes the JSON answer into out.
func ngxJSON(t *testing.T, base, method, path, body string, auth bool, want int, out any) {
	t.Helper()
	code, b, _ := ngxDo(t, base, method, path, body, auth, nil)
	if code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
}

// ngxJSONv is ngxJSON as admin in the given API version.
func ngxJSONv(t *testing.T, base, version, method, path, body string, want int, out any) {
	t.Helper()
	code, b, _ := ngxDoV(t, base, version, method, path, body, true, nil)
	if code != want {
		t.Fatalf("%s %s (v%s): %d %s, want %d", method, path, version, code, b, want)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
}
