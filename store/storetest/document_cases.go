package storetest

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

func testDocumentCRUD(t *testing.T, s *store.Store) {
	c1 := mustCorrespondent(t, s, "c1")
	c2 := mustCorrespondent(t, s, "c2")
	ty := mustType(t, s, "ty")
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	created := time.Date(2020, 11, 30, 0, 0, 0, 0, time.UTC)
	d := mustDocument(t, s, doc{title: "Invoice", content: "text", corr: &c1.ID, typ: &ty.ID, tags: []int{t1.ID, t1.ID}, created: created, asn: ptr(7)})
	if d.ID == 0 || d.Added.IsZero() || d.Modified.IsZero() {
		t.Fatalf("created %+v", d)
	}
	got, err := s.Document(ctx, d.ID)
	if err != nil || got.Title != "Invoice" || got.Content != "text" || *got.CorrespondentID != c1.ID ||
		*got.DocumentTypeID != ty.ID || !got.Created.Equal(created) || *got.ArchiveSerialNumber != 7 {
		t.Fatalf("read %+v %v", got, err)
	}
	before := got.Modified
	time.Sleep(2 * time.Millisecond)
	u, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{
		Title:               ptr("New"),
		CorrespondentID:     graphql.OmittableOf(&c2.ID),
		DocumentTypeID:      graphql.OmittableOf[*int](nil),
		TagIDs:              graphql.OmittableOf([]int{t2.ID}),
		ArchiveSerialNumber: graphql.OmittableOf[*int](nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Title != "New" || *u.CorrespondentID != c2.ID || u.DocumentTypeID != nil || u.ArchiveSerialNumber != nil || !u.Modified.After(before) {
		t.Fatalf("updated %+v", u)
	}
	got, _ = s.Document(ctx, d.ID)
	if got.Title != "New" || *got.CorrespondentID != c2.ID || got.DocumentTypeID != nil || got.Content != "text" || !got.Modified.Equal(u.Modified) {
		t.Fatalf("re-read %+v", got)
	}
	tags, _ := s.TagIDsByDocuments(ctx, []int{d.ID})
	wantList(t, "tags replaced", tags[d.ID], t2.ID)
	// Absent fields are left alone.
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{Content: ptr("more")}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Document(ctx, d.ID)
	tags, _ = s.TagIDsByDocuments(ctx, []int{d.ID})
	if got.Title != "New" || *got.CorrespondentID != c2.ID || got.Content != "more" {
		t.Fatalf("after partial update %+v", got)
	}
	wantList(t, "tags kept", tags[d.ID], t2.ID)
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{})}); err != nil {
		t.Fatal(err)
	}
	tags, _ = s.TagIDsByDocuments(ctx, []int{d.ID})
	wantList(t, "tags cleared", tags[d.ID])

	d2 := mustDocument(t, s, doc{title: "Other"})
	byIDs, err := s.DocumentsByIDs(ctx, []int{d2.ID, 999, d.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "by ids in key order", ids(byIDs), d2.ID, d.ID)
	contents, err := s.DocumentContents(ctx, []int{d.ID, 999, d2.ID, d.ID})
	if err != nil || len(contents) != 2 || contents[d.ID] != "more" || contents[d2.ID] != d2.Content {
		t.Fatalf("contents %v %v", contents, err)
	}

	del, err := s.DeleteDocument(ctx, d.ID)
	if err != nil || del.ID != d.ID || del.Title != "New" {
		t.Fatalf("deleted %+v %v", del, err)
	}
	_, err = s.Document(ctx, d.ID)
	wantCode(t, err, store.NotFound, "-")
	wantList(t, "left", list(t, s, store.DocumentFilter{}), d2.ID)
}

