package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The paperless-ngx list layer (NGX.md §5–§7, §9.1): envelopes, document
// filters, custom_field_query, and the shapes of the matching objects,
// saved views and selection data, on a real server over both databases.

func asV9(r *http.Request)  { r.Header.Set("Accept", "application/json; version=9") }
func asV10(r *http.Request) { r.Header.Set("Accept", "application/json; version=10") }

// ngxPage is a decoded envelope with the ngx extras.
type ngxPage struct {
	Count        int               `json:"count"`
	All          *[]int            `json:"all"`
	DisplayCount *int              `json:"display_count"`
	Results      []json.RawMessage `json:"results"`
}

func (e *env) ngxList(path string, o opt) (ngxPage, map[string]json.RawMessage) {
	e.t.Helper()
	body := e.want(e.do("GET", path, nil, o), 200)
	var p ngxPage
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &p); err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		e.t.Fatal(err)
	}
	return p, raw
}

func ngxIDs(t *testing.T, p ngxPage) []int {
	t.Helper()
	out := []int{}
	for _, r := range p.Results {
		var x struct{ ID int }
		if err := json.Unmarshal(r, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.ID)
	}
	return out
}

// keyOrder lists the top-level keys of a JSON object in order.
func ngxKeys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := d.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestNgxListEnvelope(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()

		// v9: all = every match, in result order, whatever the page.
		body := e.want(e.do("GET", "/api/documents/?page_size=1&page=2", nil, asV9), 200)
		if got, want := ngxKeys(t, body), []string{"count", "next", "previous", "all", "results"}; !slices.Equal(got, want) {
			t.Errorf("v9 envelope keys %v, want %v", got, want)
		}
		p, _ := e.ngxList("/api/documents/?page_size=1&page=2", asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc3, f.doc2, f.doc1}) {
			t.Errorf("v9 all = %v, want %v", p.All, []int{f.doc3, f.doc2, f.doc1})
		}
		if got := ngxIDs(t, p); !slices.Equal(got, []int{f.doc2}) {
			t.Errorf("v9 page 2 = %v", got)
		}
		// the same filter as the page
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d&ordering=created&page_size=1", f.t2), asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc2, f.doc3}) {
			t.Errorf("v9 filtered all = %v", p.All)
		}
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d&ordering=created&page_size=1&page=last", f.t2), asV9)
		if got := ngxIDs(t, p); !slices.Equal(got, []int{f.doc3}) || p.Count != 2 {
			t.Errorf("v9 last page of a tag = %v of %d", got, p.Count)
		}
		e.want(e.do("GET", fmt.Sprintf("/api/documents/?tags__id=%d&page_size=1&page=3", f.t2), nil, asV9), 404)
		p, _ = e.ngxList("/api/documents/?title__iexact=nothing", asV9)
		if p.All == nil || len(*p.All) != 0 {
			t.Errorf("v9 empty all = %v, want []", p.All)
		}

		// The cached order and tag lists follow changes: doc1 moves to
		// the front, then gains tag t2.
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"created": "2020-11-05T09:00:00+01:00"}), 200)
		p, _ = e.ngxList("/api/documents/", asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc1, f.doc3, f.doc2}) {
			t.Errorf("v9 all after a date change = %v", p.All)
		}
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d", f.t2), asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc3, f.doc2}) {
			t.Errorf("v9 tag all = %v", p.All)
		}
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"tags": []int{f.inbox, f.t2}}), 200)
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d", f.t2), asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc1, f.doc3, f.doc2}) {
			t.Errorf("v9 tag all after tagging = %v", p.All)
		}
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d&title__icontains=o", f.t2), asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc3}) {
			t.Errorf("v9 tag and title all = %v", p.All)
		}

		// include_selection_data: the selection data of every match, after
		// results (v9/v10 only).
		sel := e.want(e.do("GET", fmt.Sprintf("/api/documents/?include_selection_data=true&tags__id=%d&page_size=1", f.t3), nil, asV10), 200)
		if got := ngxKeys(t, sel); !slices.Equal(got, []string{"count", "next", "previous", "results", "selection_data"}) {
			t.Errorf("v10 envelope with selection data: keys %v", got)
		}
		var sd struct {
			SelectionData struct {
				Tags []struct {
					ID            int `json:"id"`
					DocumentCount int `json:"document_count"`
				} `json:"selected_tags"`
				StoragePaths []any `json:"selected_storage_paths"`
				CustomFields []any `json:"selected_custom_fields"`
			} `json:"selection_data"`
		}
		if err := json.Unmarshal(sel, &sd); err != nil {
			t.Fatal(err)
		}
		counts := map[int]int{}
		for _, c := range sd.SelectionData.Tags {
			counts[c.ID] = c.DocumentCount
		}
		if len(counts) != 3 || counts[f.t3] != 1 || counts[f.t2] != 1 || counts[f.inbox] != 0 ||
			sd.SelectionData.StoragePaths == nil || sd.SelectionData.CustomFields == nil {
			t.Errorf("selection data %s", sel)
		}
		_, raw := e.ngxList("/api/documents/?include_selection_data=true", v2)
		if _, ok := raw["selection_data"]; ok {
			t.Errorf("selection_data in v2")
		}

		// v10 and v2: no all.
		for _, o := range []opt{asV10, v2} {
			_, raw = e.ngxList("/api/documents/", o)
			if _, ok := raw["all"]; ok {
				t.Errorf("all in a non-v9 envelope")
			}
		}

		// tags: all and display_count in v9, display_count only in v10,
		// neither in v2.
		p, raw = e.ngxList("/api/tags/?page_size=1", asV9)
		if p.All == nil || len(*p.All) != 3 || p.DisplayCount == nil || *p.DisplayCount != 3 {
			t.Errorf("v9 tags: all %v display_count %v", p.All, p.DisplayCount)
		}
		if got := ngxKeys(t, e.want(e.do("GET", "/api/tags/", nil, asV9), 200)); !slices.Equal(got, []string{"count", "next", "previous", "all", "results", "display_count"}) {
			t.Errorf("v9 tag envelope keys %v", got)
		}
		p, raw = e.ngxList("/api/tags/?name__icontains=a", asV10)
		if _, ok := raw["all"]; ok || p.DisplayCount == nil || *p.DisplayCount != p.Count {
			t.Errorf("v10 tags: %v", raw)
		}
		_, raw = e.ngxList("/api/tags/", v2)
		if _, ok := raw["display_count"]; ok {
			t.Errorf("display_count in v2")
		}
		p, _ = e.ngxList("/api/correspondents/?ordering=-name", asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.corr2, f.corr}) {
			t.Errorf("v9 correspondents all = %v", p.All)
		}
		p, _ = e.ngxList("/api/document_types/", asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.typ}) {
			t.Errorf("v9 document types all = %v", p.All)
		}
		p, _ = e.ngxList("/api/saved_views/", asV9)
		if p.All == nil || len(*p.All) != 1 {
			t.Errorf("v9 saved views all = %v", p.All)
		}

		// and a delete (last: the checks above use doc3)
		e.want(e.do("DELETE", fmt.Sprintf("/api/documents/%d/", f.doc3), nil), 204)
		p, _ = e.ngxList(fmt.Sprintf("/api/documents/?tags__id=%d", f.t2), asV9)
		if p.All == nil || !slices.Equal(*p.All, []int{f.doc1, f.doc2}) || !slices.Equal(ngxIDs(t, p), []int{f.doc1, f.doc2}) {
			t.Errorf("v9 tag list after a delete: all %v, results %v", p.All, ngxIDs(t, p))
		}
	})
}

