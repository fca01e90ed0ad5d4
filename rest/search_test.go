package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

// Full-text search over REST with a real bleve index: /api/search/,
// /api/search/autocomplete/ and the search mode of /api/documents/
// (paperless-ng's tests, API §15.1 items 8–13 and §15.2 items 6–9).

// searchOut is /api/search/'s envelope.
type searchOut struct {
	Count          int     `json:"count"`
	Page           int     `json:"page"`
	PageCount      int     `json:"page_count"`
	CorrectedQuery *string `json:"corrected_query"`
	Results        []struct {
		ID         int `json:"id"`
		Highlights [][]struct {
			Text string `json:"text"`
			Term *int   `json:"term"`
		} `json:"highlights"`
		Score    float64 `json:"score"`
		Rank     int     `json:"rank"`
		Document docOut  `json:"document"`
		Title    string  `json:"title"`
	} `json:"results"`
}

// hitOut is a document in search mode.
type hitOut struct {
	ID        int `json:"id"`
	SearchHit struct {
		Score      *float64 `json:"score"`
		Highlights string   `json:"highlights"`
		Rank       int      `json:"rank"`
	} `json:"__search_hit__"`
}

// checksums numbers the documents mkDocs creates.
var checksums atomic.Int64

// doc describes a document to create.
type doc struct {
	title, content string
	corr, typ      *int
	asn            *int
	tags           []int
	created, added time.Time
}

// mkDocs creates the documents and indexes them; it returns their ids.
func (e *env) mkDocs(docs ...doc) []int {
	e.t.Helper()
	ctx := context.Background()
	var out []int
	for i, d := range docs {
		created := d.created
		if created.IsZero() {
			created = time.Date(2021, 1, 1+i%28, 12, 0, 0, 0, time.UTC)
		}
		added := d.added
		if added.IsZero() {
			added = time.Date(2021, 2, 1, 12, 0, 0, 0, time.UTC)
		}
		sd := &store.Document{Title: d.title, Content: d.content, CorrespondentID: d.corr, DocumentTypeID: d.typ,
			ArchiveSerialNumber: d.asn, Created: created, Added: added, Modified: added,
			MimeType: "application/pdf", Checksum: fmt.Sprintf("m%031d", checksums.Add(1)), OriginalFilename: "doc.pdf"}
		if err := e.st.CreateDocument(ctx, sd, d.tags); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, sd.ID)
	}
	e.reindex()
	return out
}

// bankDocs are paperless's three search test documents.
func (e *env) bankDocs() (d1, d2, d3 int) {
	ids := e.mkDocs(
		doc{title: "invoice", content: "the thing i bought at a shop and paid with bank account"},
		doc{title: "bank statement 1", content: "things i paid for in august"},
		doc{title: "bank statement 3", content: "things i paid for in september"},
	)
	return ids[0], ids[1], ids[2]
}

// wantText asserts a 400 text/plain answer and returns its body.
func (e *env) wantText(rec *httptest.ResponseRecorder) string {
	e.t.Helper()
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		e.t.Fatalf("status %d %q, want 400 text/plain: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	return rec.Body.String()
}

func searchIDs(s searchOut) []int {
	out := []int{}
	for _, r := range s.Results {
		out = append(out, r.ID)
	}
	return out
}

func hitIDs(p page[hitOut]) []int {
	out := []int{}
	for _, h := range p.Results {
		out = append(out, h.ID)
	}
	return out
}

// TestSearchGolden pins the JSON of the search endpoints.
func TestSearchGolden(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		e.mkDocs(doc{title: "Kontoauszug", content: "your bank account number changed"}) // also reindexes the seed
		cases := []struct{ name, path string }{
			{"search_no_query", "/api/search/"},
			{"search", "/api/search/?query=bank"},
			{"search_empty", "/api/search/?query=sfegdfg"},
			{"search_corrected", "/api/search/?query=thing"},
			{"search_autocomplete", "/api/search/autocomplete/?term=b"},
			{"documents_search", "/api/documents/?query=bank%20OR%20invoice"},
			{"documents_search_fields", "/api/documents/?query=bank&fields=id,title,tags"},
			{"documents_search_no_fields", "/api/documents/?query=bank&fields=nothing"},
			{"documents_search_ordered", "/api/documents/?query=bank%20OR%20invoice&ordering=-title&page_size=1&page=2"},
			{"documents_more_like", fmt.Sprintf("/api/documents/?more_like_id=%d", f.doc3)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := e.with(t)
				golden(t, c.name, e.want(e.do("GET", c.path, nil), 200))
			})
		}
	})
}

