package storetest

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// The storage path and tag hierarchy cases join the suite.
func init() {
	tests = append(tests,
		test{"StoragePathCRUD", testStoragePathCRUD},
		test{"ErrStoragePathInput", testErrStoragePathInput},
		test{"StoragePathVisibility", testStoragePathVisibility},
		test{"DocumentStoragePath", testDocumentStoragePath},
		test{"BulkEditSetStoragePath", testBulkSetStoragePath},
		test{"BulkEditObjectsDeleteStoragePaths", testBulkDeleteStoragePaths},
		test{"TagParentRules", testTagParentRules},
		test{"TagTreeOnDocuments", testTagTreeOnDocuments},
		test{"TagTreeBulkEdits", testTagTreeBulk},
		test{"TagReparentAddsAncestors", testTagReparent},
	)
}

func mustStoragePath(t *testing.T, s *store.Store, name, path string) *store.StoragePath {
	t.Helper()
	sp, err := s.CreateStoragePath(ctx, store.StoragePathInput{Name: &name, Path: &path})
	if err != nil {
		t.Fatalf("create storage path %q: %v", name, err)
	}
	return sp
}

func spIDs(items []store.StoragePath) []int {
	out := make([]int, len(items))
	for i, p := range items {
		out[i] = p.ID
	}
	return out
}

