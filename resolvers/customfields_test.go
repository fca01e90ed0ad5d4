package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
)

// TestCustomFieldsGraphQL: custom fields are created, listed, changed and
// deleted through GraphQL; documents get values through updateDocument
// and bulkEditDocuments and show them (typed) in Document.customFields;
// bad values and queries are VALIDATION errors with field paths; on both
// databases.
func TestCustomFieldsGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 3)
		ids, err := e.st.DocumentIDs(context.Background(), store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderID, Direction: store.Asc}})
		if err != nil {
			t.Fatal(err)
		}
		var created struct {
			A, B, C struct {
				ID              string
				Name            string
				DataType        string
				SelectOptions   []struct{ ID, Label string }
				DefaultCurrency *string
				DocumentCount   int
			}
		}
		e.mustDo(`mutation {
			a: createCustomField(input: {name: "Amount", dataType: MONETARY, defaultCurrency: "EUR"}) { id name dataType selectOptions { id label } defaultCurrency documentCount }
			b: createCustomField(input: {name: "Colour", dataType: SELECT, selectOptions: [{label: "Red"}, {id: "b", label: "Blue"}]}) { id name dataType selectOptions { id label } defaultCurrency documentCount }
			c: createCustomField(input: {name: "Pages", dataType: INTEGER}) { id name dataType selectOptions { id label } defaultCurrency documentCount }
		}`, &created)
		if created.A.DataType != "MONETARY" || *created.A.DefaultCurrency != "EUR" || len(created.B.SelectOptions) != 2 || len(created.B.SelectOptions[0].ID) != 16 || created.C.DefaultCurrency != nil {
			t.Fatalf("created %+v", created)
		}
		red := created.B.SelectOptions[0].ID

		var upd struct {
			UpdateDocument struct {
				CustomFields []struct {
					FieldID string
					Field   struct{ Name string }
					Value   any
				}
			}
		}
		e.mustDo(fmt.Sprintf(`mutation { updateDocument(id: %d, input: {customFields: [
			{fieldId: %s, value: "EUR12.50"}, {fieldId: %s, value: %q}, {fieldId: %s, value: 7}]}) {
			customFields { fieldId field { name } value } } }`, ids[0], created.A.ID, created.B.ID, red, created.C.ID), &upd)
		cf := upd.UpdateDocument.CustomFields
		if len(cf) != 3 || cf[0].Value != "EUR12.50" || cf[1].Value != red || cf[2].Value != float64(7) || cf[0].Field.Name != "Amount" {
			t.Fatalf("values %+v", cf)
		}

		// Bad values: VALIDATION with the item's path.
		errs := e.do(e.c, fmt.Sprintf(`mutation { updateDocument(id: %d, input: {customFields: [{fieldId: %s, value: 1}, {fieldId: %s, value: "green"}]}) { id } }`,
			ids[0], created.C.ID, created.B.ID), nil)
		if f := e.wantCode(errs, "VALIDATION").Extensions.Fields; len(f["customFields/1/value"]) != 1 {
			t.Errorf("bad select value: %+v", f)
		}
		errs = e.do(e.c, fmt.Sprintf(`mutation { updateCustomField(id: %s, input: {dataType: STRING}) { id } }`, created.C.ID), nil)
		if f := e.wantCode(errs, "VALIDATION").Extensions.Fields; len(f["dataType"]) != 1 {
			t.Errorf("type change: %+v", f)
		}

		// Bulk: set a value on the other two.
		var bulk struct{ BulkEditDocuments []string }
		e.mustDo(fmt.Sprintf(`mutation { bulkEditDocuments(input: {documentIds: [%d, %d], method: MODIFY_CUSTOM_FIELDS,
			addCustomFieldValues: [{fieldId: %s, value: "99.99"}], removeCustomFieldIds: []}) }`, ids[1], ids[2], created.A.ID), &bulk)
		if len(bulk.BulkEditDocuments) != 2 {
			t.Fatalf("bulk changed %v", bulk)
		}

		// Filters and ordering.
		var list struct {
			Documents struct {
				TotalCount int
				Items      []struct{ ID string }
			}
		}
		e.mustDo(`{ documents(filter: {customFieldQuery: "[\"Amount\", \"range\", [\"50\", \"100\"]]"}) { totalCount items { id } } }`, &list)
		if list.Documents.TotalCount != 2 {
			t.Errorf("range: %+v", list)
		}
		e.mustDo(fmt.Sprintf(`{ documents(orderBy: [{field: CUSTOM_FIELD, customField: %s, direction: ASC}]) { totalCount items { id } } }`, created.A.ID), &list)
		if list.Documents.Items[0].ID != fmt.Sprint(ids[0]) {
			t.Errorf("ordered by amount: %+v", list)
		}
		errs = e.do(e.c, `{ documents(filter: {customFieldQuery: "[\"Pages\", \"icontains\", \"1\"]"}) { totalCount } }`, nil)
		if f := e.wantCode(errs, "VALIDATION").Extensions.Fields; f["customFieldQuery/1"][0] != "integer does not support query expr 'icontains'." {
			t.Errorf("query error: %+v", f)
		}

		var fields struct {
			CustomFields struct {
				TotalCount int
				Items      []struct {
					Name          string
					DocumentCount int
				}
			}
		}
		e.mustDo(`{ customFields(filter: {name: {icontains: "o"}}, orderBy: [{field: DOCUMENT_COUNT, direction: DESC}]) { totalCount items { name documentCount } } }`, &fields)
		if fields.CustomFields.TotalCount != 2 || fields.CustomFields.Items[0].Name != "Amount" || fields.CustomFields.Items[0].DocumentCount != 3 {
			t.Errorf("list: %+v", fields)
		}
		var del struct{ DeleteCustomField string }
		e.mustDo(fmt.Sprintf(`mutation { deleteCustomField(id: %s) }`, created.A.ID), &del)
		e.wantCode(e.do(e.c, fmt.Sprintf(`{ customField(id: %s) { id } }`, created.A.ID), nil), "NOT_FOUND")
	})
}

