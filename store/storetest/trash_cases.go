package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

func init() {
	tests = append(tests,
		test{"TrashHidesEverywhere", testTrashHides},
		test{"TrashRestoreAndEmpty", testTrashRestoreEmpty},
		test{"TrashVisibility", testTrashVisibility},
		test{"ShareLinks", testShareLinks},
		test{"ShareLinkVisibility", testShareLinkVisibility},
	)
}

// testTrashHides: a trashed document leaves every read of the archive —
// lists (plain, tag-filtered through the caches, ids), by-id reads,
// counts, statistics — but keeps its tags, checksum and ASN, and shows in
// the trash.
func testTrashHides(t *testing.T, s *store.Store) {
	tag := mustTag(t, s, "bills", false)
	corr := mustCorrespondent(t, s, "Power Co")
	var ids []int
	for i, title := range []string{"a", "b", "c"} {
		d := mustDocument(t, s, doc{title: title, corr: &corr.ID, asn: ptr(100 + i), tags: []int{tag.ID},
			created: time.Date(2021, 1, 1+i, 0, 0, 0, 0, time.UTC)})
		ids = append(ids, d.ID)
	}
	a, b, c := ids[0], ids[1], ids[2]
	// warm the caches (postings, orders, totals) before trashing
	wantList(t, "before", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tag.ID}}}), c, b, a)
	wantList(t, "before, all", list(t, s, store.DocumentFilter{}), c, b, a)

	if err := s.TrashDocument(ctx, b); err != nil {
		t.Fatal(err)
	}
	wantList(t, "list", list(t, s, store.DocumentFilter{}), c, a)
	wantList(t, "tag list", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tag.ID}}}), c, a)
	wantList(t, "tags any", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{tag.ID}}}), c, a)
	wantList(t, "correspondent", list(t, s, store.DocumentFilter{Correspondent: &store.IDFilter{Exact: &corr.ID}}), c, a)
	got, err := s.DocumentIDs(ctx, store.DocumentFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "ids", got, c, a)
	got, err = s.DocumentIDs(ctx, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tag.ID}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "ids by tag", got, c, a)
	_, err = s.Document(ctx, b)
	wantCode(t, err, store.NotFound, "-")
	if docs, err := s.DocumentsByIDs(ctx, ids); err != nil || len(docs) != 2 {
		t.Fatalf("DocumentsByIDs: %d %v", len(docs), err)
	}
	_, err = s.UpdateDocument(ctx, b, store.DocumentUpdate{Title: ptr("x")})
	wantCode(t, err, store.NotFound, "-")
	wantCode(t, s.TrashDocument(ctx, b), store.NotFound, "-")
	_, err = s.TrashDocuments(ctx, []int{a, b})
	wantCode(t, err, store.Validation, "documentIds")

	if n, err := s.TagDocumentCounts(ctx, []int{tag.ID}); err != nil || n[tag.ID] != 2 {
		t.Errorf("tag count %v %v, want 2", n, err)
	}
	if n, err := s.CorrespondentDocumentCounts(ctx, []int{corr.ID}); err != nil || n[corr.ID] != 2 {
		t.Errorf("correspondent count %v %v, want 2", n, err)
	}
	st, err := s.Statistics(ctx)
	if err != nil || st.DocumentsTotal != 2 {
		t.Errorf("statistics total %d %v, want 2", st.DocumentsTotal, err)
	}
	if n, err := s.CountDocuments(ctx); err != nil || n != 2 {
		t.Errorf("CountDocuments %d %v, want 2", n, err)
	}
	_, err = s.SelectionData(ctx, []int{b})
	wantCode(t, err, store.Validation, "documentIds")

	// In the trash, with its tags and the time it went there.
	trash, total, err := s.TrashedDocuments(ctx, store.Page{Number: 1, Size: 25})
	if err != nil || total != 1 || len(trash) != 1 || trash[0].ID != b || trash[0].DeletedAt == nil {
		t.Fatalf("trash: %+v %d %v", trash, total, err)
	}
	tags, err := s.TagIDsByDocuments(ctx, []int{b})
	if err != nil || !slices.Equal(tags[b], []int{tag.ID}) {
		t.Errorf("tags of the trashed document: %v %v", tags, err)
	}
	// Its ASN and checksum stay taken.
	dup := &store.Document{Title: "dup", Checksum: trash[0].Checksum, MimeType: "application/pdf"}
	wantCode(t, s.CreateDocument(ctx, dup, nil), store.Conflict, "checksum")
	_, err = s.UpdateDocument(ctx, a, store.DocumentUpdate{ArchiveSerialNumber: graphql.OmittableOf(ptr(101))})
	wantFieldMessage(t, err, "archiveSerialNumber", "Document with this Archive Serial Number already exists in the trash.")
	_, err = s.UpdateDocument(ctx, a, store.DocumentUpdate{ArchiveSerialNumber: graphql.OmittableOf(ptr(102))})
	wantFieldMessage(t, err, "archiveSerialNumber", "document with this archive serial number already exists.")

	// A bulk delete trashes too.
	if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkDelete, DocumentIDs: []int{a}}); err != nil {
		t.Fatal(err)
	}
	wantList(t, "after bulk delete", list(t, s, store.DocumentFilter{}), c)
	if ids, err := s.TrashedDocumentIDs(ctx); err != nil || len(ids) != 2 {
		t.Errorf("trash ids %v %v", ids, err)
	}
}

