package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

func testDocumentOrdering(t *testing.T, s *store.Store) {
	cb := mustCorrespondent(t, s, "beta")
	ca := mustCorrespondent(t, s, "Alpha")
	tz := mustType(t, s, "Zeugnis")
	day := func(d int) time.Time { return time.Date(2020, 1, d, 12, 0, 0, 0, time.UTC) }
	d1 := mustDocument(t, s, doc{title: "banana", corr: &cb.ID, created: day(3), asn: ptr(2), added: day(9), modified: day(9)}).ID
	d2 := mustDocument(t, s, doc{title: "Apple", corr: &ca.ID, typ: &tz.ID, created: day(1), added: day(8), modified: day(9)}).ID
	d3 := mustDocument(t, s, doc{title: "cherry", created: day(2), asn: ptr(1), added: day(9), modified: day(7)}).ID
	d4 := mustDocument(t, s, doc{title: "Ärmel", created: day(4), added: day(5), modified: day(8)}).ID // "ärmel" folds after the ASCII letters
	o := func(f store.DocumentOrderField, d store.Direction) store.DocumentOrder {
		return store.DocumentOrder{Field: f, Direction: d}
	}
	all := store.DocumentFilter{}
	wantList(t, "default -created", list(t, s, all), d4, d1, d3, d2)
	wantList(t, "created", list(t, s, all, o(store.DocumentOrderCreated, store.Asc)), d2, d3, d1, d4)
	wantList(t, "title", list(t, s, all, o(store.DocumentOrderTitle, store.Asc)), d2, d1, d3, d4)
	wantList(t, "-title", list(t, s, all, o(store.DocumentOrderTitle, store.Desc)), d4, d3, d1, d2)
	wantList(t, "correspondent name (nulls first)", list(t, s, all, o(store.DocumentOrderCorrespondentName, store.Asc)), d3, d4, d2, d1)
	wantList(t, "-correspondent name (nulls last)", list(t, s, all, o(store.DocumentOrderCorrespondentName, store.Desc)), d1, d2, d3, d4)
	wantList(t, "document type name", list(t, s, all, o(store.DocumentOrderDocumentTypeName, store.Asc)), d1, d3, d4, d2)
	wantList(t, "-document type name", list(t, s, all, o(store.DocumentOrderDocumentTypeName, store.Desc)), d2, d1, d3, d4)
	wantList(t, "asn", list(t, s, all, o(store.DocumentOrderArchiveSerialNumber, store.Asc)), d2, d4, d3, d1)
	wantList(t, "-asn", list(t, s, all, o(store.DocumentOrderArchiveSerialNumber, store.Desc)), d1, d3, d2, d4)
	wantList(t, "-id", list(t, s, all, o(store.DocumentOrderID, store.Desc)), d4, d3, d2, d1)
	wantList(t, "correspondent then -created", list(t, s, all, o(store.DocumentOrderCorrespondentName, store.Asc), o(store.DocumentOrderCreated, store.Desc)), d4, d3, d2, d1)
	wantList(t, "added (ties by id)", list(t, s, all, o(store.DocumentOrderAdded, store.Asc)), d4, d2, d1, d3)
	wantList(t, "-added (ties by id)", list(t, s, all, o(store.DocumentOrderAdded, store.Desc)), d1, d3, d2, d4)
	wantList(t, "-modified (ties by id)", list(t, s, all, o(store.DocumentOrderModified, store.Desc)), d1, d2, d4, d3)
	_, _, err := s.Documents(ctx, all, []store.DocumentOrder{{Field: "SIZE"}}, store.Page{})
	wantCode(t, err, store.Validation, "-")
}

func testDocumentOrderingTies(t *testing.T, s *store.Store) {
	same := time.Date(2020, 5, 5, 0, 0, 0, 0, time.UTC)
	var want []int
	for i := 0; i < 5; i++ {
		want = append(want, mustDocument(t, s, doc{title: "Same", created: same}).ID)
	}
	for _, d := range []store.Direction{store.Asc, store.Desc} {
		wantList(t, "created "+string(d), list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderCreated, Direction: d}), want...)
		wantList(t, "title "+string(d), list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderTitle, Direction: d}), want...)
	}
}