// TestDocumentPageWithCustomFieldsCostsConstantQueries: a page of
// documents with their custom fields and the fields' names is the list,
// one statement for the values and one for the definitions.
func TestDocumentPageWithCustomFieldsCostsConstantQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		seedDocs(t, e, 40)
		ctx := context.Background()
		ids, err := e.st.DocumentIDs(ctx, store.DocumentFilter{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var fields []int
		for i, dt := range []store.CustomFieldDataType{store.FieldString, store.FieldInteger} {
			name := fmt.Sprint("f", i)
			f, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt})
			if err != nil {
				t.Fatal(err)
			}
			fields = append(fields, f.ID)
		}
		for _, id := range ids {
			if err := e.st.SetDocumentCustomFields(ctx, id, []store.CustomFieldValueInput{{FieldID: fields[0], Value: "x"}, {FieldID: fields[1], Value: 3}}); err != nil {
				t.Fatal(err)
			}
		}
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		var out struct {
			Documents struct {
				Items []struct {
					CustomFields []struct {
						Field struct{ Name string }
						Value any
					}
				}
			}
		}
		e.mustDo(`{ documents(orderBy: [{field: CREATED, direction: DESC}], pageSize: 25) { items { customFields { field { name } value } } } }`, &out)
		if len(out.Documents.Items) != 25 || len(out.Documents.Items[0].CustomFields) != 2 || !strings.HasPrefix(out.Documents.Items[0].CustomFields[0].Field.Name, "f") {
			t.Fatalf("page: %+v", out.Documents.Items[:1])
		}
		if n := qc.n.Load(); n > 4 {
			t.Fatalf("a page of 25 documents with custom fields took %d SQL statements, want ≤ 4", n)
		}
	})
}