// 15.1/8: no query, no results (and no corrected_query key).
func TestSearchWithoutQuery(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.bankDocs()
		body := e.want(e.do("GET", "/api/search/", nil), 200)
		if string(body) != `{"count":0,"page":0,"page_count":0,"results":[]}` {
			t.Fatalf("%s", body)
		}
	})
}

// 15.1/9 and 15.2/6: counts, pages and page counts of simple queries.
func TestSearchCounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.bankDocs()
		for q, n := range map[string]int{"bank": 3, "september": 1, "statement": 2, "sfegdfg": 0} {
			var s searchOut
			e.get("/api/search/?query="+q, &s)
			pages := min(n, 1)
			if s.Count != n || s.Page != pages || s.PageCount != pages || len(s.Results) != n {
				t.Errorf("/api/search/?query=%s: %+v", q, s)
			}
			for i, r := range s.Results {
				if r.Rank != i || r.Document.ID != r.ID || r.Title != r.Document.Title || r.Score <= 0 {
					t.Errorf("%s: hit %d: %+v", q, i, r)
				}
			}
			var p page[hitOut]
			e.get("/api/documents/?query="+q, &p)
			if p.Count != n || len(p.Results) != n {
				t.Errorf("/api/documents/?query=%s: %+v", q, p)
			}
			for i, h := range p.Results {
				if h.SearchHit.Rank != i || h.SearchHit.Score == nil || *h.SearchHit.Score > 1 || (i == 0 && *h.SearchHit.Score != 1) {
					t.Errorf("%s: hit %d: %+v", q, i, h)
				}
			}
		}
		var s searchOut
		e.get("/api/search/?query=september", &s)
		if h := s.Results[0].Highlights; len(h) != 1 || h[0][len(h[0])-1].Text != "september" || h[0][len(h[0])-1].Term == nil {
			t.Errorf("highlights %+v", h)
		}
		var p page[hitOut]
		e.get("/api/documents/?query=september", &p)
		if h := p.Results[0].SearchHit.Highlights; !strings.Contains(h, `<span class="match term0">september</span>`) {
			t.Errorf("highlights %q", h)
		}
	})
}

// 15.1/10 and 15.2/6: 55 documents in pages of 10; /api/search/ clamps
// a page past the end, the document list answers 404.
func TestSearchPagination(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		docs := make([]doc, 55)
		for i := range docs {
			docs[i] = doc{title: fmt.Sprint("doc ", i), content: "content"}
		}
		e.mkDocs(docs...)
		seen, seenList := map[int]bool{}, map[int]bool{}
		for pg := 1; pg <= 6; pg++ {
			want := 10
			if pg == 6 {
				want = 5
			}
			var s searchOut
			e.get(fmt.Sprintf("/api/search/?query=content&page=%d", pg), &s)
			if s.Count != 55 || s.Page != pg || s.PageCount != 6 || len(s.Results) != want {
				t.Fatalf("page %d: count %d page %d page_count %d, %d results", pg, s.Count, s.Page, s.PageCount, len(s.Results))
			}
			for i, r := range s.Results {
				if seen[r.ID] || r.Rank != (pg-1)*10+i {
					t.Fatalf("page %d: id %d repeated or rank %d", pg, r.ID, r.Rank)
				}
				seen[r.ID] = true
			}
			var p page[hitOut]
			e.get(fmt.Sprintf("/api/documents/?query=content&page_size=10&page=%d", pg), &p)
			if p.Count != 55 || len(p.Results) != want || (pg < 6) != (p.Next != nil) || (pg > 1) != (p.Previous != nil) {
				t.Fatalf("list page %d: %d %d %v %v", pg, p.Count, len(p.Results), p.Next, p.Previous)
			}
			for _, id := range hitIDs(p) {
				if seenList[id] {
					t.Fatalf("list page %d: id %d repeated", pg, id)
				}
				seenList[id] = true
			}
		}
		var s searchOut
		e.get("/api/search/?query=content&page=7", &s)
		if s.Page != 6 || s.PageCount != 6 || len(s.Results) != 5 || s.Results[0].Rank != 50 {
			t.Fatalf("page 7: page %d, %d results", s.Page, len(s.Results))
		}
		var p page[hitOut]
		e.get("/api/documents/?query=content&page_size=10&page=last", &p)
		if len(p.Results) != 5 || p.Next != nil || p.Results[0].SearchHit.Rank != 50 {
			t.Fatalf("page=last: %+v", p)
		}
		for _, pg := range []string{"7", "0", "-1", "abc", ""} {
			rec := e.do("GET", "/api/documents/?query=content&page_size=10&page="+pg, nil)
			if body := e.want(rec, 404); string(body) != `{"detail":"Invalid page."}` {
				t.Errorf("page %q: %s", pg, body)
			}
		}
	})
}