// testTrashRestoreEmpty: restoring brings a document back with its tags
// into the lists and counts; emptying deletes the rows (and returns them
// for their files); purging deletes what went to the trash before a time.
func testTrashRestoreEmpty(t *testing.T, s *store.Store) {
	tag := mustTag(t, s, "t", false)
	var ids []int
	for _, title := range []string{"a", "b", "c", "d"} {
		ids = append(ids, mustDocument(t, s, doc{title: title, tags: []int{tag.ID}}).ID)
	}
	wantList(t, "warm", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tag.ID}}}), ids...)
	if _, err := s.TrashDocuments(ctx, ids[:3]); err != nil {
		t.Fatal(err)
	}
	_, err := s.RestoreDocuments(ctx, []int{ids[0], ids[3]})
	wantFieldMessage(t, err, "documentIds", "Some documents in the list have not yet been deleted.")
	_, err = s.RestoreDocuments(ctx, []int{ids[0], ids[0]})
	wantCode(t, err, store.Validation, "documentIds")
	_, err = s.EmptyTrash(ctx, []int{ids[3]})
	wantCode(t, err, store.Validation, "documentIds")

	if none, err := s.RestoreDocuments(ctx, []int{}); err != nil || len(none) != 0 {
		t.Fatalf("restore of nothing: %v %v", none, err)
	}
	if none, err := s.EmptyTrash(ctx, []int{}); err != nil || len(none) != 0 {
		t.Fatalf("empty of nothing: %v %v", none, err)
	}
	restored, err := s.RestoreDocuments(ctx, []int{ids[0]})
	if err != nil || !slices.Equal(restored, []int{ids[0]}) {
		t.Fatalf("restore: %v %v", restored, err)
	}
	wantList(t, "restored with its tag", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{tag.ID}}}), ids[0], ids[3])
	if d, err := s.Document(ctx, ids[0]); err != nil || d.DeletedAt != nil {
		t.Fatalf("restored document: %+v %v", d, err)
	}

	gone, err := s.EmptyTrash(ctx, []int{ids[1]})
	if err != nil || len(gone) != 1 || gone[0].ID != ids[1] || gone[0].Checksum == "" {
		t.Fatalf("empty: %+v %v", gone, err)
	}
	if _, total, _ := s.TrashedDocuments(ctx, store.Page{}); total != 1 {
		t.Errorf("trash holds %d, want 1", total)
	}
	// the checksum is free again: the row is gone for good
	again := &store.Document{Title: "again", Checksum: gone[0].Checksum, MimeType: "application/pdf"}
	if err := s.CreateDocument(ctx, again, nil); err != nil {
		t.Fatalf("checksum of an emptied document: %v", err)
	}

	// Purge: only what went to the trash before the time.
	if docs, err := s.PurgeTrash(ctx, time.Now().Add(-time.Hour)); err != nil || len(docs) != 0 {
		t.Fatalf("purge of nothing old: %+v %v", docs, err)
	}
	docs, err := s.PurgeTrash(ctx, time.Now().Add(time.Hour))
	if err != nil || len(docs) != 1 || docs[0].ID != ids[2] {
		t.Fatalf("purge: %+v %v", docs, err)
	}
	// Empty with no list: everything visible in the trash.
	if _, err := s.TrashDocuments(ctx, []int{ids[3], again.ID}); err != nil {
		t.Fatal(err)
	}
	docs, err = s.EmptyTrash(ctx, nil)
	if err != nil || len(docs) != 2 {
		t.Fatalf("empty all: %+v %v", docs, err)
	}
	wantList(t, "left", list(t, s, store.DocumentFilter{}), ids[0])
}