func testPagination(t *testing.T, s *store.Store) {
	var all []int
	for i := 0; i < 7; i++ {
		all = append(all, mustDocument(t, s, doc{title: "d", created: time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)}).ID)
	}
	byID := []store.DocumentOrder{{Field: store.DocumentOrderID}}
	page := func(n, size int) ([]int, int) {
		t.Helper()
		docs, total, err := s.Documents(ctx, store.DocumentFilter{}, byID, store.Page{Number: n, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		return ids(docs), total
	}
	got, total := page(1, 3)
	wantList(t, "page 1", got, all[0:3]...)
	if total != 7 {
		t.Errorf("total %d", total)
	}
	got, _ = page(3, 3)
	wantList(t, "last page", got, all[6])
	got, _ = page(-1, 3)
	wantList(t, "page -1", got, all[6])
	got, _ = page(-2, 3)
	wantList(t, "page -2", got, all[3:6]...)
	got, _ = page(-9, 3)
	wantList(t, "page -9 clamps to 1", got, all[0:3]...)
	got, total = page(4, 3)
	if len(got) != 0 || total != 7 {
		t.Errorf("beyond last: %v of %d", got, total)
	}
	got, _ = page(0, 0)
	wantList(t, "defaults", got, all...)
	tags, total, err := s.Tags(ctx, store.NameFilter{}, nil, store.Page{Number: 2})
	if err != nil || len(tags) != 0 || total != 0 {
		t.Errorf("empty tags page 2: %v %d %v", tags, total, err)
	}
	for i := 0; i < 3; i++ {
		mustTag(t, s, string(rune('a'+i)), false)
	}
	tags, total, _ = s.Tags(ctx, store.NameFilter{}, nil, store.Page{Number: -1, Size: 2})
	if len(tags) != 1 || tags[0].Name != "c" || total != 3 {
		t.Errorf("last tag page: %+v %d", tags, total)
	}
}

func testDocumentIDs(t *testing.T, s *store.Store) {
	_, t2, t3, _, d2, d3 := inboxFixture(t, s)
	got, err := s.DocumentIDs(ctx, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{t2, t3}}}, []store.DocumentOrder{{Field: store.DocumentOrderID, Direction: store.Desc}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "any t2,t3 by -id", got, d3, d2)
	got, err = s.DocumentIDs(ctx, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{t2, t3}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "all t2,t3", got, d3)
	got, err = s.DocumentIDs(ctx, store.DocumentFilter{Title: &store.TextFilter{Iexact: ptr("nope")}}, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("none: %v %v", got, err)
	}
}

func tagsOf(t *testing.T, s *store.Store, docs ...int) map[int][]int {
	t.Helper()
	m, err := s.TagIDsByDocuments(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testBulkSetCorrespondent(t *testing.T, s *store.Store) {
	c1 := mustCorrespondent(t, s, "c1")
	c2 := mustCorrespondent(t, s, "c2")
	d1 := mustDocument(t, s, doc{title: "1", corr: &c1.ID}).ID
	d2 := mustDocument(t, s, doc{title: "2", corr: &c2.ID}).ID
	d3 := mustDocument(t, s, doc{title: "3"}).ID
	before, _ := s.Document(ctx, d1)
	time.Sleep(2 * time.Millisecond)
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1, d2, d3}, Method: store.BulkSetCorrespondent, CorrespondentID: &c1.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "changed", changed, d2, d3)
	wantSet(t, "with c1", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Exact: &c1.ID}}), d1, d2, d3)
	after, _ := s.Document(ctx, d1)
	if !after.Modified.Equal(before.Modified) {
		t.Errorf("unchanged document's modified moved")
	}
	if a2, _ := s.Document(ctx, d2); !a2.Modified.After(before.Modified) {
		t.Errorf("changed document's modified not updated")
	}
	changed, err = s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1, d3}, Method: store.BulkSetCorrespondent})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "cleared", changed, d1, d3)
	wantSet(t, "without", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Isnull: ptr(true)}}), d1, d3)
}

func testBulkSetDocumentType(t *testing.T, s *store.Store) {
	ty := mustType(t, s, "ty")
	d1 := mustDocument(t, s, doc{title: "1", typ: &ty.ID}).ID
	d2 := mustDocument(t, s, doc{title: "2"}).ID
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1, d2}, Method: store.BulkSetDocumentType, DocumentTypeID: &ty.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "set", changed, d2)
	changed, err = s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkSetDocumentType})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "unset", changed, d1)
	wantSet(t, "typed", list(t, s, store.DocumentFilter{DocumentType: &store.IDFilter{Exact: &ty.ID}}), d2)
}