func TestNgxDocumentFilters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		all := []int{f.doc3, f.doc2, f.doc1}
		none := []int{}
		for _, c := range []struct {
			query string
			want  []int
		}{
			{"created__gt=2020-11-01", []int{f.doc3, f.doc2}},
			{"created__gte=2020-11-02", []int{f.doc3, f.doc2}},
			{"created__lt=2020-11-02", []int{f.doc1}},
			{"created__lte=2020-11-02", []int{f.doc2, f.doc1}},
			{"created__date__gte=2020-11-03", []int{f.doc3}},
			{"created__date__lte=2020-11-01", []int{f.doc1}},
			{"created__year=2020&created__month=11&created__day=2", []int{f.doc2}},
			{"added__gte=2020-11-02T10:15:00.000123Z", []int{f.doc3, f.doc2}},
			{"added__lte=2020-11-02T10:15:00.000123Z", []int{f.doc2, f.doc1}},
			{"added__date__gte=2020-11-02", []int{f.doc3, f.doc2}},
			{"modified__lt=2020-11-02T00:00:00%2B01:00", []int{f.doc1}},
			{"modified__date__lte=2020-11-02", []int{f.doc2, f.doc1}},
			{"original_filename__istartswith=BANK", []int{f.doc2}},
			{"original_filename__iendswith=.PDF", all},
			{"checksum__iexact=" + fmt.Sprintf("%032d", 3), []int{f.doc3}},
			{"checksum__icontains=nothing", none},
			{"mime_type=PDF", all},
			{"mime_type=image", none},
			{fmt.Sprintf("correspondent__id__none=%d", f.corr), []int{f.doc3, f.doc2}},
			{"correspondent__id__none=x", all},
			{fmt.Sprintf("document_type__id__none=%d,%d", f.typ, f.typ+100), []int{f.doc3, f.doc2}},
			{"storage_path__isnull=true", all},
			{"storage_path__isnull=false", none},
			{"storage_path__id=1", none},
			{"storage_path__id__in=1,2", none},
			{"storage_path__id__none=1", all},
			{"storage_path__name__icontains=a", none},
			{"owner__isnull=true", all},
			{"owner__isnull=false", none},
			{"owner__id=5", none},
			{"owner__id__in=5,6", none},
			{"owner__id__none=5", all},
			{"shared_by__id=1", none},
			{"custom_fields__id__all=1", none},
			{"custom_fields__id__in=1", none},
			{"custom_fields__id__none=1", all},
			{"custom_fields__id__all=x", all},
			{"has_custom_fields=true", none},
			{"has_custom_fields=false", all},
			{"custom_fields__icontains=x", none},
			{fmt.Sprintf("tags__id__in=%d,%d", f.inbox, f.t3), []int{f.doc3, f.doc1}},
			{fmt.Sprintf("tags__id__in=%d,x", f.inbox), all},
			{"text=BANK", []int{f.doc3, f.doc2}},
			{"title_search=bank", []int{f.doc2}},
			{"title_content=paid", []int{f.doc2}},
			{fmt.Sprintf("is_in_inbox=true&tags__id__all=%d", f.inbox), []int{f.doc1}},
			// orderings: page_count (unknown for all: by id), owner (the
			// same for all: no effect)
			{"ordering=-page_count", []int{f.doc1, f.doc2, f.doc3}},
			{"ordering=owner,created", []int{f.doc1, f.doc2, f.doc3}},
		} {
			t.Run(c.query, func(t *testing.T) {
				e := e.with(t)
				var p page[docOut]
				e.get("/api/documents/?"+c.query, &p, asV10)
				if got := ids(p); !slices.Equal(got, c.want) {
					t.Errorf("v10 %s: %v, want %v", c.query, got, c.want)
				}
			})
		}

		// v1/v2 keep their filters: the ngx-only ones are unknown there
		// (ignored), and created__gt is still a datetime.
		var p page[docOut]
		e.get("/api/documents/?owner__isnull=false", &p, v2)
		if len(p.Results) != 3 {
			t.Errorf("v2 owner__isnull=false filtered: %v", ids(p))
		}

		for _, c := range []struct{ query, body string }{
			{"created__gt=2020-11-01T10:00:00", `{"created__gt":["Enter a valid date."]}`},
			{"added__gte=yesterday", `{"added__gte":["Enter a valid date/time."]}`},
			{"owner__id=me", `{"owner__id":["Enter a number."]}`},
			{"shared_by__id=x", `{"shared_by__id":["Enter a number."]}`},
			{"storage_path__id__in=1,a", `{"storage_path__id__in":["Enter a number."]}`},
			{"ordering=-custom_field_5", `{"custom_field_5":["Custom field not found"]}`},
			{"text=a&query=b", `{"detail":"Specify only one of text, title_search, query, or more_like_id."}`},
			{"title_search=a&more_like_id=1", `{"detail":"Specify only one of text, title_search, query, or more_like_id."}`},
		} {
			t.Run("bad "+c.query, func(t *testing.T) {
				e := e.with(t)
				if got := string(e.want(e.do("GET", "/api/documents/?"+c.query, nil, asV10), 400)); got != c.body {
					t.Errorf("%s: %s, want %s", c.query, got, c.body)
				}
			})
		}
	})
}