func testStoragePathCRUD(t *testing.T, s *store.Store) {
	algo := store.MatchLiteral
	inv, err := s.CreateStoragePath(ctx, store.StoragePathInput{Name: ptr(" Invoices "), Path: ptr("{{ created_year }}/{{ title }}"),
		Match: ptr("invoice"), MatchingAlgorithm: &algo})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Name != "Invoices" || inv.Slug != "invoices" || inv.MatchingAlgorithm != store.MatchLiteral || !inv.IsInsensitive || inv.OwnerID != nil {
		t.Errorf("created %+v", inv)
	}
	bank := mustStoragePath(t, s, "bank", "bank/{{ title }}")
	got, err := s.StoragePath(ctx, inv.ID)
	if err != nil || got.Path != "{{ created_year }}/{{ title }}" || got.Match != "invoice" {
		t.Fatalf("get %+v %v", got, err)
	}
	// Default order: name, case-insensitively.
	items, total, err := s.StoragePaths(ctx, store.StoragePathFilter{}, nil, store.Page{})
	if err != nil || total != 2 {
		t.Fatalf("list %v %d %v", spIDs(items), total, err)
	}
	wantList(t, "by name", spIDs(items), bank.ID, inv.ID)
	items, _, _ = s.StoragePaths(ctx, store.StoragePathFilter{}, []store.NameOrder{{Field: store.NameOrderPath, Direction: store.Desc}}, store.Page{})
	wantList(t, "by path desc", spIDs(items), inv.ID, bank.ID)
	items, _, _ = s.StoragePaths(ctx, store.StoragePathFilter{Path: &store.TextFilter{Icontains: ptr("CREATED")}}, nil, store.Page{})
	wantList(t, "path contains", spIDs(items), inv.ID)
	items, _, _ = s.StoragePaths(ctx, store.StoragePathFilter{Name: &store.TextFilter{Istartswith: ptr("BA")}}, nil, store.Page{})
	wantList(t, "name starts", spIDs(items), bank.ID)
	all, err := s.StoragePathIDs(ctx, store.StoragePathFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "ids", all, bank.ID, inv.ID)

	before, after, err := s.UpdateStoragePath(ctx, bank.ID, store.StoragePathInput{Path: ptr("banks/{{ correspondent }}")})
	if err != nil || before.Path != "bank/{{ title }}" || after.Path != "banks/{{ correspondent }}" || after.Name != "bank" {
		t.Fatalf("update %+v %+v %v", before, after, err)
	}
	d := mustDocument(t, s, doc{title: "a"})
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(&bank.ID)}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.StoragePathDocumentCounts(ctx, []int{bank.ID, inv.ID})
	if err != nil || counts[bank.ID] != 1 || counts[inv.ID] != 0 {
		t.Errorf("counts %v %v", counts, err)
	}
	if n, err := s.StoragePathCount(ctx); err != nil || n != 2 {
		t.Errorf("count %d %v", n, err)
	}
	// A document in the trash is not counted.
	trashed := mustDocument(t, s, doc{title: "trashed"})
	if _, err := s.UpdateDocument(ctx, trashed.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(&bank.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrashDocuments(ctx, []int{trashed.ID}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.StoragePathDocumentCounts(ctx, []int{bank.ID}); c[bank.ID] != 1 {
		t.Errorf("count with a trashed document %v", c)
	}
	docs, err := s.DeleteStoragePath(ctx, bank.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "documents of the deleted path", docs, d.ID)
	if got, _ := s.Document(ctx, d.ID); got.StoragePathID != nil {
		t.Errorf("document keeps deleted path %v", *got.StoragePathID)
	}
	_, err = s.StoragePath(ctx, bank.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.DeleteStoragePath(ctx, bank.ID)
	wantCode(t, err, store.NotFound, "-")
}

func testErrStoragePathInput(t *testing.T, s *store.Store) {
	_, err := s.CreateStoragePath(ctx, store.StoragePathInput{Path: ptr("x")})
	wantCode(t, err, store.Validation, "name")
	_, err = s.CreateStoragePath(ctx, store.StoragePathInput{Name: ptr("x")})
	wantCode(t, err, store.Validation, "path")
	mustStoragePath(t, s, "Taxes", "taxes")
	_, err = s.CreateStoragePath(ctx, store.StoragePathInput{Name: ptr("TAXES"), Path: ptr("t")})
	wantCode(t, err, store.Conflict, "name")
	// Names are unique per owner: another owner may reuse it.
	u := mustUser(t, s, "owner")
	if _, err := s.CreateStoragePath(ctx, store.StoragePathInput{Name: ptr("taxes"), Path: ptr("t"), OwnerID: graphql.OmittableOf(&u)}); err != nil {
		t.Errorf("same name, other owner: %v", err)
	}
	_, err = s.CreateStoragePath(ctx, store.StoragePathInput{Name: ptr("y"), Path: ptr("t"), OwnerID: graphql.OmittableOf(ptr(9999))})
	wantCode(t, err, store.Validation, "owner")
}

func testStoragePathVisibility(t *testing.T, s *store.Store) {
	anna, ben := mustUser(t, s, "anna"), mustUser(t, s, "ben")
	asAnna, asBen := as(anna, "view_storagepath"), as(ben, "view_storagepath")
	own, err := s.CreateStoragePath(asAnna, store.StoragePathInput{Name: ptr("mine"), Path: ptr("m")})
	if err != nil || own.OwnerID == nil || *own.OwnerID != anna {
		t.Fatalf("created as anna: %+v %v", own, err)
	}
	public := mustStoragePath(t, s, "public", "p")

	items, total, err := s.StoragePaths(asBen, store.StoragePathFilter{}, nil, store.Page{})
	if err != nil || total != 1 {
		t.Fatalf("ben's list %v %d %v", spIDs(items), total, err)
	}
	wantList(t, "ben sees the unowned path only", spIDs(items), public.ID)
	_, err = s.StoragePath(asBen, own.ID)
	wantCode(t, err, store.NotFound, "-")
	_, _, err = s.UpdateStoragePath(asBen, own.ID, store.StoragePathInput{Name: ptr("x")})
	wantCode(t, err, store.NotFound, "-")
	if n, _ := s.StoragePathCount(asBen); n != 1 {
		t.Errorf("ben counts %d paths", n)
	}

	// A view grant shows it but does not let ben change it.
	if err := s.SetPermissions(ctx, store.ModelStoragePath, []int{own.ID}, store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &[]int{ben}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoragePath(asBen, own.ID); err != nil {
		t.Errorf("granted view: %v", err)
	}
	_, _, err = s.UpdateStoragePath(asBen, own.ID, store.StoragePathInput{Name: ptr("x")})
	wantCode(t, err, store.Forbidden, "-")
	_, err = s.DeleteStoragePath(asBen, own.ID)
	wantCode(t, err, store.Forbidden, "-")
	// A change grant lets ben change it, but not its owner.
	if err := s.SetPermissions(ctx, store.ModelStoragePath, []int{own.ID}, store.PermissionsUpdate{Change: &store.HoldersUpdate{Users: &[]int{ben}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateStoragePath(asBen, own.ID, store.StoragePathInput{Name: ptr("renamed")}); err != nil {
		t.Errorf("granted change: %v", err)
	}
	_, _, err = s.UpdateStoragePath(asBen, own.ID, store.StoragePathInput{OwnerID: graphql.OmittableOf(&ben)})
	wantCode(t, err, store.Forbidden, "-")

	// document_count counts only the documents the caller may see.
	d1 := mustDocument(t, s, doc{title: "visible"})
	d2 := mustDocument(t, s, doc{title: "annas"})
	if err := s.SetOwner(ctx, store.ModelDocument, d2.ID, &anna); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkSetStoragePath, DocumentIDs: []int{d1.ID, d2.ID}, StoragePathID: &public.ID}); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[int]int{anna: 2, ben: 1} {
		c, err := s.StoragePathDocumentCounts(as(who), []int{public.ID})
		if err != nil || c[public.ID] != want {
			t.Errorf("user %d counts %v (%v), want %d", who, c, err, want)
		}
	}
}

func testDocumentStoragePath(t *testing.T, s *store.Store) {
	a, b := mustStoragePath(t, s, "Alpha", "a"), mustStoragePath(t, s, "beta", "b")
	d1 := mustDocument(t, s, doc{title: "one"})
	d2 := mustDocument(t, s, doc{title: "two"})
	d3 := mustDocument(t, s, doc{title: "three"})
	for d, p := range map[int]int{d1.ID: a.ID, d2.ID: b.ID} {
		if _, err := s.UpdateDocument(ctx, d, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(&p)}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Document(ctx, d1.ID)
	if got.StoragePathID == nil || *got.StoragePathID != a.ID {
		t.Fatalf("document storage path %v", got.StoragePathID)
	}
	wantSet(t, "exact", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{Exact: &a.ID}}), d1.ID)
	wantSet(t, "in", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{In: []int{a.ID, b.ID}}}), d1.ID, d2.ID)
	wantSet(t, "none", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{None: []int{a.ID}}}), d2.ID, d3.ID)
	wantSet(t, "isnull", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{Isnull: ptr(true)}}), d3.ID)
	wantSet(t, "not null", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{Isnull: ptr(false)}}), d1.ID, d2.ID)
	wantSet(t, "name", list(t, s, store.DocumentFilter{StoragePathName: &store.TextFilter{Iexact: ptr("BETA")}}), d2.ID)
	wantList(t, "ordered by path name", list(t, s, store.DocumentFilter{},
		store.DocumentOrder{Field: store.DocumentOrderStoragePathName, Direction: store.Asc}), d3.ID, d1.ID, d2.ID)
	wantList(t, "ordered by path name desc", list(t, s, store.DocumentFilter{},
		store.DocumentOrder{Field: store.DocumentOrderStoragePathName, Direction: store.Desc}), d2.ID, d1.ID, d3.ID)

	_, err := s.UpdateDocument(ctx, d3.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(ptr(9999))})
	wantCode(t, err, store.Validation, "storagePathId")
	if _, err := s.UpdateDocument(ctx, d1.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf[*int](nil)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Document(ctx, d1.ID); got.StoragePathID != nil {
		t.Errorf("cleared path is %v", *got.StoragePathID)
	}
	// Consumption and imports name the path at creation.
	d4 := &store.Document{Title: "new", Checksum: checksum(4242), MimeType: "application/pdf", StoragePathID: &b.ID}
	if err := s.CreateDocument(ctx, d4, nil); err != nil {
		t.Fatal(err)
	}
	d5 := &store.Document{Title: "bad", Checksum: checksum(4243), MimeType: "application/pdf", StoragePathID: ptr(9999)}
	wantCode(t, s.CreateDocument(ctx, d5, nil), store.Validation, "storagePathId")
}