// testTrashVisibility: a user sees in the trash the documents they own
// and the unowned ones (not those merely granted to them), restores only
// those, and may not trash what they may not change.
func testTrashVisibility(t *testing.T, s *store.Store) {
	anna, ben := mustUser(t, s, "anna"), mustUser(t, s, "ben")
	mk := func(title string, owner *int) int {
		d := &store.Document{Title: title, Checksum: checksum(int(checksumSeq.Add(1)) + 2_000_000), MimeType: "application/pdf", OwnerID: owner}
		if err := s.CreateDocument(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	annas, bens, public := mk("annas", &anna), mk("bens", &ben), mk("public", nil)
	if _, err := s.TrashDocuments(ctx, []int{annas, bens, public}); err != nil {
		t.Fatal(err)
	}
	actx := store.WithPrincipal(ctx, &store.Principal{UserID: anna})
	got, err := s.TrashedDocumentIDs(actx)
	if err != nil {
		t.Fatal(err)
	}
	wantSet(t, "anna's trash", got, annas, public)
	_, total, err := s.TrashedDocuments(actx, store.Page{})
	if err != nil || total != 2 {
		t.Errorf("anna's trash total %d %v", total, err)
	}
	_, err = s.RestoreDocuments(actx, []int{bens})
	wantCode(t, err, store.Validation, "documentIds")
	if _, err := s.RestoreDocuments(actx, []int{annas}); err != nil {
		t.Fatal(err)
	}
	gone, err := s.EmptyTrash(actx, nil)
	if err != nil || len(gone) != 1 || gone[0].ID != public {
		t.Fatalf("anna empties her trash: %+v %v", gone, err)
	}
	if ids, _ := s.TrashedDocumentIDs(ctx); !slices.Equal(ids, []int{bens}) {
		t.Errorf("trash after anna emptied hers: %v", ids)
	}
	// Ben may not trash anna's document (he cannot even see it).
	bctx := store.WithPrincipal(ctx, &store.Principal{UserID: ben})
	wantCode(t, s.TrashDocument(bctx, annas), store.NotFound, "-")
}

// testShareLinks: slugs are 50 URL-safe random characters; links list,
// filter and order; a link resolves to its document until it expires or
// the document goes to the trash; emptying the trash deletes its links.
func testShareLinks(t *testing.T, s *store.Store) {
	d1 := mustDocument(t, s, doc{title: "one"})
	d2 := mustDocument(t, s, doc{title: "two"})
	_, err := s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: 1 << 30})
	wantCode(t, err, store.Validation, "documentId")
	_, err = s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d1.ID, Expiration: ptr(time.Now().Add(-time.Minute))})
	wantCode(t, err, store.Validation, "expiration")
	_, err = s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d1.ID, FileVersion: ptr(store.ShareLinkFileVersion("thumb"))})
	wantCode(t, err, store.Validation, "fileVersion")

	l1, err := s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d1.ID})
	if err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(1500 * time.Millisecond)
	l2, err := s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d1.ID, Expiration: &soon, FileVersion: ptr(store.ShareLinkOriginal)})
	if err != nil {
		t.Fatal(err)
	}
	l3, err := s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d2.ID, Expiration: ptr(time.Now().Add(24 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*store.ShareLink{l1, l2, l3} {
		if len(l.Slug) != store.ShareLinkSlugLength || strings.Trim(l.Slug, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Errorf("slug %q", l.Slug)
		}
	}
	if l1.Slug == l2.Slug || l1.FileVersion != store.ShareLinkArchive || l2.FileVersion != store.ShareLinkOriginal || l1.OwnerID != nil {
		t.Errorf("links: %+v %+v", l1, l2)
	}

	links, total, err := s.ShareLinks(ctx, store.ShareLinkFilter{Document: &d1.ID}, nil, store.Page{})
	if err != nil || total != 2 || links[0].ID != l1.ID || links[1].ID != l2.ID {
		t.Fatalf("links of d1: %+v %d %v", links, total, err)
	}
	links, _, err = s.ShareLinks(ctx, store.ShareLinkFilter{}, []store.ShareLinkOrder{{Field: store.ShareLinkOrderExpiration, Direction: store.Desc}}, store.Page{})
	if err != nil || len(links) != 3 || links[0].ID != l3.ID || links[1].ID != l2.ID || links[2].ID != l1.ID {
		t.Fatalf("by expiration, descending (never last): %+v %v", links, err)
	}
	links, _, err = s.ShareLinks(ctx, store.ShareLinkFilter{Expiration: &store.DateFilter{Gt: ptr(time.Now().Add(time.Hour))}}, nil, store.Page{})
	if err != nil || len(links) != 1 || links[0].ID != l3.ID {
		t.Fatalf("expiring after an hour: %+v %v", links, err)
	}
	_, _, err = s.ShareLinks(ctx, store.ShareLinkFilter{}, []store.ShareLinkOrder{{Field: "SLUG", Direction: store.Asc}}, store.Page{})
	wantCode(t, err, store.Validation, "orderBy")
	by, err := s.ShareLinksByDocuments(ctx, []int{d1.ID, d2.ID})
	if err != nil || len(by[d1.ID]) != 2 || len(by[d2.ID]) != 1 {
		t.Fatalf("by documents: %v %v", by, err)
	}

	// The public side.
	l, d, err := s.SharedDocument(ctx, l2.Slug)
	if err != nil || l.ID != l2.ID || d.ID != d1.ID {
		t.Fatalf("shared document: %+v %+v %v", l, d, err)
	}
	_, _, err = s.SharedDocument(ctx, strings.Repeat("a", 50))
	wantCode(t, err, store.NotFound, "-")
	time.Sleep(time.Until(soon) + 50*time.Millisecond)
	_, _, err = s.SharedDocument(ctx, l2.Slug)
	wantCode(t, err, store.Forbidden, "-")

	// The trash hides the document's links; emptying it deletes them.
	if err := s.TrashDocument(ctx, d1.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SharedDocument(ctx, l1.Slug)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.ShareLink(ctx, l1.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.CreateShareLink(ctx, store.ShareLinkInput{DocumentID: d1.ID})
	wantCode(t, err, store.Validation, "documentId")
	if _, err := s.RestoreDocuments(ctx, []int{d1.ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SharedDocument(ctx, l1.Slug); err != nil {
		t.Fatalf("restored document's link: %v", err)
	}
	if err := s.TrashDocument(ctx, d1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmptyTrash(ctx, []int{d1.ID}); err != nil {
		t.Fatal(err)
	}
	_, total, err = s.ShareLinks(ctx, store.ShareLinkFilter{}, nil, store.Page{})
	if err != nil || total != 1 {
		t.Fatalf("links after emptying: %d %v", total, err)
	}
	if err := s.DeleteShareLink(ctx, l3.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteShareLink(ctx, l3.ID), store.NotFound, "-")
}

// testShareLinkVisibility: a user creates links owned by them only to
// documents they may see, sees their own links (not another user's) and
// may not delete another's link they were granted only view on.
func testShareLinkVisibility(t *testing.T, s *store.Store) {
	anna, ben := mustUser(t, s, "anna"), mustUser(t, s, "ben")
	d := &store.Document{Title: "annas", Checksum: checksum(int(checksumSeq.Add(1)) + 3_000_000), MimeType: "application/pdf", OwnerID: &anna}
	if err := s.CreateDocument(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	actx := store.WithPrincipal(ctx, &store.Principal{UserID: anna})
	bctx := store.WithPrincipal(ctx, &store.Principal{UserID: ben})
	_, err := s.CreateShareLink(bctx, store.ShareLinkInput{DocumentID: d.ID})
	wantCode(t, err, store.Validation, "documentId")
	l, err := s.CreateShareLink(actx, store.ShareLinkInput{DocumentID: d.ID})
	if err != nil || l.OwnerID == nil || *l.OwnerID != anna {
		t.Fatalf("anna's link: %+v %v", l, err)
	}
	if _, total, err := s.ShareLinks(bctx, store.ShareLinkFilter{}, nil, store.Page{}); err != nil || total != 0 {
		t.Errorf("ben sees %d links (%v)", total, err)
	}
	_, err = s.ShareLink(bctx, l.ID)
	wantCode(t, err, store.NotFound, "-")
	wantCode(t, s.DeleteShareLink(bctx, l.ID), store.NotFound, "-")
	if _, total, err := s.ShareLinks(actx, store.ShareLinkFilter{}, nil, store.Page{}); err != nil || total != 1 {
		t.Errorf("anna sees %d links (%v)", total, err)
	}
	if err := s.DeleteShareLink(actx, l.ID); err != nil {
		t.Fatal(err)
	}
}