func testBulkAddRemoveTag(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	d1 := mustDocument(t, s, doc{title: "1", tags: []int{t1.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2", tags: []int{t2.ID}}).ID
	d3 := mustDocument(t, s, doc{title: "3"}).ID
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1, d2, d3}, Method: store.BulkAddTag, TagID: &t1.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "added", changed, d2, d3)
	m := tagsOf(t, s, d1, d2, d3)
	wantList(t, "d1", m[d1], t1.ID)
	wantList(t, "d2", m[d2], t1.ID, t2.ID)
	wantList(t, "d3", m[d3], t1.ID)
	changed, err = s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d2, d3}, Method: store.BulkRemoveTag, TagID: &t2.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "removed", changed, d2)
	m = tagsOf(t, s, d2, d3)
	wantList(t, "d2 after remove", m[d2], t1.ID)
	wantList(t, "d3 after remove", m[d3], t1.ID)
}

func testBulkModifyTags(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	t3 := mustTag(t, s, "t3", false)
	d1 := mustDocument(t, s, doc{title: "1", tags: []int{t1.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2", tags: []int{t2.ID, t3.ID}}).ID
	d3 := mustDocument(t, s, doc{title: "3"}).ID
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d2, d1}, Method: store.BulkModifyTags,
		AddTagIDs: []int{t3.ID}, RemoveTagIDs: []int{t1.ID, t2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "changed: all listed", changed, d1, d2)
	m := tagsOf(t, s, d1, d2, d3)
	wantList(t, "d1", m[d1], t3.ID)
	wantList(t, "d2", m[d2], t3.ID)
	wantList(t, "d3 untouched", m[d3])
	// Remove then add: a tag in both lists stays.
	if _, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d3}, Method: store.BulkModifyTags, AddTagIDs: []int{t1.ID}, RemoveTagIDs: []int{t1.ID}}); err != nil {
		t.Fatal(err)
	}
	wantList(t, "d3 remove+add", tagsOf(t, s, d3)[d3], t1.ID)
}

func testBulkDelete(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	d1 := mustDocument(t, s, doc{title: "1", tags: []int{t1.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2"}).ID
	d3 := mustDocument(t, s, doc{title: "3"}).ID
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d3, d1}, Method: store.BulkDelete})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "deleted", changed, d1, d3)
	wantList(t, "left", list(t, s, store.DocumentFilter{}), d2)
	counts, _ := s.TagDocumentCounts(ctx, []int{t1.ID})
	if counts[t1.ID] != 0 {
		t.Errorf("tag links left: %v", counts)
	}
}

