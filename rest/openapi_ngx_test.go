package rest_test

import (
	"strings"
	"testing"
)

// The paperless-ngx OpenAPI documents describe the ngx bodies and list
// the ngx document filters; the paperless-ng document keeps its own.
func TestOpenAPINgxSchemasAndFilters(t *testing.T) {
	e := newEnv(t, "sqlite")
	type document struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string }
		}
		Components struct {
			Schemas map[string]struct {
				Description string
				Type        string
				Properties  map[string]any
				Required    []string
				Items       map[string]any
			}
		}
	}
	load := func(version string) document {
		var d document
		e.get("/api/schema/?version="+version, &d, anon)
		return d
	}
	params := func(d document, path string) map[string]bool {
		out := map[string]bool{}
		for _, p := range d.Paths[path]["get"].Parameters {
			out[p.Name] = true
		}
		return out
	}
	ng := load("1")
	if p := params(ng, "/api/documents/"); p["checksum__iexact"] || p["custom_field_query"] || !p["title__icontains"] {
		t.Errorf("version 1 document list parameters: %v", p)
	}
	for _, v := range []string{"9", "10"} {
		d := load(v)
		p := params(d, "/api/documents/")
		for _, name := range []string{"checksum__iexact", "original_filename__icontains", "mime_type", "owner__id__none",
			"storage_path__isnull", "shared_by__id", "custom_field_query", "has_custom_fields", "created__gte",
			"correspondent__id__none", "include_selection_data", "ordering", "title__icontains"} {
			if !p[name] {
				t.Errorf("version %s: /api/documents/ lacks %s", v, name)
			}
		}
		if !params(d, "/api/tags/")["is_root"] {
			t.Errorf("version %s: /api/tags/ lacks is_root", v)
		}
		for _, name := range []string{"Tasks", "Task", "UISettings", "Profile", "User", "UserPage", "Group", "GroupPage",
			"Status", "RemoteVersion", "Statistics", "Tag", "Correspondent", "DocumentType", "SavedView", "Success"} {
			s, ok := d.Components.Schemas[name]
			if !ok || strings.Contains(s.Description, "not described yet") || (len(s.Properties) == 0 && s.Items == nil) {
				t.Errorf("version %s: schema %s is %+v", v, name, s)
			}
		}
		if n := len(d.Components.Schemas["Statistics"].Properties); n != 11 {
			t.Errorf("version %s: Statistics has %d keys, want 11", v, n)
		}
		for _, key := range []string{"owner", "permissions", "parent", "children"} {
			if _, ok := d.Components.Schemas["Tag"].Properties[key]; !ok {
				t.Errorf("version %s: Tag lacks %s", v, key)
			}
		}
		sv := d.Components.Schemas["SavedView"].Properties
		_, dash := sv["show_on_dashboard"]
		if _, ok := sv["display_fields"]; !ok || dash != (v == "9") {
			t.Errorf("version %s: SavedView properties %v", v, sv)
		}
	}
	if task := load("10").Components.Schemas["Task"].Properties; task["task_type"] == nil || task["task_name"] != nil {
		t.Errorf("version 10 Task: %v", task)
	}
	if tasks := load("9").Components.Schemas["Tasks"]; tasks.Type != "array" {
		t.Errorf("version 9 Tasks: %+v", tasks)
	}
	if n := len(ng.Components.Schemas["Statistics"].Properties); n != 2 {
		t.Errorf("version 1 Statistics has %d keys", n)
	}
}
