package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

// Behaviours pinned by paperless-ng's own API tests (contract §15); one
// test per item, named after it.

// §15.1.1: an empty archive lists no documents.
func TestP1_1EmptyDocumentList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var p page[docOut]
		e.get("/api/documents/", &p)
		if p.Count != 0 || len(p.Results) != 0 || p.Next != nil || p.Previous != nil {
			t.Fatalf("empty list %+v", p)
		}
	})
}

// §15.1.2 and §15.2.1 (C1): a document is listed with its correspondent,
// type and tags as ids.
func TestP1_2DocumentListShape(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		var p page[map[string]any]
		e.get(fmt.Sprintf("/api/documents/?id=%d", f.doc1), &p)
		if p.Count != 1 {
			t.Fatalf("count %d", p.Count)
		}
		d := p.Results[0]
		if d["id"] != float64(f.doc1) || d["title"] != "Rechnung März <1>" || d["correspondent"] != float64(f.corr) ||
			d["document_type"] != float64(f.typ) || fmt.Sprint(d["tags"]) != fmt.Sprintf("[%d]", f.inbox) {
			t.Fatalf("document %v", d)
		}
		for _, k := range []string{"correspondent_id", "tags_id", "document_type_id"} {
			if _, ok := d[k]; ok {
				t.Errorf("1.x shape has no %s", k)
			}
		}
	})
}

// §15.1.3 and §15.2.1: PUT of the listed object with another correspondent
// and title stores both.
func TestP1_3PutListedDocument(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		var p page[map[string]any]
		e.get(fmt.Sprintf("/api/documents/?id=%d", f.doc1), &p)
		d := p.Results[0]
		d["correspondent"] = f.corr2
		d["title"] = "Neuer Titel"
		e.want(e.do("PUT", fmt.Sprintf("/api/documents/%d/", f.doc1), d), 200)
		got, err := e.st.Document(context.Background(), f.doc1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Neuer Titel" || got.CorrespondentID == nil || *got.CorrespondentID != f.corr2 {
			t.Fatalf("stored %+v", got)
		}
	})
}

// §15.1.4: DELETE removes the document.
func TestP1_4DeleteDocument(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		for _, id := range []int{f.doc1, f.doc2, f.doc3} {
			rec := e.do("DELETE", fmt.Sprintf("/api/documents/%d/", id), nil)
			if e.want(rec, 204); rec.Body.Len() != 0 {
				t.Fatalf("204 with body %q", rec.Body.String())
			}
		}
		var p page[docOut]
		e.get("/api/documents/", &p)
		if p.Count != 0 {
			t.Fatalf("%d documents left", p.Count)
		}
		e.want(e.do("DELETE", fmt.Sprintf("/api/documents/%d/", f.doc1), nil), 404)
	})
}

// §15.1.7 and §15.2.4: inbox and tag filters, distinct rows.
func TestP1_7DocumentTagFilters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		cases := []struct {
			query string
			want  []int
		}{
			{"is_in_inbox=true", []int{f.doc1}},
			{"is_in_inbox=false&ordering=title", []int{f.doc2, f.doc3}},
			{"is_in_inbox=TRUE", []int{f.doc1, f.doc2, f.doc3}}, // only exact true/false
			{fmt.Sprintf("tags__id__in=%d,%d", f.inbox, f.t3), []int{f.doc1, f.doc3}},
			{fmt.Sprintf("tags__id__in=%d,%d", f.t2, f.t3), []int{f.doc2, f.doc3}},
			{fmt.Sprintf("tags__id__all=%d,%d", f.t2, f.t3), []int{f.doc3}},
			{fmt.Sprintf("tags__id__all=%d,%d", f.inbox, f.t3), []int{}},
			{fmt.Sprintf("tags__id__all=%da%d", f.inbox, f.t3), []int{f.doc1, f.doc2, f.doc3}},
			{fmt.Sprintf("tags__id__none=%d", f.t3), []int{f.doc1, f.doc2}},
			{fmt.Sprintf("tags__id__none=%d,%d", f.t3, f.t2), []int{f.doc1}},
			{fmt.Sprintf("tags__id__none=%d,%d", f.t2, f.inbox), []int{}},
			{fmt.Sprintf("tags__id=%d", f.t2), []int{f.doc2, f.doc3}},
			{"is_tagged=1", []int{f.doc1, f.doc2, f.doc3}},
			{"is_tagged=false", []int{}},
			{"correspondent__isnull=true", []int{f.doc2, f.doc3}},
			{"tags__name__iexact=über", []int{f.doc3}},
		}
		for _, c := range cases {
			var p page[docOut]
			e.get("/api/documents/?ordering=id&"+c.query, &p)
			got := ids(p)
			want := slices.Clone(c.want)
			if !strings.Contains(c.query, "ordering=title") {
				slices.Sort(want)
			}
			if !slices.Equal(got, want) || p.Count != len(want) {
				t.Errorf("%s: got %v (count %d), want %v", c.query, got, p.Count, want)
			}
		}
	})
}