func TestNgxCustomFieldQuery(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		for _, c := range []struct{ expr, body string }{
			{`not json`, `{"custom_field_query":["Value must be valid JSON."]}`},
			{`["a","exists"] x`, `{"custom_field_query":["Value must be valid JSON."]}`},
			{`["client","exists",false]`, `{"custom_field_query":{"0":["'client' is not a valid custom field."]}}`},
			{`[5,"exact",1]`, `{"custom_field_query":{"0":["5 is not a valid custom field."]}}`},
			{`["it's","exact",1]`, `{"custom_field_query":{"0":["\"it's\" is not a valid custom field."]}}`},
			{`["AND",[["due","range",["2025-01-01","2025-06-30"]],["paid","exact",false]]]`,
				`{"custom_field_query":{"1":{"0":{"0":["'due' is not a valid custom field."]}}}}`},
			{`["NOT",["memo","isnull",true]]`, `{"custom_field_query":{"1":{"0":["'memo' is not a valid custom field."]}}}`},
			{`["OR",[]]`, `{"custom_field_query":{"1":["Invalid expression list. Must be nonempty."]}}`},
			{`["XOR",[["a","exists",true]]]`, `{"custom_field_query":{"0":["Invalid logical operator 'XOR'"]}}`},
			{`{"a":1}`, `{"custom_field_query":["Invalid custom field query expression"]}`},
			{`["a"]`, `{"custom_field_query":["Invalid custom field query expression"]}`},
			{`["OR",["x"]]`, `{"custom_field_query":{"1":{"0":["Invalid custom field query expression"]}}}`},
			{strings.Repeat(`["NOT",`, 10) + `["a","exists",true]` + strings.Repeat(`]`, 10),
				`{"custom_field_query":` + strings.Repeat(`{"1":`, 10) + `["Maximum nesting depth exceeded."]` + strings.Repeat(`}`, 11)},
		} {
			t.Run(c.expr, func(t *testing.T) {
				e := e.with(t)
				for _, o := range []opt{asV9, asV10} {
					got := string(e.want(e.do("GET", "/api/documents/?custom_field_query="+url.QueryEscape(c.expr), nil, o), 400))
					if got != c.body {
						t.Errorf("%s:\n got %s\nwant %s", c.expr, got, c.body)
					}
				}
			})
		}
		// Empty: no filter. In v2 the parameter is unknown (ignored).
		var p page[docOut]
		e.get("/api/documents/?custom_field_query=", &p, asV10)
		if len(p.Results) != 3 {
			t.Errorf("empty custom_field_query filtered: %v", ids(p))
		}
		e.get("/api/documents/?custom_field_query=nonsense", &p, v2)
		if len(p.Results) != 3 {
			t.Errorf("v2 custom_field_query filtered: %v", ids(p))
		}
	})
}

