package storetest

import (
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

func testCorrespondentCRUD(t *testing.T, s *store.Store) {
	c, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("  ACME GmbH "), Match: ptr("ACME Invoice")})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Name != "ACME GmbH" || c.Slug != "acme-gmbh" || c.Match != "ACME Invoice" ||
		c.MatchingAlgorithm != store.MatchAny || !c.IsInsensitive {
		t.Fatalf("created %+v", c)
	}
	got, err := s.Correspondent(ctx, c.ID)
	if err != nil || got.Name != "ACME GmbH" || got.NameKey != "acme gmbh" || got.Match != "ACME Invoice" {
		t.Fatalf("read %+v, %v", got, err)
	}
	u, err := s.UpdateCorrespondent(ctx, c.ID, store.CorrespondentInput{
		Name: ptr("Bank & Co. KG"), MatchingAlgorithm: ptr(store.MatchRegex), IsInsensitive: ptr(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Bank & Co. KG" || u.Slug != "bank-co-kg" || u.Match != "ACME Invoice" || u.MatchingAlgorithm != store.MatchRegex || u.IsInsensitive {
		t.Fatalf("updated %+v", u)
	}
	got, _ = s.Correspondent(ctx, c.ID)
	if got.Name != "Bank & Co. KG" || got.MatchingAlgorithm != store.MatchRegex {
		t.Fatalf("re-read %+v", got)
	}
	byIDs, err := s.CorrespondentsByIDs(ctx, []int{c.ID, 999, c.ID})
	if err != nil || len(byIDs) != 1 || byIDs[0].ID != c.ID {
		t.Fatalf("by ids %+v %v", byIDs, err)
	}
	if err := s.DeleteCorrespondent(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Correspondent(ctx, c.ID)
	wantCode(t, err, store.NotFound, "-")
	wantCode(t, s.DeleteCorrespondent(ctx, c.ID), store.NotFound, "-")
}

func testDocumentTypeCRUD(t *testing.T, s *store.Store) {
	d, err := s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: ptr("Invoice"), MatchingAlgorithm: ptr(store.MatchAll)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Slug != "invoice" || d.MatchingAlgorithm != store.MatchAll || !d.IsInsensitive {
		t.Fatalf("created %+v", d)
	}
	u, err := s.UpdateDocumentType(ctx, d.ID, store.DocumentTypeInput{Match: ptr("Rechnung")})
	if err != nil || u.Name != "Invoice" || u.Match != "Rechnung" {
		t.Fatalf("updated %+v %v", u, err)
	}
	list, total, err := s.DocumentTypes(ctx, store.NameFilter{}, nil, store.Page{})
	if err != nil || total != 1 || list[0].Match != "Rechnung" {
		t.Fatalf("list %+v %d %v", list, total, err)
	}
	byIDs, err := s.DocumentTypesByIDs(ctx, []int{d.ID})
	if err != nil || len(byIDs) != 1 {
		t.Fatalf("by ids %+v %v", byIDs, err)
	}
	if err := s.DeleteDocumentType(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.DocumentType(ctx, d.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.UpdateDocumentType(ctx, d.ID, store.DocumentTypeInput{Name: ptr("x")})
	wantCode(t, err, store.NotFound, "-")
}

func testTagCRUD(t *testing.T, s *store.Store) {
	tg, err := s.CreateTag(ctx, store.TagInput{Name: ptr("Inbox"), IsInboxTag: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Color != "#a6cee3" || !tg.IsInboxTag || tg.MatchingAlgorithm != store.MatchAny || !tg.IsInsensitive {
		t.Fatalf("created %+v", tg)
	}
	u, err := s.UpdateTag(ctx, tg.ID, store.TagInput{Color: ptr("#b2df8a"), IsInboxTag: ptr(false)})
	if err != nil || u.Color != "#b2df8a" || u.IsInboxTag || u.Name != "Inbox" {
		t.Fatalf("updated %+v %v", u, err)
	}
	got, err := s.Tag(ctx, tg.ID)
	if err != nil || got.Color != "#b2df8a" || got.IsInboxTag {
		t.Fatalf("read %+v %v", got, err)
	}
	inbox, err := s.InboxTagIDs(ctx)
	if err != nil || len(inbox) != 0 {
		t.Fatalf("inbox tags %v %v", inbox, err)
	}
	byIDs, err := s.TagsByIDs(ctx, nil)
	if err != nil || len(byIDs) != 0 {
		t.Fatalf("by no ids %+v %v", byIDs, err)
	}
	if err := s.DeleteTag(ctx, tg.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Tag(ctx, tg.ID)
	wantCode(t, err, store.NotFound, "-")
}

func testErrNameRequired(t *testing.T, s *store.Store) {
	_, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{})
	wantCode(t, err, store.Validation, "name")
	wantFieldMessage(t, err, "name", "This field may not be blank.")
	_, err = s.CreateTag(ctx, store.TagInput{Name: ptr("   ")})
	wantCode(t, err, store.Validation, "name")
	_, err = s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: ptr("")})
	wantCode(t, err, store.Validation, "name")
	c := mustCorrespondent(t, s, "A")
	_, err = s.UpdateCorrespondent(ctx, c.ID, store.CorrespondentInput{Name: ptr("")})
	wantCode(t, err, store.Validation, "name")
}

func testErrNameTaken(t *testing.T, s *store.Store) {
	mustCorrespondent(t, s, "Ärger AG")
	_, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptr("ÄRGER ag")})
	wantCode(t, err, store.Conflict, "name")
	wantFieldMessage(t, err, "name", "correspondent with this name already exists.")

	mustTag(t, s, "Bank", false)
	_, err = s.CreateTag(ctx, store.TagInput{Name: ptr("bank")})
	wantCode(t, err, store.Conflict, "name")
	wantFieldMessage(t, err, "name", "tag with this name already exists.")

	mustType(t, s, "Letter")
	dt := mustType(t, s, "Invoice")
	_, err = s.UpdateDocumentType(ctx, dt.ID, store.DocumentTypeInput{Name: ptr("LETTER")})
	wantCode(t, err, store.Conflict, "name")
	wantFieldMessage(t, err, "name", "document type with this name already exists.")
	// Renaming to itself in another case is fine.
	if _, err := s.UpdateDocumentType(ctx, dt.ID, store.DocumentTypeInput{Name: ptr("INVOICE")}); err != nil {
		t.Fatal(err)
	}
	// The same name in another kind is fine.
	mustTag(t, s, "Letter", false)
}

func testNotFound(t *testing.T, s *store.Store) {
	for name, err := range map[string]error{
		"correspondent": func() error { _, err := s.Correspondent(ctx, 42); return err }(),
		"type":          func() error { _, err := s.DocumentType(ctx, 42); return err }(),
		"tag":           func() error { _, err := s.Tag(ctx, 42); return err }(),
		"document":      func() error { _, err := s.Document(ctx, 42); return err }(),
		"delete doc":    func() error { _, err := s.DeleteDocument(ctx, 42); return err }(),
		"update doc":    func() error { _, err := s.UpdateDocument(ctx, 42, store.DocumentUpdate{}); return err }(),
		"update tag":    func() error { _, err := s.UpdateTag(ctx, 42, store.TagInput{}); return err }(),
		"delete type":   s.DeleteDocumentType(ctx, 42),
		"delete tag":    s.DeleteTag(ctx, 42),
		"log":           func() error { _, err := s.LogEntry(ctx, 42); return err }(),
	} {
		if store.ErrorCode(err) != store.NotFound {
			t.Errorf("%s: got %v, want NOT_FOUND", name, err)
		}
	}
}

func testSlug(t *testing.T, s *store.Store) {
	for in, want := range map[string]string{
		"Bank & Co. KG":   "bank-co-kg",
		"Übersicht Größe": "ubersicht-groe",
		"  a -- b  c ":    "a-b-c",
		"snake_case":      "snake_case",
		"-lead":           "-lead",
		"ﬁle №5":          "file-no5",
		"日本":              "",
		"Tab\tSeparated":  "tab-separated",
		"Ärger":           "arger",
		"x/y\\z":          "xyz",
		"MiXeD 123":       "mixed-123",
	} {
		if got := store.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	c := mustCorrespondent(t, s, "Über Uns")
	if c.Slug != "uber-uns" {
		t.Errorf("stored slug %q", c.Slug)
	}
}

func testNameFilters(t *testing.T, s *store.Store) {
	a := mustTag(t, s, "Alpha Bank", false)
	b := mustTag(t, s, "bank", false)
	c := mustTag(t, s, "Ärger", false)
	tagIDs := func(f store.NameFilter) []int {
		t.Helper()
		tags, total, err := s.Tags(ctx, f, nil, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(tags) {
			t.Fatalf("total %d for %d tags", total, len(tags))
		}
		var out []int
		for _, tg := range tags {
			out = append(out, tg.ID)
		}
		return out
	}
	wantSet(t, "icontains BANK", tagIDs(store.NameFilter{Name: &store.TextFilter{Icontains: ptr("BANK")}}), a.ID, b.ID)
	wantSet(t, "istartswith ba", tagIDs(store.NameFilter{Name: &store.TextFilter{Istartswith: ptr("ba")}}), b.ID)
	wantSet(t, "iendswith NK", tagIDs(store.NameFilter{Name: &store.TextFilter{Iendswith: ptr("NK")}}), a.ID, b.ID)
	wantSet(t, "iexact BANK", tagIDs(store.NameFilter{Name: &store.TextFilter{Iexact: ptr("BANK")}}), b.ID)
	wantSet(t, "iexact ärger", tagIDs(store.NameFilter{Name: &store.TextFilter{Iexact: ptr("ÄRGER")}}), c.ID)
	wantSet(t, "empty lookup ignored", tagIDs(store.NameFilter{Name: &store.TextFilter{Icontains: ptr("")}}), a.ID, b.ID, c.ID)
	wantSet(t, "ids", tagIDs(store.NameFilter{IDs: []int{a.ID, c.ID}}), a.ID, c.ID)
	wantSet(t, "ids and name", tagIDs(store.NameFilter{IDs: []int{a.ID, c.ID}, Name: &store.TextFilter{Icontains: ptr("bank")}}), a.ID)
	wantSet(t, "no match", tagIDs(store.NameFilter{Name: &store.TextFilter{Icontains: ptr("zzz")}}))
	cs, total, err := s.Correspondents(ctx, store.NameFilter{Name: &store.TextFilter{Icontains: ptr("x")}}, nil, store.Page{})
	if err != nil || total != 0 || len(cs) != 0 {
		t.Errorf("empty correspondents: %v %d %v", cs, total, err)
	}
}

func testNameOrdering(t *testing.T, s *store.Store) {
	b := mustCorrespondent(t, s, "beta")
	a := mustCorrespondent(t, s, "Alpha")
	z := mustCorrespondent(t, s, "Zeta")
	u := mustCorrespondent(t, s, "Ärger") // folds to "ärger", after z in code point order
	mustDocument(t, s, doc{title: "1", corr: &z.ID, created: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	mustDocument(t, s, doc{title: "2", corr: &z.ID, created: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)})
	mustDocument(t, s, doc{title: "3", corr: &b.ID, created: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)})
	order := func(o ...store.NameOrder) []int {
		t.Helper()
		cs, _, err := s.Correspondents(ctx, store.NameFilter{}, o, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	wantList(t, "default (name)", order(), a.ID, b.ID, z.ID, u.ID)
	wantList(t, "-name", order(store.NameOrder{Field: store.NameOrderName, Direction: store.Desc}), u.ID, z.ID, b.ID, a.ID)
	// Ties (count 0 for a and u) are broken by id ascending.
	wantList(t, "document count desc", order(store.NameOrder{Field: store.NameOrderDocumentCount, Direction: store.Desc}), z.ID, b.ID, a.ID, u.ID)
	wantList(t, "document count asc", order(store.NameOrder{Field: store.NameOrderDocumentCount, Direction: store.Asc}), a.ID, u.ID, b.ID, z.ID)
	wantList(t, "last correspondence asc (nulls first)", order(store.NameOrder{Field: store.NameOrderLastCorrespondence, Direction: store.Asc}), a.ID, u.ID, b.ID, z.ID)
	wantList(t, "last correspondence desc (nulls last)", order(store.NameOrder{Field: store.NameOrderLastCorrespondence, Direction: store.Desc}), z.ID, b.ID, a.ID, u.ID)
	wantList(t, "id desc", order(store.NameOrder{Field: store.NameOrderID, Direction: store.Desc}), u.ID, z.ID, a.ID, b.ID)
	wantList(t, "algorithm then name desc", order(store.NameOrder{Field: store.NameOrderMatchingAlgorithm}, store.NameOrder{Field: store.NameOrderName, Direction: store.Desc}), u.ID, z.ID, b.ID, a.ID)
	if _, err := s.UpdateCorrespondent(ctx, a.ID, store.CorrespondentInput{Match: ptr("b")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCorrespondent(ctx, z.ID, store.CorrespondentInput{Match: ptr("B")}); err != nil {
		t.Fatal(err)
	}
	// match orders by code point: "" < "B" < "b".
	wantList(t, "match", order(store.NameOrder{Field: store.NameOrderMatch}), b.ID, u.ID, z.ID, a.ID)
	_, _, err := s.Correspondents(ctx, store.NameFilter{}, []store.NameOrder{{Field: "COLOUR"}}, store.Page{})
	wantCode(t, err, store.Validation, "-")
	_, _, err = s.Correspondents(ctx, store.NameFilter{}, []store.NameOrder{{Field: store.NameOrderName, Direction: "UP"}}, store.Page{})
	wantCode(t, err, store.Validation, "-")

	t1 := mustTag(t, s, "b tag", false)
	t2 := mustTag(t, s, "A tag", false)
	tags, _, err := s.Tags(ctx, store.NameFilter{}, nil, store.Page{})
	if err != nil || len(tags) != 2 || tags[0].ID != t2.ID || tags[1].ID != t1.ID {
		t.Errorf("tags by name: %+v %v", tags, err)
	}
}

func testErrLastCorrespondenceOrder(t *testing.T, s *store.Store) {
	o := []store.NameOrder{{Field: store.NameOrderLastCorrespondence}}
	_, _, err := s.Tags(ctx, store.NameFilter{}, o, store.Page{})
	wantCode(t, err, store.Validation, "-")
	_, _, err = s.DocumentTypes(ctx, store.NameFilter{}, o, store.Page{})
	wantCode(t, err, store.Validation, "-")
}

func testDocumentCounts(t *testing.T, s *store.Store) {
	c1 := mustCorrespondent(t, s, "c1")
	c2 := mustCorrespondent(t, s, "c2")
	ty := mustType(t, s, "ty")
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	newest := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	mustDocument(t, s, doc{title: "a", corr: &c1.ID, typ: &ty.ID, tags: []int{t1.ID, t2.ID}, created: newest})
	mustDocument(t, s, doc{title: "b", corr: &c1.ID, tags: []int{t1.ID}, created: newest.AddDate(-1, 0, 0)})
	mustDocument(t, s, doc{title: "c"})
	cc, err := s.CorrespondentDocumentCounts(ctx, []int{c1.ID, c2.ID})
	if err != nil || cc[c1.ID] != 2 || cc[c2.ID] != 0 {
		t.Errorf("correspondent counts %v %v", cc, err)
	}
	tc, err := s.DocumentTypeDocumentCounts(ctx, []int{ty.ID})
	if err != nil || tc[ty.ID] != 1 {
		t.Errorf("type counts %v %v", tc, err)
	}
	gc, err := s.TagDocumentCounts(ctx, []int{t1.ID, t2.ID})
	if err != nil || gc[t1.ID] != 2 || gc[t2.ID] != 1 {
		t.Errorf("tag counts %v %v", gc, err)
	}
	last, err := s.LastCorrespondences(ctx, []int{c1.ID, c2.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := last[c1.ID]; !ok || !got.Equal(newest) {
		t.Errorf("last correspondence of c1: %v (present %v), want %v", got, ok, newest)
	}
	if _, ok := last[c2.ID]; ok {
		t.Errorf("c2 has no documents but a last correspondence")
	}
	empty, err := s.TagDocumentCounts(ctx, nil)
	if err != nil || len(empty) != 0 {
		t.Errorf("no ids: %v %v", empty, err)
	}
}

func testDeleteCorrespondent(t *testing.T, s *store.Store) {
	c := mustCorrespondent(t, s, "c")
	d := mustDocument(t, s, doc{title: "d", corr: &c.ID})
	if err := s.DeleteCorrespondent(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Document(ctx, d.ID)
	if err != nil || got.CorrespondentID != nil {
		t.Fatalf("document after delete: %+v %v", got, err)
	}
}

func testDeleteDocumentType(t *testing.T, s *store.Store) {
	ty := mustType(t, s, "ty")
	d := mustDocument(t, s, doc{title: "d", typ: &ty.ID})
	if err := s.DeleteDocumentType(ctx, ty.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Document(ctx, d.ID)
	if err != nil || got.DocumentTypeID != nil {
		t.Fatalf("document after delete: %+v %v", got, err)
	}
}

func testDeleteTag(t *testing.T, s *store.Store) {
	t1 := mustTag(t, s, "t1", false)
	t2 := mustTag(t, s, "t2", false)
	d := mustDocument(t, s, doc{title: "d", tags: []int{t1.ID, t2.ID}})
	if err := s.DeleteTag(ctx, t1.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.TagIDsByDocuments(ctx, []int{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "tags after delete", m[d.ID], t2.ID)
	if _, err := s.Document(ctx, d.ID); err != nil {
		t.Fatalf("document gone with its tag: %v", err)
	}
}