// §15.1.14: statistics count documents and inbox documents.
func TestP1_14Statistics(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		var raw map[string]any
		e.get("/api/statistics/", &raw)
		if raw["documents_total"] != float64(3) || raw["documents_inbox"] != float64(1) {
			t.Fatalf("statistics %v", raw)
		}
	})
}

// §15.2.2: ?fields= limits the keys.
func TestP2_2Fields(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		keys := func(q string) []string {
			var p page[map[string]any]
			e.get("/api/documents/"+q, &p)
			var out []string
			for k := range p.Results[0] {
				out = append(out, k)
			}
			slices.Sort(out)
			return out
		}
		all := keys("")
		for q, want := range map[string][]string{
			"?fields=id":             {"id"},
			"?fields=content":        {"content"},
			"?fields=id,content":     {"content", "id"},
			"?fields=id,conteasdnt":  {"id"},
			"?fields=":               all,
			"?fields=dgfhs":          nil,
			"?fields=tags&fields=id": {"id"}, // the last one wins
		} {
			if got := keys(q); !slices.Equal(got, want) {
				t.Errorf("%s: keys %v, want %v", q, got, want)
			}
		}
		if len(all) != 12 {
			t.Errorf("full document has %d keys: %v", len(all), all)
		}
	})
}

// §15.2.5: title_content matches title or content.
func TestP2_5TitleContent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var docIDs []int
		for i, tc := range [][2]string{{"A", "A"}, {"B", "A"}, {"A", "B"}, {"B", "B"}} {
			d := &store.Document{Title: tc[0], Content: tc[1], MimeType: "text/plain", Checksum: fmt.Sprint(i)}
			if err := e.st.CreateDocument(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			docIDs = append(docIDs, d.ID)
		}
		for q, want := range map[string][]int{"A": {docIDs[0], docIDs[1], docIDs[2]}, "B": {docIDs[1], docIDs[2], docIDs[3]}, "X": {}} {
			var p page[docOut]
			e.get("/api/documents/?ordering=id&title_content="+q, &p)
			if got := ids(p); !slices.Equal(got, want) {
				t.Errorf("title_content=%s: %v, want %v", q, got, want)
			}
		}
	})
}

// §15.2.10 (C6): without an inbox tag documents_inbox is null.
func TestP2_10StatisticsWithoutInbox(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		body := e.want(e.do("GET", "/api/statistics/", nil), 200)
		if string(body) != `{"documents_total":0,"documents_inbox":null}` {
			t.Fatalf("statistics %s", body)
		}
	})
}