func TestNgxShapes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		cases := []struct {
			name, method, path string
			body               any
			status             int
			o                  opt
		}{
			{"ngx_tags_v9", "GET", "/api/tags/?page_size=2", nil, 200, asV9},
			{"ngx_tag_v10_full_perms", "GET", fmt.Sprintf("/api/tags/%d/?full_perms=true", f.inbox), nil, 200, asV10},
			{"ngx_tag_post_v10", "POST", "/api/tags/", map[string]any{"name": "never", "matching_algorithm": 0, "color": "#123456"}, 201, asV10},
			{"ngx_correspondents_v10", "GET", "/api/correspondents/", nil, 200, asV10},
			{"ngx_correspondents_last_v10", "GET", "/api/correspondents/?last_correspondence=1", nil, 200, asV10},
			{"ngx_correspondent_v10", "GET", fmt.Sprintf("/api/correspondents/%d/", f.corr2), nil, 200, asV10},
			{"ngx_correspondent_patch_v10", "PATCH", fmt.Sprintf("/api/correspondents/%d/", f.corr), map[string]any{"matching_algorithm": 0}, 200, asV10},
			{"ngx_document_types_v9", "GET", "/api/document_types/", nil, 200, asV9},
			{"ngx_saved_views_v9", "GET", "/api/saved_views/", nil, 200, asV9},
			{"ngx_saved_views_v10", "GET", "/api/saved_views/", nil, 200, asV10},
			{"ngx_selection_data_v10", "POST", "/api/documents/selection_data/", map[string]any{"documents": []int{f.doc2, f.doc3}}, 200, asV10},
			{"ngx_algorithm_0_v2", "POST", "/api/tags/", map[string]any{"name": "zero", "matching_algorithm": 0}, 400, v2},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				golden(t, c.name, e.want(e.do(c.method, c.path, c.body, c.o), c.status))
			})
		}
	})
}