// 15.1/11 and 15.2/6: bad pages are page 1 on /api/search/, 404 on the list.
func TestSearchInvalidPage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		docs := make([]doc, 15)
		for i := range docs {
			docs[i] = doc{title: fmt.Sprint("doc ", i), content: "content"}
		}
		e.mkDocs(docs...)
		first := e.want(e.do("GET", "/api/search/?query=content&page=1", nil), 200)
		for _, pg := range []string{"0", "dgfd", "", "-7868"} {
			if body := e.want(e.do("GET", "/api/search/?query=content&page="+pg, nil), 200); !bytes.Equal(body, first) {
				t.Errorf("page %q differs from page 1", pg)
			}
		}
		var s1, s2 searchOut
		json.Unmarshal(first, &s1)
		e.get("/api/search/?query=content&page=2", &s2)
		if len(s1.Results) != 10 || len(s2.Results) != 5 {
			t.Errorf("pages: %d, %d results", len(s1.Results), len(s2.Results))
		}
		e.want(e.do("GET", "/api/documents/?query=content&page=0", nil), 404)
		e.want(e.do("GET", "/api/documents/?query=content&page=3&page_size=10", nil), 404)
		e.want(e.do("GET", "/api/documents/?query=content&page=2&page_size=10", nil), 200)
	})
}

// 15.1/12: autocomplete's term and limit.
func TestSearchAutocomplete(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var words []string
		for i := range 30 {
			words = append(words, fmt.Sprintf("word%02d", i))
		}
		// word07 is the rarer word of the most weight: tf·idf ranks it first
		e.mkDocs(doc{title: "words", content: strings.Join(words, " ")}, doc{title: "more", content: "word07 word07 word07"},
			doc{title: "other", content: "filler"})
		count := func(path string) []string {
			t.Helper()
			var out []string
			e.get(path, &out)
			return out
		}
		if got := count("/api/search/autocomplete/?term=word"); len(got) != 10 || got[0] != "word07" {
			t.Errorf("default limit: %v", got)
		}
		if got := count("/api/search/autocomplete/?term=WORD&limit=20"); len(got) != 20 {
			t.Errorf("limit 20: %d", len(got))
		}
		if got := count("/api/search/autocomplete/?term="); len(got) != 10 {
			t.Errorf("empty term: %d", len(got))
		}
		if got := count("/api/search/autocomplete/?term=zzz"); len(got) != 0 {
			t.Errorf("no match: %v", got)
		}
		for path, msg := range map[string]string{
			"/api/search/autocomplete/?term=word&limit=-1":  "Invalid limit",
			"/api/search/autocomplete/?term=word&limit=0":   "Invalid limit",
			"/api/search/autocomplete/?term=word&limit=abc": "Invalid limit",
			"/api/search/autocomplete/?term=word&limit=":    "Invalid limit",
			"/api/search/autocomplete/":                     "Term required",
			"/api/search/autocomplete/?limit=3":             "Term required",
		} {
			if got := e.wantText(e.do("GET", path, nil)); got != msg {
				t.Errorf("%s: %q", path, got)
			}
		}
	})
}

