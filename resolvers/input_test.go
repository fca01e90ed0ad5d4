package resolvers_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// TestTextArgumentRules: a NUL character or non-UTF-8 bytes in any string
// argument, at any depth, and an over-long text lookup are VALIDATION
// errors naming the input field, never INTERNAL, on both databases.
func TestTextArgumentRules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var doc struct{ CreateCorrespondent struct{ ID string } }
		e.mustDo(`mutation { createCorrespondent(input: {name: "ACME"}) { id } }`, &doc)
		const nul = `a\u0000b`
		long := strings.Repeat("a", 2000) // queries are limited to 64 KiB
		msgLong := "Ensure this value has at most 1000 characters (it has 2000)."
		for _, c := range []struct{ q, field, msg string }{
			{`{ documents(filter: {title: {icontains: "` + nul + `"}}) { totalCount } }`, "title.icontains", "Null characters are not allowed."},
			{`{ documents(filter: {title: {icontains: "` + long + `"}}) { totalCount } }`, "title.icontains", msgLong},
			{`{ documents(filter: {titleContent: "` + long + `"}) { totalCount } }`, "titleContent", msgLong},
			{`{ documents(filter: {correspondentName: {iexact: "` + nul + `"}}) { totalCount } }`, "correspondentName.iexact", "Null characters are not allowed."},
			{`{ tags(filter: {name: {istartswith: "` + nul + `"}}) { totalCount } }`, "name.istartswith", "Null characters are not allowed."},
			{`{ correspondents(filter: {name: {icontains: "` + long + `"}}) { totalCount } }`, "name.icontains", msgLong},
			{`{ logEntries(filter: {logger: "` + nul + `"}) { totalCount } }`, "logger", "Null characters are not allowed."},
			{`{ logEntries(filter: {groupIn: ["x", "` + nul + `"]}) { totalCount } }`, "groupIn", "Null characters are not allowed."},
			{`mutation { createTag(input: {name: "` + nul + `"}) { id } }`, "name", "Null characters are not allowed."},
			{`mutation { createCorrespondent(input: {name: "x", match: "` + nul + `"}) { id } }`, "match", "Null characters are not allowed."},
			{`mutation { updateCorrespondent(id: ` + doc.CreateCorrespondent.ID + `, input: {name: "` + nul + `"}) { id } }`, "name", "Null characters are not allowed."},
			{`mutation { updateDocument(id: 999999, input: {title: "` + nul + `", archiveSerialNumber: 5}) { id } }`, "title", "Null characters are not allowed."},
			{`mutation { createSavedView(input: {name: "v", showOnDashboard: true, showInSidebar: true, filterRules: [{ruleType: 0, value: "` + nul + `"}]}) { id } }`,
				"filterRules.value", "Null characters are not allowed."},
		} {
			t.Run(c.field, func(t *testing.T) {
				err := e.wantCode(e.do(e.c, c.q, nil), "VALIDATION")
				if got := err.Extensions.Fields[c.field]; len(got) != 1 || got[0] != c.msg {
					t.Fatalf("fields %v, want %s: [%q]", err.Extensions.Fields, c.field, c.msg)
				}
			})
		}
		// Non-UTF-8 bytes can only come by the GET transport (JSON bodies
		// carry none): the query string is taken as it is.
		q := `{ documents(filter: {title: {icontains: "a` + "\xff" + `b"}}) { totalCount } }`
		rec := httptest.NewRecorder()
		e.c.ServeHTTP(rec, httptest.NewRequest("GET", "/graphql?query="+url.QueryEscape(q), nil))
		if body := rec.Body.String(); strings.Contains(body, "INTERNAL") || !strings.Contains(body, `"errors"`) {
			t.Errorf("non-UTF-8 by GET: %d %s", rec.Code, body)
		}
		// Within the rules, the same shapes are ordinary queries.
		var out struct{ Documents struct{ TotalCount int } }
		e.mustDo(fmt.Sprintf(`{ documents(filter: {title: {icontains: %q}}) { totalCount } }`, strings.Repeat("ä", 1000)), &out)
	})
}

// BenchmarkCheckTextArgs: what the text rule costs per field — most
// fields have no arguments (NoArgs); a list query's root field has a
// filter, an order and paging (Documents); a mutation an input object.
//
// go test -run '^$' -bench CheckTextArgs -benchmem ./resolvers/
func BenchmarkCheckTextArgs(b *testing.B) {
	next := func(ctx context.Context) (any, error) { return nil, nil }
	icontains, name := "invoice", "ACME"
	one, size := 1, 25
	for _, c := range []struct {
		name string
		args map[string]any
	}{
		{"NoArgs", nil},
		{"Documents", map[string]any{
			"filter":   &store.DocumentFilter{Title: &store.TextFilter{Icontains: &icontains}, Tags: &store.TagsFilter{All: []int{1, 2}}},
			"orderBy":  []store.DocumentOrder{{Field: store.DocumentOrderCreated, Direction: store.Desc}},
			"page":     &one,
			"pageSize": &size,
		}},
		{"Mutation", map[string]any{"input": store.CorrespondentInput{Name: &name}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Args: c.args})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := resolvers.CheckTextArgs(ctx, next); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