func TestNgxNameFilters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		for _, c := range []struct {
			path string
			want []int
		}{
			{fmt.Sprintf("/api/tags/?id=%d", f.t2), []int{f.t2}},
			{fmt.Sprintf("/api/tags/?id__in=%d,%d", f.t3, f.inbox), []int{f.inbox, f.t3}},
			{fmt.Sprintf("/api/tags/?id__in=%d&id=%d", f.t3, f.inbox), []int{}},
			{"/api/tags/?is_root=true", []int{f.inbox, f.t2, f.t3}},
			{"/api/tags/?is_root=false", []int{}},
			{fmt.Sprintf("/api/correspondents/?id=%d&name__icontains=bank", f.corr2), []int{f.corr2}},
			{fmt.Sprintf("/api/document_types/?id__in=%d", f.typ+1), []int{}},
		} {
			p, _ := e.ngxList(c.path, asV9)
			if got := ngxIDs(t, p); !slices.Equal(got, c.want) || p.All == nil || !slices.Equal(*p.All, c.want) {
				t.Errorf("%s: results %v all %v, want %v", c.path, got, p.All, c.want)
			}
		}
		if got := string(e.want(e.do("GET", "/api/tags/?id=x", nil, asV10), 400)); got != `{"id":["Enter a number."]}` {
			t.Errorf("bad id: %s", got)
		}
		// v1/v2 keep their filters (id is unknown there: ignored).
		var p page[struct{ ID int }]
		e.get(fmt.Sprintf("/api/tags/?id=%d", f.t2), &p, v2)
		if len(p.Results) != 3 {
			t.Errorf("v2 id filtered tags: %v", p.Results)
		}
	})
}

func TestNgxSearchModeEnvelope(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		e.reindex()
		body := e.want(e.do("GET", "/api/documents/?query=bank", nil, asV10), 200)
		if got := ngxKeys(t, body); !slices.Equal(got, []string{"count", "next", "previous", "results", "corrected_query"}) {
			t.Errorf("v10 search envelope keys %v", got)
		}
		if !strings.HasSuffix(string(body), `,"corrected_query":null}`) {
			t.Errorf("v10 search envelope %s", body)
		}
		if got := ngxKeys(t, e.want(e.do("GET", "/api/documents/?query=bank", nil, v2), 200)); !slices.Equal(got, []string{"count", "next", "previous", "results"}) {
			t.Errorf("v2 search envelope keys %v", got)
		}
	})
}