// 15.1/13: a spelling suggestion only for words the index lacks.
func TestSearchCorrectedQuery(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		docs := make([]doc, 55)
		for i := range docs {
			docs[i] = doc{title: fmt.Sprint("doc ", i), content: fmt.Sprint("Things document ", i+1)}
		}
		e.mkDocs(docs...)
		var s searchOut
		e.get("/api/search/?query=thing", &s)
		if s.CorrectedQuery == nil || *s.CorrectedQuery != "things" {
			t.Errorf("thing: corrected_query %v", s.CorrectedQuery)
		}
		body := e.want(e.do("GET", "/api/search/?query=things", nil), 200)
		if !bytes.Contains(body, []byte(`"corrected_query":null`)) {
			t.Errorf("things: %.200s", body)
		}
	})
}

// 15.2/7: more_like_id finds similar documents, not the document itself.
func TestSearchMoreLike(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		d1, d2, d3 := e.bankDocs()
		var p page[hitOut]
		e.get(fmt.Sprintf("/api/documents/?more_like_id=%d", d2), &p)
		if got := hitIDs(p); !slices.Equal(got, []int{d3, d1}) || p.Count != 2 {
			t.Fatalf("more like %d: %v (count %d), want [%d %d]", d2, got, p.Count, d3, d1)
		}
		if got := e.wantText(e.do("GET", "/api/documents/?more_like_id=999999", nil)); got != "Document matching query does not exist." {
			t.Errorf("unknown: %q", got)
		}
		e.wantText(e.do("GET", "/api/documents/?more_like_id=abc", nil))
		e.wantText(e.do("GET", "/api/documents/?more_like_id=", nil))
	})
}

// 15.2/8: the filters of search mode.
func TestSearchModeFilters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		tg := e.mustCreate("POST", "/api/tags/", map[string]any{"name": "tag"})
		tg2 := e.mustCreate("POST", "/api/tags/", map[string]any{"name": "tag2"})
		c := e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "correspondent"})
		dt := e.mustCreate("POST", "/api/document_types/", map[string]any{"name": "type"})
		day := time.Date(2020, 7, 13, 0, 0, 0, 0, time.UTC)
		ids := e.mkDocs(
			doc{title: "1", content: "test", corr: &c},
			doc{title: "2", content: "test", typ: &dt},
			doc{title: "3", content: "test", tags: []int{tg, tg2}},
			doc{title: "4", content: "test", created: day, tags: []int{tg2}},
			doc{title: "5", content: "test", added: day},
			doc{title: "6", content: "test2"},
		)
		d1, d2, d3, d4, d5 := ids[0], ids[1], ids[2], ids[3], ids[4]
		query := func(q string) []int {
			t.Helper()
			var p page[hitOut]
			e.get("/api/documents/?query=test"+q, &p)
			got := hitIDs(p)
			slices.Sort(got)
			return got
		}
		for q, want := range map[string][]int{
			"":                                           {d1, d2, d3, d4, d5},
			"&is_tagged=true":                            {d3, d4},
			"&is_tagged=false":                           {d1, d2, d5},
			"&correspondent__id=" + fmt.Sprint(c):        {d1},
			"&document_type__id=" + fmt.Sprint(dt):       {d2},
			"&correspondent__isnull":                     {d2, d3, d4, d5},
			"&correspondent__isnull=0":                   {d2, d3, d4, d5}, // presence quirk
			"&correspondent__isnull=false":               {d1},
			"&document_type__isnull":                     {d1, d3, d4, d5},
			"&document_type__isnull=false":               {d2},
			fmt.Sprintf("&tags__id__all=%d,%d", tg, tg2): {d3},
			fmt.Sprintf("&tags__id__all=%d", tg):         {d3},
			fmt.Sprintf("&tags__id__all=%d", tg2):        {d3, d4},
			"&title__icontains=1":                        {d1, d2, d3, d4, d5}, // not a search-mode filter
			"&created__date__lt=2020-09-02":              {d4},
			"&created__date__gt=2020-09-02":              {d1, d2, d3, d5},
			"&created__date__lt=2020-01-02":              {},
			"&created__date__gt=2020-01-02":              {d1, d2, d3, d4, d5},
			"&added__date__lt=2020-09-02":                {d5},
			"&added__date__gt=2020-09-02":                {d1, d2, d3, d4},
			"&added__date__lt=2020-01-02":                {},
			"&added__date__gt=2020-01-02":                {d1, d2, d3, d4, d5},
		} {
			if got := query(q); !slices.Equal(got, want) {
				t.Errorf("%q: %v, want %v", q, got, want)
			}
		}
		if got := e.wantText(e.do("GET", "/api/documents/?query=test&correspondent__id=x&created__date__lt=never", nil)); got != "correspondent__id: Enter a number.\ncreated__date__lt: Enter a valid date." {
			t.Errorf("bad filters: %q", got)
		}
	})
}

