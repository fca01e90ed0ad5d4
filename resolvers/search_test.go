package resolvers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
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

// TestSearchKeepsToVisibleDocuments: the search resolvers restrict every
// search by the caller's access tokens — hits, totals, facets, more-like-
// this, autocomplete and corrected queries only know the documents the
// caller may see; a superuser sees them all.
func TestSearchKeepsToVisibleDocuments(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		eng, err := bleve.Open(t.TempDir(), bleve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		e.res.Search = eng
		other, err := e.st.UserByUsername(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		name := func(s string) *string { return &s }
		tag, _ := e.st.CreateTag(ctx, store.TagInput{Name: name("Vertraulich")})
		now := time.Now()
		owners := []*int{nil, &e.user.ID, &e.user.ID, &other.ID}
		contents := []string{"Stromrechnung März", "Stromrechnung April geheimwort", "Stromrechnung Mai", "Stromrechnung Juni geheimwert"}
		var ids []int
		for i, owner := range owners {
			d := &store.Document{Title: fmt.Sprint("Doc ", i), Content: contents[i], Created: now, Modified: now, Added: now,
				Checksum: fmt.Sprint(i), OwnerID: owner}
			var tags []int
			if i == 1 {
				tags = []int{tag.ID}
			}
			if err := e.st.CreateDocument(ctx, d, tags); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		users := []int{other.ID}
		if err := e.st.SetPermissions(ctx, store.ModelDocument, ids[2:3], store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &users}}); err != nil {
			t.Fatal(err)
		}
		if err := index.New(e.st, eng, nil).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		type result struct {
			Search struct {
				TotalCount     int
				CorrectedQuery *string
				Hits           []struct{ ID string }
				Facets         struct{ Tags []struct{ ID string } }
			}
		}
		search := func(h http.Handler, q string) result {
			t.Helper()
			var out result
			if errs := e.do(h, fmt.Sprintf(`{ search(query: %q, facets: true) { totalCount correctedQuery hits { id } facets { tags { id } } } }`, q), &out); len(errs) > 0 {
				t.Fatalf("%s: %+v", q, errs)
			}
			return out
		}
		hits := func(r result) []string {
			var out []string
			for _, h := range r.Search.Hits {
				out = append(out, h.ID)
			}
			slices.Sort(out)
			return out
		}
		str := func(ids ...int) []string {
			var out []string
			for _, id := range ids {
				out = append(out, fmt.Sprint(id))
			}
			slices.Sort(out)
			return out
		}
		if r := search(e.c, "stromrechnung"); r.Search.TotalCount != 4 || len(r.Search.Facets.Tags) != 1 {
			t.Errorf("superuser: %+v, want 4 hits and the tag's facet", r.Search)
		}
		r := search(e.other, "stromrechnung")
		if got := hits(r); r.Search.TotalCount != 3 || !slices.Equal(got, str(ids[0], ids[2], ids[3])) {
			t.Errorf("other: %v (total %d), want %v", got, r.Search.TotalCount, str(ids[0], ids[2], ids[3]))
		}
		if len(r.Search.Facets.Tags) != 0 {
			t.Errorf("other: the tag facet counts a hidden document: %+v", r.Search.Facets.Tags)
		}
		if r := search(e.other, "geheimwort"); r.Search.TotalCount != 0 || r.Search.CorrectedQuery == nil || *r.Search.CorrectedQuery != "geheimwert" {
			t.Errorf("other, a word of a hidden document: %+v, want no hits and the visible geheimwert", r.Search)
		}
		var ac struct{ Autocomplete []string }
		if errs := e.do(e.other, `{ autocomplete(term: "geheim") }`, &ac); len(errs) > 0 || !slices.Equal(ac.Autocomplete, []string{"geheimwert"}) {
			t.Errorf("other, autocomplete: %v %+v, want [geheimwert]", ac.Autocomplete, errs)
		}
		e.mustDo(`{ autocomplete(term: "geheim") }`, &ac)
		if len(ac.Autocomplete) != 2 {
			t.Errorf("superuser, autocomplete: %v, want both words", ac.Autocomplete)
		}
		var ml struct {
			MoreLike struct {
				TotalCount int
				Hits       []struct{ ID string }
			}
		}
		if errs := e.do(e.other, fmt.Sprintf(`{ moreLike(documentId: %d) { totalCount hits { id } } }`, ids[0]), &ml); len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, h := range ml.MoreLike.Hits {
			if h.ID == fmt.Sprint(ids[1]) {
				t.Errorf("other, more like %d: the hidden document %d among %+v", ids[0], ids[1], ml.MoreLike)
			}
		}
		e.wantCode(e.do(e.other, fmt.Sprintf(`{ moreLike(documentId: %d) { totalCount } }`, ids[1]), nil), "NOT_FOUND")
	})
}
