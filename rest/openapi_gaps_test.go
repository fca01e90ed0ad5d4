package rest_test

import (
	"slices"
	"strings"
	"testing"
)

// The paperless-ngx documents describe custom fields, notes,
// bulk_edit_objects and all sixteen bulk_edit methods; version 0's
// describes /api/logs/ as 0.9's page of log records.
func TestOpenAPIDescribesEveryVersionsShapes(t *testing.T) {
	e := newEnv(t, "sqlite")
	type schema struct {
		Description string
		Properties  map[string]struct {
			Enum []any
			Ref  string `json:"$ref"`
		}
		Items map[string]any
	}
	type document struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					}
				}
			}
		}
		Components struct{ Schemas map[string]schema }
	}
	load := func(version string) document {
		var d document
		e.get("/api/schema/?version="+version, &d, anon)
		return d
	}
	result := func(d document, path string) string {
		return d.Paths[path]["get"].Responses["200"].Content["application/json"].Schema.Ref
	}
	for _, v := range []string{"9", "10"} {
		d := load(v)
		for _, name := range []string{"CustomField", "CustomFieldPage", "Notes", "BulkEditObjects"} {
			s, ok := d.Components.Schemas[name]
			if !ok || strings.Contains(s.Description, "not described yet") || (len(s.Properties) == 0 && s.Items == nil) {
				t.Errorf("version %s: schema %s is %+v", v, name, s)
			}
		}
		methods := d.Components.Schemas["BulkEdit"].Properties["method"].Enum
		if len(methods) != 16 || !slices.Contains(methods, any("merge")) {
			t.Errorf("version %s: bulk_edit methods %v, want 16 with merge", v, methods)
		}
		if _, has := d.Components.Schemas["CustomFieldPage"].Properties["all"]; has != (v == "9") {
			t.Errorf("version %s: custom field page has all: %v", v, has)
		}
	}
	if m := load("1").Components.Schemas["BulkEdit"].Properties["method"].Enum; len(m) != 6 {
		t.Errorf("version 1: bulk_edit methods %v, want paperless-ng's six", m)
	}
	if r := result(load("0"), "/api/logs/"); r != "#/components/schemas/LogPage" {
		t.Errorf("version 0: /api/logs/ answers %q, want LogPage", r)
	}
	if r := result(load("1"), "/api/logs/"); r != "#/components/schemas/Strings" {
		t.Errorf("version 1: /api/logs/ answers %q, want Strings", r)
	}
}
