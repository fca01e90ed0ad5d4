package rest_test

import (
	"fmt"
	"net/http"
	"testing"
)

func version(v string) opt { return header("Accept", "application/json; version="+v) }

// TestNGXDataModelEmpty: custom fields, notes, storage paths, share
// links and trash, which Quire does not have yet, answer empty in the paperless-ngx shapes (v9 with "all"),
// never 404 for a list; an id or a missing document is 404, a create is
// 405, and an unauthenticated request 401.
func TestNGXDataModelEmpty(t *testing.T) {
	e := newEnv(t, "sqlite")
	f := e.seed()
	for v, want := range map[string]string{
		"10": `{"count":0,"next":null,"previous":null,"results":[]}`,
		"9":  `{"count":0,"next":null,"previous":null,"all":[],"results":[]}`,
	} {
		for _, path := range []string{"/api/custom_fields/", "/api/custom_fields/?name__icontains=amount&page_size=100000",
			"/api/storage_paths/", "/api/storage_paths/?page_size=100000", "/api/share_links/", "/api/trash/"} {
			if got := string(e.want(e.do("GET", path, nil, version(v)), 200)); got != want {
				t.Errorf("v%s %s: %s, want %s", v, path, got, want)
			}
		}
		e.want(e.do("GET", "/api/custom_fields/?page=2", nil, version(v)), 404)
		for _, path := range []string{"/api/custom_fields/1/", "/api/storage_paths/1/", "/api/share_links/1/"} {
			e.want(e.do("GET", path, nil, version(v)), 404)
		}
		for _, sub := range []string{"notes", "share_links"} {
			if got := string(e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/%s/", f.doc1, sub), nil, version(v)), 200)); got != "[]" {
				t.Errorf("v%s %s: %s", v, sub, got)
			}
			e.want(e.do("GET", "/api/documents/999999/"+sub+"/", nil, version(v)), 404)
		}
		e.want(e.do("GET", "/api/custom_fields/", nil, version(v), anon), http.StatusUnauthorized)
	}
	// next_asn: 1 with no ASN, then the highest plus one.
	if got := string(e.want(e.do("GET", "/api/documents/next_asn/", nil, version("10")), 200)); got != "1" {
		t.Errorf("next_asn without ASNs: %s", got)
	}
	e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"archive_serial_number": 41}, version("10")), 200)
	if got := string(e.want(e.do("GET", "/api/documents/next_asn/", nil, version("9")), 200)); got != "42" {
		t.Errorf("next_asn after ASN 41: %s", got)
	}
	// A route only paperless-ngx has serves a request without a version as 10 (NGX.md D1).
	if got := string(e.want(e.do("GET", "/api/custom_fields/", nil), 200)); got != `{"count":0,"next":null,"previous":null,"results":[]}` {
		t.Errorf("no version: %s", got)
	}
}