func testBulkSetStoragePath(t *testing.T, s *store.Store) {
	p := mustStoragePath(t, s, "p", "p")
	d1 := mustDocument(t, s, doc{title: "one"})
	d2 := mustDocument(t, s, doc{title: "two"})
	changed, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkSetStoragePath, DocumentIDs: []int{d1.ID, d2.ID}, StoragePathID: &p.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "changed", changed, d1.ID, d2.ID)
	changed, _ = s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkSetStoragePath, DocumentIDs: []int{d1.ID, d2.ID}, StoragePathID: &p.ID})
	wantList(t, "nothing left to change", changed)
	changed, _ = s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkSetStoragePath, DocumentIDs: []int{d1.ID}})
	wantList(t, "cleared", changed, d1.ID)
	wantSet(t, "with path", list(t, s, store.DocumentFilter{StoragePath: &store.IDFilter{Exact: &p.ID}}), d2.ID)
	_, err = s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkSetStoragePath, DocumentIDs: []int{d1.ID}, StoragePathID: ptr(9999)})
	wantCode(t, err, store.Validation, "")
	if msg := store.ErrorFields(err)[""]; len(msg) != 1 || msg[0] != "Storage path does not exist" {
		t.Errorf("message %v", msg)
	}
}

func testBulkDeleteStoragePaths(t *testing.T, s *store.Store) {
	p1, p2 := mustStoragePath(t, s, "p1", "p1"), mustStoragePath(t, s, "p2", "p2")
	d := mustDocument(t, s, doc{title: "one"})
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{StoragePathID: graphql.OmittableOf(&p1.ID)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.BulkEditObjects(ctx, store.BulkObjects{ObjectType: store.ObjectStoragePaths, Operation: store.ObjectDelete, ObjectIDs: []int{p1.ID, 9999}})
	wantCode(t, err, store.Validation, "objectIds")
	ids, err := s.BulkEditObjects(ctx, store.BulkObjects{ObjectType: store.ObjectStoragePaths, Operation: store.ObjectDelete, ObjectIDs: []int{p1.ID, p2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "deleted", ids, p1.ID, p2.ID)
	if n, _ := s.StoragePathCount(ctx); n != 0 {
		t.Errorf("%d paths left", n)
	}
	if got, _ := s.Document(ctx, d.ID); got.StoragePathID != nil {
		t.Errorf("document keeps a deleted path")
	}
}

// tree makes root > mid > leaf and returns them.
func tree(t *testing.T, s *store.Store) (root, mid, leaf *store.Tag) {
	t.Helper()
	root = mustTag(t, s, "root", false)
	var err error
	if mid, err = s.CreateTag(ctx, store.TagInput{Name: ptr("mid"), ParentID: graphql.OmittableOf(&root.ID)}); err != nil {
		t.Fatal(err)
	}
	if leaf, err = s.CreateTag(ctx, store.TagInput{Name: ptr("leaf"), ParentID: graphql.OmittableOf(&mid.ID)}); err != nil {
		t.Fatal(err)
	}
	return root, mid, leaf
}

func testTagParentRules(t *testing.T, s *store.Store) {
	root, mid, leaf := tree(t, s)
	if leaf.ParentID == nil || *leaf.ParentID != mid.ID {
		t.Fatalf("leaf parent %v", leaf.ParentID)
	}
	parent := func(id int, p *int) error {
		_, err := s.UpdateTag(ctx, id, store.TagInput{ParentID: graphql.OmittableOf(p)})
		return err
	}
	wantMsg := func(err error, msg string) {
		t.Helper()
		wantCode(t, err, store.Validation, "parentId")
		if got := store.ErrorFields(err)["parentId"]; len(got) != 1 || got[0] != msg {
			t.Errorf("message %v, want %q", got, msg)
		}
	}
	wantMsg(parent(root.ID, &root.ID), "Cannot set itself as parent.")
	wantMsg(parent(root.ID, &leaf.ID), "Cannot set parent to a descendant.")
	wantMsg(parent(mid.ID, ptr(9999)), `Invalid pk "9999" - object does not exist.`)
	// Depth: root(1) > mid(2) > leaf(3) > l4(4) > l5(5); a sixth level is refused.
	l4, err := s.CreateTag(ctx, store.TagInput{Name: ptr("l4"), ParentID: graphql.OmittableOf(&leaf.ID)})
	if err != nil {
		t.Fatal(err)
	}
	l5, err := s.CreateTag(ctx, store.TagInput{Name: ptr("l5"), ParentID: graphql.OmittableOf(&l4.ID)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateTag(ctx, store.TagInput{Name: ptr("l6"), ParentID: graphql.OmittableOf(&l5.ID)})
	wantMsg(err, "Maximum nesting depth exceeded.")
	// Moving a subtree counts its height: mid's subtree is 4 deep, so it
	// cannot go below another root's child.
	other := mustTag(t, s, "other", false)
	child, err := s.CreateTag(ctx, store.TagInput{Name: ptr("child"), ParentID: graphql.OmittableOf(&other.ID)})
	if err != nil {
		t.Fatal(err)
	}
	wantMsg(parent(mid.ID, &child.ID), "Maximum nesting depth exceeded.")
	if err := parent(mid.ID, &other.ID); err != nil {
		t.Errorf("mid under other (depth 5): %v", err)
	}
	if err := parent(mid.ID, nil); err != nil {
		t.Errorf("mid to a root: %v", err)
	}

	// is_root and children.
	roots, _, err := s.Tags(ctx, store.NameFilter{IsRoot: ptr(true)}, nil, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var rootIDs []int
	for _, r := range roots {
		rootIDs = append(rootIDs, r.ID)
	}
	wantSet(t, "roots", rootIDs, root.ID, mid.ID, other.ID)
	nonRoot, err := s.TagIDs(ctx, store.NameFilter{IsRoot: ptr(false)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSet(t, "children", nonRoot, leaf.ID, l4.ID, l5.ID, child.ID)
	kids, err := s.TagChildren(ctx, []int{mid.ID, other.ID, root.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "mid's children", kids[mid.ID], leaf.ID)
	wantList(t, "other's children", kids[other.ID], child.ID)
	wantList(t, "root's children", kids[root.ID])
	// Deleting a parent makes its children roots.
	if err := s.DeleteTag(ctx, mid.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Tag(ctx, leaf.ID); got.ParentID != nil {
		t.Errorf("leaf keeps deleted parent")
	}
}

func docTags(t *testing.T, s *store.Store, id int) []int {
	t.Helper()
	m, err := s.TagIDsByDocuments(ctx, []int{id})
	if err != nil {
		t.Fatal(err)
	}
	return m[id]
}

func testTagTreeOnDocuments(t *testing.T, s *store.Store) {
	root, mid, leaf := tree(t, s)
	other := mustTag(t, s, "other", false)
	// Created with a leaf: gets its ancestors.
	d := mustDocument(t, s, doc{title: "d", tags: []int{leaf.ID}})
	wantSet(t, "created", docTags(t, s, d.ID), root.ID, mid.ID, leaf.ID)
	// Replacing the set keeps the rule; removing mid takes leaf along
	// even though leaf is listed.
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{root.ID, leaf.ID, other.ID})}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "mid removed", docTags(t, s, d.ID), root.ID, other.ID)
	// Taking root away blocks its descendants, even listed ones.
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{other.ID, leaf.ID})}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "root removed, leaf listed", docTags(t, s, d.ID), other.ID)
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{other.ID, leaf.ID})}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "leaf given back", docTags(t, s, d.ID), root.ID, mid.ID, leaf.ID, other.ID)
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{mid.ID, leaf.ID, other.ID})}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "root removed takes all", docTags(t, s, d.ID), other.ID)
	wantSet(t, "filter by the root", list(t, s, store.DocumentFilter{Tags: &store.TagsFilter{Any: []int{root.ID}}}))
}

