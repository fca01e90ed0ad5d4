// Package searchtest is the conformance suite every search.Engine must
// pass: Run(t, open) runs each case as a subtest on a fresh engine. The
// bleve engine runs it always, Typesense when TEST_TYPESENSE_URL is set.
// Assertions are on sets; order only where it is unambiguous.
//
// It may import store/search and testing, nothing else of Quire.
package searchtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// Open returns a fresh, empty engine; it registers its own cleanup.
type Open func(t *testing.T) search.Engine

// Run runs the conformance suite against engines made by open.
func Run(t *testing.T, open Open) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

var cases = []struct {
	name string
	fn   func(*testing.T, search.Engine)
}{
	{"PaperlessBasicSearch", testBasic},
	{"Pagination", testPagination},
	{"CorrectedQuery", testCorrected},
	{"MoreLike", testMoreLike},
	{"SearchFilters", testFilters},
	{"SearchOrdering", testOrdering},
	{"QueryLanguage", testLanguage},
	{"Dates", testDates},
	{"TypoTolerance", testTypos},
	{"AccentFolding", testAccents},
	{"Autocomplete", testAutocomplete},
	{"Facets", testFacets},
	{"Highlights", testHighlights},
	{"DeleteAndReindex", testDelete},
	{"IDs", testIDs},
	{"Rebuild", testRebuild},
	{"BadQueries", testBadQueries},
	{"ExpansionCaps", testExpansionCaps},
	{"AccessTokens", testAccess},
	{"AccessTokensSuggestions", testAccessSuggestions},
	{"NotesAndCustomFields", testNotes},
}

// Now is the fixed clock of the suite (a Wednesday).
var Now = time.Date(2021, 3, 17, 12, 0, 0, 0, time.UTC)

func ctx() context.Context { return context.Background() }

func ip(n int) *int { return &n }

// D builds a document with the given id, title and content, created, added
// and modified on 2020-01-01 plus id days.
func D(id int, title, content string) search.Document {
	t := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, id)
	return search.Document{ID: id, Title: title, Content: content, Created: t, Added: t, Modified: t}
}

func mustIndex(t *testing.T, e search.Engine, docs ...search.Document) {
	t.Helper()
	if err := e.Index(ctx(), docs...); err != nil {
		t.Fatalf("index: %v", err)
	}
}

func mustParse(t *testing.T, q string) search.Query {
	t.Helper()
	pq, err := search.Parse(q, Now, time.UTC)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return pq
}

func mustSearch(t *testing.T, e search.Engine, req search.Request) *search.Result {
	t.Helper()
	r, err := e.Search(ctx(), req)
	if err != nil {
		t.Fatalf("search %q: %v", req.Query.Text, err)
	}
	return r
}

func ids(r *search.Result) []int {
	out := make([]int, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	return out
}

func set(xs []int) []int {
	out := slices.Clone(xs)
	sort.Ints(out)
	return out
}

// Hits runs q with a page of 100 and returns the sorted ids of the hits
// (an error if the total disagrees with them).
func Hits(t *testing.T, e search.Engine, q string) []int {
	t.Helper()
	r := mustSearch(t, e, search.Request{Query: mustParse(t, q), PageSize: 100})
	if r.Total != len(r.Hits) {
		t.Errorf("%q: total %d but %d hits", q, r.Total, len(r.Hits))
	}
	return set(ids(r))
}

func expect(t *testing.T, e search.Engine, q string, want ...int) {
	t.Helper()
	got := Hits(t, e, q)
	if want == nil {
		want = []int{}
	}
	if !slices.Equal(got, set(want)) {
		t.Errorf("%q: got %v, want %v", q, got, set(want))
	}
}

func paperlessThree() []search.Document {
	return []search.Document{
		D(1, "invoice", "the thing i bought at a shop and paid with bank account"),
		D(2, "bank statement 1", "things i paid for in august"),
		D(3, "bank statement 3", "things i paid for in september"),
	}
}

// §15.1/9 and §15.2/6.
func testBasic(t *testing.T, e search.Engine) {
	mustIndex(t, e, paperlessThree()...)
	for _, c := range []struct {
		q string
		n int
	}{{"bank", 3}, {"september", 1}, {"statement", 2}, {"sfegdfg", 0}} {
		r := mustSearch(t, e, search.Request{Query: mustParse(t, c.q)})
		if r.Total != c.n || len(r.Hits) != c.n {
			t.Errorf("%q: total %d hits %d, want %d", c.q, r.Total, len(r.Hits), c.n)
		}
		for i, h := range r.Hits {
			if h.Rank != i {
				t.Errorf("%q: hit %d rank %d", c.q, i, h.Rank)
			}
			if i > 0 && h.Score > r.Hits[i-1].Score {
				t.Errorf("%q: hits not by descending score", c.q)
			}
		}
	}
	if n, err := e.Count(ctx()); err != nil || n != 3 {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
	// empty query and stop words only: nothing
	for _, q := range []string{"", "   ", "the", "and of"} {
		r := mustSearch(t, e, search.Request{Query: mustParse(t, q)})
		if r.Total != 0 || len(r.Hits) != 0 {
			t.Errorf("%q: got %d hits, want none", q, r.Total)
		}
	}
	r := mustSearch(t, e, search.Request{})
	if r.Total != 0 {
		t.Errorf("zero request: %d hits", r.Total)
	}
}

// §15.1/10, 11 and §15.2/6.
func testPagination(t *testing.T, e search.Engine) {
	var docs []search.Document
	for i := 1; i <= 55; i++ {
		docs = append(docs, D(i, fmt.Sprintf("doc %d", i), "content"))
	}
	mustIndex(t, e, docs...)
	q := mustParse(t, "content")
	seen := map[int]bool{}
	for page := 1; page <= 7; page++ {
		r := mustSearch(t, e, search.Request{Query: q, Page: page, PageSize: 10})
		want := 10
		if page == 6 {
			want = 5
		} else if page == 7 {
			want = 0
		}
		if r.Total != 55 || len(r.Hits) != want {
			t.Errorf("page %d: total %d, %d hits; want 55, %d", page, r.Total, len(r.Hits), want)
		}
		for i, h := range r.Hits {
			if seen[h.ID] {
				t.Errorf("page %d: id %d seen before", page, h.ID)
			}
			seen[h.ID] = true
			if h.Rank != (page-1)*10+i {
				t.Errorf("page %d: rank %d", page, h.Rank)
			}
		}
	}
	if search.PageCount(55, 10) != 6 {
		t.Error("PageCount")
	}
	a := mustSearch(t, e, search.Request{Query: q, Page: 0})
	b := mustSearch(t, e, search.Request{Query: q, Page: -7868})
	c := mustSearch(t, e, search.Request{Query: q, Page: 1})
	if !slices.Equal(ids(a), ids(c)) || !slices.Equal(ids(b), ids(c)) {
		t.Error("page <= 0 must serve page 1")
	}
	huge := mustSearch(t, e, search.Request{Query: q, Page: 1 << 40, PageSize: 1 << 20})
	if len(huge.Hits) != 0 || huge.Total != 55 {
		t.Errorf("page far past the end: %d hits, total %d", len(huge.Hits), huge.Total)
	}
	all := mustSearch(t, e, search.Request{Query: mustParse(t, "*"), PageSize: 100})
	if all.Total != 55 {
		t.Errorf("*: %d", all.Total)
	}
}

// §15.1/13.
func testCorrected(t *testing.T, e search.Engine) {
	var docs []search.Document
	for i := 1; i <= 55; i++ {
		docs = append(docs, D(i, fmt.Sprintf("doc %d", i), fmt.Sprintf("Things document %d", i)))
	}
	mustIndex(t, e, docs...)
	r := mustSearch(t, e, search.Request{Query: mustParse(t, "thing")})
	if r.CorrectedQuery == nil || *r.CorrectedQuery != "things" {
		t.Errorf("thing: corrected %v, want things", r.CorrectedQuery)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "things")})
	if r.CorrectedQuery != nil {
		t.Errorf("things: corrected %q, want nil", *r.CorrectedQuery)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "documnet things")})
	if r.CorrectedQuery == nil || *r.CorrectedQuery != "document things" {
		t.Errorf("documnet things: corrected %v", r.CorrectedQuery)
	}
	if r.Total != 55 {
		t.Errorf("documnet things: %d hits, want 55 (typo tolerated)", r.Total)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "zzzzqqqq")})
	if r.CorrectedQuery != nil || r.Total != 0 {
		t.Errorf("nonsense: corrected %v, %d hits", r.CorrectedQuery, r.Total)
	}
}