func testErrDocumentReferences(t *testing.T, s *store.Store) {
	tg := mustTag(t, s, "t", false)
	d := mustDocument(t, s, doc{title: "d"})
	_, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{CorrespondentID: graphql.OmittableOf(ptr(999))})
	wantCode(t, err, store.Validation, "correspondentId")
	wantFieldMessage(t, err, "correspondentId", `Invalid pk "999" - object does not exist.`)
	_, err = s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{DocumentTypeID: graphql.OmittableOf(ptr(998))})
	wantCode(t, err, store.Validation, "documentTypeId")
	wantFieldMessage(t, err, "documentTypeId", `Invalid pk "998" - object does not exist.`)
	_, err = s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{tg.ID, 997})})
	wantCode(t, err, store.Validation, "tagIds")
	wantFieldMessage(t, err, "tagIds", `Invalid pk "997" - object does not exist.`)
	tags, _ := s.TagIDsByDocuments(ctx, []int{d.ID})
	wantList(t, "no change after error", tags[d.ID])
	err = s.CreateDocument(ctx, &store.Document{Title: "x", Checksum: "abc", CorrespondentID: ptr(999)}, nil)
	wantCode(t, err, store.Validation, "correspondentId")
	err = s.CreateDocument(ctx, &store.Document{Title: "x", Checksum: "abc"}, []int{996})
	wantCode(t, err, store.Validation, "tagIds")
	wantList(t, "nothing created", list(t, s, store.DocumentFilter{}), d.ID)
}

func testErrDocumentDuplicateASN(t *testing.T, s *store.Store) {
	mustDocument(t, s, doc{title: "a", asn: ptr(1)})
	b := mustDocument(t, s, doc{title: "b", asn: ptr(2)})
	_, err := s.UpdateDocument(ctx, b.ID, store.DocumentUpdate{ArchiveSerialNumber: graphql.OmittableOf(ptr(1))})
	wantCode(t, err, store.Conflict, "archiveSerialNumber")
	// Keeping one's own number is no conflict.
	if _, err := s.UpdateDocument(ctx, b.ID, store.DocumentUpdate{ArchiveSerialNumber: graphql.OmittableOf(ptr(2))}); err != nil {
		t.Fatal(err)
	}
	err = s.CreateDocument(ctx, &store.Document{Title: "c", Checksum: "c", ArchiveSerialNumber: ptr(1)}, nil)
	wantCode(t, err, store.Conflict, "archiveSerialNumber")
	err = s.CreateDocument(ctx, &store.Document{Title: "d", Checksum: b.Checksum}, nil)
	wantCode(t, err, store.Conflict, "checksum")
}

func testTagIDsOrderedByName(t *testing.T, s *store.Store) {
	z := mustTag(t, s, "zebra", false)
	a := mustTag(t, s, "Apfel", false)
	m := mustTag(t, s, "mitte", false)
	d := mustDocument(t, s, doc{title: "d", tags: []int{z.ID, m.ID, a.ID}})
	e := mustDocument(t, s, doc{title: "e"})
	got, err := s.TagIDsByDocuments(ctx, []int{d.ID, e.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "d", got[d.ID], a.ID, m.ID, z.ID)
	if tags, ok := got[e.ID]; !ok || len(tags) != 0 {
		t.Errorf("e: %v %v", tags, ok)
	}
}

// inboxFixture is paperless's filter fixture (§15.1 item 7): doc1 has
// the inbox tag t1, doc2 has t2, doc3 has t2 and t3.
func inboxFixture(t *testing.T, s *store.Store) (t1, t2, t3, d1, d2, d3 int) {
	t1 = mustTag(t, s, "t1", true).ID
	t2 = mustTag(t, s, "t2", false).ID
	t3 = mustTag(t, s, "t3", false).ID
	d1 = mustDocument(t, s, doc{title: "doc1", content: "c1", tags: []int{t1}}).ID
	d2 = mustDocument(t, s, doc{title: "doc2", content: "c2", tags: []int{t2}}).ID
	d3 = mustDocument(t, s, doc{title: "doc3", content: "c3", tags: []int{t2, t3}}).ID
	return
}

func testInboxAndTagFilters(t *testing.T, s *store.Store) {
	t1, t2, t3, d1, d2, d3 := inboxFixture(t, s)
	byTitle := store.DocumentOrder{Field: store.DocumentOrderTitle}
	wantList(t, "is_in_inbox=true", list(t, s, store.DocumentFilter{IsInInbox: ptr(true)}), d1)
	wantList(t, "is_in_inbox=false", list(t, s, store.DocumentFilter{IsInInbox: ptr(false)}, byTitle), d2, d3)
	wantSet(t, "tags__id__in=t1,t3", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{t1, t3}}}), d1, d3)
	wantSet(t, "tags__id__in=t2,t3 (distinct)", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{t2, t3}}}), d2, d3)
	wantSet(t, "tags__id=t2", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{t2}}}), d2, d3)
	wantSet(t, "tags__id__all=t2,t3", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2, t3}}}), d3)
	wantSet(t, "tags__id__all=t1,t3", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t1, t3}}}))
	wantSet(t, "tags__id__all=t2", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2, t2}}}), d2, d3)
	wantSet(t, "all t2 and content", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2}}, Content: &store.TextFilter{Iexact: ptr("C3")}}), d3)
	wantSet(t, "all with any", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2}, Any: []int{t3, t1}}}), d3)
	wantSet(t, "no tag filter", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{}}), d1, d2, d3)
	// The paged form counts distinct documents too.
	docs, total, err := s.Documents(ctx, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{t2, t3}}}, nil, store.Page{Size: 1})
	if err != nil || total != 2 || len(docs) != 1 {
		t.Errorf("paged any: %d docs of %d, %v", len(docs), total, err)
	}
	docs, total, err = s.Documents(ctx, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2}}}, nil, store.Page{Size: 1, Number: 2})
	if err != nil || total != 2 || len(docs) != 1 {
		t.Errorf("paged all: %d docs of %d, %v", len(docs), total, err)
	}
}

