package storetest

import (
	"context"
	"testing"

	"github.com/quirehq/quire/store"
)

func init() {
	tests = append(tests, test{"CustomFieldVisibility", testCustomFieldVisibility})
}

// testCustomFieldVisibility: custom fields are an owned model — an owned
// field is hidden from others (lists, detail, queries, values) until
// granted, a view grant does not allow changes, and document_count counts
// only documents the caller may see.
func testCustomFieldVisibility(t *testing.T, s *store.Store) {
	owner, other := mustUser(t, s, "owner"), mustUser(t, s, "other")
	public := mustField(t, s, "public", store.FieldInteger, nil)
	name, dt := "private", store.FieldString
	private, err := s.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt, OwnerID: &owner})
	if err != nil {
		t.Fatal(err)
	}
	open := mustDocument(t, s, doc{title: "open"})
	mine := mustDocument(t, s, doc{title: "mine"})
	if err := s.SetOwner(ctx, store.ModelDocument, mine.ID, &owner); err != nil {
		t.Fatal(err)
	}
	for _, d := range []int{open.ID, mine.ID} {
		mustSetFields(t, s, d, store.CustomFieldValueInput{FieldID: public.ID, Value: 1}, store.CustomFieldValueInput{FieldID: private.ID, Value: "x"})
	}
	asOther, asOwner := as(other), as(owner)

	list, total, err := s.CustomFields(asOther, store.CustomFieldFilter{}, nil, store.Page{})
	if err != nil || total != 1 || list[0].ID != public.ID {
		t.Fatalf("other's list: %d %+v %v", total, list, err)
	}
	if _, err := s.CustomField(asOther, private.ID); store.ErrorCode(err) != store.NotFound {
		t.Errorf("other reads the private field: %v", err)
	}
	_, _, err = s.Documents(asOther, store.DocumentFilter{CustomFieldQuery: []any{"private", "exists", true}}, nil, store.Page{})
	wantCode(t, err, store.Validation, "customFieldQuery/0")
	counts, err := s.CustomFieldDocumentCounts(asOther, []int{public.ID})
	if err != nil || counts[public.ID] != 1 {
		t.Errorf("other's document count: %v %v", counts, err)
	}
	counts, err = s.CustomFieldDocumentCounts(asOwner, []int{public.ID, private.ID})
	if err != nil || counts[public.ID] != 2 || counts[private.ID] != 2 {
		t.Errorf("owner's document counts: %v %v", counts, err)
	}
	_, err = s.UpdateCustomField(asOther, private.ID, store.CustomFieldInput{Name: ptr("mine now")})
	wantCode(t, err, store.NotFound, "-")
	vals, err := s.CustomFieldValuesByDocuments(asOther, []int{open.ID})
	if err != nil || len(vals[open.ID]) != 1 || vals[open.ID][0].FieldID != public.ID {
		t.Errorf("other sees the values of %+v (%v)", vals[open.ID], err)
	}

	// A view grant shows it, but does not allow changing it.
	users := []int{other}
	if err := s.SetPermissions(ctx, store.ModelCustomField, []int{private.ID}, store.PermissionsUpdate{View: &store.HoldersUpdate{Users: &users}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CustomField(asOther, private.ID); err != nil {
		t.Errorf("granted field: %v", err)
	}
	wantSet(t, "other's query", listAs(t, s, asOther, store.DocumentFilter{CustomFieldQuery: []any{"private", "exact", "x"}}), open.ID)
	_, err = s.UpdateCustomField(asOther, private.ID, store.CustomFieldInput{Name: ptr("mine now")})
	wantCode(t, err, store.Forbidden, "-")
	wantCode(t, s.DeleteCustomField(asOther, private.ID), store.Forbidden, "-")

	// A document link to a document the caller may not change is refused.
	link := mustField(t, s, "link", store.FieldDocumentLink, nil)
	err = s.SetDocumentCustomFields(asOther, open.ID, []store.CustomFieldValueInput{{FieldID: link.ID, Value: []any{mine.ID}}})
	wantCode(t, err, store.Forbidden, "-")
}

// listAs is list acting for the principal in c.
func listAs(t *testing.T, s *store.Store, c context.Context, f store.DocumentFilter) []int {
	t.Helper()
	docs, total, err := s.Documents(c, f, nil, store.Page{Size: 1000})
	if err != nil {
		t.Fatalf("documents: %v", err)
	}
	if total != len(docs) {
		t.Fatalf("total %d, but %d documents", total, len(docs))
	}
	return ids(docs)
}