// §15.2/7.
func testMoreLike(t *testing.T, e search.Engine) {
	mustIndex(t, e, paperlessThree()...)
	r, err := e.MoreLike(ctx(), 2, search.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(r); !slices.Equal(got, []int{3, 1}) {
		t.Errorf("more like 2: %v, want [3 1]", got)
	}
	_, err = e.MoreLike(ctx(), 99, search.Request{})
	if store.ErrorCode(err) != store.NotFound {
		t.Errorf("more like unknown: %v, want NOT_FOUND", err)
	}
}

func filterFixture() []search.Document {
	d := func(id int, content string) search.Document { return D(id, fmt.Sprintf("doc %d", id), content) }
	docs := []search.Document{d(1, "test"), d(2, "test"), d(3, "test"), d(4, "test"), d(5, "test"), d(6, "other")}
	docs[1].CorrespondentID, docs[1].Correspondent = ip(1), "c"
	docs[2].DocumentTypeID, docs[2].DocumentType = ip(1), "dt"
	docs[2].TagIDs, docs[2].Tags = []int{1, 2}, []string{"t", "t2"}
	docs[3].TagIDs, docs[3].Tags = []int{2}, []string{"t2"}
	jul := func(day int) time.Time { return time.Date(2020, 7, day, 12, 0, 0, 0, time.UTC) }
	docs[0].Created, docs[0].Added = jul(10), jul(10)
	docs[1].Created, docs[1].Added = jul(13), jul(13)
	docs[2].Created, docs[2].Added = jul(16), jul(16)
	for i := 3; i < len(docs); i++ {
		docs[i].Created, docs[i].Added = jul(20), jul(20)
	}
	return docs
}

// §15.2/8.
func testFilters(t *testing.T, e search.Engine) {
	mustIndex(t, e, filterFixture()...)
	q := mustParse(t, "test")
	yes, no := true, false
	day := func(d int) *time.Time { x := time.Date(2020, 7, d, 0, 0, 0, 0, time.UTC); return &x }
	for _, c := range []struct {
		name string
		f    search.Filter
		want []int
	}{
		{"none", search.Filter{}, []int{1, 2, 3, 4, 5}},
		{"tagged", search.Filter{Tagged: &yes}, []int{3, 4}},
		{"untagged", search.Filter{Tagged: &no}, []int{1, 2, 5}},
		{"correspondent", search.Filter{CorrespondentID: ip(1)}, []int{2}},
		{"type", search.Filter{DocumentTypeID: ip(1)}, []int{3}},
		{"noCorrespondent", search.Filter{NoCorrespondent: true}, []int{1, 3, 4, 5}},
		{"noType", search.Filter{NoDocumentType: true}, []int{1, 2, 4, 5}},
		{"tagsAll1,2", search.Filter{TagIDsAll: []int{1, 2}}, []int{3}},
		{"tagsAll1", search.Filter{TagIDsAll: []int{1}}, []int{3}},
		{"tagsAll2", search.Filter{TagIDsAll: []int{2}}, []int{3, 4}},
		{"createdBefore", search.Filter{Created: search.TimeRange{To: day(13)}}, []int{1}},
		{"createdAfter", search.Filter{Created: search.TimeRange{From: day(14)}}, []int{3, 4, 5}},
		{"addedBetween", search.Filter{Added: search.TimeRange{From: day(13), To: day(14)}}, []int{2}},
		{"ids", search.Filter{IDs: []int{1, 3, 6}}, []int{1, 3}},
		{"idsEmpty", search.Filter{IDs: []int{}}, nil},
	} {
		r := mustSearch(t, e, search.Request{Query: q, Filter: c.f, PageSize: 50})
		want := set(c.want)
		if want == nil {
			want = []int{}
		}
		if got := set(ids(r)); !slices.Equal(got, want) || r.Total != len(want) {
			t.Errorf("%s: got %v (total %d), want %v", c.name, got, r.Total, want)
		}
	}
	// an exclusion nested in an OR, with filters, one of them a long list
	// of document numbers
	mustIndex(t, e, D(7, "doc 7", "test extra zeta"), D(8, "doc 8", "test zeta"))
	many := []int{2, 7, 8}
	for id := 1000; id < 40000; id++ {
		many = append(many, id)
	}
	for _, c := range []struct {
		name string
		f    search.Filter
		want []int
	}{
		{"none", search.Filter{}, []int{1, 2, 3, 4, 5, 7}},
		{"tagged", search.Filter{Tagged: &yes}, []int{3, 4}},
		{"ids", search.Filter{IDs: many}, []int{2, 7}},
	} {
		r := mustSearch(t, e, search.Request{Query: mustParse(t, "test (extra OR -content:zeta)"), Filter: c.f, PageSize: 50})
		if got := set(ids(r)); !slices.Equal(got, c.want) || r.Total != len(c.want) {
			t.Errorf("nested exclusion, %s: got %v (total %d), want %v", c.name, got, r.Total, c.want)
		}
	}
}

// §15.2/9.
func testOrdering(t *testing.T, e search.Engine) {
	docs := []search.Document{
		D(1, "b title", "test"), D(2, "a title", "test"), D(3, "c title", "test"), D(4, "d", "other"),
	}
	docs[0].ASN, docs[1].ASN, docs[2].ASN = ip(30), ip(10), ip(20)
	docs[0].CorrespondentID, docs[0].Correspondent = ip(1), "Zeta"
	docs[1].CorrespondentID, docs[1].Correspondent = ip(2), "alpha"
	docs[2].CorrespondentID, docs[2].Correspondent = ip(3), "Mid"
	mustIndex(t, e, docs...)
	q := mustParse(t, "test")
	for _, c := range []struct {
		s    search.Sort
		want []int
	}{
		{search.Sort{Field: search.SortASN}, []int{2, 3, 1}},
		{search.Sort{Field: search.SortASN, Desc: true}, []int{1, 3, 2}},
		{search.Sort{Field: search.SortTitle}, []int{2, 1, 3}},
		{search.Sort{Field: search.SortTitle, Desc: true}, []int{3, 1, 2}},
		{search.Sort{Field: search.SortCorrespondent}, []int{2, 3, 1}},
		{search.Sort{Field: search.SortCorrespondent, Desc: true}, []int{1, 3, 2}},
		{search.Sort{Field: search.SortCreated}, []int{1, 2, 3}},
		{search.Sort{Field: search.SortCreated, Desc: true}, []int{3, 2, 1}},
	} {
		r := mustSearch(t, e, search.Request{Query: q, Sort: c.s})
		if got := ids(r); !slices.Equal(got, c.want) {
			t.Errorf("sort %v: %v, want %v", c.s, got, c.want)
		}
	}
}

func languageFixture() []search.Document {
	docs := []search.Document{
		D(1, "Invoice 2020", "ACME sent an invoice for the bank transfer"),
		D(2, "Bank statement", "monthly statement of the bank account, balance 1.5 million"),
		D(3, "Letter", "dear customer, thank you for your invoice payment"),
		D(4, "Insurance", "insurance policy renewal; the invoice is attached"),
		D(5, "Receipt", "receipt from the hardware store"),
	}
	docs[0].CorrespondentID, docs[0].Correspondent = ip(1), "ACME Corp"
	docs[1].CorrespondentID, docs[1].Correspondent = ip(2), "Big Bank"
	docs[1].DocumentTypeID, docs[1].DocumentType = ip(1), "Statement"
	docs[3].DocumentTypeID, docs[3].DocumentType = ip(2), "Policy"
	docs[0].TagIDs, docs[0].Tags = []int{1}, []string{"Inbox"}
	docs[2].TagIDs, docs[2].Tags = []int{1, 2}, []string{"Inbox", "Tax Return"}
	docs[0].ASN, docs[1].ASN, docs[2].ASN = ip(100), ip(150), ip(200)
	return docs
}

func testLanguage(t *testing.T, e search.Engine) {
	mustIndex(t, e, languageFixture()...)
	expect(t, e, "invoice", 1, 3, 4)
	expect(t, e, "invoice bank", 1)
	expect(t, e, "invoice AND bank", 1)
	expect(t, e, "bank OR receipt", 1, 2, 5)
	expect(t, e, "invoice NOT bank", 3, 4)
	expect(t, e, "invoice AND NOT bank", 3, 4)
	expect(t, e, "invoice -bank", 3, 4)
	expect(t, e, "-invoice", 2, 5)
	expect(t, e, "NOT invoice", 2, 5)
	expect(t, e, "(bank OR receipt) statement", 2)
	expect(t, e, "(insurance OR letter) invoice", 3, 4)
	expect(t, e, `"bank account"`, 2)
	expect(t, e, `"account bank"`)
	expect(t, e, `"invoice payment"`, 3)
	expect(t, e, `"statement bank"`, 2) // "statement of the bank": stop words leave no gap
	expect(t, e, "title:invoice", 1)
	expect(t, e, "content:invoice", 1, 3, 4)
	expect(t, e, "title:bank", 2)
	expect(t, e, "correspondent:acme", 1)
	expect(t, e, "acme", 1)
	expect(t, e, "type:statement", 2)
	expect(t, e, "type:policy", 4)
	expect(t, e, "tag:inbox", 1, 3)
	expect(t, e, `tag:"tax return"`, 3)
	expect(t, e, "tag:tax")
	expect(t, e, "tag:in*", 1, 3)
	expect(t, e, "inbox", 1, 3)
	expect(t, e, "asn:150", 2)
	expect(t, e, "asn:[100 to 150]", 1, 2)
	expect(t, e, "asn:[160 to]", 3)
	expect(t, e, "inv*", 1, 3, 4)
	expect(t, e, "ins*", 4)
	expect(t, e, "insur*", 4)
	expect(t, e, "rec*pt", 5)
	expect(t, e, "rec?ipt", 5)
	expect(t, e, "1.5", 2)
	expect(t, e, "title:(letter OR receipt)", 3, 5)
	expect(t, e, "invoice^2 bank", 1)
	expect(t, e, "*", 1, 2, 3, 4, 5)
	expect(t, e, "unknown:invoice") // unknown field: words "unknown invoice" as a phrase
	expect(t, e, "invoice OR -bank", 1, 3, 4, 5)
	// exclusions, at the top level and nested
	expect(t, e, "NOT content:bank", 3, 4, 5)
	expect(t, e, "(statement OR receipt) -bank", 5)
	expect(t, e, `-"bank account"`, 1, 3, 4, 5)
	expect(t, e, `invoice -"bank transfer"`, 3, 4)
	expect(t, e, `invoice -"transfer bank"`, 1, 3, 4)
	expect(t, e, "invoice OR -content:bank", 1, 3, 4, 5)
	expect(t, e, "invoice -content:bank", 3, 4)
	expect(t, e, "invoice (letter OR -content:bank)", 3, 4)
	expect(t, e, `"bank account" (monthly OR -content:balance)`, 2)
	expect(t, e, `"bank account" (letter OR -content:balance)`)
	expect(t, e, `insurance OR -"bank account"`, 1, 3, 4, 5)
	expect(t, e, "-inv*", 2, 5)
	expect(t, e, "-inbox", 2, 4, 5)
	expect(t, e, "-1.5", 1, 3, 4, 5)
	expect(t, e, "-invoice -receipt", 2)
	expect(t, e, "statement -statement")
	expect(t, e, "INVOICE", 1, 3, 4)
	expect(t, e, "invoice or bank", 1) // lower-case "or" is a stop word: invoice AND bank
	// the words of a query may match in different fields
	expect(t, e, "acme transfer", 1)
	expect(t, e, "big statement", 2)
	expect(t, e, "inbox letter", 3)
	expect(t, e, "policy renewal attached", 4)
	expect(t, e, `"big bank" monthly`, 2)
	expect(t, e, "acme receipt")
	// a word that names a tag: exact, it excludes the tag too; a prefix
	// leaves tags alone
	mustIndex(t, e, D(6, "Rules", "sorting the inbox, a statement"))
	expect(t, e, "-inbox", 2, 4, 5)
	expect(t, e, "-inb*", 1, 2, 3, 4, 5)
	expect(t, e, "statement -inb*", 2)
	expect(t, e, "-(inb* OR receipt)", 1, 2, 3, 4)
	expect(t, e, "NOT (sorting inbox)", 1, 2, 3, 4, 5)
}

func testDates(t *testing.T, e search.Engine) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	docs := []search.Document{D(1, "a", "x1 doc"), D(2, "b", "x2 doc"), D(3, "c", "x3 doc"), D(4, "d", "x4 doc"), D(5, "e", "x5 doc")}
	docs[0].Created, docs[0].Added = at(2019, 6, 1), Now.AddDate(0, 0, -20)
	docs[1].Created, docs[1].Added = at(2020, 11, 30), Now.AddDate(0, 0, -3)
	docs[2].Created, docs[2].Added = at(2021, 2, 10), Now.Add(-time.Hour)
	docs[3].Created = Now.AddDate(0, 0, -1)                               // yesterday
	docs[4].Created = time.Date(2021, 3, 10, 9, 0, 0, 0, time.UTC)        // last week (Mon 8 – Sun 14)
	docs[3].Modified, docs[4].Modified = at(2021, 3, 16), at(2021, 3, 17) //
	mustIndex(t, e, docs...)
	expect(t, e, "created:2020", 2)
	expect(t, e, "created:2020-11", 2)
	expect(t, e, "created:2020-11-30", 2)
	expect(t, e, "created:20201130", 2)
	expect(t, e, "created:30.11.2020", 2)
	expect(t, e, "created:[2020 to 2021]", 2, 3, 4, 5)
	expect(t, e, "created:[2019-01-01 to 2020-12-31]", 1, 2)
	expect(t, e, "created:[2021 to]", 3, 4, 5)
	expect(t, e, "created:[to 2019]", 1)
	expect(t, e, "created:yesterday", 4)
	expect(t, e, `created:"last week"`, 5)
	expect(t, e, "created:last week", 5)
	expect(t, e, `created:"this month"`, 4, 5)
	expect(t, e, "added:[-1 week to now]", 2, 3)
	expect(t, e, "added:today", 3)
	expect(t, e, "modified:2021-03-17", 5)
	expect(t, e, "doc created:2021", 3, 4, 5)
	expect(t, e, "doc -created:2021", 1, 2)
	expect(t, e, "created:2019 OR created:2020", 1, 2)
}

