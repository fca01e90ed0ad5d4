package resolvers_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The paperless-ngx document filters REST serves are GraphQL's too.
func TestNgxDocumentFiltersThroughGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		a, b := seedDocs(t, e, 9)
		count := func(filter string) int {
			t.Helper()
			var out struct{ Documents struct{ TotalCount int } }
			e.mustDo(`{ documents(filter: {`+filter+`}) { totalCount } }`, &out)
			return out.Documents.TotalCount
		}
		var corr struct {
			Correspondents struct{ Items []struct{ ID string } }
		}
		e.mustDo(`{ correspondents(filter: {name: {iexact: "corr 0"}}) { items { id } } }`, &corr)
		c0 := corr.Correspondents.Items[0].ID
		for _, c := range []struct {
			filter string
			want   int
		}{
			{fmt.Sprintf(`checksum: {iexact: "%032X"}`, 3), 1},
			{`checksum: {istartswith: "0000"}`, 9},
			{`mimeType: "PDF"`, 9},
			{`mimeType: "png"`, 0},
			{`originalFilename: {icontains: "nothing like it"}`, 0},
			{`owner: {isnull: true}`, 9},
			{`owner: {exact: 1}`, 0},
			{`storagePath: {isnull: false}`, 0},
			{`storagePath: {none: [1]}`, 9},
			{`sharedBy: 1`, 0},
			{`hasCustomFields: false`, 9},
			{`customFields: {any: [1]}`, 0},
			{`correspondent: {none: [` + c0 + `]}`, 7}, // docs 0 and 5 have Corr 0
			{`created: {gte: "2021-03-01T14:00:00Z"}`, 7},
			{`created: {lte: "2021-03-01T14:00:00Z"}`, 3},
			{`created: {dateGte: "2021-03-01", dateLte: "2021-03-01"}`, 9},
			{`created: {dateGte: "2021-03-02"}`, 0},
		} {
			if got := count(c.filter); got != c.want {
				t.Errorf("%s: %d documents, want %d", c.filter, got, c.want)
			}
		}

		// custom_field_query: a JSON string, checked like REST's.
		errs := e.do(e.c, `{ documents(filter: {customFieldQuery: "[1,"}) { totalCount } }`, nil)
		if f := e.wantCode(errs, "VALIDATION").Extensions.Fields; len(f["customFieldQuery"]) != 1 {
			t.Errorf("bad JSON: fields %v", f)
		}
		errs = e.do(e.c, `{ documents(filter: {customFieldQuery: "[\"AND\", [[\"due\", \"exists\", true]]]"}) { totalCount } }`, nil)
		for k := range e.wantCode(errs, "VALIDATION").Extensions.Fields {
			if !strings.HasPrefix(k, "customFieldQuery/") {
				t.Errorf("custom field query problem under %q", k)
			}
		}

		// PAGE_COUNT ordering (no page counts: id order); CUSTOM_FIELD names a missing field.
		var ordered struct {
			Documents struct{ Items []struct{ ID string } }
		}
		e.mustDo(`{ documents(orderBy: [{field: PAGE_COUNT, direction: DESC}], pageSize: 3) { items { id } } }`, &ordered)
		if len(ordered.Documents.Items) != 3 {
			t.Errorf("PAGE_COUNT order: %v", ordered.Documents.Items)
		}
		e.wantCode(e.do(e.c, `{ documents(orderBy: [{field: CUSTOM_FIELD, customField: 5}]) { totalCount } }`, nil), "VALIDATION")

		// allIds: every match on every page, in the page's order.
		var page struct {
			Documents struct {
				Items  []struct{ ID string }
				AllIds []string
			}
			DocumentIds []string
		}
		filter := fmt.Sprintf(`{tags: {all: [%d, %d]}}`, a, b)
		e.mustDo(`{ documents(filter: `+filter+`, orderBy: [{field: TITLE}], pageSize: 1) { items { id } allIds }
			documentIds(filter: `+filter+`, orderBy: [{field: TITLE}]) }`, &page)
		if len(page.Documents.AllIds) != 3 || !reflect.DeepEqual(page.Documents.AllIds, page.DocumentIds) ||
			page.Documents.Items[0].ID != page.Documents.AllIds[0] {
			t.Errorf("documents allIds %v, documentIds %v, page %v", page.Documents.AllIds, page.DocumentIds, page.Documents.Items)
		}
		var lists struct {
			Correspondents struct{ AllIds []string }
			Tags           struct{ AllIds []string }
			Roots          struct{ AllIds []string }
			DocumentTypes  struct{ AllIds []string }
			SavedViews     struct{ AllIds []string }
		}
		e.mustDo(`{ correspondents(pageSize: 2, orderBy: [{field: NAME, direction: DESC}]) { allIds }
			tags(filter: {isRoot: false}) { allIds } roots: tags(filter: {isRoot: true}, pageSize: 1) { allIds }
			documentTypes { allIds } savedViews { allIds } }`, &lists)
		if len(lists.Correspondents.AllIds) != 5 || lists.Correspondents.AllIds[4] != c0 {
			t.Errorf("correspondents allIds %v (Corr 0 = %s last by name descending)", lists.Correspondents.AllIds, c0)
		}
		if len(lists.Tags.AllIds) != 0 || len(lists.Roots.AllIds) != 3 || len(lists.DocumentTypes.AllIds) != 0 || len(lists.SavedViews.AllIds) != 0 {
			t.Errorf("lists %+v", lists)
		}
	})
}