func testTagsNone(t *testing.T, s *store.Store) {
	t1, t2, t3, d1, d2, _ := inboxFixture(t, s)
	wantSet(t, "none t3", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{None: []int{t3}}}), d1, d2)
	wantSet(t, "none t3,t2", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{None: []int{t3, t2}}}), d1)
	wantSet(t, "none t2,t1", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{None: []int{t2, t1}}}))
}

func testTitleContent(t *testing.T, s *store.Store) {
	d1 := mustDocument(t, s, doc{title: "A", content: "A"}).ID
	d2 := mustDocument(t, s, doc{title: "B", content: "A"}).ID
	d3 := mustDocument(t, s, doc{title: "A", content: "B"}).ID
	d4 := mustDocument(t, s, doc{title: "B", content: "B"}).ID
	wantSet(t, "A", list(t, s, store.DocumentFilter{TitleContent: ptr("A")}), d1, d2, d3)
	wantSet(t, "b", list(t, s, store.DocumentFilter{TitleContent: ptr("b")}), d2, d3, d4)
	wantSet(t, "X", list(t, s, store.DocumentFilter{TitleContent: ptr("X")}))
	wantSet(t, "empty", list(t, s, store.DocumentFilter{TitleContent: ptr("")}), d1, d2, d3, d4)
}

func testTextFilters(t *testing.T, s *store.Store) {
	c := mustCorrespondent(t, s, "Stadtwerke München")
	ty := mustType(t, s, "Rechnung")
	d1 := mustDocument(t, s, doc{title: "Invoice March", content: "Electricity bill for March", corr: &c.ID, typ: &ty.ID}).ID
	d2 := mustDocument(t, s, doc{title: "Letter", content: "Dear customer, your invoice"}).ID
	f := func(tf store.TextFilter) *store.TextFilter { return &tf }
	wantSet(t, "title icontains", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Icontains: ptr("VOICE")})}), d1)
	wantSet(t, "title istartswith", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Istartswith: ptr("let")})}), d2)
	wantSet(t, "title iendswith", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Iendswith: ptr("MARCH")})}), d1)
	wantSet(t, "title iexact", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Iexact: ptr("letter")})}), d2)
	wantSet(t, "title iexact partial", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Iexact: ptr("lette")})}))
	wantSet(t, "content icontains", list(t, s, store.DocumentFilter{Content: f(store.TextFilter{Icontains: ptr("INVOICE")})}), d2)
	wantSet(t, "content istartswith", list(t, s, store.DocumentFilter{Content: f(store.TextFilter{Istartswith: ptr("electricity")})}), d1)
	wantSet(t, "content iendswith", list(t, s, store.DocumentFilter{Content: f(store.TextFilter{Iendswith: ptr("Invoice")})}), d2)
	wantSet(t, "content iexact", list(t, s, store.DocumentFilter{Content: f(store.TextFilter{Iexact: ptr("electricity BILL for march")})}), d1)
	wantSet(t, "two lookups", list(t, s, store.DocumentFilter{Content: f(store.TextFilter{Istartswith: ptr("dear"), Iendswith: ptr("march")})}))
	wantSet(t, "correspondent name", list(t, s, store.DocumentFilter{CorrespondentName: f(store.TextFilter{Icontains: ptr("MÜNCHEN")})}), d1)
	wantSet(t, "correspondent name iexact", list(t, s, store.DocumentFilter{CorrespondentName: f(store.TextFilter{Iexact: ptr("stadtwerke")})}))
	wantSet(t, "document type name", list(t, s, store.DocumentFilter{DocumentTypeName: f(store.TextFilter{Istartswith: ptr("rech")})}), d1)
	wantSet(t, "empty lookups", list(t, s, store.DocumentFilter{Title: f(store.TextFilter{Icontains: ptr(""), Iexact: ptr("")})}), d1, d2)
}