// testDeleteDocuments: AllDocumentFiles lists every document's file
// names; DeleteDocuments and DeleteDocument return the rows they deleted,
// with their file names, so the files can go after commit.
func testDeleteDocuments(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	var ids []int
	for i, title := range []string{"a", "b", "c", "d"} {
		d := mustDocument(t, s, doc{title: title, tags: []int{t1.ID}})
		fn, afn, sum := fmt.Sprintf("x/%s-%07d.pdf", title, d.ID), fmt.Sprintf("x/%s-%07d.pdf", title, d.ID), "0123"
		if i == 1 {
			afn = ""
		}
		var archive, archiveSum *string
		if afn != "" {
			archive, archiveSum = &afn, &sum
		}
		if err := s.SetDocumentFiles(ctx, d.ID, &fn, archive, archiveSum); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	all, err := s.AllDocumentFiles(ctx)
	if err != nil || len(all) != 4 {
		t.Fatalf("AllDocumentFiles: %+v %v", all, err)
	}
	for i, f := range all {
		if f.ID != ids[i] || f.Filename == nil || (f.ArchiveFilename == nil) != (i == 1) {
			t.Errorf("AllDocumentFiles[%d] = %+v", i, f)
		}
	}
	_, err = s.DeleteDocuments(ctx, []int{ids[0], ids[0]})
	wantCode(t, err, store.Validation, "documentIds")
	_, err = s.DeleteDocuments(ctx, []int{ids[0], 1 << 30})
	wantCode(t, err, store.Validation, "documentIds")
	wantList(t, "nothing deleted on a bad list", list(t, s, store.DocumentFilter{}), ids...)

	deleted, err := s.DeleteDocuments(ctx, []int{ids[2], ids[1], ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 3 {
		t.Fatalf("deleted %d rows", len(deleted))
	}
	for i, d := range deleted {
		if d.ID != ids[i] || d.Filename == nil || *d.Filename != fmt.Sprintf("x/%s-%07d.pdf", d.Title, d.ID) || (d.ArchiveFilename == nil) != (i == 1) || d.Checksum == "" {
			t.Errorf("deleted row %d: %+v", i, d)
		}
	}
	wantList(t, "left", list(t, s, store.DocumentFilter{}), ids[3])
	if got, err := s.DeleteDocuments(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v %v", got, err)
	}

	one, err := s.DeleteDocument(ctx, ids[3])
	if err != nil || one.ID != ids[3] || one.Filename == nil || one.Title != "d" {
		t.Fatalf("DeleteDocument: %+v %v", one, err)
	}
	_, err = s.DeleteDocument(ctx, ids[3])
	wantCode(t, err, store.NotFound, "-")
	counts, _ := s.TagDocumentCounts(ctx, []int{t1.ID})
	if counts[t1.ID] != 0 {
		t.Errorf("tag links left: %v", counts)
	}
}

func testErrBulkEdit(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	c := mustCorrespondent(t, s, "c")
	d1 := mustDocument(t, s, doc{title: "1"}).ID
	const docsMsg = "Some documents in documents don't exist or were specified twice."
	for name, tc := range map[string]struct {
		b     store.BulkEdit
		field string
		msg   string
	}{
		"UnknownDocument":  {store.BulkEdit{DocumentIDs: []int{d1, 999}, Method: store.BulkAddTag, TagID: &t1.ID}, "documentIds", docsMsg},
		"DocumentTwice":    {store.BulkEdit{DocumentIDs: []int{d1, d1}, Method: store.BulkAddTag, TagID: &t1.ID}, "documentIds", docsMsg},
		"UnknownMethod":    {store.BulkEdit{DocumentIDs: []int{d1}, Method: "EXTERMINATE"}, "method", `"EXTERMINATE" is not a valid choice.`},
		"UnknownCorresp":   {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkSetCorrespondent, CorrespondentID: ptr(999)}, "", "Correspondent does not exist"},
		"UnknownType":      {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkSetDocumentType, DocumentTypeID: ptr(999)}, "", "Document type does not exist"},
		"UnknownTag":       {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkAddTag, TagID: ptr(999)}, "", "Tag does not exist"},
		"MissingTag":       {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkRemoveTag}, "", "tag not specified"},
		"UnknownAddTag":    {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkModifyTags, AddTagIDs: []int{999}}, "", "Some tags in add_tags don't exist or were specified twice."},
		"AddTagTwice":      {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkModifyTags, AddTagIDs: []int{t1.ID, t1.ID}}, "", "Some tags in add_tags don't exist or were specified twice."},
		"UnknownRemoveTag": {store.BulkEdit{DocumentIDs: []int{d1}, Method: store.BulkModifyTags, AddTagIDs: []int{t1.ID}, RemoveTagIDs: []int{999}}, "", "Some tags in remove_tags don't exist or were specified twice."},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.BulkEdit(ctx, tc.b)
			wantCode(t, err, store.Validation, tc.field)
			wantFieldMessage(t, err, tc.field, tc.msg)
		})
	}
	// Nothing changed, even by the MODIFY_TAGS whose add list was valid.
	if tags := tagsOf(t, s, d1)[d1]; len(tags) != 0 {
		t.Errorf("tags changed: %v", tags)
	}
	if d, _ := s.Document(ctx, d1); d.CorrespondentID != nil {
		t.Errorf("correspondent changed")
	}
	_ = c
}

func testStatisticsNoInbox(t *testing.T, s *store.Store) {
	mustTag(t, s, "t", false)
	mustDocument(t, s, doc{title: "1"})
	st, err := s.Statistics(ctx)
	if err != nil || st.DocumentsTotal != 1 || st.DocumentsInbox != nil {
		t.Errorf("statistics %+v %v", st, err)
	}
}

