package rest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

type customFieldOut struct {
	ID            int             `json:"id"`
	Name          string          `json:"name"`
	DataType      string          `json:"data_type"`
	ExtraData     json.RawMessage `json:"extra_data"`
	DocumentCount *int            `json:"document_count"`
}

// TestCustomFields: /api/custom_fields/ creates, lists, filters, changes
// and deletes definitions in paperless-ngx's shape; documents carry their
// values in custom_fields, a PATCH replaces them (errors per item as
// paperless-ngx lists them), bulk_edit modify_custom_fields sets them and
// custom_field_query filters by them; on both databases.
func TestCustomFields(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		amount := e.mustCreate("POST", "/api/custom_fields/", map[string]any{"name": "Amount", "data_type": "monetary",
			"extra_data": map[string]any{"default_currency": "EUR"}})
		colour := e.mustCreate("POST", "/api/custom_fields/", map[string]any{"name": "colour", "data_type": "select",
			"extra_data": map[string]any{"select_options": []any{map[string]any{"label": "Red"}, map[string]any{"id": "blue", "label": "Blue"}}}})
		due := e.mustCreate("POST", "/api/custom_fields/", map[string]any{"name": "Due", "data_type": "date"})

		// Shapes: v10 without all, v9 with; key order as paperless-ngx.
		body := string(e.want(e.do("GET", "/api/custom_fields/?name__icontains=amou", nil, version("10")), 200))
		want := fmt.Sprintf(`{"count":1,"next":null,"previous":null,"results":[{"id":%d,"name":"Amount","data_type":"monetary","extra_data":{"select_options":[],"default_currency":"EUR"},"document_count":0}]}`, amount)
		if body != want {
			t.Errorf("v10 list:\n got %s\nwant %s", body, want)
		}
		var p9 struct {
			All     []int            `json:"all"`
			Results []customFieldOut `json:"results"`
		}
		e.get("/api/custom_fields/", &p9, version("9"))
		if len(p9.All) != 3 || p9.Results[0].Name != "Amount" || p9.Results[1].Name != "colour" || p9.Results[2].Name != "Due" {
			t.Errorf("v9 list by name: %+v", p9)
		}
		var sel customFieldOut
		e.get(fmt.Sprintf("/api/custom_fields/%d/", colour), &sel, version("10"))
		var extra struct {
			SelectOptions []struct{ ID, Label string } `json:"select_options"`
		}
		if err := json.Unmarshal(sel.ExtraData, &extra); err != nil || len(extra.SelectOptions) != 2 || len(extra.SelectOptions[0].ID) != 16 || extra.SelectOptions[1].ID != "blue" {
			t.Fatalf("select options: %s", sel.ExtraData)
		}
		red := extra.SelectOptions[0].ID

		// Definition errors.
		for _, tc := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"name": "Amount", "data_type": "string"}, `{"error":["Object violates name unique constraint"]}`},
			{map[string]any{"name": "x", "data_type": "select"}, `{"error":["extra_data.select_options must be a valid list"]}`},
			{map[string]any{"name": "x", "data_type": "colour"}, `{"data_type":["\"colour\" is not a valid choice."]}`},
		} {
			if got := string(e.want(e.do("POST", "/api/custom_fields/", tc.body, version("10")), 400)); got != tc.want {
				t.Errorf("POST %v: %s, want %s", tc.body, got, tc.want)
			}
		}
		e.want(e.do("PATCH", fmt.Sprintf("/api/custom_fields/%d/", due), map[string]any{"data_type": "string"}, version("10")), 400)

		// Values on a document.
		doc := fmt.Sprintf("/api/documents/%d/", f.doc1)
		e.want(e.do("PATCH", doc, map[string]any{"custom_fields": []any{
			map[string]any{"field": amount, "value": "EUR84.20"},
			map[string]any{"field": colour, "value": red},
			map[string]any{"field": due, "value": nil},
		}}, version("10")), 200)
		var d struct {
			CustomFields []map[string]any `json:"custom_fields"`
		}
		e.get(doc, &d, version("9"))
		if got, _ := json.Marshal(d.CustomFields); string(got) != fmt.Sprintf(`[{"field":%d,"value":"EUR84.20"},{"field":%d,"value":"%s"},{"field":%d,"value":null}]`, amount, colour, red, due) {
			t.Errorf("document custom_fields: %s", got)
		}
		raw := string(e.want(e.do("GET", doc+"?fields=id,custom_fields", nil, version("10")), 200))
		if !strings.Contains(raw, fmt.Sprintf(`{"value":"EUR84.20","field":%d}`, amount)) {
			t.Errorf("value before field: %s", raw)
		}
		// Errors per item, as paperless-ngx lists them.
		got := string(e.want(e.do("PATCH", doc, map[string]any{"custom_fields": []any{
			map[string]any{"field": amount, "value": "84.2"},
			map[string]any{"field": due, "value": "soon"},
		}}, version("10")), 400))
		if got != `{"custom_fields":[{},{"non_field_errors":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}]}` {
			t.Errorf("item errors: %s", got)
		}
		got = string(e.want(e.do("PATCH", doc, map[string]any{"custom_fields": []any{map[string]any{"field": colour, "value": "green"}}}, version("10")), 400))
		if !strings.Contains(got, `"custom_fields":[{"non_field_errors":["Value must be an id of an element in`) {
			t.Errorf("unknown option: %s", got)
		}

		// custom_field_query on the list, and its errors.
		q := func(expr string) string { return "/api/documents/?custom_field_query=" + url.QueryEscape(expr) }
		var pg page[docOut]
		e.get(q(`["Amount","range",["50","100"]]`), &pg, version("10"))
		if fmt.Sprint(ids(pg)) != fmt.Sprint([]int{f.doc1}) {
			t.Errorf("range: %v", ids(pg))
		}
		e.get(q(`["colour","exact","Red"]`), &pg, version("9"))
		if fmt.Sprint(ids(pg)) != fmt.Sprint([]int{f.doc1}) {
			t.Errorf("select by label: %v", ids(pg))
		}
		for expr, want := range map[string]string{
			`["client","exists",true]`: `{"custom_field_query":{"0":["'client' is not a valid custom field."]}}`,
			`["Due","gt",1]`:           `{"custom_field_query":{"2":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}}`,
			`[`:                        `{"custom_field_query":["Value must be valid JSON."]}`,
		} {
			if got := string(e.want(e.do("GET", q(expr), nil, version("10")), 400)); got != want {
				t.Errorf("%s: %s, want %s", expr, got, want)
			}
		}
		e.get(fmt.Sprintf("/api/documents/?ordering=-custom_field_%d", amount), &pg, version("10"))
		if len(pg.Results) != 3 || pg.Results[0].ID != f.doc1 {
			t.Errorf("ordering by custom field: %v", ids(pg))
		}

		// bulk_edit modify_custom_fields: ids attach, a dict sets values.
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2, f.doc3}, "method": "modify_custom_fields",
			"parameters": map[string]any{"add_custom_fields": map[string]any{fmt.Sprint(amount): "12.50"}, "remove_custom_fields": []int{}}}, version("10")), 200)
		e.get(q(`["Amount","lt",50]`), &pg, version("10"))
		if len(pg.Results) != 2 {
			t.Errorf("after bulk set: %v", ids(pg))
		}
		e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2}, "method": "modify_custom_fields",
			"parameters": map[string]any{"add_custom_fields": []int{}, "remove_custom_fields": []int{amount}}}, version("10")), 200)
		var cnt customFieldOut
		e.get(fmt.Sprintf("/api/custom_fields/%d/", amount), &cnt, version("10"))
		if cnt.DocumentCount == nil || *cnt.DocumentCount != 2 {
			t.Errorf("document_count: %v", cnt.DocumentCount)
		}
		if got := string(e.want(e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": []int{f.doc2}, "method": "modify_custom_fields",
			"parameters": map[string]any{"add_custom_fields": []int{9999}, "remove_custom_fields": []int{}}}, version("10")), 400)); !strings.Contains(got, "Some custom fields don't exist or were specified twice.") {
			t.Errorf("bulk unknown field: %s", got)
		}

		// Saved views: a custom field query rule and custom field columns.
		view := map[string]any{"name": "Unpaid", "show_on_dashboard": false, "show_in_sidebar": true,
			"filter_rules":   []any{map[string]any{"rule_type": 42, "value": `["AND",[["Amount","gt",10],["Due","exists",false]]]`}},
			"display_fields": []string{"title", fmt.Sprintf("custom_field_%d", amount)}}
		e.want(e.do("POST", "/api/saved_views/", view, version("9")), 201)
		view["filter_rules"] = []any{map[string]any{"rule_type": 42, "value": `["Amount","contains",[1]]`}}
		if got := string(e.want(e.do("POST", "/api/saved_views/", view, version("10")), 400)); !strings.Contains(got, "monetary does not support query expr 'contains'.") {
			t.Errorf("saved view with a bad query: %s", got)
		}
		view["filter_rules"] = []any{map[string]any{"rule_type": 41, "value": nil}}
		view["display_fields"] = []string{"custom_field_9999"}
		if got := string(e.want(e.do("POST", "/api/saved_views/", view, version("10")), 400)); !strings.Contains(got, "Invalid field: custom_field_9999") {
			t.Errorf("saved view with an unknown column: %s", got)
		}

		// Rename, replace, delete.
		e.want(e.do("PATCH", fmt.Sprintf("/api/custom_fields/%d/", amount), map[string]any{"name": "Total"}, version("10")), 200)
		e.want(e.do("PUT", fmt.Sprintf("/api/custom_fields/%d/", amount), map[string]any{"name": "Total"}, version("10")), 400)
		e.want(e.do("DELETE", fmt.Sprintf("/api/custom_fields/%d/", amount), nil, version("10")), 204)
		e.want(e.do("GET", fmt.Sprintf("/api/custom_fields/%d/", amount), nil, version("10")), 404)
		e.get(doc, &d, version("10"))
		if len(d.CustomFields) != 2 {
			t.Errorf("after deleting a field: %v", d.CustomFields)
		}
	})
}