// §15.2.14: saved views are per user; PATCH keeps rules, PUT replaces them.
func TestP2_14SavedViews(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed() // admin owns view 1
		var p page[map[string]any]
		e.get("/api/saved_views/", &p, asOther)
		if p.Count != 0 {
			t.Fatalf("other user sees %d views", p.Count)
		}
		e.want(e.do("GET", "/api/saved_views/1/", nil, asOther), 404)
		e.want(e.do("PATCH", "/api/saved_views/1/", map[string]any{"name": "x"}, asOther), 404)

		id := e.mustCreate("POST", "/api/saved_views/", map[string]any{"name": "Mine", "show_on_dashboard": false,
			"show_in_sidebar": false, "sort_field": "title", "filter_rules": []any{map[string]any{"rule_type": 0, "value": "bank"}, map[string]any{"rule_type": 5, "value": nil}}})
		path := fmt.Sprintf("/api/saved_views/%d/", id)
		type view struct {
			Name          string `json:"name"`
			SortField     string `json:"sort_field"`
			ShowInSidebar bool   `json:"show_in_sidebar"`
			FilterRules   []struct {
				RuleType int     `json:"rule_type"`
				Value    *string `json:"value"`
			} `json:"filter_rules"`
		}
		var v view
		e.get(path, &v)
		if v.SortField != "title" || len(v.FilterRules) != 2 || v.FilterRules[1].Value != nil {
			t.Fatalf("created %+v", v)
		}
		json.Unmarshal(e.want(e.do("PATCH", path, map[string]any{"show_in_sidebar": true}), 200), &v)
		if !v.ShowInSidebar || len(v.FilterRules) != 2 {
			t.Fatalf("patched %+v", v)
		}
		put := map[string]any{"name": "Mine", "show_on_dashboard": false, "show_in_sidebar": true,
			"filter_rules": []any{map[string]any{"rule_type": 9, "value": "2020-01-01"}}}
		v = view{}
		json.Unmarshal(e.want(e.do("PUT", path, put), 200), &v)
		if len(v.FilterRules) != 1 || v.FilterRules[0].RuleType != 9 {
			t.Fatalf("put %+v", v)
		}
		put["filter_rules"] = []any{}
		v = view{}
		json.Unmarshal(e.want(e.do("PUT", path, put), 200), &v)
		if len(v.FilterRules) != 0 {
			t.Fatalf("put without rules %+v", v)
		}
		e.want(e.do("DELETE", path, nil, asOther), 404)
		e.want(e.do("DELETE", path, nil), 204)
	})
}

// §15.2.15: logs in the 1.x form.
func TestP2_15Logs(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		// 1.x names both logs always; a log without entries yet is 404
		// on its own URL.
		var names []string
		e.get("/api/logs/", &names)
		if !slices.Equal(names, []string{"paperless", "mail"}) {
			t.Fatalf("no log entries yet, names %v", names)
		}
		e.want(e.do("GET", "/api/logs/paperless/", nil), 404)
		e.want(e.do("GET", "/api/logs/mail/", nil), 404)
		ctx := context.Background()
		err := e.st.AddLogEntries(ctx, store.LogEntry{Logger: "paperless", Message: "test", Level: store.LevelInfo},
			store.LogEntry{Logger: "paperless", Message: "test2", Level: store.LevelWarning, Created: fixedNow.Add(time.Second)},
			store.LogEntry{Logger: "mail", Message: "m", Level: store.LevelDebug})
		if err != nil {
			t.Fatal(err)
		}
		e.get("/api/logs/", &names)
		if !slices.Equal(names, []string{"paperless", "mail"}) {
			t.Fatalf("names %v", names)
		}
		var lines []string
		e.get("/api/logs/paperless/", &lines)
		if len(lines) != 2 || !strings.HasSuffix(lines[0], "[INFO] [paperless] test") || !strings.HasSuffix(lines[1], "[WARNING] [paperless] test2") {
			t.Fatalf("lines %q", lines)
		}
		e.want(e.do("GET", "/api/logs/nonexistent/", nil), 404)
	})
}

