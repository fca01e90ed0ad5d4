package storetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// Owners and per-object permissions (NGX.md §4): what each principal sees,
// counts included, and who may change what.
func init() {
	tests = append(tests,
		test{"PermissionsVisibility", testPermissionsVisibility},
		test{"PermissionsObjectVisibility", testPermissionsObjectVisibility},
		test{"PermissionsChangeVersusView", testPermissionsChangeVersusView},
		test{"PermissionsSetSemantics", testPermissionsSetSemantics},
		test{"ErrPermissionsSet", testErrPermissionsSet},
		test{"PermissionsNamesUniquePerOwner", testNamesUniquePerOwner},
		test{"PermissionsGrantsGoWithObjects", testGrantsGoWithObjects},
		test{"PermissionsSavedViews", testPermissionsSavedViews},
		test{"PermissionsOwnerFilters", testPermissionsOwnerFilters},
		test{"PermissionsListsFollowChanges", testPermissionsListsFollowChanges},
		test{"PermissionsOwnerHistory", testPermissionsOwnerHistory},
	)
}

// permFixture is an archive seen by six principals: anna owns d2 (shared
// with bob and with the group accounts, where carl is) and d3 (private);
// dora owns d4; d1 has no owner. Every document carries tag t and
// correspondent c; d1..d3 also tag inbox.
type permFixture struct {
	anna, bob, carl, dora, root int
	accounts                    int
	d1, d2, d3, d4              int
	t, inbox, c                 int
}

func newPermFixture(t *testing.T, s *store.Store) permFixture {
	t.Helper()
	var f permFixture
	f.anna, f.bob, f.carl, f.dora, f.root = mustUser(t, s, "anna"), mustUser(t, s, "bob"), mustUser(t, s, "carl"), mustUser(t, s, "dora"), mustUser(t, s, "root")
	f.accounts = mustGroup(t, s, "accounts").ID
	f.t = mustTag(t, s, "tax", false).ID
	f.inbox = mustTag(t, s, "inbox", true).ID
	f.c = mustCorrespondent(t, s, "ACME").ID
	mk := func(title string, owner *int, tags ...int) int {
		d := mustDocument(t, s, doc{title: title, content: "text of " + title, corr: &f.c, tags: tags})
		if owner != nil {
			if err := s.SetOwner(ctx, store.ModelDocument, d.ID, owner); err != nil {
				t.Fatalf("own %s: %v", title, err)
			}
		}
		return d.ID
	}
	f.d1 = mk("d1", nil, f.t, f.inbox)
	f.d2 = mk("d2", &f.anna, f.t, f.inbox)
	f.d3 = mk("d3", &f.anna, f.t, f.inbox)
	f.d4 = mk("d4", &f.dora, f.t)
	err := s.SetPermissions(ctx, store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{f.bob}, Groups: &[]int{f.accounts}},
	})
	if err != nil {
		t.Fatalf("grant d2: %v", err)
	}
	return f
}

// principal returns ctx acting for the named user of f ("system": no
// principal; "root": a superuser; carl is in accounts).
func (f permFixture) as(who string) context.Context {
	switch who {
	case "system":
		return ctx
	case "root":
		return store.WithPrincipal(ctx, &store.Principal{UserID: f.root, Superuser: true})
	case "anna":
		return store.WithPrincipal(ctx, &store.Principal{UserID: f.anna})
	case "bob":
		return store.WithPrincipal(ctx, &store.Principal{UserID: f.bob})
	case "carl":
		return store.WithPrincipal(ctx, &store.Principal{UserID: f.carl, GroupIDs: []int{f.accounts}})
	case "dora":
		return store.WithPrincipal(ctx, &store.Principal{UserID: f.dora})
	}
	panic("unknown principal " + who)
}

func tagIDsOpt(ids ...int) graphql.Omittable[[]int] { return graphql.OmittableOf(ids) }

func sorted(ids []int) []int {
	out := slices.Clone(ids)
	sort.Ints(out)
	return out
}

