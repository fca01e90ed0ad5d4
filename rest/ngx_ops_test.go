package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
)

func ngx(v string) opt { return header("Accept", "application/json; version="+v) }

// docTags reads a document's tags from the store.
func docTags(t *testing.T, e *env, id int) []int {
	t.Helper()
	ids, err := e.st.TagIDsByDocuments(context.Background(), []int{id})
	if err != nil {
		t.Fatal(err)
	}
	return ids[id]
}

// TestNgxBulkEdit: paperless-ngx's bulk edit takes `all` with the list's
// filters, validates the methods whose data Quire does not hold yet the
// way paperless-ngx does, and refuses the PDF operations with a clear
// 400; the 1.x dialect keeps refusing the ngx-only names.
func TestNgxBulkEdit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		bulk := func(v string, body map[string]any) (int, string) {
			rec := e.do("POST", "/api/documents/bulk_edit/", body, ngx(v))
			return rec.Code, strings.TrimSpace(rec.Body.String())
		}
		// all + filters: documents whose title contains "bank" get t3.
		code, body := bulk("10", map[string]any{"all": true, "filters": map[string]any{"title__icontains": "bank"},
			"method": "add_tag", "parameters": map[string]any{"tag": f.t3}})
		if code != 200 || body != `{"result":"OK"}` {
			t.Fatalf("all+filters add_tag: %d %s", code, body)
		}
		if !slices.Contains(docTags(t, e, f.doc2), f.t3) || slices.Contains(docTags(t, e, f.doc1), f.t3) {
			t.Fatalf("filters not applied: doc1 %v doc2 %v", docTags(t, e, f.doc1), docTags(t, e, f.doc2))
		}
		// a list filter as a JSON list
		code, body = bulk("9", map[string]any{"all": true, "filters": map[string]any{"id__in": []int{f.doc1, f.doc3}},
			"method": "remove_tag", "parameters": map[string]any{"tag": f.t3}})
		if code != 200 || slices.Contains(docTags(t, e, f.doc3), f.t3) || !slices.Contains(docTags(t, e, f.doc2), f.t3) {
			t.Fatalf("id__in filter: %d %s doc3 %v", code, body, docTags(t, e, f.doc3))
		}
		if code, body = bulk("10", map[string]any{"all": true, "filters": map[string]any{"created__date__gt": "soon"},
			"method": "add_tag", "parameters": map[string]any{"tag": f.t3}}); code != 400 || !strings.Contains(body, `"filters"`) {
			t.Fatalf("bad filter: %d %s", code, body)
		}
		for _, c := range []struct {
			name   string
			method string
			params map[string]any
			status int
			want   string
		}{
			{"storage path missing", "set_storage_path", map[string]any{"storage_path": 7}, 400, `{"non_field_errors":["Storage path does not exist"]}`},
			{"storage path cleared", "set_storage_path", map[string]any{"storage_path": nil}, 200, `{"result":"OK"}`},
			{"storage path unnamed", "set_storage_path", map[string]any{}, 400, `{"non_field_errors":["storage_path not specified"]}`},
			{"custom fields missing", "modify_custom_fields", map[string]any{"add_custom_fields": []int{3}, "remove_custom_fields": []int{}}, 400,
				`{"non_field_errors":["Some custom fields don't exist or were specified twice."]}`},
			{"custom fields as dict", "modify_custom_fields", map[string]any{"add_custom_fields": map[string]any{"3": "x"}, "remove_custom_fields": []int{}}, 400,
				`{"non_field_errors":["Some custom fields don't exist or were specified twice."]}`},
			{"custom fields none", "modify_custom_fields", map[string]any{"add_custom_fields": []int{}, "remove_custom_fields": []int{}}, 200, `{"result":"OK"}`},
			{"custom fields half", "modify_custom_fields", map[string]any{"add_custom_fields": []int{}}, 400, `{"non_field_errors":["remove_custom_fields not specified"]}`},
			{"owner missing", "set_permissions", map[string]any{"owner": 999}, 400, `{"non_field_errors":["Specified owner cannot be found"]}`},
			{"permissions ok", "set_permissions", map[string]any{"owner": e.admin.ID, "set_permissions": map[string]any{"view": map[string]any{"users": []int{e.other.ID}, "groups": []int{}}}, "merge": true}, 200, `{"result":"OK"}`},
			{"permissions group", "set_permissions", map[string]any{"set_permissions": map[string]any{"change": map[string]any{"users": []int{}, "groups": []int{1}}}}, 400,
				`{"non_field_errors":["Some groups in set_permissions don't exist or were specified twice."]}`},
			{"rotate", "rotate", map[string]any{"degrees": 90}, 400, `{"method":["rotate is not supported by this server yet"]}`},
			{"merge", "merge", map[string]any{}, 400, `{"method":["merge is not supported by this server yet"]}`},
			{"reprocess", "reprocess", map[string]any{}, 400, `{"method":["reprocess is not supported by this server yet"]}`},
			{"split", "split", map[string]any{"pages": "1,2"}, 400, `{"method":["split is not supported by this server yet"]}`},
			{"delete_pages", "delete_pages", map[string]any{"pages": []int{1}}, 400, `{"method":["delete_pages is not supported by this server yet"]}`},
			{"edit_pdf", "edit_pdf", map[string]any{"operations": []any{}}, 400, `{"method":["edit_pdf is not supported by this server yet"]}`},
			{"remove_password", "remove_password", map[string]any{"password": "x"}, 400, `{"method":["remove_password is not supported by this server yet"]}`},
		} {
			code, body := bulk("10", map[string]any{"documents": []int{f.doc1}, "method": c.method, "parameters": c.params})
			if code != c.status || body != c.want {
				t.Errorf("%s: %d %s, want %d %s", c.name, code, body, c.status, c.want)
			}
		}
		// Missing documents are still refused first.
		if code, body = bulk("10", map[string]any{"documents": []int{999}, "method": "set_storage_path", "parameters": map[string]any{"storage_path": nil}}); code != 400 || !strings.Contains(body, "documents") {
			t.Errorf("missing document: %d %s", code, body)
		}
		// 1.x knows none of ngx's names and ignores all.
		rec := e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc1}, "method": "rotate", "parameters": map[string]any{}}, v2)
		if rec.Code != 400 || strings.TrimSpace(rec.Body.String()) != `{"method":["\"rotate\" is not a valid choice."]}` {
			t.Errorf("v2 rotate: %d %s", rec.Code, rec.Body)
		}
		rec = e.do("POST", "/api/documents/bulk_edit/", map[string]any{"all": true, "method": "add_tag", "parameters": map[string]any{"tag": f.t3}}, v2)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"documents"`) {
			t.Errorf("v2 all: %d %s", rec.Code, rec.Body)
		}
		// all without filters: every document; delete really deletes.
		if code, body = bulk("10", map[string]any{"all": true, "method": "delete", "parameters": map[string]any{}}); code != 200 {
			t.Fatalf("all delete: %d %s", code, body)
		}
		if n, err := e.st.DocumentIDs(context.Background(), store.DocumentFilter{}, nil); err != nil || len(n) != 0 {
			t.Fatalf("documents left after all delete: %v %v", n, err)
		}
	})
}

// TestNgxBulkEditObjects: delete removes the objects (and their use on
// documents); set_permissions is validated and changes nothing; bad
// input is paperless-ngx's 400.
func TestNgxBulkEditObjects(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		post := func(body map[string]any) (int, string) {
			rec := e.do("POST", "/api/bulk_edit_objects/", body, ngx("10"))
			return rec.Code, strings.TrimSpace(rec.Body.String())
		}
		for _, c := range []struct {
			body   map[string]any
			status int
			want   string
		}{
			{map[string]any{"objects": []int{}, "object_type": "tags", "operation": "delete"}, 400, `{"non_field_errors":["objects must not be empty"]}`},
			{map[string]any{"objects": []int{f.t2, 999}, "object_type": "tags", "operation": "delete"}, 400, `{"objects":["Some tags don't exist or were specified twice."]}`},
			{map[string]any{"objects": []int{f.t2, f.t2}, "object_type": "tags", "operation": "delete"}, 400, `{"objects":["Some tags don't exist or were specified twice."]}`},
			{map[string]any{"objects": []int{1}, "object_type": "storage_paths", "operation": "delete"}, 400, `{"objects":["Some storage_paths don't exist or were specified twice."]}`},
			{map[string]any{"objects": []int{1}, "object_type": "mail", "operation": "delete"}, 400, `{"object_type":["\"mail\" is not a valid choice."]}`},
			{map[string]any{"objects": []int{1}, "object_type": "tags"}, 400, `{"operation":["This field is required."]}`},
			{map[string]any{"objects": []int{f.corr}, "object_type": "correspondents", "operation": "set_permissions", "owner": 999}, 400, `{"non_field_errors":["Specified owner cannot be found"]}`},
			{map[string]any{"objects": []int{f.corr}, "object_type": "correspondents", "operation": "set_permissions", "owner": e.other.ID,
				"permissions": map[string]any{"view": map[string]any{"users": []int{e.admin.ID}}}, "merge": true}, 200, `{"result":"OK"}`},
		} {
			if code, body := post(c.body); code != c.status || body != c.want {
				t.Errorf("%v: %d %s, want %d %s", c.body, code, body, c.status, c.want)
			}
		}
		if code, body := post(map[string]any{"objects": []int{f.t2, f.t3}, "object_type": "tags", "operation": "delete"}); code != 200 {
			t.Fatalf("delete tags: %d %s", code, body)
		}
		if tags := docTags(t, e, f.doc3); len(tags) != 0 {
			t.Fatalf("doc3 keeps deleted tags %v", tags)
		}
		if code, body := post(map[string]any{"objects": []int{f.corr}, "object_type": "correspondents", "operation": "delete"}); code != 200 {
			t.Fatalf("delete correspondent: %d %s", code, body)
		}
		if d, _ := e.st.Document(context.Background(), f.doc1); d.CorrespondentID != nil {
			t.Fatalf("doc1 keeps its deleted correspondent")
		}
		keep := e.mustCreate("POST", "/api/document_types/", map[string]any{"name": "Receipt"})
		if code, body := post(map[string]any{"all": true, "filters": map[string]any{"name__icontains": "voic"}, "object_type": "document_types", "operation": "delete"}); code != 200 {
			t.Fatalf("delete filtered types: %d %s", code, body)
		}
		if ids, _ := e.st.DocumentTypeIDs(context.Background(), store.NameFilter{}, nil); len(ids) != 1 || ids[0] != keep {
			t.Fatalf("filters not applied: types left %v", ids)
		}
		if code, body := post(map[string]any{"all": true, "filters": "x", "object_type": "document_types", "operation": "delete"}); code != 400 {
			t.Fatalf("bad filters: %d %s", code, body)
		}
		if code, body := post(map[string]any{"all": true, "object_type": "document_types", "operation": "delete"}); code != 200 {
			t.Fatalf("delete all types: %d %s", code, body)
		}
		if ids, _ := e.st.DocumentTypeIDs(context.Background(), store.NameFilter{}, nil); len(ids) != 0 {
			t.Fatalf("types left %v", ids)
		}
		rec := e.do("POST", "/api/bulk_edit_objects/", map[string]any{}, ngx("9"))
		if want := `{"object_type":["This field is required."],"objects":["This field is required."],"operation":["This field is required."]}`; rec.Code != 400 || strings.TrimSpace(rec.Body.String()) != want {
			t.Fatalf("empty body: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestNgxGlobalSearch: /api/search/ in versions 9 and 10 is the object
// search with §13.4's keys, three hits a kind at most; 1.x keeps the
// full-text search at the same URL.
func TestNgxGlobalSearch(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		for i := range 4 {
			e.mustCreate("POST", "/api/tags/", map[string]any{"name": fmt.Sprintf("banking %d", i)})
		}
		e.reindex()
		var out map[string]any
		body := e.want(e.do("GET", "/api/search/?query=bank", nil, ngx("10")), 200)
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		keys := []string{"total", "documents", "saved_views", "tags", "correspondents", "document_types", "storage_paths",
			"users", "groups", "mail_rules", "mail_accounts", "workflows", "custom_fields"}
		for _, k := range keys {
			if _, ok := out[k]; !ok {
				t.Errorf("no %s in %s", k, body)
			}
		}
		n := func(k string) int { l, _ := out[k].([]any); return len(l) }
		if n("tags") != 3 || n("correspondents") != 1 || n("documents") != 2 || n("users") != 0 {
			t.Fatalf("hits: %s", body)
		}
		if out["total"] != float64(n("tags")+n("correspondents")+n("documents")) {
			t.Fatalf("total %v: %s", out["total"], body)
		}
		doc := out["documents"].([]any)[0].(map[string]any)
		if _, ok := doc["custom_fields"]; !ok {
			t.Fatalf("documents not in the v10 document shape: %v", doc)
		}
		corr := out["correspondents"].([]any)[0].(map[string]any)
		if corr["id"] != float64(f.corr2) {
			t.Fatalf("correspondent %v", corr)
		}
		// db_only matches titles only: "statement" is in doc2's title.
		e.want(e.do("GET", "/api/search/?query=account&db_only=true", nil, ngx("9")), 200)
		body = e.want(e.do("GET", "/api/search/?query=account&db_only=true", nil, ngx("9")), 200)
		json.Unmarshal(body, &out)
		if n("documents") != 0 {
			t.Fatalf("db_only searched content: %s", body)
		}
		body = e.want(e.do("GET", "/api/search/?query=adm", nil, ngx("9")), 200)
		json.Unmarshal(body, &out)
		if n("users") != 1 || n("saved_views") != 0 {
			t.Fatalf("users: %s", body)
		}
		for q, want := range map[string]string{"": "Query required", "ab": "Query must be at least 3 characters"} {
			rec := e.do("GET", "/api/search/?query="+q, nil, ngx("10"))
			if rec.Code != 400 || strings.TrimSpace(rec.Body.String()) != want {
				t.Errorf("query %q: %d %s", q, rec.Code, rec.Body)
			}
		}
		// 1.x: the full-text page at the same URL.
		body = e.want(e.do("GET", "/api/search/?query=bank", nil, v2), 200)
		if !strings.Contains(string(body), `"results"`) {
			t.Fatalf("v2 search: %s", body)
		}
	})
}

// TestNgxSuggestionsAndMetadata: v9/v10 suggestions add storage paths
// and the content's dates; metadata adds original_filename and lang and
// drops the paperless__ keys, which 1.x keeps.
func TestNgxSuggestionsAndMetadata(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		content := "Invoice of 12.03.2021, due 01.04.2021; again 12.03.2021 and 05.05.2022 and 06.06.2022"
		if _, err := e.st.UpdateDocument(ctx, f.doc2, store.DocumentUpdate{Content: &content}); err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		json.Unmarshal(e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/suggestions/", f.doc2), nil, ngx("10")), 200), &s)
		if fmt.Sprint(s["dates"]) != "[2021-03-12 2021-04-01 2022-05-05]" || fmt.Sprint(s["storage_paths"]) != "[]" {
			t.Fatalf("v10 suggestions %v", s)
		}
		s = nil
		json.Unmarshal(e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/suggestions/", f.doc2), nil, v2), 200), &s)
		if _, ok := s["dates"]; ok {
			t.Fatalf("v2 suggestions have dates: %v", s)
		}
		rec := e.do("GET", fmt.Sprintf("/api/documents/%d/metadata/", f.doc2), nil, ngx("9"))
		if rec.Code != 200 {
			t.Skipf("metadata needs the stored file: %d %s", rec.Code, rec.Body)
		}
		var m map[string]any
		json.Unmarshal(rec.Body.Bytes(), &m)
		if m["original_filename"] != "bank statement.pdf" || m["lang"] != "en" || m["paperless__checksum"] != nil {
			t.Fatalf("v9 metadata %v", m)
		}
		m = nil
		json.Unmarshal(e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/metadata/", f.doc2), nil, v2), 200), &m)
		if _, ok := m["paperless__checksum"]; !ok || m["lang"] != nil {
			t.Fatalf("v2 metadata %v", m)
		}
	})
}
