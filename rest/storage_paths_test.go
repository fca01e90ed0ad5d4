package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

type storagePathOut struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Path              string `json:"path"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	DocumentCount     *int   `json:"document_count"`
	Owner             *int   `json:"owner"`
	UserCanChange     *bool  `json:"user_can_change"`
	Permissions       *any   `json:"permissions"`
}

// TestStoragePaths: /api/storage_paths/ in paperless-ngx's shape — create
// (old {variable} templates converted), bad templates as 400 on path,
// list with filters, ordering, document_count and the v9 `all`, detail,
// PUT/PATCH/DELETE, the test endpoint; a document's storage_path written
// by PATCH and bulk_edit, its filters, and statistics; on both databases.
func TestStoragePaths(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		v10 := version("10")
		created := decode[storagePathOut](t, e.want(e.do("POST", "/api/storage_paths/",
			map[string]any{"name": "Invoices", "path": "{correspondent}/{created_year}/{title}", "match": "invoice", "matching_algorithm": 1}, v10), 201))
		if created.Path != "{{ correspondent }}/{{ created_year }}/{{ title }}" || created.Slug != "invoices" || created.DocumentCount != nil ||
			created.Owner == nil || *created.Owner != e.admin.ID {
			t.Errorf("created %+v", created)
		}
		keys := ngxKeys(t, e.want(e.do("GET", fmt.Sprintf("/api/storage_paths/%d/", created.ID), nil, v10), 200))
		if want := []string{"id", "slug", "name", "path", "match", "matching_algorithm", "is_insensitive", "document_count", "owner", "user_can_change"}; !slices.Equal(keys, want) {
			t.Errorf("keys %v, want %v", keys, want)
		}
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"name": "x", "path": "{{ nope }}"}, `{"path":["Invalid variable detected."]}`},
			{map[string]any{"name": "x", "path": "/etc/{{ title }}"}, `{"path":["The path must stay inside the media folder (no absolute path, no \"..\")."]}`},
			{map[string]any{"name": "x", "path": "../{{ title }}"}, `{"path":["The path must stay inside the media folder (no absolute path, no \"..\")."]}`},
			{map[string]any{"name": "x", "path": " / "}, `{"path":["The path must not be empty."]}`},
			{map[string]any{"name": "x"}, `{"path":["This field is required."]}`},
			{map[string]any{"name": "invoices", "path": "a"}, `{"name":["storage path with this name already exists."]}`},
		} {
			if got := string(e.want(e.do("POST", "/api/storage_paths/", c.body, v10), 400)); got != c.want {
				t.Errorf("%v: %s, want %s", c.body, got, c.want)
			}
		}
		bank := decode[storagePathOut](t, e.want(e.do("POST", "/api/storage_paths/", map[string]any{"name": "Bank", "path": "bank/{{ title }}", "owner": nil}, v10), 201))
		if bank.Owner != nil {
			t.Errorf("explicit null owner: %v", *bank.Owner)
		}

		// Documents get a path by PATCH and by bulk_edit.
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"storage_path": created.ID}, v10), 200)
		var doc struct {
			StoragePath *int `json:"storage_path"`
		}
		e.get(fmt.Sprintf("/api/documents/%d/", f.doc1), &doc, v10)
		if doc.StoragePath == nil || *doc.StoragePath != created.ID {
			t.Fatalf("document storage_path %v", doc.StoragePath)
		}
		var sel struct {
			Paths []struct {
				ID            int `json:"id"`
				DocumentCount int `json:"document_count"`
			} `json:"selected_storage_paths"`
		}
		e.get("/api/documents/?include_selection_data=true", nil, v10)
		if err := json.Unmarshal(e.want(e.do("POST", "/api/documents/selection_data/", map[string]any{"documents": []int{f.doc1, f.doc2}}, v10), 200), &sel); err != nil {
			t.Fatal(err)
		}
		if len(sel.Paths) != 2 || sel.Paths[0].ID != created.ID || sel.Paths[0].DocumentCount != 1 || sel.Paths[1].DocumentCount != 0 {
			t.Errorf("selected_storage_paths %+v", sel.Paths)
		}
		if got := string(e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"storage_path": 9999}, v10), 400)); got != `{"storage_path":["Invalid pk \"9999\" - object does not exist."]}` {
			t.Errorf("unknown path: %s", got)
		}
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2, f.doc3}, "method": "set_storage_path",
			"parameters": map[string]any{"storage_path": bank.ID}}, v10), 200)
		if got := string(e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2}, "method": "set_storage_path",
			"parameters": map[string]any{"storage_path": 9999}}, v10), 400)); got != `{"non_field_errors":["Storage path does not exist"]}` {
			t.Errorf("bulk unknown path: %s", got)
		}
		for q, want := range map[string][]int{
			fmt.Sprintf("storage_path__id=%d", bank.ID):        {f.doc3, f.doc2},
			fmt.Sprintf("storage_path__id__in=%d", created.ID): {f.doc1},
			fmt.Sprintf("storage_path__id__none=%d", bank.ID):  {f.doc1},
			"storage_path__isnull=true":                        {},
			"storage_path__name__icontains=ban":                {f.doc3, f.doc2},
			"ordering=storage_path__name,created":              {f.doc2, f.doc3, f.doc1},
		} {
			p, _ := e.ngxList("/api/documents/?"+q, v10)
			if got := ngxIDs(t, p); !slices.Equal(got, want) {
				t.Errorf("documents?%s: %v, want %v", q, got, want)
			}
		}

		// The list: filters, ordering, counts, all.
		p, _ := e.ngxList("/api/storage_paths/?ordering=-path", version("9"))
		if got := ngxIDs(t, p); !slices.Equal(got, []int{created.ID, bank.ID}) || p.All == nil || !slices.Equal(*p.All, []int{created.ID, bank.ID}) {
			t.Errorf("ordered by -path: %v, all %v", got, p.All)
		}
		var list struct{ Results []storagePathOut }
		e.get("/api/storage_paths/?path__icontains=BANK", &list, v10)
		if len(list.Results) != 1 || list.Results[0].ID != bank.ID || list.Results[0].DocumentCount == nil || *list.Results[0].DocumentCount != 2 ||
			list.Results[0].UserCanChange == nil || !*list.Results[0].UserCanChange {
			t.Errorf("filtered list %+v", list.Results)
		}
		var full struct{ Results []storagePathOut }
		e.get("/api/storage_paths/?full_perms=true&name__iexact=bank", &full, v10)
		if list = full; len(list.Results) != 1 || list.Results[0].Permissions == nil || list.Results[0].UserCanChange != nil {
			t.Errorf("full_perms %+v", list.Results)
		}
		var stats struct {
			StoragePathCount int `json:"storage_path_count"`
		}
		e.get("/api/statistics/", &stats, v10)
		if stats.StoragePathCount != 2 {
			t.Errorf("statistics storage_path_count %d", stats.StoragePathCount)
		}

		// The test endpoint renders for a document.
		got := string(e.want(e.do("POST", "/api/storage_paths/test/", map[string]any{"path": "{{ correspondent }}/{title}", "document": f.doc1}, v10), 200))
		if got != fmt.Sprintf(`"acme-gmbh/rechnung-marz-1-%07d.pdf"`, f.doc1) {
			t.Errorf("test: %s", got)
		}
		if got := string(e.want(e.do("POST", "/api/storage_paths/test/", map[string]any{"path": "{{ x }}", "document": f.doc1}, v10), 400)); got != `{"path":["Invalid variable detected."]}` {
			t.Errorf("test with a bad template: %s", got)
		}
		e.want(e.do("POST", "/api/storage_paths/test/", map[string]any{"path": "{{ title }}", "document": 999999}, v10), 404)

		// PUT needs name and path; PATCH changes one field; DELETE clears documents.
		if got := string(e.want(e.do("PUT", fmt.Sprintf("/api/storage_paths/%d/", bank.ID), map[string]any{"name": "Bank"}, v10), 400)); got != `{"path":["This field is required."]}` {
			t.Errorf("PUT without path: %s", got)
		}
		patched := decode[storagePathOut](t, e.want(e.do("PATCH", fmt.Sprintf("/api/storage_paths/%d/", bank.ID), map[string]any{"path": "banks/{title}"}, v10), 200))
		if patched.Path != "banks/{{ title }}" || patched.Name != "Bank" {
			t.Errorf("patched %+v", patched)
		}
		e.want(e.do("DELETE", fmt.Sprintf("/api/storage_paths/%d/", bank.ID), nil, v10), 204)
		p, _ = e.ngxList("/api/documents/?storage_path__isnull=true", v10)
		if got := ngxIDs(t, p); !slices.Equal(got, []int{f.doc3, f.doc2}) {
			t.Errorf("after deleting the path: %v", got)
		}
		e.want(e.do("GET", fmt.Sprintf("/api/storage_paths/%d/", bank.ID), nil, v10), 404)
	})
}

// TestStoragePathPermissions: another user sees unowned storage paths and
// those granted to them, not the admin's own; a view grant does not let
// them change it (403).
func TestStoragePathPermissions(t *testing.T) {
	e := newEnv(t, "sqlite")
	v10 := version("10")
	own := decode[storagePathOut](t, e.want(e.do("POST", "/api/storage_paths/", map[string]any{"name": "Mine", "path": "mine"}, v10), 201))
	public := decode[storagePathOut](t, e.want(e.do("POST", "/api/storage_paths/", map[string]any{"name": "Public", "path": "p", "owner": nil}, v10), 201))
	if err := e.st.SetUserPermissions(context.Background(), e.other.ID, []string{"view_storagepath", "change_storagepath"}); err != nil {
		t.Fatal(err)
	}
	p, _ := e.ngxList("/api/storage_paths/", func(r *http.Request) { v10(r); asOther(r) })
	if got := ngxIDs(t, p); !slices.Equal(got, []int{public.ID}) {
		t.Errorf("other sees %v", got)
	}
	e.want(e.do("GET", fmt.Sprintf("/api/storage_paths/%d/", own.ID), nil, v10, asOther), 404)
	e.want(e.do("PATCH", fmt.Sprintf("/api/storage_paths/%d/", own.ID), map[string]any{"name": "x"}, v10, asOther), 404)
	e.want(e.do("PATCH", fmt.Sprintf("/api/storage_paths/%d/", own.ID), map[string]any{"set_permissions": map[string]any{"view": map[string]any{"users": []int{e.other.ID}}}}, v10), 200)
	e.want(e.do("GET", fmt.Sprintf("/api/storage_paths/%d/", own.ID), nil, v10, asOther), 200)
	e.want(e.do("PATCH", fmt.Sprintf("/api/storage_paths/%d/", own.ID), map[string]any{"name": "x"}, v10, asOther), 403)
	e.want(e.do("PATCH", fmt.Sprintf("/api/storage_paths/%d/", public.ID), map[string]any{"name": "Everyone's"}, v10, asOther), 200)
}

type tagTreeOut struct {
	ID       int          `json:"id"`
	Name     string       `json:"name"`
	Parent   *int         `json:"parent"`
	Children []tagTreeOut `json:"children"`
}

// TestNestedTags: tags take a parent, show it and their children nested
// (recursively), refuse cycles and depth as paperless-ngx does, filter by
// is_root, count descendants in display_count, and a document given a
// child tag gets its ancestors; on both databases.
func TestNestedTags(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		v10 := version("10")
		root := decode[tagTreeOut](t, e.want(e.do("POST", "/api/tags/", map[string]any{"name": "Finance"}, v10), 201))
		mid := decode[tagTreeOut](t, e.want(e.do("POST", "/api/tags/", map[string]any{"name": "Bank", "parent": root.ID}, v10), 201))
		leaf := decode[tagTreeOut](t, e.want(e.do("POST", "/api/tags/", map[string]any{"name": "Statements", "parent": mid.ID}, v10), 201))
		if leaf.Parent == nil || *leaf.Parent != mid.ID {
			t.Fatalf("leaf %+v", leaf)
		}
		var got tagTreeOut
		e.get(fmt.Sprintf("/api/tags/%d/", root.ID), &got, v10)
		if len(got.Children) != 1 || got.Children[0].ID != mid.ID || len(got.Children[0].Children) != 1 || got.Children[0].Children[0].ID != leaf.ID {
			t.Errorf("nested children %+v", got)
		}
		for _, c := range []struct {
			id     int
			parent int
			want   string
		}{
			{root.ID, root.ID, `{"parent":["Cannot set itself as parent."]}`},
			{root.ID, leaf.ID, `{"parent":["Cannot set parent to a descendant."]}`},
			{root.ID, 9999, `{"parent":["Invalid pk \"9999\" - object does not exist."]}`},
		} {
			if got := string(e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", c.id), map[string]any{"parent": c.parent}, v10), 400)); got != c.want {
				t.Errorf("parent %d of %d: %s, want %s", c.parent, c.id, got, c.want)
			}
		}
		parent := leaf.ID
		for i := 4; i <= 5; i++ {
			parent = decode[tagTreeOut](t, e.want(e.do("POST", "/api/tags/", map[string]any{"name": fmt.Sprint("level", i), "parent": parent}, v10), 201)).ID
		}
		if got := string(e.want(e.do("POST", "/api/tags/", map[string]any{"name": "level6", "parent": parent}, v10), 400)); got != `{"parent":["Maximum nesting depth exceeded."]}` {
			t.Errorf("depth 6: %s", got)
		}

		p, _ := e.ngxList("/api/tags/?is_root=true", version("9"))
		if got := ngxIDs(t, p); !slices.Equal(got, []int{root.ID, f.inbox, f.t2, f.t3}) {
			t.Errorf("roots %v", got)
		}
		p, _ = e.ngxList("/api/tags/?name__iexact=finance", version("9"))
		if p.Count != 1 || p.DisplayCount == nil || *p.DisplayCount != 5 {
			t.Errorf("display_count of finance: count %d, display_count %v", p.Count, p.DisplayCount)
		}

		// A document given the leaf gets its ancestors; removing the root takes the rest.
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc2), map[string]any{"tags": []int{leaf.ID}}, v10), 200)
		var doc struct{ Tags []int }
		e.get(fmt.Sprintf("/api/documents/%d/", f.doc2), &doc, v10)
		slices.Sort(doc.Tags)
		if !slices.Equal(doc.Tags, []int{root.ID, mid.ID, leaf.ID}) {
			t.Errorf("tags after giving the leaf %v", doc.Tags)
		}
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2}, "method": "remove_tag",
			"parameters": map[string]any{"tag": root.ID}}, v10), 200)
		e.get(fmt.Sprintf("/api/documents/%d/", f.doc2), &doc, v10)
		if len(doc.Tags) != 0 {
			t.Errorf("tags after removing the root %v", doc.Tags)
		}
		// Versions 1 and 2 keep their shapes: no parent key.
		var v2tag map[string]json.RawMessage
		e.get(fmt.Sprintf("/api/tags/%d/", leaf.ID), &v2tag, v2)
		if _, ok := v2tag["parent"]; ok {
			t.Errorf("v2 tag has parent")
		}
	})
}
