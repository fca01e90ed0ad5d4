package rest_test

import (
	"fmt"
	"testing"
)

// TestNGXDocumentPutNeedsStoragePath: paperless-ngx's PUT of a document
// needs storage_path beside correspondent, document_type and tags (NGX
// §6.2); null is a value; PATCH and version 2's PUT do without it.
func TestNGXDocumentPutNeedsStoragePath(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		path := fmt.Sprintf("/api/documents/%d/", f.doc1)
		full := map[string]any{"title": "Put", "correspondent": nil, "document_type": nil, "tags": []int{}}
		for _, v := range []string{"9", "10"} {
			got := string(e.want(e.do("PUT", path, full, version(v)), 400))
			if want := `{"storage_path":["This field is required."]}`; got != want {
				t.Fatalf("v%s PUT without storage_path: %s, want %s", v, got, want)
			}
			got = string(e.want(e.do("PUT", path, map[string]any{"title": "Put"}, version(v)), 400))
			if want := `{"correspondent":["This field is required."],"document_type":["This field is required."],"storage_path":["This field is required."],"tags":["This field is required."]}`; got != want {
				t.Fatalf("v%s PUT with title only: %s", v, got)
			}
		}
		withPath := map[string]any{"title": "Put", "correspondent": nil, "document_type": nil, "tags": []int{}, "storage_path": nil}
		e.want(e.do("PUT", path, withPath, version("10")), 200)
		e.want(e.do("PATCH", path, map[string]any{"title": "Patched"}, version("10")), 200)
		e.want(e.do("PUT", path, full, version("2")), 200)
	})
}