// §15.2.16: a regular expression is validated only with algorithm 4 in
// the same request.
func TestP2_16RegexValidation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for _, ep := range []string{"correspondents", "tags", "document_types"} {
			path := "/api/" + ep + "/"
			e.want(e.do("POST", path, map[string]any{"name": ep + "1", "match": "[", "matching_algorithm": 1}), 201)
			body := e.want(e.do("POST", path, map[string]any{"name": ep + "2", "match": "[", "matching_algorithm": 4}), 400)
			if !strings.Contains(string(body), `"match":["Invalid regular expression: `) {
				t.Errorf("%s: %s", ep, body)
			}
			e.want(e.do("POST", path, map[string]any{"name": ep + "3", "match": "[0-9]", "matching_algorithm": 4}), 201)
			e.want(e.do("POST", path, map[string]any{"name": ep + "4", "match": "[0-9"}), 201)
			e.want(e.do("POST", path, map[string]any{"name": ep + "5", "matching_algorithm": 0}), 400)
		}
	})
}

// §15.2.17: tag colours in API version 1.
func TestP2_17TagColourV1(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type tag struct {
			ID     int `json:"id"`
			Colour int `json:"colour"`
		}
		var a, b tag
		json.Unmarshal(e.want(e.do("POST", "/api/tags/", map[string]any{"name": "a"}), 201), &a)
		if a.Colour != 1 {
			t.Errorf("default colour %d", a.Colour)
		}
		if got, _ := e.st.Tag(context.Background(), a.ID); got.Color != "#a6cee3" {
			t.Errorf("default stored %s", got.Color)
		}
		json.Unmarshal(e.want(e.do("POST", "/api/tags/", map[string]any{"name": "b", "colour": 3}), 201), &b)
		if got, _ := e.st.Tag(context.Background(), b.ID); got.Color != "#b2df8a" || b.Colour != 3 {
			t.Errorf("colour 3 stored %s, read %d", got.Color, b.Colour)
		}
		e.want(e.do("POST", "/api/tags/", map[string]any{"name": "c", "colour": 34}), 400)
		e.want(e.do("PATCH", fmt.Sprintf("/api/tags/%d/", a.ID), map[string]any{"color": "#abcdef"}, v2), 200)
		var got tag
		e.get(fmt.Sprintf("/api/tags/%d/", a.ID), &got)
		if got.Colour != 1 {
			t.Errorf("custom colour reads %d", got.Colour)
		}
	})
}

// §15.2.18: tag colours in API version 2.
func TestP2_18TagColourV2(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.want(e.do("POST", "/api/tags/", map[string]any{"name": "ok", "color": "#12fFaA"}, v2), 201)
		for i, c := range []string{"abcdef", "#abcdfg", "#asd", "#12121212"} {
			e.want(e.do("POST", "/api/tags/", map[string]any{"name": fmt.Sprint("bad", i), "color": c}, v2), 400)
		}
		for c, want := range map[string]string{"#000000": "#ffffff", "#ffffff": "#000000"} {
			var tg struct {
				TextColor string `json:"text_color"`
			}
			json.Unmarshal(e.want(e.do("POST", "/api/tags/", map[string]any{"name": c, "color": c}, v2), 201), &tg)
			if tg.TextColor != want {
				t.Errorf("%s: text_color %s", c, tg.TextColor)
			}
		}
	})
}

