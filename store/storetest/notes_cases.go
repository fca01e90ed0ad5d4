package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// The notes and history cases join the suite.
func init() {
	tests = append(tests,
		test{"NotesAddListDelete", testNotes},
		test{"NotesFollowDocumentAccess", testNotesAccess},
		test{"ErrNoteBlank", testErrNoteBlank},
		test{"NotesGoWithTheirDocument", testNotesCascade},
		test{"HistoryRecordsCreateUpdateDelete", testHistory},
		test{"HistoryReadRule", testHistoryAccess},
		test{"DocumentOrderingByNumNotes", testOrderNumNotes},
		test{"HistoryRecordsBulkEdits", testHistoryBulk},
		test{"HistoryNamesAddedAncestors", testHistoryAncestors},
		test{"HistoryRecordsCustomFieldValues", testHistoryCustomFields},
	)
}

// as returns ctx acting for a non-superuser with the given global permissions.
func as(userID int, perms ...string) context.Context {
	p := &store.Principal{UserID: userID, Perms: map[string]bool{}}
	for _, c := range perms {
		p.Perms[c] = true
	}
	return store.WithPrincipal(ctx, p)
}

func testNotes(t *testing.T, s *store.Store) {
	anna := mustUser(t, s, "anna")
	d := mustDocument(t, s, doc{title: "bill"})
	other := mustDocument(t, s, doc{title: "other"})
	before := d.Modified
	n1, err := s.AddNote(ctx, d.ID, &anna, "Paid 2025-03-20")
	if err != nil {
		t.Fatal(err)
	}
	n2, err := s.AddNote(ctx, d.ID, nil, "second")
	if err != nil {
		t.Fatal(err)
	}
	if n1.UserID == nil || *n1.UserID != anna || n1.Created.IsZero() || n1.DocumentID != d.ID {
		t.Errorf("note %+v", n1)
	}
	notes, err := s.DocumentNotes(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].ID != n1.ID || notes[1].ID != n2.ID || notes[0].Note != "Paid 2025-03-20" {
		t.Errorf("notes oldest first: %+v", notes)
	}
	counts, err := s.NoteCounts(ctx, []int{d.ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if counts[d.ID] != 2 || counts[other.ID] != 0 {
		t.Errorf("counts %v", counts)
	}
	got, _ := s.Document(ctx, d.ID)
	if !got.Modified.After(before) && !got.Modified.Equal(s.Now()) {
		t.Errorf("modified not bumped: %v → %v", before, got.Modified)
	}
	// a note of another document is not found there
	wantCode(t, s.DeleteNote(ctx, other.ID, n1.ID), store.NotFound, "-")
	if err := s.DeleteNote(ctx, d.ID, n1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteNote(ctx, d.ID, n1.ID), store.NotFound, "-")
	byDoc, err := s.NotesByDocuments(ctx, []int{d.ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(byDoc[d.ID]) != 1 || byDoc[d.ID][0].ID != n2.ID || len(byDoc[other.ID]) != 0 {
		t.Errorf("notes by documents %+v", byDoc)
	}
	// a note change queues the document for the search index
	var queued bool
	batch, err := s.OutboxBatch(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range batch {
		queued = queued || e.DocumentID == d.ID
	}
	if !queued {
		t.Error("document not queued for the index after a note change")
	}
	withAuthors, by, err := s.NotesWithAuthors(ctx, []int{d.ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(withAuthors[d.ID]) != 1 || withAuthors[d.ID][0].ID != n2.ID || len(by) != 0 {
		t.Errorf("notes with authors (the remaining one has none): %+v %+v", withAuthors, by)
	}
	if _, err := s.AddNote(ctx, other.ID, &anna, "by anna"); err != nil {
		t.Fatal(err)
	}
	if _, by, err = s.NotesWithAuthors(ctx, []int{d.ID, other.ID}); err != nil || by[anna].Username != "anna" || len(by) != 1 {
		t.Errorf("authors %+v %v", by, err)
	}
	authors, err := s.UserSummaries(ctx, []int{anna, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if len(authors) != 1 || authors[anna].Username != "anna" {
		t.Errorf("authors %+v", authors)
	}
	wantCode(t, func() error { _, err := s.DocumentNotes(ctx, 9999); return err }(), store.NotFound, "-")
	wantCode(t, func() error { _, err := s.AddNote(ctx, 9999, nil, "x"); return err }(), store.NotFound, "-")
}

func testNotesAccess(t *testing.T, s *store.Store) {
	anna, ben := mustUser(t, s, "anna"), mustUser(t, s, "ben")
	d := mustDocument(t, s, doc{title: "anna's"})
	shared := mustDocument(t, s, doc{title: "shared with ben to view"})
	for _, id := range []int{d.ID, shared.ID} {
		if err := s.SetOwner(ctx, store.ModelDocument, id, &anna); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPermissions(ctx, store.ModelDocument, []int{shared.ID}, store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: &[]int{ben}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(as(anna), d.ID, &anna, "mine"); err != nil {
		t.Fatalf("owner adds a note: %v", err)
	}
	_, err := s.DocumentNotes(as(ben), d.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.AddNote(as(ben), d.ID, &ben, "x")
	wantCode(t, err, store.NotFound, "-")
	notes, err := s.DocumentNotes(as(ben), shared.ID)
	if err != nil || len(notes) != 0 {
		t.Fatalf("granted view: %v %v", notes, err)
	}
	_, err = s.AddNote(as(ben), shared.ID, &ben, "x")
	wantCode(t, err, store.Forbidden, "-")
	n, err := s.AddNote(as(anna), shared.ID, &anna, "y")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteNote(as(ben), shared.ID, n.ID), store.Forbidden, "-")
	wantCode(t, s.DeleteNote(as(ben), d.ID, 1), store.NotFound, "-")
}

func testErrNoteBlank(t *testing.T, s *store.Store) {
	d := mustDocument(t, s, doc{title: "x"})
	for _, text := range []string{"", "  \n"} {
		_, err := s.AddNote(ctx, d.ID, nil, text)
		wantCode(t, err, store.Validation, "note")
	}
}

func testNotesCascade(t *testing.T, s *store.Store) {
	anna := mustUser(t, s, "anna")
	d := mustDocument(t, s, doc{title: "x"})
	if _, err := s.AddNote(ctx, d.ID, &anna, "n"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, anna); err != nil {
		t.Fatal(err)
	}
	notes, err := s.NotesByDocuments(ctx, []int{d.ID})
	if err != nil || len(notes[d.ID]) != 1 || notes[d.ID][0].UserID != nil {
		t.Fatalf("a deleted author leaves the note without one: %+v %v", notes, err)
	}
	if _, err := s.DeleteDocuments(ctx, []int{d.ID}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.NoteCounts(ctx, []int{d.ID})
	if err != nil || counts[d.ID] != 0 {
		t.Fatalf("notes outlive their document: %v %v", counts, err)
	}
}

// changes decodes an entry's changes by field.
func changes(t *testing.T, e store.HistoryEntry) map[string]store.HistoryChange {
	t.Helper()
	cs, err := e.Changes()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.HistoryChange{}
	for _, c := range cs {
		out[c.Field] = c
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func testHistory(t *testing.T, s *store.Store) {
	anna := mustUser(t, s, "anna")
	c := mustCorrespondent(t, s, "Power Co")
	red, blue := mustTag(t, s, "red", false), mustTag(t, s, "blue", false)
	d := mustDocument(t, s, doc{title: "First title", tags: []int{red.ID}, created: time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)})
	actx := store.WithPrincipal(ctx, &store.Principal{UserID: anna, Superuser: true})
	if _, err := s.UpdateDocument(actx, d.ID, store.DocumentUpdate{Title: ptr("New title"),
		CorrespondentID: graphql.OmittableOf(&c.ID), TagIDs: graphql.OmittableOf([]int{blue.ID})}); err != nil {
		t.Fatal(err)
	}
	// an update that changes nothing writes nothing
	if _, err := s.UpdateDocument(actx, d.ID, store.DocumentUpdate{Title: ptr("New title")}); err != nil {
		t.Fatal(err)
	}
	n, err := s.AddNote(actx, d.ID, &anna, "hello")
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.DocumentHistory(actx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// newest first: note added, tags delete, tags add, fields, create
	if len(h) != 5 {
		t.Fatalf("history has %d entries: %+v", len(h), h)
	}
	create := h[4]
	if create.Action != store.HistoryCreate || create.ActorID != nil {
		t.Errorf("create entry %+v", create)
	}
	cc := changes(t, create)
	if str(cc["title"].New) != "First title" || cc["title"].Old != nil || str(cc["created"].New) != "2025-03-14" {
		t.Errorf("create changes %s", create.ChangesJSON)
	}
	if tg := cc["tags"]; str(tg.Operation) != "add" || len(tg.Objects) != 1 || tg.Objects[0] != "red" {
		t.Errorf("create tags %s", create.ChangesJSON)
	}
	if _, ok := cc["content"]; ok {
		t.Errorf("create keeps the content: %s", create.ChangesJSON)
	}
	upd := h[3]
	if upd.Action != store.HistoryUpdate || upd.ActorID == nil || *upd.ActorID != anna {
		t.Errorf("update entry %+v", upd)
	}
	uc := changes(t, upd)
	if str(uc["title"].Old) != "First title" || str(uc["title"].New) != "New title" ||
		uc["correspondent"].Old != nil || str(uc["correspondent"].New) != strconv.Itoa(c.ID) || len(uc) != 2 {
		t.Errorf("update changes %s", upd.ChangesJSON)
	}
	if tg := changes(t, h[2])["tags"]; str(tg.Operation) != "add" || len(tg.Objects) != 1 || tg.Objects[0] != "blue" {
		t.Errorf("tags added %s", h[2].ChangesJSON)
	}
	if tg := changes(t, h[1])["tags"]; str(tg.Operation) != "delete" || len(tg.Objects) != 1 || tg.Objects[0] != "red" {
		t.Errorf("tags removed %s", h[1].ChangesJSON)
	}
	if h[0].ChangesJSON != `{"Note Added":["None","`+strconv.Itoa(n.ID)+`"]}` {
		t.Errorf("note entry %s", h[0].ChangesJSON)
	}
	if _, err := s.DeleteDocuments(actx, []int{d.ID}); err != nil {
		t.Fatal(err)
	}
	m, err := s.HistoryByDocuments(ctx, []int{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(m[d.ID]) != 6 || m[d.ID][0].Action != store.HistoryDelete || str(changes(t, m[d.ID][0])["title"].Old) != "New title" {
		t.Errorf("the deletion is recorded and outlives the document: %+v", m[d.ID])
	}
}

func testHistoryAccess(t *testing.T, s *store.Store) {
	anna, ben := mustUser(t, s, "anna"), mustUser(t, s, "ben")
	mine := mustDocument(t, s, doc{title: "anna's"})
	shared := mustDocument(t, s, doc{title: "shared"})
	unowned := mustDocument(t, s, doc{title: "unowned"})
	for _, id := range []int{mine.ID, shared.ID} {
		if err := s.SetOwner(ctx, store.ModelDocument, id, &anna); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPermissions(ctx, store.ModelDocument, []int{shared.ID}, store.PermissionsUpdate{
		Change: &store.HoldersUpdate{Users: &[]int{ben}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DocumentHistory(as(anna, "view_logentry"), mine.ID); err != nil {
		t.Errorf("owner: %v", err)
	}
	_, err := s.DocumentHistory(as(anna), mine.ID)
	wantCode(t, err, store.Forbidden, "-")
	_, err = s.DocumentHistory(as(ben, "view_logentry"), mine.ID)
	wantCode(t, err, store.NotFound, "-")
	_, err = s.DocumentHistory(as(ben, "view_logentry"), shared.ID)
	wantCode(t, err, store.Forbidden, "-")
	if _, err := s.DocumentHistory(as(ben, "view_logentry"), unowned.ID); err != nil {
		t.Errorf("unowned: %v", err)
	}
	if _, err := s.DocumentHistory(store.WithPrincipal(ctx, &store.Principal{UserID: ben, Superuser: true}), mine.ID); err != nil {
		t.Errorf("superuser: %v", err)
	}
}

func testOrderNumNotes(t *testing.T, s *store.Store) {
	a := mustDocument(t, s, doc{title: "a"})
	b := mustDocument(t, s, doc{title: "b"})
	c := mustDocument(t, s, doc{title: "c"})
	for _, id := range []int{b.ID, b.ID, c.ID} {
		if _, err := s.AddNote(ctx, id, nil, "n"); err != nil {
			t.Fatal(err)
		}
	}
	wantList(t, "num notes ascending", list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderNumNotes, Direction: store.Asc}), a.ID, c.ID, b.ID)
	wantList(t, "num notes descending", list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderNumNotes, Direction: store.Desc}), b.ID, c.ID, a.ID)
	ids, err := s.DocumentIDs(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderNumNotes, Direction: store.Desc}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "ids by num notes", ids, b.ID, c.ID, a.ID)
}

func testHistoryBulk(t *testing.T, s *store.Store) {
	c := mustCorrespondent(t, s, "ACME")
	red, blue := mustTag(t, s, "red", false), mustTag(t, s, "blue", false)
	a := mustDocument(t, s, doc{title: "a", tags: []int{red.ID}})
	b := mustDocument(t, s, doc{title: "b", corr: &c.ID})
	if _, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{a.ID, b.ID}, Method: store.BulkSetCorrespondent, CorrespondentID: &c.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{a.ID, b.ID}, Method: store.BulkModifyTags,
		AddTagIDs: []int{blue.ID}, RemoveTagIDs: []int{red.ID}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.HistoryByDocuments(ctx, []int{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	// a: create, correspondent, tags added, tags removed; b (already
	// ACME, without red): create, tags added
	ha, hb := m[a.ID], m[b.ID]
	if len(ha) != 4 || len(hb) != 2 {
		t.Fatalf("entries: a %d, b %d: %+v %+v", len(ha), len(hb), ha, hb)
	}
	if ch := changes(t, ha[2])["correspondent"]; ch.Old != nil || str(ch.New) != strconv.Itoa(c.ID) {
		t.Errorf("a correspondent: %s", ha[2].ChangesJSON)
	}
	wantTags := func(e store.HistoryEntry, op, name string) {
		t.Helper()
		if tg := changes(t, e)["tags"]; str(tg.Operation) != op || len(tg.Objects) != 1 || tg.Objects[0] != name {
			t.Errorf("want %s %s: %s", op, name, e.ChangesJSON)
		}
	}
	wantTags(ha[1], "add", "blue")
	wantTags(ha[0], "delete", "red")
	wantTags(hb[0], "add", "blue")
}

func testHistoryAncestors(t *testing.T, s *store.Store) {
	parent := mustTag(t, s, "household", false)
	name := "power"
	child, err := s.CreateTag(ctx, store.TagInput{Name: &name, ParentID: graphql.OmittableOf(&parent.ID)})
	if err != nil {
		t.Fatal(err)
	}
	d := mustDocument(t, s, doc{title: "bill"})
	if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{TagIDs: graphql.OmittableOf([]int{child.ID})}); err != nil {
		t.Fatal(err)
	}
	h, err := s.DocumentHistory(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tg := changes(t, h[0])["tags"]; str(tg.Operation) != "add" || len(tg.Objects) != 2 || tg.Objects[0] != "household" || tg.Objects[1] != "power" {
		t.Errorf("a child tag brings its parent, named in the history: %s", h[0].ChangesJSON)
	}
}

func testHistoryCustomFields(t *testing.T, s *store.Store) {
	mk := func(name string, typ store.CustomFieldDataType, opts []store.SelectOption) *store.CustomField {
		t.Helper()
		f, err := s.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &typ, SelectOptions: opts})
		if err != nil {
			t.Fatalf("create custom field %s: %v", name, err)
		}
		return f
	}
	inv := mk("invoice no", store.FieldString, nil)
	kind := mk("kind", store.FieldSelect, []store.SelectOption{{ID: "opt1", Label: "Bill"}, {ID: "opt2", Label: "Letter"}})
	d := mustDocument(t, s, doc{title: "x"})
	set := func(vals ...store.CustomFieldValueInput) {
		t.Helper()
		if _, err := s.UpdateDocument(ctx, d.ID, store.DocumentUpdate{CustomFields: graphql.OmittableOf(vals)}); err != nil {
			t.Fatal(err)
		}
	}
	set(store.CustomFieldValueInput{FieldID: inv.ID, Value: "A-1"}, store.CustomFieldValueInput{FieldID: kind.ID, Value: kind.ExtraData.SelectOptions[0].ID})
	set(store.CustomFieldValueInput{FieldID: inv.ID, Value: "A-2"})
	h, err := s.DocumentHistory(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		c := changes(t, e)["custom_fields"]
		if c.CustomField == nil {
			continue
		}
		got = append(got, string(e.Action)+" "+*c.CustomField+"="+str(c.New))
	}
	// newest first (one update's entries were written in field name order)
	want := []string{"delete kind=Bill", "update invoice no=A-2", "create kind=Bill", "create invoice no=A-1"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("custom field history: %q, want %q", got, want)
	}
	if h[1].ChangesJSON != `{"custom_fields":{"type":"custom_field","field":"invoice no","value":"A-2"}}` {
		t.Errorf("shape: %s", h[1].ChangesJSON)
	}
}