func testPermissionsVisibility(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	want := map[string][]int{
		"system": {f.d1, f.d2, f.d3, f.d4},
		"root":   {f.d1, f.d2, f.d3, f.d4},
		"anna":   {f.d1, f.d2, f.d3},
		"bob":    {f.d1, f.d2},
		"carl":   {f.d1, f.d2},
		"dora":   {f.d1, f.d4},
	}
	all := []int{f.d1, f.d2, f.d3, f.d4}
	for who, w := range want {
		t.Run(who, func(t *testing.T) {
			c := f.as(who)
			// The list, unfiltered and by tag (the cached paths for an
			// unrestricted principal), with its total.
			for name, flt := range map[string]store.DocumentFilter{
				"all":   {},
				"tag":   {Tags: &store.TagsFilter{All: []int{f.t}}},
				"title": {Title: &store.TextFilter{Icontains: ptr("d")}},
			} {
				for range 2 { // the second time from the caches
					docs, total, err := s.Documents(c, flt, nil, store.Page{Size: 2})
					if err != nil {
						t.Fatal(err)
					}
					if total != len(w) || len(docs) != min(2, len(w)) {
						t.Fatalf("%s: total %d, page %d, want %d", name, total, len(docs), len(w))
					}
					for _, d := range docs {
						if !slices.Contains(w, d.ID) {
							t.Fatalf("%s: %d is listed", name, d.ID)
						}
					}
					got, err := s.DocumentIDs(c, flt, nil)
					if err != nil || !slices.Equal(sorted(got), w) {
						t.Fatalf("%s: ids %v (%v), want %v", name, got, err, w)
					}
				}
			}
			byID, err := s.DocumentsByIDs(c, all)
			if err != nil || !slices.Equal(ids(byID), w) {
				t.Fatalf("by ids %v (%v), want %v", ids(byID), err, w)
			}
			contents, err := s.DocumentContents(c, all)
			if err != nil || len(contents) != len(w) {
				t.Fatalf("contents of %d documents (%v), want %d", len(contents), err, len(w))
			}
			for _, id := range all {
				_, err := s.Document(c, id)
				if slices.Contains(w, id) && err != nil {
					t.Fatalf("document %d: %v", id, err)
				}
				if !slices.Contains(w, id) {
					wantCode(t, err, store.NotFound, "-")
				}
			}
			st, err := s.Statistics(c)
			if err != nil {
				t.Fatal(err)
			}
			inbox := 0
			for _, id := range w {
				if id != f.d4 {
					inbox++
				}
			}
			if st.DocumentsTotal != len(w) || st.DocumentsInbox == nil || *st.DocumentsInbox != inbox {
				t.Fatalf("statistics total %d inbox %v, want %d, %d", st.DocumentsTotal, st.DocumentsInbox, len(w), inbox)
			}
			if len(st.FileTypes) != 1 || st.FileTypes[0].Count != len(w) {
				t.Fatalf("file types %+v", st.FileTypes)
			}
			for _, counts := range []func(context.Context, []int) (map[int]int, error){s.TagDocumentCounts} {
				for range 2 {
					m, err := counts(c, []int{f.t})
					if err != nil || m[f.t] != len(w) {
						t.Fatalf("tag count %v (%v), want %d", m, err, len(w))
					}
				}
			}
			for range 2 {
				m, err := s.CorrespondentDocumentCounts(c, []int{f.c})
				if err != nil || m[f.c] != len(w) {
					t.Fatalf("correspondent count %v (%v), want %d", m, err, len(w))
				}
			}
			sd, err := s.SelectionData(c, w)
			if err != nil {
				t.Fatal(err)
			}
			for _, oc := range sd.Tags {
				if oc.ID == f.t && oc.DocumentCount != len(w) {
					t.Fatalf("selection data tag count %d, want %d", oc.DocumentCount, len(w))
				}
			}
			if len(w) < len(all) {
				_, err := s.SelectionData(c, all)
				wantCode(t, err, store.Validation, "documentIds")
			}
		})
	}
}