func testStatisticsInbox(t *testing.T, s *store.Store) {
	st, err := s.Statistics(ctx)
	if err != nil || st.DocumentsTotal != 0 || st.DocumentsInbox != nil {
		t.Errorf("empty statistics %+v %v", st, err)
	}
	inbox := mustTag(t, s, "inbox", true)
	inbox2 := mustTag(t, s, "inbox2", true)
	mustDocument(t, s, doc{title: "1", tags: []int{inbox.ID, inbox2.ID}})
	mustDocument(t, s, doc{title: "2"})
	mustDocument(t, s, doc{title: "3"})
	st, err = s.Statistics(ctx)
	if err != nil || st.DocumentsTotal != 3 || st.DocumentsInbox == nil || *st.DocumentsInbox != 1 {
		t.Errorf("statistics %+v %v", st, err)
	}
	ids, _ := s.InboxTagIDs(ctx)
	wantList(t, "inbox tags", ids, inbox.ID, inbox2.ID)
	// An inbox tag on no document still makes the count 0, not nil.
	if _, err := s.UpdateTag(ctx, inbox.ID, store.TagInput{IsInboxTag: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: list(t, s, store.DocumentFilter{}), Method: store.BulkModifyTags, RemoveTagIDs: []int{inbox2.ID}}); err != nil {
		t.Fatal(err)
	}
	st, _ = s.Statistics(ctx)
	if st.DocumentsInbox == nil || *st.DocumentsInbox != 0 {
		t.Errorf("inbox count %v, want 0", st.DocumentsInbox)
	}
}

