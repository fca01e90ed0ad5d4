package rest_test

import (
	"fmt"
	"testing"
)

// TestGolden pins the JSON of every endpoint (go test ./rest -update
// rewrites testdata/). Both databases must produce the same bytes.
func TestGolden(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		cases := []struct {
			name, method, path string
			body               any
			status             int
			opts               []opt
		}{
			{"root", "GET", "/api/", nil, 200, []opt{anon}},
			{"root_suffix", "GET", "/api/.json", nil, 200, nil},
			{"correspondents", "GET", "/api/correspondents/", nil, 200, nil},
			{"correspondents_ordered", "GET", "/api/correspondents/?ordering=-document_count,name", nil, 200, nil},
			{"correspondent", "GET", fmt.Sprintf("/api/correspondents/%d/", f.corr), nil, 200, nil},
			{"correspondent_patch", "PATCH", fmt.Sprintf("/api/correspondents/%d/", f.corr2), map[string]any{"match": "Bank", "is_insensitive": false}, 200, nil},
			{"correspondent_post", "POST", "/api/correspondents/", map[string]any{"name": "Zürich Versicherung"}, 201, nil},
			{"correspondent_conflict", "POST", "/api/correspondents/", map[string]any{"name": "acme gmbh"}, 400, nil},
			{"correspondent_put_missing_name", "PUT", fmt.Sprintf("/api/correspondents/%d/", f.corr), map[string]any{"match": "x"}, 400, nil},
			{"document_types", "GET", "/api/document_types/", nil, 200, nil},
			{"document_type", "GET", fmt.Sprintf("/api/document_types/%d/", f.typ), nil, 200, nil},
			{"document_type_post", "POST", "/api/document_types/", map[string]any{"name": "Letter", "matching_algorithm": "4", "match": "^Dear"}, 201, nil},
			{"tags", "GET", "/api/tags/", nil, 200, nil},
			{"tags_v2", "GET", "/api/tags/", nil, 200, []opt{v2}},
			{"tag", "GET", fmt.Sprintf("/api/tags/%d/", f.inbox), nil, 200, nil},
			{"tag_post", "POST", "/api/tags/", map[string]any{"name": "blue", "colour": 2}, 201, nil},
			{"tag_post_v2", "POST", "/api/tags/", map[string]any{"name": "grey", "color": "#cccccc"}, 201, []opt{v2}},
			{"tag_bad_colour", "POST", "/api/tags/", map[string]any{"name": "x", "colour": 34}, 400, nil},
			{"documents", "GET", "/api/documents/", nil, 200, nil},
			{"documents_page", "GET", "/api/documents/?page_size=1&page=2&title__icontains=a&ordering=title&unknown=x%20y", nil, 200, nil},
			{"documents_filtered", "GET", fmt.Sprintf("/api/documents/?tags__id__all=%d,%d&ordering=-created", f.t2, f.t3), nil, 200, nil},
			{"documents_fields", "GET", "/api/documents/?fields=id,title,tags", nil, 200, nil},
			{"documents_bad_filters", "GET", "/api/documents/?archive_serial_number__gt=x&created__date__gt=2020-13-01&created__gt=2020-01-01&correspondent__id__in=1,a", nil, 400, nil},
			{"document", "GET", fmt.Sprintf("/api/documents/%d/", f.doc1), nil, 200, nil},
			{"document_patch", "PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"title": "Kontoauszug", "correspondent": f.corr2, "tags": []int{f.t3, f.t2}, "archive_serial_number": 7}, 200, nil},
			{"document_put_missing", "PUT", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"title": "x"}, 400, nil},
			{"document_bad_refs", "PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"correspondent": 999, "tags": "1"}, 400, nil},
			{"document_bad_pk", "PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"correspondent": 999}, 400, nil},
			{"document_missing", "GET", "/api/documents/999/", nil, 404, nil},
			{"documents_post", "POST", "/api/documents/", map[string]any{}, 405, nil},
			{"bulk_edit", "POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc1, f.doc3}, "method": "add_tag", "parameters": map[string]any{"tag": f.t3}}, 200, nil},
			{"bulk_edit_bad_method", "POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc1}, "method": "exterminate", "parameters": map[string]any{}}, 400, nil},
			{"selection_data", "POST", "/api/documents/selection_data/", map[string]any{"documents": []int{f.doc2, f.doc3}}, 200, nil},
			{"saved_views", "GET", "/api/saved_views/", nil, 200, nil},
			{"saved_view_post", "POST", "/api/saved_views/", map[string]any{"name": "Tax", "show_on_dashboard": false, "show_in_sidebar": true, "filter_rules": []any{}}, 201, nil},
			{"saved_view_missing_fields", "POST", "/api/saved_views/", map[string]any{"name": "x"}, 400, nil},
			{"logs", "GET", "/api/logs/", nil, 200, nil},
			{"log_lines", "GET", "/api/logs/paperless/", nil, 200, nil},
			{"log_missing", "GET", "/api/logs/nope/", nil, 404, nil},
			{"statistics", "GET", "/api/statistics/", nil, 200, nil},
			{"token_bad", "POST", "/api/token/", map[string]any{"username": "admin", "password": "nope"}, 400, []opt{anon}},
			{"token_missing", "POST", "/api/token/", map[string]any{}, 400, []opt{anon}},
			{"options", "OPTIONS", "/api/tags/", nil, 200, nil},
			{"unauthenticated", "GET", "/api/tags/", nil, 401, []opt{anon}},
			{"wrong_password", "GET", "/api/tags/", nil, 401, []opt{basic("admin", "nope")}},
			{"not_found", "GET", "/api/nothing/", nil, 404, nil},
			{"invalid_page", "GET", "/api/tags/?page=9", nil, 404, nil},
			{"bad_version", "GET", "/api/tags/", nil, 406, []opt{header("Accept", "application/json; version=11")}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				rec := e.do(c.method, c.path, c.body, c.opts...)
				golden(t, c.name, e.want(rec, c.status))
			})
		}
		t.Run("schema", func(t *testing.T) {
			e := e.with(t)
			golden(t, "schema", e.want(e.do("GET", "/api/schema/", nil), 200))
		})
	})
}
