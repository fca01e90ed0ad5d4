package storetest

import (
	"context"
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

// test is one conformance case: it gets a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s *store.Store)
}

// tests lists every case of the suite.
var tests = []test{
	{"CorrespondentCRUD", testCorrespondentCRUD},
	{"DocumentTypeCRUD", testDocumentTypeCRUD},
	{"TagCRUD", testTagCRUD},
	{"ErrNameRequired", testErrNameRequired},
	{"ErrNameTakenIgnoringCase", testErrNameTaken},
	{"NotFound", testNotFound},
	{"Slug", testSlug},
	{"NameFilters", testNameFilters},
	{"NameOrdering", testNameOrdering},
	{"ErrLastCorrespondenceOrderOnTags", testErrLastCorrespondenceOrder},
	{"DocumentCountsAndLastCorrespondence", testDocumentCounts},
	{"DeleteCorrespondentNullsDocuments", testDeleteCorrespondent},
	{"DeleteDocumentTypeNullsDocuments", testDeleteDocumentType},
	{"DeleteTagUntagsDocuments", testDeleteTag},
	{"DocumentCRUD", testDocumentCRUD},
	{"ErrDocumentReferences", testErrDocumentReferences},
	{"ErrDocumentDuplicateASN", testErrDocumentDuplicateASN},
	{"TagIDsOrderedByName", testTagIDsOrderedByName},
	{"InboxAndTagFilters", testInboxAndTagFilters},
	{"TagsNoneFilter", testTagsNone},
	{"TitleContentFilter", testTitleContent},
	{"TextFilters", testTextFilters},
	{"TextFiltersEscapeWildcards", testTextEscape},
	{"UnicodeCaseInsensitive", testUnicodeCase},
	{"SearchFilter", testSearch},
	{"IDAndIsnullFilters", testIDFilters},
	{"ASNFilters", testASNFilters},
	{"DateFiltersInServerZone", testDateFilters},
	{"TagNameFilter", testTagName},
	{"IsTaggedFilter", testIsTagged},
	{"DocumentOrdering", testDocumentOrdering},
	{"DocumentOrderingTies", testDocumentOrderingTies},
	{"Pagination", testPagination},
	{"DocumentIDs", testDocumentIDs},
	{"BulkEditSetCorrespondent", testBulkSetCorrespondent},
	{"BulkEditSetDocumentType", testBulkSetDocumentType},
	{"BulkEditAddRemoveTag", testBulkAddRemoveTag},
	{"BulkEditModifyTags", testBulkModifyTags},
	{"BulkEditDelete", testBulkDelete},
	{"DeleteDocumentsReturnsRows", testDeleteDocuments},
	{"ErrBulkEditValidation", testErrBulkEdit},
	{"StatisticsWithoutInboxTag", testStatisticsNoInbox},
	{"StatisticsWithInboxTag", testStatisticsInbox},
	{"SelectionData", testSelectionData},
	{"SavedViewsPerUser", testSavedViews},
	{"HasUsers", testHasUsers},
	{"Logs", testLogs},
	{"LogDateFilters", testLogDates},
	{"CreateDocumentsBatch", testCreateDocuments},
}

// Run runs the conformance suite: each case as a subtest named after it,
// on a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// ---- helpers ----

func ptr[T any](v T) *T { return &v }

var ctx = context.Background()

func mustCorrespondent(t *testing.T, s *store.Store, name string) *store.Correspondent {
	t.Helper()
	c, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: &name})
	if err != nil {
		t.Fatalf("create correspondent %q: %v", name, err)
	}
	return c
}

func mustType(t *testing.T, s *store.Store, name string) *store.DocumentType {
	t.Helper()
	d, err := s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: &name})
	if err != nil {
		t.Fatalf("create document type %q: %v", name, err)
	}
	return d
}

func mustTag(t *testing.T, s *store.Store, name string, inbox bool) *store.Tag {
	t.Helper()
	tg, err := s.CreateTag(ctx, store.TagInput{Name: &name, IsInboxTag: &inbox})
	if err != nil {
		t.Fatalf("create tag %q: %v", name, err)
	}
	return tg
}

var checksumSeq atomic.Int64 // subtests run in parallel

// doc describes a document for mustDocument.
type doc struct {
	title, content string
	corr, typ      *int
	created        time.Time
	added          time.Time
	modified       time.Time
	asn            *int
	tags           []int
}

func mustDocument(t *testing.T, s *store.Store, d doc) *store.Document {
	t.Helper()
	seq := checksumSeq.Add(1)
	if d.created.IsZero() {
		d.created = time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC)
	}
	out := &store.Document{
		Title: d.title, Content: d.content, CorrespondentID: d.corr, DocumentTypeID: d.typ,
		Created: d.created, Added: d.added, Modified: d.modified, ArchiveSerialNumber: d.asn, MimeType: "application/pdf",
		Checksum: checksum(1_000_000 + int(seq)), OriginalFilename: d.title + ".pdf",
	}
	if err := s.CreateDocument(ctx, out, d.tags); err != nil {
		t.Fatalf("create document %q: %v", d.title, err)
	}
	return out
}

// ids returns the documents' ids in order.
func ids(docs []store.Document) []int {
	out := make([]int, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

// list runs Documents (all on one page) and returns the ids in order,
// checking that total matches.
func list(t *testing.T, s *store.Store, f store.DocumentFilter, order ...store.DocumentOrder) []int {
	t.Helper()
	docs, total, err := s.Documents(ctx, f, order, store.Page{Size: 1000})
	if err != nil {
		t.Fatalf("documents: %v", err)
	}
	if total != len(docs) {
		t.Fatalf("total %d, but %d documents", total, len(docs))
	}
	return ids(docs)
}

// wantSet fails unless got and want hold the same ids (any order).
func wantSet(t *testing.T, what string, got []int, want ...int) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Ints(g)
	sort.Ints(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %v, want %v", what, g, w)
	}
}

// wantList fails unless got equals want in order.
func wantList(t *testing.T, what string, got []int, want ...int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// wantCode fails unless err carries the code (and, when field is not
// "-", a message for that field).
func wantCode(t *testing.T, err error, code store.Code, field string) {
	t.Helper()
	if got := store.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
	if field != "-" {
		if _, ok := store.ErrorFields(err)[field]; !ok {
			t.Fatalf("error %v has no message for field %q", err, field)
		}
	}
}

func wantFieldMessage(t *testing.T, err error, field, msg string) {
	t.Helper()
	if !slices.Contains(store.ErrorFields(err)[field], msg) {
		t.Errorf("error %v: field %q lacks %q", err, field, msg)
	}
}