// §15.2.19 (API level) and §15.2.20: bulk edit methods change exactly the
// expected documents; bad input is 400 and changes nothing.
func TestP2_19_20BulkEdit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		bulk := func(docs []int, method string, params map[string]any) []byte {
			return e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": docs, "method": method, "parameters": params}).Body.Bytes()
		}
		ok := func(docs []int, method string, params map[string]any) {
			t.Helper()
			if b := bulk(docs, method, params); string(b) != `{"result":"OK"}` {
				t.Fatalf("%s: %s", method, b)
			}
		}
		doc := func(id int) *store.Document {
			d, err := e.st.Document(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		tagsOf := func(id int) []int {
			var d docOut
			e.get(fmt.Sprintf("/api/documents/%d/", id), &d)
			return d.Tags
		}
		ok([]int{f.doc2, f.doc3}, "set_correspondent", map[string]any{"correspondent": f.corr})
		if d := doc(f.doc2); d.CorrespondentID == nil || *d.CorrespondentID != f.corr {
			t.Fatal("set_correspondent")
		}
		ok([]int{f.doc2}, "set_correspondent", map[string]any{"correspondent": nil})
		if doc(f.doc2).CorrespondentID != nil || doc(f.doc3).CorrespondentID == nil {
			t.Fatal("unset correspondent")
		}
		ok([]int{f.doc2}, "set_document_type", map[string]any{"document_type": f.typ})
		if d := doc(f.doc2); d.DocumentTypeID == nil || *d.DocumentTypeID != f.typ {
			t.Fatal("set_document_type")
		}
		ok([]int{f.doc1, f.doc2}, "add_tag", map[string]any{"tag": f.t3})
		if !slices.Contains(tagsOf(f.doc1), f.t3) || !slices.Contains(tagsOf(f.doc2), f.t3) {
			t.Fatal("add_tag")
		}
		ok([]int{f.doc1}, "remove_tag", map[string]any{"tag": f.t3})
		if slices.Contains(tagsOf(f.doc1), f.t3) || !slices.Contains(tagsOf(f.doc2), f.t3) {
			t.Fatal("remove_tag")
		}
		ok([]int{f.doc3}, "modify_tags", map[string]any{"add_tags": []int{f.inbox}, "remove_tags": []int{f.t2}})
		if got := tagsOf(f.doc3); !slices.Contains(got, f.inbox) || slices.Contains(got, f.t2) {
			t.Fatalf("modify_tags %v", got)
		}

		before := e.want(e.do("GET", "/api/documents/", nil), 200)
		for name, c := range map[string]struct {
			docs   []int
			method string
			params map[string]any
			want   string
		}{
			"ErrUnknownDocument":      {[]int{999}, "add_tag", map[string]any{"tag": f.t2}, `{"documents":["Some documents in documents don't exist or were specified twice."]}`},
			"ErrDuplicateDocument":    {[]int{f.doc1, f.doc1}, "add_tag", map[string]any{"tag": f.t2}, `{"documents":["Some documents in documents don't exist or were specified twice."]}`},
			"ErrUnknownMethod":        {[]int{f.doc1}, "exterminate", map[string]any{}, `{"method":["\"exterminate\" is not a valid choice."]}`},
			"ErrUnknownCorrespondent": {[]int{f.doc1}, "set_correspondent", map[string]any{"correspondent": 999}, `{"non_field_errors":["Correspondent does not exist"]}`},
			"ErrUnknownType":          {[]int{f.doc1}, "set_document_type", map[string]any{"document_type": 999}, `{"non_field_errors":["Document type does not exist"]}`},
			"ErrUnknownTag":           {[]int{f.doc1}, "add_tag", map[string]any{"tag": 999}, `{"non_field_errors":["Tag does not exist"]}`},
			"ErrMissingCorrespondent": {[]int{f.doc1}, "set_correspondent", map[string]any{}, `{"non_field_errors":["correspondent not specified"]}`},
			"ErrMissingTag":           {[]int{f.doc1}, "remove_tag", map[string]any{}, `{"non_field_errors":["tag not specified"]}`},
			"ErrModifyUnknownTag":     {[]int{f.doc1}, "modify_tags", map[string]any{"add_tags": []int{999}, "remove_tags": []int{}}, `{"non_field_errors":["Some tags in add_tags don't exist or were specified twice."]}`},
			"ErrModifyMissingAdd":     {[]int{f.doc1}, "modify_tags", map[string]any{"remove_tags": []int{}}, `{"non_field_errors":["add_tags not specified"]}`},
			"ErrModifyMissingRemove":  {[]int{f.doc1}, "modify_tags", map[string]any{"add_tags": []int{}}, `{"non_field_errors":["remove_tags not specified"]}`},
		} {
			t.Run(name, func(t *testing.T) {
				e := e.with(t)
				rec := e.do("POST", "/api/documents/bulk_edit/", map[string]any{"documents": c.docs, "method": c.method, "parameters": c.params})
				if body := e.want(rec, 400); string(body) != c.want {
					t.Errorf("body %s, want %s", body, c.want)
				}
			})
		}
		if after := e.want(e.do("GET", "/api/documents/", nil), 200); string(after) != string(before) {
			t.Fatal("a refused bulk edit changed documents")
		}
		e.want(e.do("POST", "/api/documents/bulk_edit/", "documents=1&method=delete"), 415)
		ok([]int{f.doc1, f.doc2}, "delete", map[string]any{})
		var p page[docOut]
		e.get("/api/documents/", &p)
		if !slices.Equal(ids(p), []int{f.doc3}) {
			t.Fatalf("after delete %v", ids(p))
		}
	})
}