func testPermissionsObjectVisibility(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	private, err := s.CreateTag(ctx, store.TagInput{Name: ptr("anna's"), OwnerID: &f.anna})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("Bank"), OwnerID: &f.anna})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPermissions(ctx, store.ModelCorrespondent, []int{shared.ID}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Groups: &[]int{f.accounts}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDocument(ctx, f.d2, store.DocumentUpdate{TagIDs: tagIDsOpt(f.t, private.ID)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who       string
		tags      int  // tags listed
		seesTag   bool // private
		seesCorr  bool // shared
		corrTotal int
	}{
		{"system", 3, true, true, 2}, {"root", 3, true, true, 2}, {"anna", 3, true, true, 2},
		{"carl", 2, false, true, 2}, {"bob", 2, false, false, 1}, {"dora", 2, false, false, 1},
	} {
		t.Run(tc.who, func(t *testing.T) {
			c := f.as(tc.who)
			tags, total, err := s.Tags(c, store.NameFilter{}, nil, store.Page{})
			if err != nil || total != tc.tags || len(tags) != tc.tags {
				t.Fatalf("tags %d of %d (%v), want %d", len(tags), total, err, tc.tags)
			}
			tagIDs, err := s.TagIDs(c, store.NameFilter{}, []store.NameOrder{{Field: store.NameOrderDocumentCount, Direction: store.Desc}})
			if err != nil || len(tagIDs) != tc.tags {
				t.Fatalf("tag ids %v (%v)", tagIDs, err)
			}
			_, err = s.Tag(c, private.ID)
			if tc.seesTag != (err == nil) {
				t.Fatalf("private tag: %v", err)
			}
			if !tc.seesTag {
				wantCode(t, err, store.NotFound, "-")
			}
			byID, err := s.TagsByIDs(c, []int{f.t, private.ID})
			if err != nil || (len(byID) == 2) != tc.seesTag {
				t.Fatalf("tags by id %+v (%v)", byID, err)
			}
			_, total, err = s.Correspondents(c, store.NameFilter{}, []store.NameOrder{{Field: store.NameOrderDocumentCount}}, store.Page{})
			if err != nil || total != tc.corrTotal {
				t.Fatalf("correspondents %d (%v), want %d", total, err, tc.corrTotal)
			}
			_, err = s.Correspondent(c, shared.ID)
			if tc.seesCorr != (err == nil) {
				t.Fatalf("shared correspondent: %v", err)
			}
			byDoc, err := s.TagsByDocuments(c, []int{f.d2})
			if err != nil {
				t.Fatal(err)
			}
			if tc.who != "dora" && (len(byDoc[f.d2]) == 2) != tc.seesTag {
				t.Fatalf("tags of d2 %+v", byDoc[f.d2])
			}
			st, err := s.Statistics(c)
			if err != nil || st.TagCount != tc.tags || st.CorrespondentCount != tc.corrTotal {
				t.Fatalf("statistics tags %d correspondents %d (%v)", st.TagCount, st.CorrespondentCount, err)
			}
			sd, err := s.SelectionData(c, nil)
			if err != nil || len(sd.Tags) != tc.tags || len(sd.Correspondents) != tc.corrTotal {
				t.Fatalf("selection data %+v (%v)", sd, err)
			}
		})
	}
}

func testPermissionsChangeVersusView(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	bob, dora := f.as("bob"), f.as("dora")
	// bob sees d2 (view grant) but may not change or delete it.
	_, err := s.UpdateDocument(bob, f.d2, store.DocumentUpdate{Title: ptr("mine now")})
	wantCode(t, err, store.Forbidden, "-")
	_, err = s.DeleteDocument(bob, f.d2)
	wantCode(t, err, store.Forbidden, "-")
	wantCode(t, s.MayChange(bob, store.ModelDocument, f.d2), store.Forbidden, "-")
	// dora does not see it at all.
	_, err = s.UpdateDocument(dora, f.d2, store.DocumentUpdate{Title: ptr("x")})
	wantCode(t, err, store.NotFound, "-")
	wantCode(t, s.MayChange(dora, store.ModelDocument, f.d2), store.NotFound, "-")
	wantCode(t, s.MaySee(dora, store.ModelDocument, f.d2), store.NotFound, "-")
	// Bulk edit: one target not changeable refuses all, writing nothing.
	_, err = s.BulkEdit(bob, store.BulkEdit{Method: store.BulkAddTag, DocumentIDs: []int{f.d1, f.d2}, TagID: &f.inbox})
	wantCode(t, err, store.Forbidden, "-")
	_, err = s.BulkEdit(bob, store.BulkEdit{Method: store.BulkSetCorrespondent, DocumentIDs: []int{f.d1, f.d3}})
	wantCode(t, err, store.Forbidden, "-")
	d1, _ := s.Document(ctx, f.d1)
	if d1.CorrespondentID == nil {
		t.Fatal("a refused bulk edit changed d1")
	}
	can, err := s.UserCanChange(bob, store.ModelDocument, []int{f.d1, f.d2, f.d3})
	if err != nil || !can[f.d1] || can[f.d2] {
		t.Fatalf("user can change %v (%v)", can, err)
	}
	if _, ok := can[f.d3]; ok {
		t.Fatalf("user can change lists a hidden document: %v", can)
	}
	// A change grant lets bob change (and so see) it.
	if err := s.SetPermissions(f.as("anna"), store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		Change: &store.HoldersUpdate{Users: &[]int{f.bob}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDocument(bob, f.d2, store.DocumentUpdate{Title: ptr("edited by bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkEdit(bob, store.BulkEdit{Method: store.BulkSetCorrespondent, DocumentIDs: []int{f.d1, f.d2}}); err != nil {
		t.Fatal(err)
	}
	// ... but not give it away: only its owner (or a superuser) may.
	err = s.SetOwner(bob, store.ModelDocument, f.d2, &f.bob)
	wantCode(t, err, store.Forbidden, "-")
	if store.ErrorMessage(err) != "Insufficient permissions." {
		t.Fatalf("message %q", store.ErrorMessage(err))
	}
	// Unowned objects are anyone's to change.
	if _, err := s.UpdateDocument(dora, f.d1, store.DocumentUpdate{Title: ptr("public")}); err != nil {
		t.Fatal(err)
	}
	// Tags follow the same rules.
	tag, err := s.CreateTag(ctx, store.TagInput{Name: ptr("anna's"), OwnerID: &f.anna})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPermissions(ctx, store.ModelTag, []int{tag.ID}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{f.bob}}}); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateTag(bob, tag.ID, store.TagInput{Name: ptr("bob's")})
	wantCode(t, err, store.Forbidden, "-")
	wantCode(t, s.DeleteTag(bob, tag.ID), store.Forbidden, "-")
	wantCode(t, s.DeleteTag(dora, tag.ID), store.NotFound, "-")
	if _, err := s.UpdateTag(f.as("anna"), tag.ID, store.TagInput{Name: ptr("still anna's")}); err != nil {
		t.Fatal(err)
	}
}

func testPermissionsSetSemantics(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	anna := f.as("anna")
	grants := func() store.Grants {
		t.Helper()
		m, err := s.ObjectGrants(ctx, store.ModelDocument, []int{f.d2, f.d3})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m[f.d3]; ok {
			t.Fatalf("d3 has grants: %+v", m[f.d3])
		}
		return m[f.d2]
	}
	g := grants()
	if !slices.Equal(g.View.Users, []int{f.bob}) || !slices.Equal(g.View.Groups, []int{f.accounts}) || len(g.Change.Users)+len(g.Change.Groups) != 0 {
		t.Fatalf("fixture grants %+v", g)
	}
	_, queued, err := s.OutboxHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Only the keys present change: view.users is replaced, view.groups kept.
	if err := s.SetPermissions(anna, store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{f.dora}}}); err != nil {
		t.Fatal(err)
	}
	g = grants()
	if !slices.Equal(g.View.Users, []int{f.dora}) || !slices.Equal(g.View.Groups, []int{f.accounts}) {
		t.Fatalf("after replacing view users: %+v", g)
	}
	if _, n, _ := s.OutboxHead(ctx); n <= queued {
		t.Fatal("a grant change did not queue the document for the search index")
	}
	// Change implies view.
	if err := s.SetPermissions(anna, store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		Change: &store.HoldersUpdate{Users: &[]int{f.carl}, Groups: &[]int{}}}); err != nil {
		t.Fatal(err)
	}
	g = grants()
	if !slices.Equal(g.Change.Users, []int{f.carl}) || !slices.Equal(g.View.Users, sorted([]int{f.dora, f.carl})) {
		t.Fatalf("after granting change: %+v", g)
	}
	// Merge adds; without it an empty list clears.
	if err := s.SetPermissions(anna, store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{f.bob}}, Merge: true}); err != nil {
		t.Fatal(err)
	}
	if g = grants(); !slices.Equal(g.View.Users, sorted([]int{f.dora, f.carl, f.bob})) {
		t.Fatalf("after merging: %+v", g)
	}
	if err := s.SetPermissions(anna, store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{}, Groups: &[]int{}}, Change: &store.HoldersUpdate{Users: &[]int{}}}); err != nil {
		t.Fatal(err)
	}
	if g = grants(); len(g.View.Users)+len(g.View.Groups)+len(g.Change.Users)+len(g.Change.Groups) != 0 {
		t.Fatalf("after clearing: %+v", g)
	}
	// Merge gives an owner only to unowned objects.
	if err := s.SetPermissions(ctx, store.ModelDocument, []int{f.d1, f.d2}, store.PermissionsUpdate{
		SetOwner: true, Owner: &f.bob, Merge: true}); err != nil {
		t.Fatal(err)
	}
	docs, _ := s.DocumentsByIDs(ctx, []int{f.d1, f.d2})
	if *docs[0].OwnerID != f.bob || *docs[1].OwnerID != f.anna {
		t.Fatalf("owners after merge: %v, %v", *docs[0].OwnerID, *docs[1].OwnerID)
	}
	// Owner and superuser may give an object away; a null owner frees it.
	if err := s.SetOwner(anna, store.ModelDocument, f.d2, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOwner(f.as("root"), store.ModelDocument, f.d1, &f.dora); err != nil {
		t.Fatal(err)
	}
	docs, _ = s.DocumentsByIDs(ctx, []int{f.d1, f.d2})
	if docs[0].OwnerID == nil || *docs[0].OwnerID != f.dora || docs[1].OwnerID != nil {
		t.Fatalf("owners: %+v, %+v", docs[0].OwnerID, docs[1].OwnerID)
	}
}

