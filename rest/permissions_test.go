package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/quirehq/quire/store"
)

func ngx10(r *http.Request) { r.Header.Set("Accept", "application/json; version=10") }

// TestOwnersAndPermissionsWire: owner, user_can_change,
// is_shared_by_requester, permissions (full_perms) and set_permissions on
// tags and documents, users with groups and permissions, groups CRUD,
// ui_settings' permissions and the global permission checks (NGX.md §4,
// §10), on both databases.
func TestOwnersAndPermissionsWire(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		anna := e.user("anna", "anna-pw", false)
		bert := e.user("bert", "bert-pw", false)
		// bert authenticates by token, whose user row is read on every
		// request (Basic reuses it for a second, and the test clock stands still).
		tok, err := e.st.TokenForUser(ctx, bert.ID)
		if err != nil {
			t.Fatal(err)
		}
		asAnna, asBert := basic("anna", "anna-pw"), header("Authorization", "Token "+tok.Key)

		// Groups: created by the admin, bert a member through /api/users/.
		var g struct {
			ID          int
			Name        string
			Permissions []string
		}
		body := e.want(e.do("POST", "/api/groups/", map[string]any{"name": "Accounting", "permissions": []string{"view_tag", "view_document"}}, ngx10), 201)
		json.Unmarshal(body, &g)
		if g.Name != "Accounting" || !slices.Equal(g.Permissions, []string{"view_document", "view_tag"}) {
			t.Fatalf("group %s", body)
		}
		e.want(e.do("POST", "/api/groups/", map[string]any{"name": "accounting"}, ngx10), 400)
		e.want(e.do("POST", "/api/groups/", map[string]any{"name": "x", "permissions": []string{"fly_tag"}}, ngx10), 400)
		var u map[string]any
		body = e.want(e.do("PATCH", fmt.Sprintf("/api/users/%d/", bert.ID), map[string]any{"groups": []int{g.ID},
			"user_permissions": []string{"view_tag"}}, ngx10), 200)
		json.Unmarshal(body, &u)
		if fmt.Sprint(u["groups"]) != fmt.Sprintf("[%d]", g.ID) || fmt.Sprint(u["user_permissions"]) != "[view_tag]" ||
			fmt.Sprint(u["inherited_permissions"]) != "[documents.view_document documents.view_tag]" {
			t.Fatalf("user %s", body)
		}
		// Global permissions: bert holds view_tag and (through the group)
		// view_document only.
		e.want(e.do("GET", "/api/tags/", nil, ngx10, asBert), 200)
		e.want(e.do("GET", "/api/documents/", nil, ngx10, asBert), 200)
		forbidden := e.want(e.do("GET", "/api/correspondents/", nil, ngx10, asBert), 403)
		if string(forbidden) != `{"detail":"You do not have permission to perform this action."}` {
			t.Fatalf("403 body %s", forbidden)
		}
		e.want(e.do("POST", "/api/tags/", map[string]any{"name": "b"}, ngx10, asBert), 403)
		var ui struct{ Permissions []string }
		json.Unmarshal(e.want(e.do("GET", "/api/ui_settings/", nil, ngx10, asAnna), 200), &ui)
		sort.Strings(ui.Permissions)
		want := store.DefaultPermissions()
		sort.Strings(want)
		if !slices.Equal(ui.Permissions, want) {
			t.Fatalf("anna's ui_settings permissions %v", ui.Permissions)
		}
		e.want(e.do("GET", "/api/ui_settings/", nil, ngx10, asBert), 403) // no view_uisettings

		// A tag anna creates is hers; bert does not see it.
		var tag map[string]any
		json.Unmarshal(e.want(e.do("POST", "/api/tags/", map[string]any{"name": "private"}, ngx10, asAnna), 201), &tag)
		tagID := int(tag["id"].(float64))
		if tag["owner"] != float64(anna.ID) {
			t.Fatalf("created tag %v", tag)
		}
		var tags page[map[string]any]
		json.Unmarshal(e.want(e.do("GET", "/api/tags/", nil, ngx10, asBert), 200), &tags)
		if tags.Count != 0 {
			t.Fatalf("bert sees %d tags", tags.Count)
		}
		e.want(e.do("GET", fmt.Sprintf("/api/tags/%d/", tagID), nil, ngx10, asBert), 404)
		// Explicit null: unowned.
		json.Unmarshal(e.want(e.do("POST", "/api/tags/", map[string]any{"name": "shared", "owner": nil}, ngx10, asAnna), 201), &tag)
		if tag["owner"] != nil {
			t.Fatalf("owner null gave %v", tag)
		}
		// anna grants the group view: bert sees it, may not change it.
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", tagID), map[string]any{
			"set_permissions": map[string]any{"view": map[string]any{"users": []int{}, "groups": []int{g.ID}}}}, ngx10, asAnna), 200)
		json.Unmarshal(e.want(e.do("GET", "/api/tags/", nil, ngx10, asBert), 200), &tags)
		if tags.Count != 2 {
			t.Fatalf("bert sees %d tags after the grant", tags.Count)
		}
		var one map[string]any
		json.Unmarshal(e.want(e.do("GET", fmt.Sprintf("/api/tags/%d/", tagID), nil, ngx10, asBert), 200), &one)
		if one["user_can_change"] != false || one["owner"] != float64(anna.ID) {
			t.Fatalf("bert's view of the tag %v", one)
		}
		full := e.want(e.do("GET", fmt.Sprintf("/api/tags/%d/?full_perms=true", tagID), nil, ngx10, asAnna), 200)
		one = nil
		json.Unmarshal(full, &one)
		if fmt.Sprint(one["permissions"]) != fmt.Sprintf("map[change:map[groups:[] users:[]] view:map[groups:[%d] users:[]]]", g.ID) {
			t.Fatalf("full_perms %s", full)
		}
		if _, ok := one["user_can_change"]; ok {
			t.Fatalf("full_perms keeps user_can_change: %s", full)
		}
		// bert holds no change_tag anyway; with it, the object right still refuses.
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", tagID), map[string]any{"name": "x"}, ngx10, asBert), 403)
		if err := e.st.SetUserPermissions(ctx, bert.ID, []string{"view_tag", "change_tag"}); err != nil {
			t.Fatal(err)
		}
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", tagID), map[string]any{"name": "x"}, ngx10, asBert), 403)
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", tagID), map[string]any{"owner": bert.ID}, ngx10, asBert), 403)
		// Unknown holders: 400 on set_permissions.
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", tagID), map[string]any{
			"set_permissions": map[string]any{"view": map[string]any{"users": []int{999}}}}, ngx10, asAnna), 400)

		// Documents: anna's document, shared with bert by bulk edit.
		d := &store.Document{Title: "letter", Content: "private", Created: fixedNow, Added: fixedNow, Modified: fixedNow,
			MimeType: "application/pdf", Checksum: fmt.Sprintf("%032d", 77), OriginalFilename: "letter.pdf", OwnerID: &anna.ID}
		if err := e.st.CreateDocument(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		var docs page[map[string]any]
		json.Unmarshal(e.want(e.do("GET", "/api/documents/", nil, ngx10, asBert), 200), &docs)
		if docs.Count != 0 {
			t.Fatalf("bert sees %d documents", docs.Count)
		}
		e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/", d.ID), nil, ngx10, asBert), 404)
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{d.ID}, "method": "set_permissions",
			"parameters": map[string]any{"set_permissions": map[string]any{"view": map[string]any{"users": []int{bert.ID}}},
				"owner": anna.ID}}, ngx10, asAnna), 200)
		json.Unmarshal(e.want(e.do("GET", "/api/documents/", nil, ngx10, asBert), 200), &docs)
		if docs.Count != 1 || docs.Results[0]["user_can_change"] != false || docs.Results[0]["is_shared_by_requester"] != false ||
			docs.Results[0]["owner"] != float64(anna.ID) {
			t.Fatalf("bert's documents %+v", docs)
		}
		json.Unmarshal(e.want(e.do("GET", "/api/documents/", nil, ngx10, asAnna), 200), &docs)
		if docs.Count != 1 || docs.Results[0]["user_can_change"] != true || docs.Results[0]["is_shared_by_requester"] != true {
			t.Fatalf("anna's documents %+v", docs)
		}
		// Only the owner may change permissions: bert (view only) is refused.
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{d.ID}, "method": "set_permissions",
			"parameters": map[string]any{"owner": bert.ID}}, ngx10, asBert), 403)

		// bulk_edit_objects: anna gives her tag to nobody (owner null).
		e.want(e.do("POST", "/api/bulk_edit_objects/", map[string]any{"objects": []int{tagID}, "object_type": "tags",
			"operation": "set_permissions", "owner": nil}, ngx10, asAnna), 200)
		json.Unmarshal(e.want(e.do("GET", fmt.Sprintf("/api/tags/%d/", tagID), nil, ngx10), 200), &one)
		if one["owner"] != nil {
			t.Fatalf("bulk_edit_objects owner null: %v", one)
		}

		// Saved views: anna shares hers with bert, who may not change it.
		var sv map[string]any
		json.Unmarshal(e.want(e.do("POST", "/api/saved_views/", map[string]any{"name": "mine", "show_on_dashboard": false,
			"show_in_sidebar": false, "sort_field": "created", "filter_rules": []any{},
			"set_permissions": map[string]any{"view": map[string]any{"users": []int{bert.ID}}}}, ngx10, asAnna), 201), &sv)
		if sv["owner"] != float64(anna.ID) {
			t.Fatalf("saved view %v", sv)
		}
		if err := e.st.SetUserPermissions(ctx, bert.ID, []string{"view_tag", "change_tag", "view_savedview"}); err != nil {
			t.Fatal(err)
		}
		var views page[map[string]any]
		json.Unmarshal(e.want(e.do("GET", "/api/saved_views/", nil, ngx10, asBert), 200), &views)
		if views.Count != 1 || views.Results[0]["user_can_change"] != false || views.Results[0]["owner"] != float64(anna.ID) {
			t.Fatalf("bert's saved views %+v", views)
		}

		// Groups: update, delete; deleting takes the grants along.
		e.want(e.do("PATCH", fmt.Sprintf("/api/groups/%d/", g.ID), map[string]any{"permissions": []string{}}, ngx10), 200)
		e.want(e.do("GET", "/api/documents/", nil, ngx10, asBert), 403) // view_document was the group's
		e.want(e.do("DELETE", fmt.Sprintf("/api/groups/%d/", g.ID), nil, ngx10), 204)
		e.want(e.do("GET", fmt.Sprintf("/api/groups/%d/", g.ID), nil, ngx10), 404)
	})
}