func testTypos(t *testing.T, e search.Engine) {
	mustIndex(t, e,
		D(1, "a", "the quarterly statement arrived"),
		D(2, "b", "reconciliation of the accounts"),
		D(3, "c", "cat and dog"),
		D(4, "d", "the statements were filed"),
	)
	expect(t, e, "statment", 1, 4) // 1 typo in an 8-letter word (2 allowed): statement, statements (2)
	expect(t, e, "statement", 1)   // known word: exact only
	expect(t, e, "recnciliaton", 2)
	expect(t, e, "quartrly", 1)
	expect(t, e, "cta")    // 3 letters: no typo
	expect(t, e, "dgo")    // 3 letters: no typo
	expect(t, e, "acount") // 6 letters, 1 typo: "accounts" is 2 away
	expect(t, e, "acounts", 2)
	expect(t, e, `"statment"`) // quoted: exact
}

func testAccents(t *testing.T, e search.Engine) {
	mustIndex(t, e,
		D(1, "Rechnung für Müller", "Die Gebühr wurde überwiesen. Straße 12"),
		D(2, "Café", "crème brûlée and naïve résumé"),
		D(3, "plain", "muller strasse cafe"),
	)
	expect(t, e, "muller", 1, 3)
	expect(t, e, "Müller", 1, 3)
	expect(t, e, "gebuhr", 1)
	expect(t, e, "GEBÜHR", 1)
	expect(t, e, "strasse", 1, 3)
	expect(t, e, "straße", 1, 3)
	expect(t, e, "cafe", 2, 3)
	expect(t, e, "resume brulee", 2)
	expect(t, e, `"creme brulee"`, 2)
	expect(t, e, "uberw*", 1)
	// odd unicode: zero-width and combining characters, emoji, RTL, CJK
	for _, q := range []string{"\u200b", "🙂", "e\u0301", "שלום", "日本語", "\x00", "\xff\xfe"} {
		if _, err := e.Search(ctx(), search.Request{Query: mustParse(t, q)}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	expect(t, e, "re\u0301sume\u0301", 2) // decomposed accents
}

func testAutocomplete(t *testing.T, e search.Engine) {
	mustIndex(t, e,
		D(1, "a", "bank bank bank banking common"),
		D(2, "b", "bankaccount banking common"),
		D(3, "c", "bank common"),
		D(4, "d", "common the a"),
	)
	got, err := e.Autocomplete(ctx(), "ban", 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	// bank: 4 occurrences × ln(4/2)=2.77; banking 2×ln 2=1.39; bankaccount 1×ln 4=1.39 → tie: word desc
	if want := []string{"bank", "banking", "bankaccount"}; !slices.Equal(got, want) {
		t.Errorf("ban: %v, want %v", got, want)
	}
	got, _ = e.Autocomplete(ctx(), "BAN", 2, nil)
	if want := []string{"bank", "banking"}; !slices.Equal(got, want) {
		t.Errorf("BAN limit 2: %v, want %v", got, want)
	}
	got, _ = e.Autocomplete(ctx(), "", 10, nil)
	if len(got) != 4 || got[0] != "bank" || got[len(got)-1] != "common" {
		t.Errorf("empty term: %v (common occurs everywhere and must come last; stop words absent)", got)
	}
	got, _ = e.Autocomplete(ctx(), "zzz", 10, nil)
	if len(got) != 0 {
		t.Errorf("zzz: %v", got)
	}
	// title words are not content words
	mustIndex(t, e, D(5, "titleonly", "bank"))
	got, _ = e.Autocomplete(ctx(), "title", 10, nil)
	if len(got) != 0 {
		t.Errorf("title words in autocomplete: %v", got)
	}
	if got, _ := e.Autocomplete(ctx(), "ban", 0, nil); len(got) != 0 {
		t.Errorf("limit 0: %v", got)
	}
}

func testFacets(t *testing.T, e search.Engine) {
	mustIndex(t, e, filterFixture()...)
	r := mustSearch(t, e, search.Request{Query: mustParse(t, "test"), Facets: true})
	f := r.Facets
	if f == nil {
		t.Fatal("no facets")
	}
	if f.Tags[1] != 1 || f.Tags[2] != 2 || len(f.Tags) != 2 {
		t.Errorf("tag facets %v", f.Tags)
	}
	if f.Correspondents[1] != 1 || len(f.Correspondents) != 1 || f.NoCorrespondent != 4 {
		t.Errorf("correspondent facets %v, none %d", f.Correspondents, f.NoCorrespondent)
	}
	if f.DocumentTypes[1] != 1 || len(f.DocumentTypes) != 1 || f.NoDocumentType != 4 {
		t.Errorf("type facets %v, none %d", f.DocumentTypes, f.NoDocumentType)
	}
}

func fragText(f search.Fragment) (text string, terms []string) {
	var b strings.Builder
	for _, s := range f {
		b.WriteString(s.Text)
		if s.Term != nil {
			terms = append(terms, s.Text)
		}
	}
	return b.String(), terms
}

func testHighlights(t *testing.T, e search.Engine) {
	long := strings.Repeat("filler words go here and there. ", 20)
	mustIndex(t, e,
		D(1, "bank statement 3", "things i paid for in september"),
		D(2, "t", "Bank details: "+long+"the bank said BANK"+long+"banking ends"),
		D(3, "only title bank", "nothing"),
	)
	r := mustSearch(t, e, search.Request{Query: mustParse(t, "september"), Highlight: true})
	if len(r.Hits) != 1 {
		t.Fatalf("september: %d hits", len(r.Hits))
	}
	h := r.Hits[0].Highlights
	if len(h) != 1 {
		t.Fatalf("highlights %v", h)
	}
	text, terms := fragText(h[0])
	if text != "things i paid for in september" || !slices.Equal(terms, []string{"september"}) || *h[0][1].Term != 0 {
		t.Errorf("fragment %q terms %v", text, terms)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "bank"), Highlight: true, PageSize: 10})
	for _, hit := range r.Hits {
		switch hit.ID {
		case 3:
			if len(hit.Highlights) != 0 {
				t.Errorf("title-only match has highlights %v", hit.Highlights)
			}
		case 2:
			if len(hit.Highlights) == 0 || len(hit.Highlights) > 3 {
				t.Fatalf("doc 2: %d fragments", len(hit.Highlights))
			}
			for _, f := range hit.Highlights {
				text, terms := fragText(f)
				if !strings.Contains(D(2, "", "Bank details: "+long+"the bank said BANK"+long+"banking ends").Content, text) {
					t.Errorf("fragment %q is not a slice of the content", text)
				}
				if len(text) > 320 {
					t.Errorf("fragment too long: %d", len(text))
				}
				for _, w := range terms {
					if strings.ToLower(w) != "bank" {
						t.Errorf("matched %q", w)
					}
				}
			}
		}
	}
	html := search.HTML(r.Hits[0].Highlights)
	if r.Hits[0].ID == 2 && !strings.Contains(html, `<span class="match term`) {
		t.Errorf("html %q", html)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "bank -september"), Highlight: true, PageSize: 10})
	for _, hit := range r.Hits {
		for _, f := range hit.Highlights {
			if _, terms := fragText(f); slices.Contains(terms, "september") {
				t.Error("excluded word highlighted")
			}
		}
	}
	// Typos are allowed only for words the index does not know, and the
	// highlights follow what matched: "invoice" is indexed, so its
	// neighbour "invoices" is neither matched nor lit; the unknown
	// "invoise" matches and lights "invoice" (one typo away).
	mustIndex(t, e, D(4, "t", "one invoice and two invoices"))
	for _, c := range []struct{ q, want string }{{"invoice", "invoice"}, {"invoise", "invoice"}} {
		r = mustSearch(t, e, search.Request{Query: mustParse(t, c.q), Highlight: true})
		if len(r.Hits) != 1 || len(r.Hits[0].Highlights) != 1 {
			t.Fatalf("%q: %+v", c.q, r.Hits)
		}
		if _, terms := fragText(r.Hits[0].Highlights[0]); !slices.Equal(terms, []string{c.want}) {
			t.Errorf("%q lights %v, want [%s]", c.q, terms, c.want)
		}
	}
}

