package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/quirehq/quire/store"
)

// TestNgxGlobalSearchStoragePathsCustomFields: /api/search/ lists storage
// paths and custom fields whose name contains the query, three of a kind
// at most, in their own object shapes and counted in total; a
// non-superuser sees only those visible to them, and none of a kind
// without its view_ permission. Both databases.
func TestNgxGlobalSearchStoragePathsCustomFields(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		str := func(s string) *string { return &s }
		text := store.FieldString
		for i := range 4 { // owned by the admin
			e.want(e.do("POST", "/api/storage_paths/", map[string]any{"name": fmt.Sprintf("Bankpath %d", i), "path": "bank/{{ title }}"}, ngx("10")), 201)
		}
		if _, err := e.st.CreateStoragePath(ctx, store.StoragePathInput{Name: str("Bankpath shared"), Path: str("shared/{{ title }}")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: str("Bankfield own"), DataType: &text, OwnerID: &e.admin.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: str("Bankfield shared"), DataType: &text}); err != nil {
			t.Fatal(err)
		}
		search := func(opts ...opt) (map[string]any, func(string) []any) {
			t.Helper()
			var out map[string]any
			body := e.want(e.do("GET", "/api/search/?query=bankpath", nil, opts...), 200)
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			var f map[string]any
			json.Unmarshal(e.want(e.do("GET", "/api/search/?query=bankfield", nil, opts...), 200), &f)
			return out, func(k string) []any {
				src := out
				if k == "custom_fields" {
					src = f
				}
				l, ok := src[k].([]any)
				if !ok {
					t.Fatalf("%s is not a list: %v", k, src[k])
				}
				return l
			}
		}
		out, list := search(ngx("10"))
		if len(list("storage_paths")) != 3 || out["total"] != float64(3) || len(list("custom_fields")) != 2 {
			t.Fatalf("superuser: %v; custom fields %v", out, list("custom_fields"))
		}
		sp := list("storage_paths")[0].(map[string]any)
		if _, ok := sp["document_count"]; !ok || sp["path"] == nil {
			t.Fatalf("storage path not in its object shape: %v", sp)
		}
		if cf := list("custom_fields")[0].(map[string]any); cf["data_type"] != "string" {
			t.Fatalf("custom field not in its object shape: %v", cf)
		}

		if err := e.st.CreateGroup(ctx, &store.Group{Name: "Bankpath clerks"}, nil); err != nil {
			t.Fatal(err)
		}
		out, _ = search(ngx("10"))
		if g, _ := out["groups"].([]any); len(g) != 1 || g[0].(map[string]any)["name"] != "Bankpath clerks" || out["total"] != float64(4) {
			t.Fatalf("superuser's groups: %v", out)
		}
		u := e.user("uma", "uma-pw", false)
		if err := e.st.SetUserPermissions(ctx, u.ID, []string{"view_document", "view_storagepath", "view_customfield"}); err != nil {
			t.Fatal(err)
		}
		_, list = search(ngx("10"), basic("uma", "uma-pw"))
		if l := list("storage_paths"); len(l) != 1 || l[0].(map[string]any)["name"] != "Bankpath shared" || len(list("groups")) != 0 {
			t.Fatalf("uma's storage paths: %v", l)
		}
		if l := list("custom_fields"); len(l) != 1 || l[0].(map[string]any)["name"] != "Bankfield shared" {
			t.Fatalf("uma's custom fields: %v", l)
		}
		ivy := e.user("ivy", "ivy-pw", false)
		if err := e.st.SetUserPermissions(ctx, ivy.ID, []string{"view_document"}); err != nil {
			t.Fatal(err)
		}
		_, list = search(ngx("10"), basic("ivy", "ivy-pw"))
		if len(list("storage_paths")) != 0 || len(list("custom_fields")) != 0 {
			t.Fatalf("without view_ permissions: %v %v", list("storage_paths"), list("custom_fields"))
		}
	})
}
