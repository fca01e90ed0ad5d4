package rest_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	docfixture "github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
)

// part is one multipart form part: a file when filename is set.
type part struct {
	name, filename string
	data           []byte
}

// multipartBody encodes parts and returns the body and its Content-Type.
func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			var w interface{ Write([]byte) (int, error) }
			if w, err = mw.CreateFormFile(p.name, p.filename); err == nil {
				_, err = w.Write(p.data)
			}
		} else {
			err = mw.WriteField(p.name, string(p.data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// upload posts parts to post_document as admin.
func (e *env) upload(parts ...part) *httptest.ResponseRecorder {
	e.t.Helper()
	body, ct := multipartBody(e.t, parts...)
	req := httptest.NewRequest("POST", "http://testserver/api/documents/post_document/", body)
	req.Header.Set("Content-Type", ct)
	req.SetBasicAuth("admin", adminPassword)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func field(name, value string) part { return part{name: name, data: []byte(value)} }

var zipFile = []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00a" +
	"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// TestPostDocument covers paperless's upload tests (API §15.1 items
// 15-18, §15.2 item 11): what is queued, with which overrides, and that
// nothing is queued on an error.
func TestPostDocument(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		pdf := docfixture.PDF(12, "Invoice from ACME")
		tasks := func() []store.ConsumptionTask {
			ts, err := e.st.ConsumptionTasks(context.Background(), store.TaskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		doc := func(name string) part { return part{name: "document", filename: name, data: pdf} }
		cases := []struct {
			name   string
			parts  []part
			status int
			check  func(t *testing.T, task store.ConsumptionTask)
		}{
			{"Simple", []part{doc("simple.pdf")}, 200, func(t *testing.T, task store.ConsumptionTask) {
				if task.OriginalFilename != "simple.pdf" || task.Title != nil || task.CorrespondentID != nil || task.DocumentTypeID != nil || len(task.TagIDs()) != 0 {
					t.Errorf("task %+v", task)
				}
			}},
			{"EmptyOverrides", []part{doc("empty.pdf"), field("title", ""), field("correspondent", ""), field("document_type", "")}, 200, func(t *testing.T, task store.ConsumptionTask) {
				if task.Title != nil || task.CorrespondentID != nil || task.DocumentTypeID != nil {
					t.Errorf("empty overrides must be null: %+v", task)
				}
			}},
			{"Overrides", []part{doc("over.pdf"), field("title", "my title"), field("correspondent", fmt.Sprint(f.corr)),
				field("document_type", fmt.Sprint(f.typ)), field("tags", fmt.Sprint(f.t2)), field("tags", fmt.Sprint(f.t3))}, 200,
				func(t *testing.T, task store.ConsumptionTask) {
					if task.Title == nil || *task.Title != "my title" || task.CorrespondentID == nil || *task.CorrespondentID != f.corr ||
						task.DocumentTypeID == nil || *task.DocumentTypeID != f.typ || fmt.Sprint(task.TagIDs()) != fmt.Sprint([]int{f.t2, f.t3}) {
						t.Errorf("overrides not passed: %+v", task)
					}
				}},
			{"ErrMisnamedField", []part{{name: "documenst", filename: "simple.pdf", data: pdf}}, 400, nil},
			{"ErrZip", []part{{name: "document", filename: "archive.zip", data: zipFile}}, 400, nil},
			{"ErrSuspiciousFilename", []part{doc("aux.pdf")}, 400, nil},
			{"ErrEmptyFile", []part{{name: "document", filename: "empty.pdf", data: nil}}, 400, nil},
			{"ErrCorrespondent", []part{doc("x.pdf"), field("correspondent", "3456")}, 400, nil},
			{"ErrDocumentType", []part{doc("x.pdf"), field("document_type", "3456")}, 400, nil},
			{"ErrTag", []part{doc("x.pdf"), field("tags", fmt.Sprint(f.t2)), field("tags", "734563")}, 400, nil},
			{"ErrCorrespondentNotPk", []part{doc("x.pdf"), field("correspondent", "acme")}, 400, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				before := len(tasks())
				body := e.want(e.upload(c.parts...), c.status)
				after := tasks()
				if c.status != 200 {
					if len(after) != before {
						t.Fatalf("a failed upload queued a task")
					}
					golden(t, "post_document_"+c.name, body)
					return
				}
				if string(body) != `"OK"` {
					t.Fatalf("body %s", body)
				}
				if len(after) != before+1 {
					t.Fatalf("%d tasks queued, want 1", len(after)-before)
				}
				c.check(t, after[0])
			})
		}
		t.Run("ErrNotMultipart", func(t *testing.T) {
			e := e.with(t)
			golden(t, "post_document_json", e.want(e.do("POST", "/api/documents/post_document/", map[string]any{"document": "x"}), 415))
		})
		t.Run("ErrGet", func(t *testing.T) {
			e := e.with(t)
			e.want(e.do("GET", "/api/documents/post_document/", nil), 405)
			e.want(e.do("GET", "/api/documents/post_document/", nil, anon), 401)
		})
	})
}

// TestDocumentFilesWithoutFiles pins the file endpoints of documents
// whose files are missing (API §15.1 item 6, §15.2 items 12, 13).
func TestDocumentFilesWithoutFiles(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		cases := []struct {
			name, method, path string
			body               any
			status             int
		}{
			{"metadata_no_files", "GET", fmt.Sprintf("/api/documents/%d/metadata/", f.doc1), nil, 200},
			{"metadata_missing", "GET", "/api/documents/999/metadata/", nil, 404},
			{"suggestions_none", "GET", fmt.Sprintf("/api/documents/%d/suggestions/", f.doc2), nil, 200},
			{"suggestions_missing", "GET", "/api/documents/999/suggestions/", nil, 404},
			{"download_no_file", "GET", fmt.Sprintf("/api/documents/%d/download/", f.doc1), nil, 404},
			{"preview_no_file", "GET", fmt.Sprintf("/api/documents/%d/preview/?original=true", f.doc1), nil, 404},
			{"thumb_no_file", "GET", fmt.Sprintf("/api/documents/%d/thumb/", f.doc1), nil, 404},
			{"download_missing", "GET", "/api/documents/999/download/", nil, 404},
			{"bulk_download_bad", "POST", "/api/documents/bulk_download/", map[string]any{"documents": []int{f.doc1}, "content": "all", "compression": "rar"}, 400},
			{"bulk_download_unknown", "POST", "/api/documents/bulk_download/", map[string]any{"documents": []int{f.doc1, 999}}, 400},
			{"bulk_download_no_file", "POST", "/api/documents/bulk_download/", map[string]any{"documents": []int{f.doc1}}, 404},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				golden(t, c.name, e.want(e.do(c.method, c.path, c.body), c.status))
			})
		}
	})
}

// TestLegacyRedirects covers §8.5: 302 for any method without
// authentication, the query dropped, anchored patterns.
func TestLegacyRedirects(t *testing.T) {
	e := newEnv(t, "sqlite")
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/fetch/doc/12?x=1", "/api/documents/12/download/"},
		{"DELETE", "/fetch/thumb/7", "/api/documents/7/thumb/"},
		{"HEAD", "/fetch/preview/3", "/api/documents/3/preview/"},
		{"POST", "/push?a=b", "/api/documents/post_document/"},
		{"OPTIONS", "/push", "/api/documents/post_document/"},
	} {
		rec := e.do(c.method, c.path, nil, anon)
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != c.want {
			t.Errorf("%s %s: %d %q, want 302 %q", c.method, c.path, rec.Code, rec.Header().Get("Location"), c.want)
		}
	}
	for _, p := range []string{"/fetch/doc/12/", "/fetch/doc/abc", "/push/"} {
		if rec := e.do("GET", p, nil, anon); rec.Code == http.StatusFound {
			t.Errorf("%s must not redirect", p)
		}
	}
}