func testTextEscape(t *testing.T, s *store.Store) {
	d1 := mustDocument(t, s, doc{title: "100% sure", content: `C:\temp\a_b`}).ID
	d2 := mustDocument(t, s, doc{title: "1000 sure", content: `C:/temp/axb`}).ID
	wantSet(t, "percent", list(t, s, store.DocumentFilter{Title: &store.TextFilter{Icontains: ptr("0%")}}), d1)
	wantSet(t, "underscore", list(t, s, store.DocumentFilter{Content: &store.TextFilter{Icontains: ptr("a_b")}}), d1)
	wantSet(t, "backslash", list(t, s, store.DocumentFilter{Content: &store.TextFilter{Icontains: ptr(`\temp\`)}}), d1)
	wantSet(t, "plain", list(t, s, store.DocumentFilter{Title: &store.TextFilter{Icontains: ptr("sure")}}), d1, d2)
	wantSet(t, "quote", list(t, s, store.DocumentFilter{Title: &store.TextFilter{Icontains: ptr("'")}}))
}

func testUnicodeCase(t *testing.T, s *store.Store) {
	tg := mustTag(t, s, "Überweisung", false)
	d1 := mustDocument(t, s, doc{title: "ärger mit dem Amt", content: "Sehr geehrte Damen, ÜBERWEISUNG folgt", tags: []int{tg.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "Ölwechsel", content: "ΣΊΣΥΦΟΣ"}).ID
	wantSet(t, "title ÄRGER", list(t, s, store.DocumentFilter{Title: &store.TextFilter{Icontains: ptr("ÄRGER")}}), d1)
	wantSet(t, "title iexact ölwechsel", list(t, s, store.DocumentFilter{Title: &store.TextFilter{Iexact: ptr("ÖLWECHSEL")}}), d2)
	wantSet(t, "content überweisung", list(t, s, store.DocumentFilter{Content: &store.TextFilter{Icontains: ptr("überweisung")}}), d1)
	wantSet(t, "content greek", list(t, s, store.DocumentFilter{Content: &store.TextFilter{Icontains: ptr("σίσυ")}}), d2)
	wantSet(t, "search", list(t, s, store.DocumentFilter{Search: ptr("ÄRGER überweisung")}), d1)
	wantSet(t, "title_content", list(t, s, store.DocumentFilter{TitleContent: ptr("ÖL")}), d2)
	wantSet(t, "tag name", list(t, s, store.DocumentFilter{TagName: &store.TextFilter{Iexact: ptr("ÜBERWEISUNG")}}), d1)
	tags, _, err := s.Tags(ctx, store.NameFilter{Name: &store.TextFilter{Istartswith: ptr("ÜBER")}}, nil, store.Page{})
	if err != nil || len(tags) != 1 {
		t.Errorf("tag name filter: %v %v", tags, err)
	}
}

func testSearch(t *testing.T, s *store.Store) {
	c := mustCorrespondent(t, s, "ACME Bank")
	d1 := mustDocument(t, s, doc{title: "Statement", content: "august figures", corr: &c.ID}).ID
	d2 := mustDocument(t, s, doc{title: "bank statement", content: "september"}).ID
	d3 := mustDocument(t, s, doc{title: "Invoice", content: "acme things"}).ID
	wantSet(t, "bank", list(t, s, store.DocumentFilter{Search: ptr("bank")}), d1, d2)
	wantSet(t, "acme", list(t, s, store.DocumentFilter{Search: ptr("ACME")}), d1, d3)
	wantSet(t, "terms all", list(t, s, store.DocumentFilter{Search: ptr("statement, august")}), d1)
	wantSet(t, "terms across fields", list(t, s, store.DocumentFilter{Search: ptr(" bank  September ")}), d2)
	wantSet(t, "no match", list(t, s, store.DocumentFilter{Search: ptr("bank invoice")}))
	wantSet(t, "empty", list(t, s, store.DocumentFilter{Search: ptr(" , ")}), d1, d2, d3)
}

func testIDFilters(t *testing.T, s *store.Store) {
	c := mustCorrespondent(t, s, "c")
	c2 := mustCorrespondent(t, s, "c2")
	ty := mustType(t, s, "ty")
	d1 := mustDocument(t, s, doc{title: "1", corr: &c.ID, typ: &ty.ID}).ID
	d2 := mustDocument(t, s, doc{title: "2", corr: &c2.ID}).ID
	d3 := mustDocument(t, s, doc{title: "3"}).ID
	wantSet(t, "correspondent exact", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Exact: &c.ID}}), d1)
	wantSet(t, "correspondent in", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{In: []int{c.ID, c2.ID}}}), d1, d2)
	wantSet(t, "correspondent isnull", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Isnull: ptr(true)}}), d3)
	wantSet(t, "correspondent not null", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Isnull: ptr(false)}}), d1, d2)
	wantSet(t, "type exact", list(t, s, store.DocumentFilter{DocumentType: &store.IDFilter{Exact: &ty.ID}}), d1)
	wantSet(t, "type isnull", list(t, s, store.DocumentFilter{DocumentType: &store.IDFilter{Isnull: ptr(true)}}), d2, d3)
	wantSet(t, "ids", list(t, s, store.DocumentFilter{IDs: []int{d1, d3}}), d1, d3)
	wantSet(t, "ids and type isnull", list(t, s, store.DocumentFilter{IDs: []int{d1, d3}, DocumentType: &store.IDFilter{Isnull: ptr(true)}}), d3)
}

func testASNFilters(t *testing.T, s *store.Store) {
	d1 := mustDocument(t, s, doc{title: "1", asn: ptr(1)}).ID
	d5 := mustDocument(t, s, doc{title: "5", asn: ptr(5)}).ID
	d9 := mustDocument(t, s, doc{title: "9", asn: ptr(9)}).ID
	dn := mustDocument(t, s, doc{title: "none"}).ID
	f := func(i store.IntFilter) store.DocumentFilter { return store.DocumentFilter{ArchiveSerialNumber: &i} }
	wantSet(t, "exact", list(t, s, f(store.IntFilter{Exact: ptr(5)})), d5)
	wantSet(t, "gt", list(t, s, f(store.IntFilter{Gt: ptr(5)})), d9)
	wantSet(t, "gte", list(t, s, f(store.IntFilter{Gte: ptr(5)})), d5, d9)
	wantSet(t, "lt", list(t, s, f(store.IntFilter{Lt: ptr(5)})), d1)
	wantSet(t, "lte", list(t, s, f(store.IntFilter{Lte: ptr(5)})), d1, d5)
	wantSet(t, "range", list(t, s, f(store.IntFilter{Gt: ptr(1), Lt: ptr(9)})), d5)
	wantSet(t, "isnull", list(t, s, f(store.IntFilter{Isnull: ptr(true)})), dn)
	wantSet(t, "not null", list(t, s, f(store.IntFilter{Isnull: ptr(false)})), d1, d5, d9)
}

// testDateFilters checks calendar-date filters in the store's zone: the
// suite's stores use Europe/Berlin, where 2020-12-31 23:30 UTC is already
// 2021-01-01.
func testDateFilters(t *testing.T, s *store.Store) {
	loc := s.Location()
	if loc.String() == "UTC" {
		t.Fatalf("the suite needs a store with a non-UTC zone (storetest.Open uses %s)", Zone)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	// Local new year, but 2020 in UTC.
	newYear := mustDocument(t, s, doc{title: "newyear", created: at(2021, 1, 1, 0, 30)}).ID
	// Local 2020-12-31 23:30.
	eve := mustDocument(t, s, doc{title: "eve", created: at(2020, 12, 31, 23, 30)}).ID
	// Local 2021-03-15 noon.
	mid := mustDocument(t, s, doc{title: "mid", created: at(2021, 3, 15, 12, 0)}).ID
	f := func(df store.DateFilter) store.DocumentFilter { return store.DocumentFilter{Created: &df} }
	wantSet(t, "year 2021", list(t, s, f(store.DateFilter{Year: ptr(2021)})), newYear, mid)
	wantSet(t, "year 2020", list(t, s, f(store.DateFilter{Year: ptr(2020)})), eve)
	wantSet(t, "month 1", list(t, s, f(store.DateFilter{Month: ptr(1)})), newYear)
	wantSet(t, "month 12", list(t, s, f(store.DateFilter{Month: ptr(12)})), eve)
	wantSet(t, "day 1", list(t, s, f(store.DateFilter{Day: ptr(1)})), newYear)
	wantSet(t, "day 31", list(t, s, f(store.DateFilter{Day: ptr(31)})), eve)
	wantSet(t, "year+month+day", list(t, s, f(store.DateFilter{Year: ptr(2021), Month: ptr(3), Day: ptr(15)})), mid)
	day := func(y int, m time.Month, d int) *time.Time { v := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &v }
	wantSet(t, "date gt 2020-12-31", list(t, s, f(store.DateFilter{DateGt: day(2020, 12, 31)})), newYear, mid)
	wantSet(t, "date lt 2021-01-01", list(t, s, f(store.DateFilter{DateLt: day(2021, 1, 1)})), eve)
	wantSet(t, "date lt 2021-01-02", list(t, s, f(store.DateFilter{DateLt: day(2021, 1, 2)})), eve, newYear)
	wantSet(t, "date gt and lt", list(t, s, f(store.DateFilter{DateGt: day(2020, 12, 30), DateLt: day(2021, 1, 2)})), eve, newYear)
	wantSet(t, "gt instant", list(t, s, f(store.DateFilter{Gt: ptr(at(2021, 1, 1, 0, 30))})), mid)
	wantSet(t, "lt instant", list(t, s, f(store.DateFilter{Lt: ptr(at(2021, 1, 1, 0, 30))})), eve)
	wantSet(t, "gt instant in UTC", list(t, s, f(store.DateFilter{Gt: ptr(time.Date(2020, 12, 31, 22, 45, 0, 0, time.UTC))})), newYear, mid)
	wantSet(t, "added year", list(t, s, store.DocumentFilter{Added: &store.DateFilter{Year: ptr(1999)}}))
	wantSet(t, "modified not before 2000", list(t, s, store.DocumentFilter{Modified: &store.DateFilter{DateGt: day(2000, 1, 1)}}), newYear, eve, mid)
}

func testTagName(t *testing.T, s *store.Store) {
	a := mustTag(t, s, "Finanzen", false)
	b := mustTag(t, s, "Finanzamt", false)
	c := mustTag(t, s, "Haus", false)
	d1 := mustDocument(t, s, doc{title: "1", tags: []int{a.ID, b.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2", tags: []int{c.ID}}).ID
	mustDocument(t, s, doc{title: "3"})
	wantSet(t, "istartswith finanz (distinct)", list(t, s, store.DocumentFilter{TagName: &store.TextFilter{Istartswith: ptr("FINANZ")}}), d1)
	wantSet(t, "iexact haus", list(t, s, store.DocumentFilter{TagName: &store.TextFilter{Iexact: ptr("haus")}}), d2)
	wantSet(t, "iendswith s", list(t, s, store.DocumentFilter{TagName: &store.TextFilter{Iendswith: ptr("S")}}), d2)
}

func testIsTagged(t *testing.T, s *store.Store) {
	a := mustTag(t, s, "a", false)
	d1 := mustDocument(t, s, doc{title: "1", tags: []int{a.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2"}).ID
	wantSet(t, "tagged", list(t, s, store.DocumentFilter{IsTagged: ptr(true)}), d1)
	wantSet(t, "untagged", list(t, s, store.DocumentFilter{IsTagged: ptr(false)}), d2)
}
