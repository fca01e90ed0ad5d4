package resolvers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// uiQuery is a typical web-UI request: a page of documents with relations.
const uiQuery = `query Documents($page: Int!) {
  documents(filter: {tags: {all: [1, 2]}}, orderBy: [{field: CREATED, direction: DESC}], page: $page, pageSize: 25) {
    totalCount
    items { id title created archiveSerialNumber correspondent { id name } documentType { id name } tags { id name color } }
  }
}`

const uiBody = `{"query":"query Documents($page: Int!) { documents(filter: {tags: {all: [1, 2]}}, orderBy: [{field: CREATED, direction: DESC}], page: $page, pageSize: 25) { totalCount items { id title created archiveSerialNumber correspondent { id name } documentType { id name } tags { id name color } } } }","variables":{"page":1},"operationName":"Documents"}`

// BenchmarkLimits measures what the limits add to one request:
//
//	Seen    a query the executor has cached (every request after the first)
//	New     a query seen for the first time (lexed, parsed and walked)
//	Body    reading the JSON body through the bound (BodyPlain: without)
//	Parse   for scale: gqlparser parsing the same query once
//
// go test -run '^$' -bench BenchmarkLimits -benchmem ./resolvers/
func BenchmarkLimits(b *testing.B) {
	ctx := context.Background()
	l := DefaultLimits()
	b.Run("Seen", func(b *testing.B) {
		cache := newDocCache(1000, 1<<20)
		doc, err := parser.ParseQuery(&ast.Source{Input: uiQuery})
		if err != nil {
			b.Fatal(err)
		}
		cache.Add(ctx, uiQuery, doc)
		q := queryLimits{l: l, cache: cache}
		p := &graphql.RawParams{Query: uiQuery}
		b.ReportAllocs()
		for b.Loop() {
			if err := q.MutateOperationParameters(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("New", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := l.check(uiQuery); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Body", func(b *testing.B) {
		body := []byte(uiBody)
		w := httptest.NewRecorder()
		b.ReportAllocs()
		for b.Loop() {
			bb := &boundedBody{r: http.MaxBytesReader(w, io.NopCloser(bytes.NewReader(body)), l.MaxBodyBytes)}
			e := &bodyErrors{body: bb, w: w}
			if _, err := io.ReadAll(bb); err != nil || e.created {
				b.Fatal(err)
			}
		}
	})
	b.Run("BodyPlain", func(b *testing.B) {
		body := []byte(uiBody)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := io.ReadAll(io.NopCloser(bytes.NewReader(body))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.ParseQuery(&ast.Source{Input: uiQuery}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDocCacheBounded checks that the query cache holds at most its
// budget of query text, dropping the least recently used first, and keeps
// no query longer than a quarter of it.
func TestDocCacheBounded(t *testing.T) {
	ctx := context.Background()
	c := newDocCache(1000, 100)
	doc := &ast.QueryDocument{}
	q := func(i int) string { return fmt.Sprintf("{ q%08d }", i) } // 13 bytes
	for i := range 7 {
		c.Add(ctx, q(i), doc)
	}
	c.Get(ctx, q(0)) // recently used: kept
	c.Add(ctx, q(7), doc)
	c.Add(ctx, q(8), doc)
	if c.bytes > 100 {
		t.Fatalf("%d bytes held", c.bytes)
	}
	if _, ok := c.Get(ctx, q(0)); !ok {
		t.Fatal("recently used query dropped")
	}
	if _, ok := c.Get(ctx, q(1)); ok {
		t.Fatal("least recently used query kept")
	}
	c.Add(ctx, strings.Repeat(" ", 26)+"{ a }", doc)
	if _, ok := c.Get(ctx, strings.Repeat(" ", 26)+"{ a }"); ok {
		t.Fatal("a query over a quarter of the budget was kept")
	}
	c = newDocCache(3, 1<<20)
	for i := range 5 {
		c.Add(ctx, q(i), doc)
	}
	if c.ll.Len() != 3 || len(c.m) != 3 {
		t.Fatalf("%d entries", c.ll.Len())
	}
}
