package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// paperless-ngx saved views write and read page_size, display_mode and
// display_fields (NGX.md §9.1); versions 1 and 2 neither show nor take them.
func TestSavedViewDisplayNgx(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type view struct {
			ID            int       `json:"id"`
			PageSize      *int      `json:"page_size"`
			DisplayMode   *string   `json:"display_mode"`
			DisplayFields *[]string `json:"display_fields"`
		}
		decode := func(b []byte) view {
			t.Helper()
			var v view
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		body := map[string]any{"name": "Cards", "filter_rules": []any{}, "page_size": 100, // v10: no show_* keys
			"display_mode": "largeCards", "display_fields": []string{"title", "correspondent", "note"}}
		v := decode(e.want(e.do("POST", "/api/saved_views/", body, asV10), 201))
		if v.PageSize == nil || *v.PageSize != 100 || v.DisplayMode == nil || *v.DisplayMode != "largeCards" ||
			v.DisplayFields == nil || !reflect.DeepEqual(*v.DisplayFields, []string{"title", "correspondent", "note"}) {
			t.Fatalf("created %+v", v)
		}
		path := fmt.Sprintf("/api/saved_views/%d/", v.ID)
		if got := decode(e.want(e.do("GET", path, nil, asV9), 200)); !reflect.DeepEqual(got, v) {
			t.Fatalf("v9 read %+v, want %+v", got, v)
		}
		// [] is stored as null; null clears the mode.
		got := decode(e.want(e.do("PATCH", path, map[string]any{"display_fields": []string{}, "display_mode": nil}, asV9), 200))
		if got.DisplayFields != nil || got.DisplayMode != nil || got.PageSize == nil {
			t.Fatalf("patched %+v", got)
		}
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"display_fields": []string{"title", "colour"}}, `{"non_field_errors":["Invalid field: colour"]}`},
			{map[string]any{"display_mode": "grid"}, `{"display_mode":["\"grid\" is not a valid choice."]}`},
			{map[string]any{"page_size": 0}, `{"page_size":["Ensure this value is greater than or equal to 1."]}`},
			{map[string]any{"display_fields": "title"}, `{"display_fields":["Expected a list of items but got type \"str\"."]}`},
		} {
			if b := string(e.want(e.do("PATCH", path, c.body, asV10), 400)); b != c.want {
				t.Errorf("%v: %s, want %s", c.body, b, c.want)
			}
		}
		// Version 2 ignores the keys and does not show them.
		var raw map[string]any
		b := e.want(e.do("PATCH", path, map[string]any{"page_size": 7}), 200)
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw["page_size"]; ok {
			t.Errorf("version 2 shows page_size: %s", b)
		}
		if got := decode(e.want(e.do("GET", path, nil, asV10), 200)); got.PageSize == nil || *got.PageSize != 100 {
			t.Errorf("version 2 wrote page_size: %+v", got)
		}
	})
}

// A version 10 PUT of a saved view has no show_on_dashboard/show_in_sidebar
// (paperless-ngx 10 keeps placement in the UI settings, NGX.md §9.2): it
// is accepted and keeps the placement stored by earlier versions.
func TestSavedViewPutV10KeepsPlacement(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type view struct {
			ID              int    `json:"id"`
			Name            string `json:"name"`
			ShowOnDashboard bool   `json:"show_on_dashboard"`
			ShowInSidebar   bool   `json:"show_in_sidebar"`
		}
		var v view
		b := e.want(e.do("POST", "/api/saved_views/", map[string]any{"name": "Inbox", "filter_rules": []any{},
			"show_on_dashboard": true, "show_in_sidebar": false}), 201)
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/saved_views/%d/", v.ID)
		e.want(e.do("PUT", path, map[string]any{"name": "Inbox 2", "filter_rules": []any{}, "sort_reverse": true}, asV10), 200)
		var got view
		if err := json.Unmarshal(e.want(e.do("GET", path, nil), 200), &got); err != nil {
			t.Fatal(err)
		}
		if want := (view{ID: v.ID, Name: "Inbox 2", ShowOnDashboard: true}); got != want {
			t.Errorf("after v10 PUT: %+v, want %+v", got, want)
		}
		// Version 2 still requires them on PUT.
		e.want(e.do("PUT", path, map[string]any{"name": "Inbox 3", "filter_rules": []any{}}), 400)
		// A missing view is still 404 in version 10.
		e.want(e.do("PUT", "/api/saved_views/99999/", map[string]any{"name": "x", "filter_rules": []any{}}, asV10), 404)
	})
}