func testSelectionData(t *testing.T, s *store.Store) {
	c1 := mustCorrespondent(t, s, "c1")
	c2 := mustCorrespondent(t, s, "c2")
	ty := mustType(t, s, "ty")
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	d1 := mustDocument(t, s, doc{title: "1", corr: &c1.ID, typ: &ty.ID, tags: []int{t1.ID, t2.ID}}).ID
	d2 := mustDocument(t, s, doc{title: "2", corr: &c1.ID, tags: []int{t1.ID}}).ID
	mustDocument(t, s, doc{title: "3", corr: &c2.ID, tags: []int{t2.ID}})
	counts := func(oc []store.ObjectCount) [][2]int {
		var out [][2]int
		for _, o := range oc {
			out = append(out, [2]int{o.ID, o.DocumentCount})
		}
		return out
	}
	sd, err := s.SelectionData(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(sd.Correspondents); !slices.Equal(got, [][2]int{{c1.ID, 0}, {c2.ID, 0}}) {
		t.Errorf("empty selection correspondents %v", got)
	}
	if got := counts(sd.Tags); !slices.Equal(got, [][2]int{{t1.ID, 0}, {t2.ID, 0}}) {
		t.Errorf("empty selection tags %v", got)
	}
	sd, err = s.SelectionData(ctx, []int{d1, d2})
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(sd.Correspondents); !slices.Equal(got, [][2]int{{c1.ID, 2}, {c2.ID, 0}}) {
		t.Errorf("correspondents %v", got)
	}
	if got := counts(sd.Tags); !slices.Equal(got, [][2]int{{t1.ID, 2}, {t2.ID, 1}}) {
		t.Errorf("tags %v", got)
	}
	if got := counts(sd.DocumentTypes); !slices.Equal(got, [][2]int{{ty.ID, 1}}) {
		t.Errorf("types %v", got)
	}
	_, err = s.SelectionData(ctx, []int{d1, 999})
	wantCode(t, err, store.Validation, "documentIds")
}

func testSavedViews(t *testing.T, s *store.Store) {
	alice := mustUser(t, s, "alice")
	bob := mustUser(t, s, "bob")
	in := store.SavedViewInput{
		Name: ptr("inbox"), ShowOnDashboard: ptr(true), ShowInSidebar: ptr(false),
		SortField: graphql.OmittableOf(ptr("created")),
		FilterRules: graphql.OmittableOf([]store.SavedViewRuleInput{
			{RuleType: 6, Value: ptr("1")}, {RuleType: 0, Value: ptr("invoice")}, {RuleType: 18},
		}),
	}
	v, err := s.CreateSavedView(ctx, alice, in)
	if err != nil {
		t.Fatal(err)
	}
	if v.UserID != alice || v.Name != "inbox" || !v.ShowOnDashboard || v.ShowInSidebar || v.SortField == nil || *v.SortField != "created" || v.SortReverse {
		t.Fatalf("created %+v", v)
	}
	rules := func(id int) [][2]any {
		t.Helper()
		m, err := s.SavedViewRulesByViews(ctx, []int{id})
		if err != nil {
			t.Fatal(err)
		}
		var out [][2]any
		for _, r := range m[id] {
			var val any
			if r.Value != nil {
				val = *r.Value
			}
			out = append(out, [2]any{r.RuleType, val})
		}
		return out
	}
	if got := rules(v.ID); !slices.Equal(got, [][2]any{{6, "1"}, {0, "invoice"}, {18, nil}}) {
		t.Errorf("rules %v", got)
	}
	// Bob sees nothing of Alice's.
	views, total, err := s.SavedViews(ctx, bob, store.Page{})
	if err != nil || total != 0 || len(views) != 0 {
		t.Errorf("bob's views %v %d %v", views, total, err)
	}
	_, err = s.SavedView(ctx, bob, v.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.UpdateSavedView(ctx, bob, v.ID, store.SavedViewInput{Name: ptr("x")})
	wantCode(t, err, store.NotFound, "-")
	wantCode(t, s.DeleteSavedView(ctx, bob, v.ID), store.NotFound, "-")
	// PATCH without rules keeps them.
	u, err := s.UpdateSavedView(ctx, alice, v.ID, store.SavedViewInput{ShowInSidebar: ptr(true)})
	if err != nil || !u.ShowInSidebar || u.Name != "inbox" {
		t.Fatalf("updated %+v %v", u, err)
	}
	if got := rules(v.ID); len(got) != 3 {
		t.Errorf("rules after patch %v", got)
	}
	// PUT with one rule replaces them; null sort field clears it.
	if _, err := s.UpdateSavedView(ctx, alice, v.ID, store.SavedViewInput{
		SortField:   graphql.OmittableOf[*string](nil),
		FilterRules: graphql.OmittableOf([]store.SavedViewRuleInput{{RuleType: 1, Value: ptr("x")}}),
	}); err != nil {
		t.Fatal(err)
	}
	if got := rules(v.ID); !slices.Equal(got, [][2]any{{1, "x"}}) {
		t.Errorf("rules after put %v", got)
	}
	got, _ := s.SavedView(ctx, alice, v.ID)
	if got.SortField != nil {
		t.Errorf("sort field %v", *got.SortField)
	}
	// Empty rules remove all.
	if _, err := s.UpdateSavedView(ctx, alice, v.ID, store.SavedViewInput{FilterRules: graphql.OmittableOf([]store.SavedViewRuleInput{})}); err != nil {
		t.Fatal(err)
	}
	if got := rules(v.ID); len(got) != 0 {
		t.Errorf("rules after clearing %v", got)
	}
	_, err = s.CreateSavedView(ctx, alice, store.SavedViewInput{Name: ptr(" ")})
	wantCode(t, err, store.Validation, "name")
	b, _ := s.CreateSavedView(ctx, alice, store.SavedViewInput{Name: ptr("Bills")})
	a, _ := s.CreateSavedView(ctx, alice, store.SavedViewInput{Name: ptr("archive")})
	views, total, err = s.SavedViews(ctx, alice, store.Page{})
	if err != nil || total != 3 || len(views) != 3 || views[0].ID != a.ID || views[1].ID != b.ID || views[2].ID != v.ID {
		t.Errorf("alice's views %+v %d %v", views, total, err)
	}
	if err := s.DeleteSavedView(ctx, alice, v.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.SavedView(ctx, alice, v.ID)
	wantCode(t, err, store.NotFound, "-")
}

func testLogs(t *testing.T, s *store.Store) {
	base := time.Date(2020, 12, 1, 9, 0, 0, 0, time.UTC)
	g1, g2 := "6f0c2c5e-0a8f-4b8e-9c59-2b1d4b8e1a7d", "7f0c2c5e-0a8f-4b8e-9c59-2b1d4b8e1a7d"
	d := mustDocument(t, s, doc{title: "d"})
	entries := []store.LogEntry{
		{Created: base, Message: "Consuming a.pdf", Group: &g1, Level: store.LevelInfo},
		{Created: base.Add(time.Second), Message: "Parsing", Group: &g1, Level: store.LevelDebug, DocumentID: &d.ID},
		{Created: base.Add(time.Second), Logger: "mail", Message: "fetch", Level: store.LevelWarning},
		{Created: base.Add(2 * time.Second), Message: "failed", Group: &g2, Level: store.LevelError},
	}
	if err := s.AddLogEntries(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLogEntries(ctx, store.LogEntry{Message: "now", Level: store.LevelInfo}); err != nil {
		t.Fatal(err)
	}
	logIDs := func(f store.LogFilter, dir store.Direction) []int {
		t.Helper()
		es, total, err := s.LogEntries(ctx, f, dir, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(es) {
			t.Fatalf("total %d for %d", total, len(es))
		}
		var out []int
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	all := logIDs(store.LogFilter{Created: &store.DateFilter{Year: ptr(2020)}}, store.Asc)
	if len(all) != 4 {
		t.Fatalf("2020 entries %v", all)
	}
	e0, e1, e2, e3 := all[0], all[1], all[2], all[3]
	wantList(t, "asc with id tie-break", all, e0, e1, e2, e3)
	wantList(t, "default newest first", logIDs(store.LogFilter{Created: &store.DateFilter{Year: ptr(2020)}}, ""), e3, e2, e1, e0)
	wantSet(t, "level gte warning", logIDs(store.LogFilter{Level: &store.IntFilter{Gte: ptr(store.LevelWarning)}}, ""), e2, e3)
	wantSet(t, "level exact", logIDs(store.LogFilter{Level: &store.IntFilter{Exact: ptr(store.LevelDebug)}}, ""), e1)
	wantSet(t, "group", logIDs(store.LogFilter{Group: &g1}, ""), e0, e1)
	wantSet(t, "group in", logIDs(store.LogFilter{GroupIn: []string{g1, g2}}, ""), e0, e1, e3)
	wantSet(t, "logger mail", logIDs(store.LogFilter{Logger: ptr("mail")}, ""), e2)
	wantSet(t, "document", logIDs(store.LogFilter{DocumentID: &d.ID}, ""), e1)
	e, err := s.LogEntry(ctx, e1)
	if err != nil || e.Message != "Parsing" || e.Logger != "paperless" || *e.Group != g1 || !e.Created.Equal(base.Add(time.Second)) {
		t.Errorf("entry %+v %v", e, err)
	}
	names, err := s.LogNames(ctx)
	if err != nil || !slices.Equal(names, []string{"mail", "paperless"}) {
		t.Errorf("names %v %v", names, err)
	}
	es, total, _ := s.LogEntries(ctx, store.LogFilter{}, store.Desc, store.Page{Size: 1})
	if total != 5 || len(es) != 1 || es[0].Message != "now" {
		t.Errorf("newest %+v of %d", es, total)
	}
	// Deleting the document keeps its log lines.
	if _, err := s.DeleteDocument(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if e, err := s.LogEntry(ctx, e1); err != nil || e.DocumentID != nil {
		t.Errorf("entry after document delete %+v %v", e, err)
	}
}

func testLogDates(t *testing.T, s *store.Store) {
	loc := s.Location()
	late := time.Date(2021, 1, 1, 0, 30, 0, 0, loc) // 2020 in UTC when loc is east of it
	if err := s.AddLogEntries(ctx, store.LogEntry{Created: late, Message: "x", Level: 20}); err != nil {
		t.Fatal(err)
	}
	es, _, err := s.LogEntries(ctx, store.LogFilter{Created: &store.DateFilter{Year: ptr(2021), Month: ptr(1), Day: ptr(1)}}, "", store.Page{})
	if err != nil || len(es) != 1 {
		t.Errorf("local new year: %v %v", es, err)
	}
	es, _, _ = s.LogEntries(ctx, store.LogFilter{Created: &store.DateFilter{DateLt: ptr(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))}}, "", store.Page{})
	if len(es) != 0 {
		t.Errorf("date lt 2021-01-01: %v", es)
	}
}

func testCreateDocuments(t *testing.T, s *store.Store) {
	tg := mustTag(t, s, "t", false)
	docs := []*store.Document{
		{Title: "a", Checksum: "a"}, {Title: "b", Checksum: "b"}, {Title: "c", Checksum: "c"},
	}
	if err := s.CreateDocuments(ctx, docs, [][]int{{tg.ID}, nil, {tg.ID, tg.ID}}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "tagged", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tg.ID}}}), docs[0].ID, docs[2].ID)
	err := s.CreateDocuments(ctx, []*store.Document{{Title: "d", Checksum: "d"}, {Title: "e", Checksum: "d"}}, nil)
	wantCode(t, err, store.Conflict, "checksum")
	err = s.CreateDocuments(ctx, []*store.Document{{Title: "f", Checksum: "f"}, {Title: "g", Checksum: "a"}}, nil)
	wantCode(t, err, store.Conflict, "checksum")
	if got := list(t, s, store.DocumentFilter{}); len(got) != 3 {
		t.Errorf("documents after failed batches: %v", got)
	}
}