// 15.2/9: ordering in search mode; score is null when sorting by a field.
func TestSearchModeOrdering(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		c1 := e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "corres Ax"})
		c2 := e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "corres Cx"})
		c3 := e.mustCreate("POST", "/api/correspondents/", map[string]any{"name": "corres Bx"})
		asn := func(n int) *int { return &n }
		ids := e.mkDocs(
			doc{title: "3", content: "test", corr: &c1, asn: asn(2)},
			doc{title: "2", content: "test", corr: &c2, asn: asn(3)},
			doc{title: "1", content: "test", corr: &c3, asn: asn(1)},
		)
		d1, d2, d3 := ids[0], ids[1], ids[2]
		for ordering, want := range map[string][]int{
			"archive_serial_number":  {d3, d1, d2},
			"-archive_serial_number": {d2, d1, d3},
			"title":                  {d3, d2, d1},
			"-title":                 {d1, d2, d3},
			"correspondent__name":    {d1, d3, d2},
			"-correspondent__name":   {d2, d3, d1},
		} {
			var p page[hitOut]
			e.get("/api/documents/?query=test&ordering="+ordering, &p)
			if got := hitIDs(p); !slices.Equal(got, want) {
				t.Errorf("ordering %s: %v, want %v", ordering, got, want)
			}
			for _, h := range p.Results {
				if h.SearchHit.Score != nil {
					t.Errorf("ordering %s: score %v, want null", ordering, *h.SearchHit.Score)
				}
			}
		}
		for _, ordering := range []string{"score", "-score", "nonsense", ""} {
			var p page[hitOut]
			e.get("/api/documents/?query=test&ordering="+ordering, &p)
			if len(p.Results) != 3 || p.Results[0].SearchHit.Score == nil || *p.Results[0].SearchHit.Score != 1 {
				t.Errorf("ordering %q is not relevance: %+v", ordering, p.Results)
			}
		}
	})
}

