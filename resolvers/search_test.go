package resolvers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/bleve"
)

func TestSearchThroughGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		eng, err := bleve.Open(t.TempDir(), bleve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		e.res.Search = eng
		name := func(s string) *string { return &s }
		c, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: name("Stadtwerke")})
		now := time.Now()
		var ids []int
		for i, content := range []string{
			"Ihre Stromrechnung für den Monat März", "Stromrechnung April, bitte überweisen", "Gartenschlauch und Rasenmäher",
		} {
			d := &store.Document{Title: fmt.Sprint("Doc ", i), Content: content, Created: now, Modified: now, Added: now, Checksum: fmt.Sprint(i)}
			if i < 2 {
				d.CorrespondentID = &c.ID
			}
			if err := e.st.CreateDocument(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if err := index.New(e.st, eng, nil).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Search struct {
				TotalCount, PageCount int
				CorrectedQuery        *string
				Hits                  []struct {
					ID            string
					Rank          int
					HighlightHtml string
					Highlights    [][]struct {
						Text string
						Term *int
					}
					Document struct {
						Title         string
						Correspondent *struct{ Name string }
					}
				}
				Facets struct {
					Correspondents []struct {
						ID            string
						DocumentCount int
					}
				}
			}
		}
		e.mustDo(`{ search(query: "stromrechnung", facets: true) { totalCount pageCount correctedQuery
			hits { id rank highlightHtml highlights { text term } document { title correspondent { name } } }
			facets { correspondents { id documentCount } } } }`, &out)
		s := out.Search
		if s.TotalCount != 2 || len(s.Hits) != 2 || s.PageCount != 1 {
			t.Fatalf("search: %+v", s)
		}
		h := s.Hits[0]
		if h.Rank != 0 || h.Document.Correspondent == nil || h.Document.Correspondent.Name != "Stadtwerke" || len(h.Highlights) == 0 {
			t.Fatalf("hit %+v", h)
		}
		if len(s.Facets.Correspondents) != 1 || s.Facets.Correspondents[0].DocumentCount != 2 {
			t.Fatalf("facets %+v", s.Facets)
		}
		// Filters combine with the query: natively and through the database.
		var filtered struct{ Search struct{ TotalCount int } }
		e.mustDo(fmt.Sprintf(`{ search(query: "stromrechnung OR gartenschlauch", filter: {correspondent: {isnull: true}}) { totalCount } }`), &filtered)
		if filtered.Search.TotalCount != 1 {
			t.Fatalf("isnull filter: %d", filtered.Search.TotalCount)
		}
		e.mustDo(`{ search(query: "stromrechnung", filter: {title: {iexact: "doc 1"}}) { totalCount } }`, &filtered)
		if filtered.Search.TotalCount != 1 {
			t.Fatalf("title filter: %d", filtered.Search.TotalCount)
		}
		var ac struct{ Autocomplete []string }
		e.mustDo(`{ autocomplete(term: "strom") }`, &ac)
		if len(ac.Autocomplete) == 0 || ac.Autocomplete[0] != "stromrechnung" {
			t.Fatalf("autocomplete %v", ac.Autocomplete)
		}
		var ml struct {
			MoreLike struct{ Hits []struct{ ID string } }
		}
		e.mustDo(fmt.Sprintf(`{ moreLike(documentId: %d) { hits { id } } }`, ids[0]), &ml)
		if len(ml.MoreLike.Hits) == 0 || ml.MoreLike.Hits[0].ID != fmt.Sprint(ids[1]) {
			t.Fatalf("moreLike %+v", ml.MoreLike)
		}
		got := e.wantCode(e.do(e.c, `{ search(query: "title:(") { totalCount } }`, nil), "VALIDATION")
		if len(got.Extensions.Fields["query"]) == 0 {
			t.Fatalf("parse error without a query message: %+v", got)
		}
		e.wantCode(e.do(e.c, `{ autocomplete(term: "x", limit: 0) }`, nil), "VALIDATION")
		e.wantCode(e.do(e.c, `{ moreLike(documentId: 999999) { totalCount } }`, nil), "NOT_FOUND")
		e.wantCode(e.do(e.anon, `{ search(query: "x") { totalCount } }`, nil), "UNAUTHENTICATED")
	})
}