func testDelete(t *testing.T, e search.Engine) {
	mustIndex(t, e, paperlessThree()...)
	mustIndex(t, e, paperlessThree()...) // idempotent
	expect(t, e, "bank", 1, 2, 3)
	if n, _ := e.Count(ctx()); n != 3 {
		t.Errorf("count after re-index %d", n)
	}
	if err := e.Delete(ctx(), 2, 999); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx(), 2); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "bank", 1, 3)
	expect(t, e, "august")
	got, _ := e.Autocomplete(ctx(), "aug", 10, nil)
	if len(got) != 0 {
		t.Errorf("deleted word still completes: %v", got)
	}
	d := D(3, "renamed", "now about october")
	mustIndex(t, e, d, d)
	expect(t, e, "september")
	expect(t, e, "october", 3)
	expect(t, e, "statement")
	if n, _ := e.Count(ctx()); n != 2 {
		t.Errorf("count %d, want 2", n)
	}
}

func testRebuild(t *testing.T, e search.Engine) {
	mustIndex(t, e, paperlessThree()...)
	rb, err := e.BeginRebuild(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if rb.LastID() != 0 {
		t.Errorf("fresh rebuild LastID %d", rb.LastID())
	}
	docs := []search.Document{D(1, "invoice", "rebuilt alpha"), D(2, "x", "rebuilt beta")}
	if err := rb.Index(ctx(), docs...); err != nil {
		t.Fatal(err)
	}
	// LastID counts durable documents only: it may trail what was fed.
	if last := rb.LastID(); last < 0 || last > 2 {
		t.Errorf("LastID %d, want 0–2", last)
	}
	// the live index still answers; a second BeginRebuild resumes
	expect(t, e, "bank", 1, 2, 3)
	expect(t, e, "rebuilt")
	rb2, err := e.BeginRebuild(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if last := rb2.LastID(); last < 0 || last > 2 {
		t.Errorf("resumed LastID %d, want 0–2", last)
	}
	// a live change during the rebuild reaches both
	mustIndex(t, e, D(7, "live", "gamma during live"))
	if err := rb2.Index(ctx(), D(3, "z", "rebuilt gamma")); err != nil {
		t.Fatal(err)
	}
	if err := rb2.Commit(ctx()); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "bank")
	expect(t, e, "rebuilt", 1, 2, 3)
	expect(t, e, "gamma", 3, 7)
	if n, _ := e.Count(ctx()); n != 4 {
		t.Errorf("count %d after swap", n)
	}
	got, _ := e.Autocomplete(ctx(), "reb", 5, nil)
	if !slices.Equal(got, []string{"rebuilt"}) {
		t.Errorf("autocomplete after swap %v", got)
	}
	// abort keeps the live index
	rb3, err := e.BeginRebuild(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if rb3.LastID() != 0 {
		t.Errorf("new rebuild LastID %d", rb3.LastID())
	}
	if err := rb3.Index(ctx(), D(1, "x", "aborted")); err != nil {
		t.Fatal(err)
	}
	if err := rb3.Abort(ctx()); err != nil {
		t.Fatal(err)
	}
	expect(t, e, "aborted")
	expect(t, e, "rebuilt", 1, 2, 3)
	if err := rb3.Commit(ctx()); store.ErrorCode(err) != store.Conflict {
		t.Errorf("commit after abort: %v", err)
	}
}

func testBadQueries(t *testing.T, e search.Engine) {
	mustIndex(t, e, paperlessThree()...)
	for _, q := range []string{
		`"bank`, "(bank", "bank)", "bank OR", "OR bank", "NOT", "bank AND", "created:notadate",
		"created:[2020", "asn:abc", "title:[a to f]", "created:[2021 to 2020]", strings.Repeat("a ", 3000),
		strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), strings.Repeat("bank ", 200), "title:",
	} {
		_, err := search.Parse(q, Now, time.UTC)
		if err == nil {
			t.Errorf("%.40q: parsed, want error", q)
			continue
		}
		if !search.IsParseError(err) || store.ErrorCode(err) != store.Validation || store.ErrorMessage(err) == "" {
			t.Errorf("%.40q: %v is not a validation ParseError", q, err)
		}
	}
	// lenient forms that are fine
	for _, q := range []string{"bank -", "-", "a:b:c", "***", "?", "bank ^2", "[", "]", "{}", "bank\tstatement\n", "c++", "e-mail"} {
		pq, err := search.Parse(q, Now, time.UTC)
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if _, err := e.Search(ctx(), search.Request{Query: pq, Highlight: true}); err != nil {
			t.Errorf("%q: search: %v", q, err)
		}
	}
}

// testIDs checks that IDs lists exactly the indexed documents, in order,
// after additions, a re-index and deletions.
func testIDs(t *testing.T, e search.Engine) {
	if ids, err := e.IDs(ctx()); err != nil || len(ids) != 0 {
		t.Fatalf("empty index: %v, %v", ids, err)
	}
	var docs []search.Document
	for _, id := range []int{12, 3, 700, 45, 9} {
		docs = append(docs, D(id, "t", "listed words"))
	}
	mustIndex(t, e, docs...)
	mustIndex(t, e, D(45, "t", "listed again"))
	if err := e.Delete(ctx(), 700, 3, 1000); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(ctx()); err != nil {
		t.Fatal(err)
	}
	ids, err := e.IDs(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{9, 12, 45}; !slices.Equal(ids, want) {
		t.Errorf("IDs: %v, want %v", ids, want)
	}
}

// testExpansionCaps checks the bounds on prefix and wildcard words: the
// probe's `a*` written 500 times is refused at once, a prefix shared by
// more indexed words than search.MaxExpansion matches the documents of the
// first MaxExpansion of them (alphabetically), and the most prefix words a
// query may hold, each expanding that far, are answered quickly.
func testExpansionCaps(t *testing.T, e search.Engine) {
	n := search.MaxExpansion + 44
	var words []string
	for i := range n {
		words = append(words, fmt.Sprintf("zq%04d", i))
	}
	// document 1 holds every word; document 2 the first, document 3 the last
	mustIndex(t, e, D(1, "all", strings.Join(words, " ")), D(2, "first", words[0]), D(3, "last", words[n-1]))
	for _, q := range []string{strings.Repeat("a*", 500), strings.Repeat("a* ", 500), strings.Repeat("ab* ", search.MaxWildcardTerms+1)} {
		start := time.Now()
		_, err := search.Parse(q, Now, time.UTC)
		if !search.IsParseError(err) || store.ErrorCode(err) != store.Validation {
			t.Errorf("%.20q…: %v, want a validation ParseError", q, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%.20q…: refused after %v", q, d)
		}
	}
	for _, c := range []struct {
		q    string
		want []int
	}{
		{"zq*", []int{1, 2}},
		{"z?0*", []int{1, 2}},
		{"zq0299", []int{1, 3}},
		{strings.TrimSpace(strings.Repeat("zq* ", search.MaxWildcardTerms)), []int{1, 2}},
	} {
		start := time.Now()
		r := mustSearch(t, e, search.Request{Query: mustParse(t, c.q), Highlight: true})
		if got := set(ids(r)); !slices.Equal(got, c.want) {
			t.Errorf("%.30q: %v, want %v", c.q, got, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%.30q: answered after %v", c.q, d)
		}
	}
}

// accessFixture: documents 1 (no owner), 2 (user 1's), 3 (user 2's,
// granted to group 7) and 4 (user 2's alone); accessUser1 is what user 1,
// a member of group 7, may see (1, 2 and 3).
func accessFixture() []search.Document {
	d := []search.Document{
		D(1, "invoice alpha", "invoice payment bank transfer alpha"),
		D(2, "invoice beta", "invoice payment bank transfer beta secretwort"),
		D(3, "invoice gamma", "invoice payment bank gamma"),
		D(4, "invoice delta", "invoice payment bank transfer delta secretword secretword hiddenterm"),
	}
	d[0].ACL, d[0].TagIDs, d[0].Tags, d[0].CorrespondentID, d[0].CustomFieldIDs = []string{store.ACLPublic}, []int{1}, []string{"one"}, ip(1), []int{5}
	d[1].ACL, d[1].TagIDs, d[1].Tags, d[1].CorrespondentID = []string{"u1"}, []int{2}, []string{"two"}, ip(2)
	d[2].ACL, d[2].TagIDs, d[2].Tags, d[2].CustomFieldIDs = []string{"u2", "g7"}, []int{1}, []string{"one"}, []int{6}
	d[3].ACL, d[3].TagIDs, d[3].Tags, d[3].CorrespondentID, d[3].CustomFieldIDs = []string{"u2"}, []int{9}, []string{"nine"}, ip(9), []int{9}
	d[3].DocumentTypeID, d[3].Notes = ip(9), []string{"the hidden note"}
	return d
}

var accessUser1 = []string{store.ACLPublic, "u1", "g7"}

// Filter.ACL is part of the engine's query: hits, totals, pages, facets,
// more-like-this and scores only ever see the visible documents.
func testAccess(t *testing.T, e search.Engine) {
	mustIndex(t, e, accessFixture()...)
	search1 := func(q string, acl []string, page, size int) *search.Result {
		t.Helper()
		return mustSearch(t, e, search.Request{Query: mustParse(t, q), Filter: search.Filter{ACL: acl}, Page: page, PageSize: size, Facets: true, Highlight: true})
	}
	all, r := search1("invoice", nil, 1, 10), search1("invoice", accessUser1, 1, 10)
	if got := set(ids(all)); !slices.Equal(got, []int{1, 2, 3, 4}) || all.Total != 4 {
		t.Errorf("unrestricted: %v (total %d), want all four", got, all.Total)
	}
	if got := set(ids(r)); !slices.Equal(got, []int{1, 2, 3}) || r.Total != 3 {
		t.Errorf("user 1: %v (total %d), want [1 2 3]", got, r.Total)
	}
	// ranking is the unrestricted one, with the hidden document left out
	score := map[int]float64{}
	for _, h := range all.Hits {
		score[h.ID] = h.Score
	}
	for _, h := range r.Hits {
		if d := h.Score - score[h.ID]; d > 1e-9 || d < -1e-9 {
			t.Errorf("user 1: document %d scores %v, unrestricted %v", h.ID, h.Score, score[h.ID])
		}
	}
	f := r.Facets
	if f == nil {
		t.Fatal("no facets")
	}
	if !maps.Equal(f.Tags, map[int]int{1: 2, 2: 1}) || !maps.Equal(f.Correspondents, map[int]int{1: 1, 2: 1}) ||
		f.NoCorrespondent != 1 || len(f.DocumentTypes) != 0 || f.NoDocumentType != 3 ||
		!maps.Equal(f.CustomFields, map[int]int{5: 1, 6: 1}) {
		t.Errorf("user 1's facets count a hidden document: %+v", *f)
	}
	if all.Facets.CustomFields[9] != 1 || all.Facets.Tags[9] != 1 {
		t.Errorf("unrestricted facets lack document 4: %+v", *all.Facets)
	}
	p := search1("invoice", accessUser1, 2, 2)
	if p.Total != 3 || len(p.Hits) != 1 || p.Hits[0].Rank != 2 {
		t.Errorf("user 1, page 2 of 2: total %d, %d hits, want 3 and 1", p.Total, len(p.Hits))
	}
	for q, want := range map[string][]int{"hiddenterm": {}, "notes:hidden": {}, "tag:nine": {}, "delta": {},
		"transfer": {1, 2}, "-alpha": {2, 3}, "bank -transfer": {3}, "invoice OR -content:bank": {1, 2, 3}} {
		got := set(ids(search1(q, accessUser1, 1, 100)))
		if want == nil {
			want = []int{}
		}
		if !slices.Equal(got, want) {
			t.Errorf("user 1, %q: %v, want %v", q, got, want)
		}
	}
	if got := set(ids(search1("invoice", []string{store.ACLPublic, "u3"}, 1, 10))); !slices.Equal(got, []int{1}) {
		t.Errorf("user 3: %v, want [1]", got)
	}
	if got := set(ids(search1("invoice", []string{"u2"}, 1, 10))); !slices.Equal(got, []int{3, 4}) {
		t.Errorf("user 2 (owner): %v, want [3 4]", got)
	}
	if r := search1("invoice", []string{}, 1, 10); r.Total != 0 || len(r.Hits) != 0 {
		t.Errorf("no tokens: %d hits, want none", r.Total)
	}
	for _, req := range []search.Request{{Filter: search.Filter{ACL: accessUser1}, Facets: true},
		{Filter: search.Filter{ACL: accessUser1}, Sort: search.Sort{Field: search.SortCreated}}} {
		m, err := e.MoreLike(ctx(), 1, req)
		if err != nil {
			t.Fatal(err)
		}
		if got := set(ids(m)); slices.Contains(got, 4) || m.Total != len(got) || len(got) == 0 {
			t.Errorf("more like 1 for user 1 (sort %q): %v (total %d), want some of [2 3], never 4", req.Sort.Field, got, m.Total)
		}
		if m.Facets != nil && m.Facets.Tags[9] != 0 {
			t.Errorf("more like 1 for user 1: facets count document 4: %v", m.Facets.Tags)
		}
	}
	m, err := e.MoreLike(ctx(), 1, search.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if got := set(ids(m)); !slices.Contains(got, 4) {
		t.Errorf("more like 1, unrestricted: %v, want 4 among them", got)
	}
	// a re-index with new tokens (a grant) shows the document
	d := accessFixture()[3]
	d.ACL = append(d.ACL, "u1")
	mustIndex(t, e, d)
	if got := set(ids(search1("hiddenterm", accessUser1, 1, 10))); !slices.Equal(got, []int{4}) {
		t.Errorf("after a grant to user 1: %v, want [4]", got)
	}
}

// Autocomplete and corrected queries come from word statistics shared by
// every document; for a restricted searcher they offer only words a
// visible document holds, and their absence tells nothing either.
func testAccessSuggestions(t *testing.T, e search.Engine) {
	mustIndex(t, e, accessFixture()...)
	complete := func(term string, acl []string) []string {
		t.Helper()
		w, err := e.Autocomplete(ctx(), term, 10, acl)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if got := complete("secret", nil); !slices.Equal(got, []string{"secretword", "secretwort"}) {
		t.Errorf("unrestricted secret…: %v", got)
	}
	if got := complete("secret", accessUser1); !slices.Equal(got, []string{"secretwort"}) {
		t.Errorf("user 1, secret…: %v, want [secretwort]", got)
	}
	if got := complete("hid", accessUser1); len(got) != 0 {
		t.Errorf("user 1, hid…: %v, want none", got)
	}
	if got := complete("", []string{store.ACLPublic}); slices.Contains(got, "secretword") || slices.Contains(got, "beta") || !slices.Contains(got, "alpha") {
		t.Errorf("public, all words: %v", got)
	}
	if got := complete("inv", []string{}); len(got) != 0 {
		t.Errorf("no tokens: %v, want none", got)
	}
	corrected := func(q string, acl []string) string {
		t.Helper()
		r := mustSearch(t, e, search.Request{Query: mustParse(t, q), Filter: search.Filter{ACL: acl}})
		if r.CorrectedQuery == nil {
			return ""
		}
		return *r.CorrectedQuery
	}
	for _, c := range []struct {
		q         string
		acl       []string
		corrected string
	}{
		{"secretwrd", nil, "secretword"},
		{"secretwrd", accessUser1, "secretwort"}, // the closer word is hidden
		{"secretword", nil, ""},
		{"secretword", accessUser1, "secretwort"}, // known, but only in a hidden document
		{"hiddenterm", nil, ""},
		{"hiddenterm", accessUser1, ""}, // nothing visible is close
		{"hidenterm", accessUser1, ""},
		{"hidenterm", nil, "hiddenterm"},
		{"invoice alphq", accessUser1, "invoice alpha"},
		{"invoice secretword", accessUser1, "invoice secretwort"},
		{"invoice OR -secretword", []string{store.ACLPublic}, ""},
	} {
		if got := corrected(c.q, c.acl); got != c.corrected {
			t.Errorf("%q for %v: corrected %q, want %q", c.q, c.acl, got, c.corrected)
		}
	}
}

// Notes and custom field values are searched like the other text fields,
// and with the field prefixes notes: and custom_fields:.
func testNotes(t *testing.T, e search.Engine) {
	a := D(1, "Lease", "the lease agreement")
	a.Notes = []string{"Call the landlord tomorrow", "Second note: Kündigung"}
	a.CustomFields = []string{"Contract number: K-4711", "Due: 2024-05-01"}
	a.CustomFieldIDs = []int{3, 4}
	b := D(2, "Letter", "greetings from the landlord")
	b.CustomFieldIDs = []int{3}
	c := D(3, "Invoice", "total due")
	mustIndex(t, e, a, b, c)
	for q, want := range map[string][]int{
		"tomorrow": {1}, "notes:tomorrow": {1}, "title:tomorrow": {}, "content:tomorrow": {},
		"landlord": {1, 2}, "notes:landlord": {1}, "note:landlord": {1}, "-notes:landlord": {2, 3},
		"kundigung": {1}, "notes:kündigung": {1}, `"landlord tomorrow"`: {1}, `notes:"landlord tomorrow"`: {1},
		`"tomorrow second"`: {}, // a phrase does not span two notes
		"4711":              {1}, "custom_fields:4711": {1}, "custom_fields:contract": {1}, "notes:contract": {},
		"custom_field:due": {1}, "due": {1, 3}, "-due": {2}, "contract -landlord": {}, "contr*": {1}, "notes:land*": {1},
		"landlrod": {1, 2}, "custom_fields:contarct": {1}, "greetings OR notes:second": {1, 2},
	} {
		expect(t, e, q, want...)
	}
	r := mustSearch(t, e, search.Request{Query: mustParse(t, "landlord"), Facets: true})
	if r.CorrectedQuery != nil {
		t.Errorf("landlord: corrected %q, want nil (a note's word is known)", *r.CorrectedQuery)
	}
	if !maps.Equal(r.Facets.CustomFields, map[int]int{3: 2, 4: 1}) {
		t.Errorf("custom field facets %v, want 3: 2, 4: 1", r.Facets.CustomFields)
	}
	r = mustSearch(t, e, search.Request{Query: mustParse(t, "tomorow")})
	if r.CorrectedQuery == nil || *r.CorrectedQuery != "tomorrow" {
		t.Errorf("tomorow: corrected %v, want tomorrow", r.CorrectedQuery)
	}
	a.Notes, a.CustomFields = nil, nil
	mustIndex(t, e, a)
	expect(t, e, "tomorrow")
	expect(t, e, "custom_fields:4711")
	expect(t, e, "landlord", 2)
}