func testErrPermissionsSet(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	anna := f.as("anna")
	before, err := s.ObjectGrants(ctx, store.ModelDocument, []int{f.d2})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		upd   store.PermissionsUpdate
		field string
		msg   string
	}{
		"UnknownUser":  {store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &[]int{f.bob, 9999}}}, "set_permissions", "Some users in don't exist or were specified twice."},
		"UserTwice":    {store.PermissionsUpdate{Change: &store.HoldersUpdate{Users: &[]int{f.bob, f.bob}}}, "set_permissions", "Some users in don't exist or were specified twice."},
		"UnknownGroup": {store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &[]int{f.carl}, Groups: &[]int{9999}}}, "set_permissions", "Some groups in don't exist or were specified twice."},
		"GroupTwice":   {store.PermissionsUpdate{View: &store.HoldersUpdate{Groups: &[]int{f.accounts, f.accounts}}}, "set_permissions", "Some groups in don't exist or were specified twice."},
		"UnknownOwner": {store.PermissionsUpdate{SetOwner: true, Owner: ptr(9999), View: &store.HoldersUpdate{Users: &[]int{}}}, "owner", `Invalid pk "9999" - object does not exist.`},
	} {
		t.Run(name, func(t *testing.T) {
			err := s.SetPermissions(anna, store.ModelDocument, []int{f.d2}, tc.upd)
			wantCode(t, err, store.Validation, tc.field)
			wantFieldMessage(t, err, tc.field, tc.msg)
		})
	}
	// Nothing half-written: a refused change of two documents leaves both.
	err = s.SetPermissions(f.as("bob"), store.ModelDocument, []int{f.d1, f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{}}, SetOwner: true, Owner: &f.bob})
	wantCode(t, err, store.Forbidden, "-")
	err = s.SetPermissions(f.as("dora"), store.ModelDocument, []int{f.d1, f.d2}, store.PermissionsUpdate{SetOwner: true, Owner: &f.dora})
	wantCode(t, err, store.NotFound, "-")
	after, err := s.ObjectGrants(ctx, store.ModelDocument, []int{f.d2})
	if err != nil || !slices.Equal(after[f.d2].View.Users, before[f.d2].View.Users) {
		t.Fatalf("grants changed: %+v -> %+v (%v)", before, after, err)
	}
	d1, _ := s.Document(ctx, f.d1)
	if d1.OwnerID != nil {
		t.Fatalf("d1 got owner %d", *d1.OwnerID)
	}
}