func testTagTreeBulk(t *testing.T, s *store.Store) {
	root, mid, leaf := tree(t, s)
	other := mustTag(t, s, "other", false)
	d1 := mustDocument(t, s, doc{title: "one"})
	d2 := mustDocument(t, s, doc{title: "two", tags: []int{root.ID}})
	changed, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkAddTag, DocumentIDs: []int{d1.ID, d2.ID}, TagID: &leaf.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "add_tag changed", changed, d1.ID, d2.ID)
	wantSet(t, "d1 after add_tag", docTags(t, s, d1.ID), root.ID, mid.ID, leaf.ID)
	changed, _ = s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkAddTag, DocumentIDs: []int{d1.ID, d2.ID}, TagID: &leaf.ID})
	wantList(t, "add_tag again", changed)
	changed, err = s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkRemoveTag, DocumentIDs: []int{d1.ID, d2.ID}, TagID: &mid.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "remove_tag changed", changed, d1.ID, d2.ID)
	wantSet(t, "d1 after remove_tag", docTags(t, s, d1.ID), root.ID)
	if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkModifyTags, DocumentIDs: []int{d1.ID, d2.ID},
		AddTagIDs: []int{leaf.ID}, RemoveTagIDs: []int{other.ID}}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "modify_tags adds ancestors", docTags(t, s, d2.ID), root.ID, mid.ID, leaf.ID)
	if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkModifyTags, DocumentIDs: []int{d1.ID},
		AddTagIDs: []int{other.ID}, RemoveTagIDs: []int{root.ID}}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "modify_tags removes descendants", docTags(t, s, d1.ID), other.ID)
}

func testTagReparent(t *testing.T, s *store.Store) {
	a := mustTag(t, s, "a", false)
	b := mustTag(t, s, "b", false)
	c, err := s.CreateTag(ctx, store.TagInput{Name: ptr("c"), ParentID: graphql.OmittableOf(&b.ID)})
	if err != nil {
		t.Fatal(err)
	}
	withB := mustDocument(t, s, doc{title: "b", tags: []int{b.ID}})
	withC := mustDocument(t, s, doc{title: "c", tags: []int{c.ID}})
	without := mustDocument(t, s, doc{title: "none"})
	if _, err := s.UpdateTag(ctx, b.ID, store.TagInput{ParentID: graphql.OmittableOf(&a.ID)}); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "b's document", docTags(t, s, withB.ID), a.ID, b.ID)
	wantSet(t, "c's document", docTags(t, s, withC.ID), a.ID, b.ID, c.ID)
	wantSet(t, "untagged document", docTags(t, s, without.ID))
}