// Saved views carry paperless-ngx's page size, display mode and columns.
func TestSavedViewDisplay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type view struct {
			ID            string
			PageSize      *int
			DisplayMode   *string
			DisplayFields []string
		}
		var created struct{ CreateSavedView view }
		e.mustDo(`mutation { createSavedView(input: {name: "Cards", showOnDashboard: true, showInSidebar: true, filterRules: [],
			pageSize: 50, displayMode: SMALL_CARDS, displayFields: ["title", "asn", "pagecount"]})
			{ id pageSize displayMode displayFields } }`, &created)
		v := created.CreateSavedView
		if v.PageSize == nil || *v.PageSize != 50 || v.DisplayMode == nil || *v.DisplayMode != "SMALL_CARDS" ||
			!reflect.DeepEqual(v.DisplayFields, []string{"title", "asn", "pagecount"}) {
			t.Fatalf("created %+v", v)
		}
		var read struct {
			SavedViews struct{ Items []view }
		}
		e.mustDo(`{ savedViews { items { id pageSize displayMode displayFields } } }`, &read)
		if !reflect.DeepEqual(read.SavedViews.Items, []view{v}) {
			t.Fatalf("read back %+v, want %+v", read.SavedViews.Items, v)
		}
		// An empty list and explicit nulls clear; absent keys keep.
		var updated struct{ UpdateSavedView view }
		e.mustDo(`mutation { updateSavedView(id: `+v.ID+`, input: {displayFields: [], displayMode: null})
			{ id pageSize displayMode displayFields } }`, &updated)
		if u := updated.UpdateSavedView; u.DisplayFields != nil || u.DisplayMode != nil || u.PageSize == nil || *u.PageSize != 50 {
			t.Fatalf("updated %+v", u)
		}
		errs := e.do(e.c, `mutation { updateSavedView(id: `+v.ID+`, input: {pageSize: 0, displayFields: ["title", "bogus"]}) { id } }`, nil)
		f := e.wantCode(errs, "VALIDATION").Extensions.Fields
		if len(f["pageSize"]) != 1 || !reflect.DeepEqual(f["displayFields"], []string{"Invalid field: bogus"}) {
			t.Fatalf("fields %v", f)
		}
		e.mustDo(`{ savedViews { items { id pageSize displayMode displayFields } } }`, &read)
		if got := read.SavedViews.Items[0]; got.PageSize == nil || *got.PageSize != 50 || got.DisplayFields != nil {
			t.Fatalf("a refused update changed the view: %+v", got)
		}
	})
}

// TestNextArchiveSerialNumber: 1 on an archive without ASNs, then the
// highest plus 1, whichever document holds it.
func TestNextArchiveSerialNumber(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 2)
		var docs struct {
			Documents struct{ Items []struct{ ID string } }
		}
		e.mustDo(`{ documents { items { id } } }`, &docs)
		a, b := docs.Documents.Items[0].ID, docs.Documents.Items[1].ID
		next := func() int {
			t.Helper()
			var out struct{ NextArchiveSerialNumber int }
			e.mustDo(`{ nextArchiveSerialNumber }`, &out)
			return out.NextArchiveSerialNumber
		}
		if n := next(); n != 1 {
			t.Fatalf("without ASNs: %d, want 1", n)
		}
		e.mustDo(fmt.Sprintf(`mutation { updateDocument(id: %s, input: {archiveSerialNumber: 41}) { id } }`, a), nil)
		e.mustDo(fmt.Sprintf(`mutation { updateDocument(id: %s, input: {archiveSerialNumber: 7}) { id } }`, b), nil)
		if n := next(); n != 42 {
			t.Fatalf("after ASNs 41 and 7: %d, want 42", n)
		}
	})
}