func testNamesUniquePerOwner(t *testing.T, s *store.Store) {
	anna, bob := mustUser(t, s, "anna"), mustUser(t, s, "bob")
	for _, owner := range []*int{nil, &anna, &bob} {
		if _, err := s.CreateTag(ctx, store.TagInput{Name: ptr("Tax"), OwnerID: owner}); err != nil {
			t.Fatalf("tag for owner %v: %v", owner, err)
		}
		if _, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("ACME"), OwnerID: owner}); err != nil {
			t.Fatalf("correspondent for owner %v: %v", owner, err)
		}
		if _, err := s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: ptr("Bill"), OwnerID: owner}); err != nil {
			t.Fatalf("type for owner %v: %v", owner, err)
		}
	}
	for _, owner := range []*int{nil, &anna} {
		_, err := s.CreateTag(ctx, store.TagInput{Name: ptr("TAX"), OwnerID: owner})
		wantCode(t, err, store.Conflict, "name")
		if store.ErrorMessage(err) != store.OwnerNameConflict {
			t.Fatalf("message %q", store.ErrorMessage(err))
		}
		_, err = s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("acme"), OwnerID: owner})
		wantCode(t, err, store.Conflict, "name")
		_, err = s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: ptr("bill"), OwnerID: owner})
		wantCode(t, err, store.Conflict, "name")
	}
	_, err := s.CreateTag(ctx, store.TagInput{Name: ptr("x"), OwnerID: ptr(9999)})
	wantCode(t, err, store.Validation, "owner")
	// Renaming within one owner collides; across owners it does not.
	other, err := s.CreateTag(ctx, store.TagInput{Name: ptr("Other"), OwnerID: &anna})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateTag(ctx, other.ID, store.TagInput{Name: ptr("tax")})
	wantCode(t, err, store.Conflict, "name")
	// Giving it to an owner who has the name is refused by the database.
	free, err := s.CreateTag(ctx, store.TagInput{Name: ptr("Free")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTag(ctx, free.ID, store.TagInput{Name: ptr("Tax ")}); store.ErrorCode(err) != store.Conflict {
		t.Fatalf("rename to an unowned name: %v", err)
	}
	if _, err := s.UpdateTag(ctx, free.ID, store.TagInput{Name: ptr("Other")}); err != nil {
		t.Fatal(err)
	}
	err = s.SetOwner(ctx, store.ModelTag, free.ID, &anna)
	if store.ErrorCode(err) != store.Conflict {
		t.Fatalf("owning a name the owner has: %v", err)
	}
}

func testGrantsGoWithObjects(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	tag, err := s.CreateTag(ctx, store.TagInput{Name: ptr("shared"), OwnerID: &f.anna})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPermissions(ctx, store.ModelTag, []int{tag.ID}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{f.bob, f.dora}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTag(ctx, tag.ID); err != nil {
		t.Fatal(err)
	}
	// A new object must not inherit grants of a deleted one.
	m, err := s.ObjectGrants(ctx, store.ModelTag, []int{tag.ID})
	if err != nil || len(m) != 0 {
		t.Fatalf("grants of a deleted tag: %+v (%v)", m, err)
	}
	// A deleted user's grants go; its documents become unowned and are
	// queued for the search index.
	_, before, _ := s.OutboxHead(ctx)
	if err := s.DeleteUser(ctx, f.bob); err != nil {
		t.Fatal(err)
	}
	m, err = s.ObjectGrants(ctx, store.ModelDocument, []int{f.d2})
	if err != nil || len(m[f.d2].View.Users) != 0 || len(m[f.d2].View.Groups) != 1 {
		t.Fatalf("grants of d2 after deleting bob: %+v (%v)", m, err)
	}
	if _, after, _ := s.OutboxHead(ctx); after <= before {
		t.Fatal("deleting a grantee queued nothing for the search index")
	}
	if err := s.DeleteUser(ctx, f.dora); err != nil {
		t.Fatal(err)
	}
	d4, err := s.Document(ctx, f.d4)
	if err != nil || d4.OwnerID != nil {
		t.Fatalf("d4 after deleting its owner: %+v (%v)", d4, err)
	}
	// A deleted group's grants go, and the documents granted to it are
	// queued so the index drops the group's token.
	_, before, _ = s.OutboxHead(ctx)
	if err := s.DeleteGroup(ctx, f.accounts); err != nil {
		t.Fatal(err)
	}
	m, err = s.ObjectGrants(ctx, store.ModelDocument, []int{f.d2})
	if err != nil || len(m[f.d2].View.Groups) != 0 {
		t.Fatalf("grants of d2 after deleting its group: %+v (%v)", m, err)
	}
	if _, after, _ := s.OutboxHead(ctx); after <= before {
		t.Fatal("deleting a granted group queued nothing for the search index")
	}
}

func testPermissionsSavedViews(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	v, err := s.CreateSavedView(ctx, f.anna, store.SavedViewInput{Name: ptr("Inbox")})
	if err != nil {
		t.Fatal(err)
	}
	carl := f.as("carl")
	_, err = s.SavedView(carl, f.carl, v.ID)
	wantCode(t, err, store.NotFound, "-")
	if err := s.SetPermissions(f.as("anna"), store.ModelSavedView, []int{v.ID}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Groups: &[]int{f.accounts}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavedView(carl, f.carl, v.ID); err != nil {
		t.Fatal(err)
	}
	list, total, err := s.SavedViews(carl, f.carl, store.Page{})
	if err != nil || total != 1 || list[0].ID != v.ID {
		t.Fatalf("carl's views %+v %d (%v)", list, total, err)
	}
	idsOf, err := s.SavedViewIDs(carl, f.carl)
	if err != nil || !slices.Equal(idsOf, []int{v.ID}) {
		t.Fatalf("carl's view ids %v (%v)", idsOf, err)
	}
	_, err = s.UpdateSavedView(carl, f.carl, v.ID, store.SavedViewInput{Name: ptr("mine")})
	wantCode(t, err, store.Forbidden, "-")
	wantCode(t, s.DeleteSavedView(carl, f.carl, v.ID), store.Forbidden, "-")
	wantCode(t, s.DeleteSavedView(f.as("bob"), f.bob, v.ID), store.NotFound, "-")
	if _, total, _ := s.SavedViews(f.as("bob"), f.bob, store.Page{}); total != 0 {
		t.Fatalf("bob sees %d views", total)
	}
	if err := s.SetPermissions(f.as("anna"), store.ModelSavedView, []int{v.ID}, store.PermissionsUpdate{
		Change: &store.HoldersUpdate{Users: &[]int{f.carl}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSavedView(carl, f.carl, v.ID, store.SavedViewInput{Name: ptr("shared inbox")}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSavedView(carl, f.carl, v.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.ObjectGrants(ctx, store.ModelSavedView, []int{v.ID})
	if err != nil || len(m) != 0 {
		t.Fatalf("grants of a deleted view: %+v (%v)", m, err)
	}
}

func testPermissionsOwnerFilters(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	for name, tc := range map[string]struct {
		flt  store.DocumentFilter
		want []int
	}{
		"OwnerIs":      {store.DocumentFilter{Owner: &store.IDFilter{Exact: &f.anna}}, []int{f.d2, f.d3}},
		"OwnerIn":      {store.DocumentFilter{Owner: &store.IDFilter{In: []int{f.anna, f.dora}}}, []int{f.d2, f.d3, f.d4}},
		"OwnerNone":    {store.DocumentFilter{Owner: &store.IDFilter{None: []int{f.anna}}}, []int{f.d1, f.d4}},
		"OwnerIsnull":  {store.DocumentFilter{Owner: &store.IDFilter{Isnull: ptr(true)}}, []int{f.d1}},
		"OwnerNotNull": {store.DocumentFilter{Owner: &store.IDFilter{Isnull: ptr(false)}}, []int{f.d2, f.d3, f.d4}},
		"SharedBy":     {store.DocumentFilter{SharedBy: &f.anna}, []int{f.d2}},
		"SharedByNone": {store.DocumentFilter{SharedBy: &f.dora}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			docs, total, err := s.Documents(ctx, tc.flt, nil, store.Page{})
			if err != nil || total != len(tc.want) || !slices.Equal(sorted(ids(docs)), tc.want) {
				t.Fatalf("%v %d (%v), want %v", ids(docs), total, err, tc.want)
			}
		})
	}
}

// The lists a restricted principal gets from the caches follow every
// change of owners and grants, and new documents.
func testPermissionsListsFollowChanges(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	bob := f.as("bob")
	check := func(step string, want ...int) {
		t.Helper()
		for _, flt := range []store.DocumentFilter{{}, {Tags: &store.TagsFilter{All: []int{f.t}}}} {
			for range 2 {
				docs, total, err := s.Documents(bob, flt, nil, store.Page{})
				if err != nil || total != len(want) || !slices.Equal(sorted(ids(docs)), sorted(want)) {
					t.Fatalf("%s: %v of %d (%v), want %v", step, ids(docs), total, err, want)
				}
				all, err := s.DocumentIDs(bob, flt, nil)
				if err != nil || !slices.Equal(sorted(all), sorted(want)) {
					t.Fatalf("%s: ids %v (%v), want %v", step, all, err, want)
				}
			}
		}
		// every document listed carries t
		for range 2 {
			tc, err := s.TagDocumentCounts(bob, []int{f.t})
			if err != nil || tc[f.t] != len(want) {
				t.Fatalf("%s: tag count %v (%v), want %d", step, tc, err, len(want))
			}
		}
	}
	check("start", f.d1, f.d2)
	if err := s.SetPermissions(f.as("anna"), store.ModelDocument, []int{f.d3}, store.PermissionsUpdate{
		Change: &store.HoldersUpdate{Users: &[]int{f.bob}}}); err != nil {
		t.Fatal(err)
	}
	check("granted d3", f.d1, f.d2, f.d3)
	if err := s.SetPermissions(f.as("anna"), store.ModelDocument, []int{f.d2}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{}}}); err != nil {
		t.Fatal(err)
	}
	check("revoked d2", f.d1, f.d3)
	if err := s.SetOwner(ctx, store.ModelDocument, f.d1, &f.dora); err != nil {
		t.Fatal(err)
	}
	check("d1 owned by dora", f.d3)
	d5 := mustDocument(t, s, doc{title: "d5", tags: []int{f.t}})
	check("new unowned d5", f.d3, d5.ID)
	d6 := &store.Document{Title: "d6", MimeType: "application/pdf", Checksum: "d6", OriginalFilename: "d6.pdf", OwnerID: &f.dora}
	if err := s.CreateDocument(ctx, d6, []int{f.t}); err != nil {
		t.Fatal(err)
	}
	check("new d6 of dora's", f.d3, d5.ID)
	for _, m := range []store.BulkEditMethod{store.BulkRemoveTag, store.BulkAddTag} {
		// a hidden document's tags change: what bob sees (and counts) does not
		if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: m, DocumentIDs: []int{d6.ID}, TagID: &f.t}); err != nil {
			t.Fatal(err)
		}
		check("d6 retagged", f.d3, d5.ID)
	}
	if err := s.DeleteUser(ctx, f.dora); err != nil {
		t.Fatal(err)
	}
	check("dora deleted", f.d1, f.d3, f.d4, d5.ID, d6.ID)
	if _, err := s.BulkEdit(ctx, store.BulkEdit{Method: store.BulkRemoveTag, DocumentIDs: []int{f.d3}, TagID: &f.t}); err != nil {
		t.Fatal(err)
	}
	docs, total, err := s.Documents(bob, store.DocumentFilter{Tags: &store.TagsFilter{All: []int{f.t}}}, nil, store.Page{})
	if err != nil || total != 4 || slices.Contains(ids(docs), f.d3) {
		t.Fatalf("untagged d3: %v of %d (%v)", ids(docs), total, err)
	}
}

// A document's change of owner is in its history, with who made it.
func testPermissionsOwnerHistory(t *testing.T, s *store.Store) {
	f := newPermFixture(t, s)
	if err := s.SetOwner(f.as("anna"), store.ModelDocument, f.d2, &f.dora); err != nil {
		t.Fatal(err)
	}
	h, err := s.DocumentHistory(ctx, f.d2)
	if err != nil || len(h) == 0 {
		t.Fatalf("history %v (%v)", h, err)
	}
	last := h[0] // newest first
	cs, err := last.Changes()
	if err != nil {
		t.Fatal(err)
	}
	if last.ActorID == nil || *last.ActorID != f.anna || len(cs) != 1 || cs[0].Field != "owner" ||
		cs[0].Old == nil || *cs[0].Old != fmt.Sprint(f.anna) || cs[0].New == nil || *cs[0].New != fmt.Sprint(f.dora) {
		t.Fatalf("newest entry %+v with changes %+v, want anna's owner change %d → %d", last, cs, f.anna, f.dora)
	}
	// Setting the same owner again records nothing.
	n := len(h)
	if err := s.SetOwner(ctx, store.ModelDocument, f.d2, &f.dora); err != nil {
		t.Fatal(err)
	}
	if h, _ = s.DocumentHistory(ctx, f.d2); len(h) != n {
		t.Fatalf("an unchanged owner was recorded: %d entries, want %d", len(h), n)
	}
}