// §15.2.21: selection data lists every object with its count.
func TestP2_21SelectionData(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		body := e.want(e.do("POST", "/api/documents/selection_data/", map[string]any{"documents": []int{}}), 200)
		want := fmt.Sprintf(`{"selected_correspondents":[{"id":%d,"document_count":0},{"id":%d,"document_count":0}],"selected_tags":[{"id":%d,"document_count":0},{"id":%d,"document_count":0},{"id":%d,"document_count":0}],"selected_document_types":[{"id":%d,"document_count":0}]}`,
			f.corr, f.corr2, f.inbox, f.t2, f.t3, f.typ)
		if string(body) != want {
			t.Fatalf("empty selection %s", body)
		}
		body = e.want(e.do("POST", "/api/documents/selection_data/", fmt.Sprintf("documents=%d&documents=%d&documents=%d", f.doc1, f.doc2, f.doc3)), 200)
		want = fmt.Sprintf(`{"selected_correspondents":[{"id":%d,"document_count":1},{"id":%d,"document_count":0}],"selected_tags":[{"id":%d,"document_count":1},{"id":%d,"document_count":2},{"id":%d,"document_count":1}],"selected_document_types":[{"id":%d,"document_count":1}]}`,
			f.corr, f.corr2, f.inbox, f.t2, f.t3, f.typ)
		if string(body) != want {
			t.Fatalf("selection %s", body)
		}
		e.want(e.do("POST", "/api/documents/selection_data/", map[string]any{"documents": []int{999}}), 400)
	})
}

// §15.2.23: the collections answer 401 without credentials, also GET on
// POST-only endpoints.
func TestP2_23Unauthenticated(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		for _, p := range []string{"/api/documents/", "/api/documents/1/", "/api/tags/", "/api/correspondents/",
			"/api/document_types/", "/api/logs/", "/api/saved_views/", "/api/documents/bulk_edit/",
			"/api/documents/selection_data/", "/api/statistics/", "/api/logs/paperless/"} {
			rec := e.do("GET", p, nil, anon)
			if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Basic realm="api"` {
				t.Errorf("%s: %d %v", p, rec.Code, rec.Header())
			}
		}
		if rec := e.do("GET", "/api/documents/bulk_edit/", nil); rec.Code != 405 || rec.Header().Get("Allow") != "POST, OPTIONS" {
			t.Errorf("authenticated GET on bulk_edit: %d %q", rec.Code, rec.Header().Get("Allow"))
		}
	})
}

// §15.2.24: version headers only for authenticated requests.
func TestP2_24VersionHeaders(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rec := e.do("GET", "/api/", nil, anon)
		if rec.Code != 200 || rec.Header().Get("X-Api-Version") != "" || rec.Header().Get("X-Version") != "" {
			t.Fatalf("anonymous: %d %v", rec.Code, rec.Header())
		}
		rec = e.do("GET", "/api/", nil)
		if rec.Header().Get("X-Api-Version") != "2" || rec.Header().Get("X-Version") != "1.5.0" {
			t.Fatalf("authenticated: %v", rec.Header())
		}
		rec = e.do("GET", "/api/", nil, header("Accept", "application/json; version=11"))
		if rec.Code != 406 || rec.Header().Get("X-Api-Version") != "" {
			t.Fatalf("bad version: %d %v", rec.Code, rec.Header())
		}
	})
}