// Bad, odd and huge queries answer 200 or 400 text/html, never 500.
func TestSearchBadQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.bankDocs()
		e.mkDocs(doc{title: "Ünïcödé", content: "Grüße aus Köln — 東京 straße ﬁle e\u0301 🙂 مرحبا"})
		for _, q := range []string{"title:(", "(bank", "bank)", `"bank`, "AND", "OR OR", "NOT", "created:[2020 to", "tag:", "*", "?", "^2", "title:[a TO"} {
			rec := e.do("GET", "/api/search/?query="+url.QueryEscape(q), nil)
			if rec.Code == 400 {
				e.wantText(rec)
			} else if rec.Code != 200 {
				t.Errorf("search %q: %d %s", q, rec.Code, rec.Body)
			}
			rec = e.do("GET", "/api/documents/?query="+url.QueryEscape(q), nil)
			if rec.Code == 400 {
				e.wantText(rec)
			} else if rec.Code != 200 {
				t.Errorf("documents %q: %d %s", q, rec.Code, rec.Body)
			}
		}
		// a parse error is a 400 whose text (escaped) says what is wrong
		msg := e.wantText(e.do("GET", "/api/search/?query="+url.QueryEscape("title:("), nil))
		if msg == "" {
			t.Error("empty message")
		}
		msg = e.wantText(e.do("GET", "/api/documents/?query="+url.QueryEscape("bank <script>)"), nil))
		if strings.Contains(msg, "<") {
			t.Errorf("message not escaped: %q", msg)
		}
		odd := []string{
			"grüße", "GRÜSSE", "köln", "東京", "🙂", "straße", "ﬁle", "e\u0301", "مرحبا", "\u200b", "\x00", "bank\x00account",
			"\u202eknab", "%ff%fe", strings.Repeat("ä", 300), "title:東京", "tag:ü*",
		}
		for _, q := range odd {
			for _, base := range []string{"/api/search/?query=", "/api/documents/?query=", "/api/search/autocomplete/?term="} {
				rec := e.do("GET", base+url.QueryEscape(q), nil)
				if rec.Code != 200 && rec.Code != 400 {
					t.Errorf("%s%q: %d %s", base, q, rec.Code, rec.Body)
				}
			}
		}
		var s searchOut
		e.get("/api/search/?query="+url.QueryEscape("köln"), &s)
		if s.Count != 1 {
			t.Errorf("köln: %d", s.Count)
		}
		// a raw invalid UTF-8 query string
		rec := e.do("GET", "/api/search/?query=%ff%fe%fd", nil)
		if rec.Code != 200 && rec.Code != 400 {
			t.Errorf("invalid UTF-8: %d %s", rec.Code, rec.Body)
		}
		// a huge query: refused or answered, never a crash
		for _, q := range []string{strings.Repeat("bank ", 20000), strings.Repeat("(", 5000), strings.Repeat("a OR ", 2000) + "bank"} {
			for _, base := range []string{"/api/search/?query=", "/api/documents/?query="} {
				rec := e.do("GET", base+url.QueryEscape(q), nil)
				if rec.Code == 400 {
					e.wantText(rec)
				} else if rec.Code != 200 {
					t.Errorf("%s<%d bytes>: %d %.200s", base, len(q), rec.Code, rec.Body)
				}
			}
		}
	})
}

// §2.1: search/autocomplete/, search/ and statistics/ are prefix routes.
func TestSearchPrefixRoutes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.bankDocs()
		// without its slash, autocomplete is answered by the search view
		body := e.want(e.do("GET", "/api/search/autocomplete?term=ban", nil), 200)
		if string(body) != `{"count":0,"page":0,"page_count":0,"results":[]}` {
			t.Errorf("search/autocomplete: %s", body)
		}
		var s searchOut
		e.get("/api/search/autocomplete?query=bank", &s)
		if s.Count != 3 {
			t.Errorf("search/autocomplete?query=bank: %+v", s)
		}
		var words []string
		e.get("/api/search/autocomplete/anything/?term=ban", &words)
		if !slices.Equal(words, []string{"bank"}) {
			t.Errorf("autocomplete prefix: %v", words)
		}
		e.get("/api/search/whatever?query=bank", &s)
		if s.Count != 3 {
			t.Errorf("search prefix: %+v", s)
		}
		var st struct {
			DocumentsTotal int `json:"documents_total"`
		}
		e.get("/api/statistics/anything", &st)
		if st.DocumentsTotal != 3 {
			t.Errorf("statistics prefix: %+v", st)
		}
		e.want(e.do("GET", "/api/search/autocomplete?term=x", nil, anon), 401)
		e.want(e.do("POST", "/api/search/x", map[string]any{}), 405)
		// slash-less known paths still redirect; unknown ones are 404
		if rec := e.do("GET", "/api/search?query=bank", nil); rec.Code != 301 || rec.Header().Get("Location") != "/api/search/?query=bank" {
			t.Errorf("/api/search: %d %v", rec.Code, rec.Header())
		}
		e.want(e.do("GET", "/api/searches/", nil), 404)
		e.get("/api/search.json?query=bank", &s)
		if s.Count != 3 {
			t.Errorf("search.json: %+v", s)
		}
	})
}
