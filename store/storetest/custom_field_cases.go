package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/store"
)

// The custom field cases join the suite.
func init() {
	tests = append(tests,
		test{"CustomFieldCRUD", testCustomFieldCRUD},
		test{"ErrCustomFieldDefinition", testErrCustomFieldDefinition},
		test{"CustomFieldValuesEveryType", testCustomFieldValues},
		test{"ErrCustomFieldValues", testErrCustomFieldValues},
		test{"CustomFieldSelectOptionRemovedClearsValues", testSelectOptionRemoved},
		test{"CustomFieldDocumentLinksSymmetric", testDocumentLinks},
		test{"CustomFieldQueryOperators", testCustomFieldQuery},
		test{"ErrCustomFieldQuery", testErrCustomFieldQuery},
		test{"CustomFieldFiltersAndOrdering", testCustomFieldFilters},
		test{"CustomFieldBulkModify", testCustomFieldBulk},
		test{"CustomFieldValuesQueueSearch", testCustomFieldOutbox},
	)
}

func mustField(t *testing.T, s *store.Store, name string, dt store.CustomFieldDataType, extra *store.CustomFieldExtra) *store.CustomField {
	t.Helper()
	f, err := s.CreateCustomField(ctx, store.CustomFieldInput{Name: &name, DataType: &dt, ExtraData: extra})
	if err != nil {
		t.Fatalf("create custom field %q: %v", name, err)
	}
	return f
}

// jsonValue decodes a JSON literal as the API layers do (numbers kept).
func jsonValue(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func mustSetFields(t *testing.T, s *store.Store, doc int, vals ...store.CustomFieldValueInput) {
	t.Helper()
	if err := s.SetDocumentCustomFields(ctx, doc, vals); err != nil {
		t.Fatalf("set custom fields on %d: %v", doc, err)
	}
}

// values returns document doc's custom field values by field id.
func values(t *testing.T, s *store.Store, doc int) map[int]any {
	t.Helper()
	m, err := s.CustomFieldValuesByDocuments(ctx, []int{doc})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]any{}
	for _, ci := range m[doc] {
		out[ci.FieldID] = ci.Value()
	}
	return out
}

func testCustomFieldCRUD(t *testing.T, s *store.Store) {
	sel := mustField(t, s, "Colour", store.FieldSelect, &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{Label: "Red"}, {ID: "blue1", Label: "Blue"}}})
	opts := sel.ExtraData.SelectOptions
	if len(opts) != 2 || len(opts[0].ID) != 16 || opts[1].ID != "blue1" {
		t.Fatalf("select options %+v", opts)
	}
	money := mustField(t, s, "Amount", store.FieldMonetary, &store.CustomFieldExtra{DefaultCurrency: ptr("EUR")})
	mustField(t, s, "memo", store.FieldString, nil)

	got, err := s.CustomField(ctx, sel.ID)
	if err != nil || got.Name != "Colour" || got.DataType != store.FieldSelect || !reflect.DeepEqual(got.ExtraData.SelectOptions, opts) {
		t.Fatalf("read back %+v %v", got, err)
	}
	list, total, err := s.CustomFields(ctx, store.CustomFieldFilter{}, nil, store.Page{})
	if err != nil || total != 3 || list[0].Name != "Amount" || list[1].Name != "Colour" || list[2].Name != "memo" {
		t.Fatalf("list by name: %d %+v %v", total, list, err)
	}
	list, total, err = s.CustomFields(ctx, store.CustomFieldFilter{Name: &store.TextFilter{Icontains: ptr("OLO")}}, nil, store.Page{})
	if err != nil || total != 1 || list[0].ID != sel.ID {
		t.Fatalf("name icontains: %d %+v %v", total, list, err)
	}

	d := mustDocument(t, s, doc{title: "a"})
	mustSetFields(t, s, d.ID, store.CustomFieldValueInput{FieldID: money.ID, Value: "EUR12.50"})
	counts, err := s.CustomFieldDocumentCounts(ctx, []int{sel.ID, money.ID})
	if err != nil || counts[sel.ID] != 0 || counts[money.ID] != 1 {
		t.Fatalf("document counts %v %v", counts, err)
	}
	list, _, err = s.CustomFields(ctx, store.CustomFieldFilter{}, []store.CustomFieldOrder{{Field: store.CustomFieldOrderDocumentCount, Direction: store.Desc}}, store.Page{})
	if err != nil || list[0].ID != money.ID {
		t.Fatalf("order by document count: %+v %v", list, err)
	}

	renamed, err := s.UpdateCustomField(ctx, money.ID, store.CustomFieldInput{Name: ptr("Total")})
	if err != nil || renamed.Name != "Total" || renamed.DataType != store.FieldMonetary {
		t.Fatalf("rename: %+v %v", renamed, err)
	}
	if err := s.DeleteCustomField(ctx, money.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CustomField(ctx, money.ID); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("deleted field: %v", err)
	}
	if v := values(t, s, d.ID); len(v) != 0 {
		t.Errorf("values of a deleted field stay: %v", v)
	}
	wantCode(t, s.DeleteCustomField(ctx, money.ID), store.NotFound, "-")
}

func testErrCustomFieldDefinition(t *testing.T, s *store.Store) {
	mustField(t, s, "memo", store.FieldString, nil)
	for _, tc := range []struct {
		name, field string
		in          store.CustomFieldInput
	}{
		{"NameTaken", "error", store.CustomFieldInput{Name: ptr("memo"), DataType: ptr(store.FieldInteger)}},
		{"NameBlank", "name", store.CustomFieldInput{Name: ptr("  "), DataType: ptr(store.FieldInteger)}},
		{"NameTooLong", "name", store.CustomFieldInput{Name: ptr(strings.Repeat("x", 129)), DataType: ptr(store.FieldInteger)}},
		{"NameRequired", "name", store.CustomFieldInput{DataType: ptr(store.FieldInteger)}},
		{"DataTypeUnknown", "dataType", store.CustomFieldInput{Name: ptr("x"), DataType: ptr(store.CustomFieldDataType("color"))}},
		{"SelectWithoutOptions", "error", store.CustomFieldInput{Name: ptr("x"), DataType: ptr(store.FieldSelect)}},
		{"SelectBlankLabel", "error", store.CustomFieldInput{Name: ptr("x"), DataType: ptr(store.FieldSelect),
			ExtraData: &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{Label: ""}}}}},
		{"CurrencyLength", "error", store.CustomFieldInput{Name: ptr("x"), DataType: ptr(store.FieldMonetary),
			ExtraData: &store.CustomFieldExtra{DefaultCurrency: ptr("EURO")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateCustomField(ctx, tc.in)
			wantCode(t, err, store.Validation, tc.field)
		})
	}
	f := mustField(t, s, "n", store.FieldInteger, nil)
	_, err := s.UpdateCustomField(ctx, f.ID, store.CustomFieldInput{DataType: ptr(store.FieldFloat)})
	wantCode(t, err, store.Validation, "dataType")
	_, err = s.UpdateCustomField(ctx, f.ID, store.CustomFieldInput{Name: ptr("memo")})
	wantCode(t, err, store.Validation, "error")
}

// typedFields creates one field of every type (select options Red=r,
// Blue=b) and returns them by type.
func typedFields(t *testing.T, s *store.Store) map[store.CustomFieldDataType]*store.CustomField {
	out := map[store.CustomFieldDataType]*store.CustomField{}
	for _, dt := range store.CustomFieldDataTypes {
		var extra *store.CustomFieldExtra
		if dt == store.FieldSelect {
			extra = &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{ID: "r", Label: "Red"}, {ID: "b", Label: "Blue"}}}
		}
		out[dt] = mustField(t, s, "f_"+string(dt), dt, extra)
	}
	return out
}

func testCustomFieldValues(t *testing.T, s *store.Store) {
	f := typedFields(t, s)
	target := mustDocument(t, s, doc{title: "target"})
	d := mustDocument(t, s, doc{title: "d"})
	in := []store.CustomFieldValueInput{
		{FieldID: f[store.FieldString].ID, Value: "hello"},
		{FieldID: f[store.FieldLongText].ID, Value: strings.Repeat("long ", 100)},
		{FieldID: f[store.FieldURL].ID, Value: "https://example.com/x"},
		{FieldID: f[store.FieldDate].ID, Value: "2025-03-14"},
		{FieldID: f[store.FieldBoolean].ID, Value: false},
		{FieldID: f[store.FieldInteger].ID, Value: jsonValue(t, "-42")},
		{FieldID: f[store.FieldFloat].ID, Value: jsonValue(t, "2.5")},
		{FieldID: f[store.FieldMonetary].ID, Value: "EUR84.20"},
		{FieldID: f[store.FieldDocumentLink].ID, Value: jsonValue(t, fmt.Sprintf("[%d]", target.ID))},
		{FieldID: f[store.FieldSelect].ID, Value: "b"},
	}
	mustSetFields(t, s, d.ID, in...)
	want := map[int]any{
		f[store.FieldString].ID: "hello", f[store.FieldLongText].ID: strings.Repeat("long ", 100),
		f[store.FieldURL].ID: "https://example.com/x", f[store.FieldDate].ID: "2025-03-14", f[store.FieldBoolean].ID: false,
		f[store.FieldInteger].ID: -42, f[store.FieldFloat].ID: 2.5, f[store.FieldMonetary].ID: "EUR84.20",
		f[store.FieldDocumentLink].ID: []int{target.ID}, f[store.FieldSelect].ID: "b",
	}
	if got := values(t, s, d.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("values\n got %#v\nwant %#v", got, want)
	}
	// A write replaces the set: one field with null stays, the rest go.
	mustSetFields(t, s, d.ID, store.CustomFieldValueInput{FieldID: f[store.FieldInteger].ID, Value: nil})
	if got := values(t, s, d.ID); !reflect.DeepEqual(got, map[int]any{f[store.FieldInteger].ID: nil}) {
		t.Errorf("after replace: %#v", got)
	}
	// The link's mirror went with it.
	if got := values(t, s, target.ID); len(got) != 1 || !reflect.DeepEqual(got[f[store.FieldDocumentLink].ID], []int{}) {
		t.Errorf("target after unlink: %#v", got)
	}
	mustSetFields(t, s, d.ID)
	if got := values(t, s, d.ID); len(got) != 0 {
		t.Errorf("after clearing: %#v", got)
	}
	texts, fieldIDs, err := s.CustomFieldSearchText(ctx, []int{d.ID})
	if err != nil || len(texts[d.ID]) != 0 || len(fieldIDs[d.ID]) != 0 {
		t.Errorf("search text of none: %v %v %v", texts, fieldIDs, err)
	}
	mustSetFields(t, s, d.ID, store.CustomFieldValueInput{FieldID: f[store.FieldSelect].ID, Value: "r"},
		store.CustomFieldValueInput{FieldID: f[store.FieldMonetary].ID, Value: jsonValue(t, "12.5")})
	texts, fieldIDs, err = s.CustomFieldSearchText(ctx, []int{d.ID})
	if err != nil || !reflect.DeepEqual(texts[d.ID], []string{"f_monetary: 12.5", "f_select: Red"}) && !reflect.DeepEqual(texts[d.ID], []string{"f_select: Red", "f_monetary: 12.5"}) || len(fieldIDs[d.ID]) != 2 {
		t.Errorf("search text: %q %v %v", texts[d.ID], fieldIDs, err)
	}
}

func testErrCustomFieldValues(t *testing.T, s *store.Store) {
	f := typedFields(t, s)
	ok := mustField(t, s, "ok", store.FieldString, nil)
	d := mustDocument(t, s, doc{title: "d"})
	for _, tc := range []struct {
		name  string
		dt    store.CustomFieldDataType
		value string // JSON
		msg   string
	}{
		{"StringTooLong", store.FieldString, `"` + strings.Repeat("x", 129) + `"`, "Ensure this field has no more than 128 characters."},
		{"StringNotString", store.FieldString, `12`, "Not a valid string."},
		{"URLWithoutScheme", store.FieldURL, `"example.com"`, "Enter a valid URL."},
		{"DateFormat", store.FieldDate, `"14.03.2025"`, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."},
		{"DateImpossible", store.FieldDate, `"2025-02-30"`, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."},
		{"BooleanString", store.FieldBoolean, `"yes"`, "Must be a valid boolean."},
		{"IntegerFraction", store.FieldInteger, `1.5`, "A valid integer is required."},
		{"IntegerTooLarge", store.FieldInteger, `2147483648`, "Ensure this value is less than or equal to 2147483647."},
		{"FloatText", store.FieldFloat, `"abc"`, "A valid number is required."},
		{"MonetaryThreeDecimals", store.FieldMonetary, `"EUR1.234"`, "Must be a two-decimal number with optional currency code e.g. GBP123.45"},
		{"MonetaryLowerCurrency", store.FieldMonetary, `"eur1.23"`, "Must be a two-decimal number with optional currency code e.g. GBP123.45"},
		{"LinkNotList", store.FieldDocumentLink, `5`, "Value must be a list"},
		{"LinkMissing", store.FieldDocumentLink, `[99999]`, "Some documents in value don't exist or were specified twice."},
		{"LinkTwice", store.FieldDocumentLink, fmt.Sprintf("[%d,%d]", d.ID, d.ID), "Some documents in value don't exist or were specified twice."},
		{"SelectUnknownOption", store.FieldSelect, `"Red"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.SetDocumentCustomFields(ctx, d.ID, []store.CustomFieldValueInput{
				{FieldID: ok.ID, Value: "ok"},
				{FieldID: f[tc.dt].ID, Value: jsonValue(t, tc.value)},
			})
			wantCode(t, err, store.Validation, "customFields/1/value")
			if tc.msg != "" {
				wantFieldMessage(t, err, "customFields/1/value", tc.msg)
			}
		})
	}
	err := s.SetDocumentCustomFields(ctx, d.ID, []store.CustomFieldValueInput{{FieldID: 99999}})
	wantCode(t, err, store.Validation, "customFields/0/field")
	err = s.SetDocumentCustomFields(ctx, d.ID, []store.CustomFieldValueInput{{FieldID: f[store.FieldString].ID}, {FieldID: f[store.FieldString].ID}})
	wantCode(t, err, store.Validation, "customFields/1/field")
	if got := values(t, s, d.ID); len(got) != 0 {
		t.Errorf("a refused write changed values: %v", got)
	}
	// Accepted edge values.
	for dt, v := range map[store.CustomFieldDataType]string{store.FieldMonetary: `"-5"`, store.FieldURL: `""`,
		store.FieldInteger: `-2147483648`, store.FieldDate: `"2025-03-14T10:00:00"`} {
		if err := s.SetDocumentCustomFields(ctx, d.ID, []store.CustomFieldValueInput{{FieldID: f[dt].ID, Value: jsonValue(t, v)}}); err != nil {
			t.Errorf("%s %s refused: %v", dt, v, err)
		}
	}
}

func testSelectOptionRemoved(t *testing.T, s *store.Store) {
	f := mustField(t, s, "c", store.FieldSelect, &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{ID: "r", Label: "Red"}, {ID: "b", Label: "Blue"}}})
	d1, d2 := mustDocument(t, s, doc{title: "1"}), mustDocument(t, s, doc{title: "2"})
	mustSetFields(t, s, d1.ID, store.CustomFieldValueInput{FieldID: f.ID, Value: "r"})
	mustSetFields(t, s, d2.ID, store.CustomFieldValueInput{FieldID: f.ID, Value: "b"})
	// Relabel Red, drop Blue: d1 keeps its value, d2's is cleared.
	_, err := s.UpdateCustomField(ctx, f.ID, store.CustomFieldInput{ExtraData: &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{ID: "r", Label: "Crimson"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, s, d1.ID); v[f.ID] != "r" {
		t.Errorf("kept option: %v", v)
	}
	if v := values(t, s, d2.ID); len(v) != 1 || v[f.ID] != nil {
		t.Errorf("removed option: %v", v)
	}
}

func testDocumentLinks(t *testing.T, s *store.Store) {
	f := mustField(t, s, "related", store.FieldDocumentLink, nil)
	a, b, c := mustDocument(t, s, doc{title: "a"}), mustDocument(t, s, doc{title: "b"}), mustDocument(t, s, doc{title: "c"})
	mustSetFields(t, s, a.ID, store.CustomFieldValueInput{FieldID: f.ID, Value: []any{b.ID, c.ID}})
	if v := values(t, s, b.ID); !reflect.DeepEqual(v[f.ID], []int{a.ID}) {
		t.Errorf("b mirrors a: %v", v)
	}
	if v := values(t, s, c.ID); !reflect.DeepEqual(v[f.ID], []int{a.ID}) {
		t.Errorf("c mirrors a: %v", v)
	}
	mustSetFields(t, s, a.ID, store.CustomFieldValueInput{FieldID: f.ID, Value: []any{c.ID}})
	if v := values(t, s, b.ID); !reflect.DeepEqual(v[f.ID], []int{}) {
		t.Errorf("b unlinked: %v", v)
	}
	if v := values(t, s, c.ID); !reflect.DeepEqual(v[f.ID], []int{a.ID}) {
		t.Errorf("c still linked: %v", v)
	}
	// contains finds documents linking to every given id.
	q := jsonValue(t, fmt.Sprintf(`["related","contains",[%d]]`, a.ID))
	wantSet(t, "contains a", list(t, s, store.DocumentFilter{CustomFieldQuery: q}), c.ID)
	q = jsonValue(t, fmt.Sprintf(`["related","contains",[%d]]`, c.ID))
	wantSet(t, "contains c", list(t, s, store.DocumentFilter{CustomFieldQuery: q}), a.ID)
}

// testCustomFieldQuery runs every operator of NGX.md §8.3 on every type
// it applies to, over three documents with values and one without.
func testCustomFieldQuery(t *testing.T, s *store.Store) {
	f := typedFields(t, s)
	d1, d2, d3 := mustDocument(t, s, doc{title: "1"}), mustDocument(t, s, doc{title: "2"}), mustDocument(t, s, doc{title: "3"})
	none := mustDocument(t, s, doc{title: "none"})
	set := func(d int, vals map[store.CustomFieldDataType]string) {
		var in []store.CustomFieldValueInput
		for dt, v := range vals {
			in = append(in, store.CustomFieldValueInput{FieldID: f[dt].ID, Value: jsonValue(t, v)})
		}
		mustSetFields(t, s, d, in...)
	}
	set(d1.ID, map[store.CustomFieldDataType]string{
		store.FieldString: `"Alpha Beta"`, store.FieldLongText: `"long one"`, store.FieldURL: `"https://a.example/x"`,
		store.FieldDate: `"2024-12-30"`, store.FieldBoolean: `true`, store.FieldInteger: `5`, store.FieldFloat: `1.5`,
		store.FieldMonetary: `"EUR100.00"`, store.FieldSelect: `"r"`, store.FieldDocumentLink: fmt.Sprintf("[%d]", d3.ID),
	})
	set(d2.ID, map[store.CustomFieldDataType]string{
		store.FieldString: `"gamma"`, store.FieldLongText: `"two"`, store.FieldURL: `"http://b.example"`,
		store.FieldDate: `"2025-06-15"`, store.FieldBoolean: `false`, store.FieldInteger: `-3`, store.FieldFloat: `99.25`,
		store.FieldMonetary: `"12.50"`, store.FieldSelect: `"b"`,
	})
	// d3: attached without values (and d1's link mirrored onto it).
	set(d3.ID, map[store.CustomFieldDataType]string{
		store.FieldString: `null`, store.FieldInteger: `null`, store.FieldMonetary: `null`,
		store.FieldDocumentLink: fmt.Sprintf("[%d]", d1.ID),
	})
	cases := []struct {
		q    string
		want []int
	}{
		// basic
		{`["f_string","exact","gamma"]`, []int{d2.ID}},
		{`["f_string","exact","GAMMA"]`, nil},
		{`["f_string","in",["gamma","Alpha Beta"]]`, []int{d1.ID, d2.ID}},
		{`["f_string","isnull",true]`, []int{d3.ID}},
		{`["f_string","isnull",false]`, []int{d1.ID, d2.ID}},
		{`["f_string","exists",true]`, []int{d1.ID, d2.ID, d3.ID}},
		{`["f_string","exists",false]`, []int{none.ID}},
		{`["f_boolean","exact",false]`, []int{d2.ID}},
		{`["f_boolean","exact",true]`, []int{d1.ID}},
		{`["f_select","exact","b"]`, []int{d2.ID}},
		{`["f_select","exact","Red"]`, []int{d1.ID}},
		{`["f_select","in",["Blue","r"]]`, []int{d1.ID, d2.ID}},
		// string
		{`["f_string","icontains","BETA"]`, []int{d1.ID}},
		{`["f_string","istartswith","alp"]`, []int{d1.ID}},
		{`["f_string","iendswith","MMA"]`, []int{d2.ID}},
		{`["f_longtext","icontains","ONE"]`, []int{d1.ID}},
		{`["f_url","istartswith","https://"]`, []int{d1.ID}},
		{`["f_monetary","istartswith","EUR"]`, []int{d1.ID}},
		// arithmetic
		{`["f_integer","gt",0]`, []int{d1.ID}},
		{`["f_integer","gte",-3]`, []int{d1.ID, d2.ID}},
		{`["f_integer","lt",5]`, []int{d2.ID}},
		{`["f_integer","lte",5]`, []int{d1.ID, d2.ID}},
		{`["f_integer","range",[-5,0]]`, []int{d2.ID}},
		{`["f_integer","exact",5]`, []int{d1.ID}},
		{`["f_float","gt",2]`, []int{d2.ID}},
		{`["f_float","range",[1.5,1.5]]`, []int{d1.ID}},
		{`["f_monetary","gt","50"]`, []int{d1.ID}},
		{`["f_monetary","range",["EUR10","20"]]`, []int{d2.ID}},
		{`["f_monetary","exact","100"]`, []int{d1.ID}},
		{`["f_monetary","exact","USD12.5"]`, []int{d2.ID}},
		{`["f_monetary","in",[12.5, 7]]`, []int{d2.ID}},
		{`["f_date","gt","2025-01-01"]`, []int{d2.ID}},
		{`["f_date","range",["2024-12-01","2024-12-31"]]`, []int{d1.ID}},
		{`["f_date","exact","2025-06-15"]`, []int{d2.ID}},
		// date parts (2024-12-30 is a Monday of ISO week 1 of 2025)
		{`["f_date","year__exact",2024]`, []int{d1.ID}},
		{`["f_date","iso_year__exact",2025]`, []int{d1.ID, d2.ID}},
		{`["f_date","month__gte",6]`, []int{d1.ID, d2.ID}},
		{`["f_date","day__exact",15]`, []int{d2.ID}},
		{`["f_date","week__exact",1]`, []int{d1.ID}},
		{`["f_date","week__exact",24]`, []int{d2.ID}},
		{`["f_date","week_day__exact",2]`, []int{d1.ID}},
		{`["f_date","iso_week_day__exact",7]`, []int{d2.ID}},
		{`["f_date","quarter__in",[2,3]]`, []int{d2.ID}},
		// containment
		{fmt.Sprintf(`["f_documentlink","contains",[%d]]`, d3.ID), []int{d1.ID}},
		{`["f_documentlink","contains",[]]`, []int{d1.ID, d3.ID}},
		{fmt.Sprintf(`["f_documentlink","exact",[%d]]`, d1.ID), []int{d3.ID}},
		// by id, and logic
		{fmt.Sprintf(`[%d,"exact",5]`, f[store.FieldInteger].ID), []int{d1.ID}},
		{`["AND",[["f_integer","gt",-10],["f_boolean","exact",false]]]`, []int{d2.ID}},
		{`["OR",[["f_integer","exact",5],["f_string","isnull",true]]]`, []int{d1.ID, d3.ID}},
		{`["NOT",["f_integer","exact",5]]`, []int{d2.ID, d3.ID, none.ID}},
		{`["not",["OR",[["f_string","exists",false],["f_boolean","exact",true]]]]`, []int{d2.ID, d3.ID}},
	}
	all := []int{d1.ID, d2.ID, d3.ID, none.ID}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			wantSet(t, tc.q, list(t, s, store.DocumentFilter{CustomFieldQuery: jsonValue(t, tc.q)}), tc.want...)
			// with ids, atoms are written as correlated EXISTS: same answer
			wantSet(t, tc.q+" with ids", list(t, s, store.DocumentFilter{IDs: all, CustomFieldQuery: jsonValue(t, tc.q)}), tc.want...)
		})
	}
}

func testErrCustomFieldQuery(t *testing.T, s *store.Store) {
	typedFields(t, s)
	for _, tc := range []struct{ q, path, msg string }{
		{`["client","exists",true]`, "customFieldQuery/0", "'client' is not a valid custom field."},
		{`[99,"exists",true]`, "customFieldQuery/0", "99 is not a valid custom field."},
		{`["AND",[["f_integer","exact",1],["f_boolean","gt",1]]]`, "customFieldQuery/1/1/1", "boolean does not support query expr 'gt'."},
		{`["f_string","year__exact",1]`, "customFieldQuery/1", "string does not support query expr 'year__exact'."},
		{`["XOR",[]]`, "customFieldQuery/0", "Invalid logical operator 'XOR'"},
		{`["OR",[]]`, "customFieldQuery/1", "Invalid expression list. Must be nonempty."},
		{`["f_integer","exact","x"]`, "customFieldQuery/2", "A valid integer is required."},
		{`["f_integer","in",[]]`, "customFieldQuery/2", "This list may not be empty."},
		{`["f_integer","in",[1,"x"]]`, "customFieldQuery/2/1", "A valid integer is required."},
		{`["f_integer","range",[1]]`, "customFieldQuery/2", "Ensure this field has at least 2 elements."},
		{`["f_date","gt","June"]`, "customFieldQuery/2", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."},
		{`["f_string","exists","yes"]`, "customFieldQuery/2", "Must be a valid boolean."},
		{`["f_documentlink","contains",1]`, "customFieldQuery/2", `Expected a list of items but got type "int".`},
		{`[1,2]`, "customFieldQuery/0", "Invalid logical operator 1"},
		{`{"a":1}`, "customFieldQuery", "Invalid custom field query expression"},
		{strings.Repeat(`["NOT",`, 11) + `["f_string","exists",true]` + strings.Repeat(`]`, 11), "customFieldQuery" + strings.Repeat("/1", 10), "Maximum nesting depth exceeded."},
	} {
		t.Run(tc.q, func(t *testing.T) {
			_, _, err := s.Documents(ctx, store.DocumentFilter{CustomFieldQuery: jsonValue(t, tc.q)}, nil, store.Page{})
			wantCode(t, err, store.Validation, tc.path)
			wantFieldMessage(t, err, tc.path, tc.msg)
		})
	}
}

func testCustomFieldFilters(t *testing.T, s *store.Store) {
	n := mustField(t, s, "number", store.FieldInteger, nil)
	memo := mustField(t, s, "Memo", store.FieldString, nil)
	c := mustField(t, s, "colour", store.FieldSelect, &store.CustomFieldExtra{SelectOptions: []store.SelectOption{{ID: "r", Label: "Scarlet"}}})
	d1, d2, d3 := mustDocument(t, s, doc{title: "1"}), mustDocument(t, s, doc{title: "2"}), mustDocument(t, s, doc{title: "3"})
	none := mustDocument(t, s, doc{title: "none"})
	mustSetFields(t, s, d1.ID, store.CustomFieldValueInput{FieldID: n.ID, Value: 10}, store.CustomFieldValueInput{FieldID: memo.ID, Value: "paid in cash"})
	mustSetFields(t, s, d2.ID, store.CustomFieldValueInput{FieldID: n.ID, Value: 2}, store.CustomFieldValueInput{FieldID: c.ID, Value: "r"})
	mustSetFields(t, s, d3.ID, store.CustomFieldValueInput{FieldID: n.ID})

	wantSet(t, "all", list(t, s, store.DocumentFilter{CustomFields: &store.TagsFilter{All: []int{n.ID, memo.ID}}}), d1.ID)
	wantSet(t, "any", list(t, s, store.DocumentFilter{CustomFields: &store.TagsFilter{Any: []int{memo.ID, c.ID}}}), d1.ID, d2.ID)
	wantSet(t, "none", list(t, s, store.DocumentFilter{CustomFields: &store.TagsFilter{None: []int{memo.ID, c.ID}}}), d3.ID, none.ID)
	wantSet(t, "has", list(t, s, store.DocumentFilter{HasCustomFields: ptr(true)}), d1.ID, d2.ID, d3.ID)
	wantSet(t, "has not", list(t, s, store.DocumentFilter{HasCustomFields: ptr(false)}), none.ID)
	wantSet(t, "icontains value", list(t, s, store.DocumentFilter{CustomFieldsIcontains: ptr("CASH")}), d1.ID)
	wantSet(t, "icontains name", list(t, s, store.DocumentFilter{CustomFieldsIcontains: ptr("memo")}), d1.ID)
	wantSet(t, "icontains option label", list(t, s, store.DocumentFilter{CustomFieldsIcontains: ptr("scar")}), d2.ID)

	asc := list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderCustomField, CustomField: n.ID, Direction: store.Asc})
	// d3's null and none's absence tie (id breaks it)
	wantList(t, "by number ascending", asc, d3.ID, none.ID, d2.ID, d1.ID)
	desc := list(t, s, store.DocumentFilter{}, store.DocumentOrder{Field: store.DocumentOrderCustomField, CustomField: n.ID, Direction: store.Desc})
	wantList(t, "by number descending", desc, d1.ID, d2.ID, d3.ID, none.ID)
	ids, err := s.DocumentIDs(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderCustomField, CustomField: n.ID, Direction: store.Desc}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "ids by number descending", ids, d1.ID, d2.ID, d3.ID, none.ID)
	_, _, err = s.Documents(ctx, store.DocumentFilter{}, []store.DocumentOrder{{Field: store.DocumentOrderCustomField, CustomField: 9999, Direction: store.Asc}}, store.Page{})
	wantFieldMessage(t, err, "custom_field_9999", "Custom field not found")
}

func testCustomFieldBulk(t *testing.T, s *store.Store) {
	n := mustField(t, s, "number", store.FieldInteger, nil)
	memo := mustField(t, s, "memo", store.FieldString, nil)
	d1, d2 := mustDocument(t, s, doc{title: "1"}), mustDocument(t, s, doc{title: "2"})
	mustSetFields(t, s, d1.ID, store.CustomFieldValueInput{FieldID: n.ID, Value: 7})
	changed, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1.ID, d2.ID}, Method: store.BulkModifyCustomFields,
		AddCustomFieldIDs: []int{n.ID}, AddCustomFieldValues: []store.CustomFieldValueInput{{FieldID: memo.ID, Value: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "changed", changed, d1.ID, d2.ID)
	if v := values(t, s, d1.ID); !reflect.DeepEqual(v, map[int]any{n.ID: 7, memo.ID: "x"}) {
		t.Errorf("d1 keeps its number: %v", v)
	}
	if v := values(t, s, d2.ID); !reflect.DeepEqual(v, map[int]any{n.ID: nil, memo.ID: "x"}) {
		t.Errorf("d2: %v", v)
	}
	if _, err := s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1.ID, d2.ID}, Method: store.BulkModifyCustomFields, RemoveCustomFieldIDs: []int{n.ID}}); err != nil {
		t.Fatal(err)
	}
	if v := values(t, s, d2.ID); !reflect.DeepEqual(v, map[int]any{memo.ID: "x"}) {
		t.Errorf("d2 after remove: %v", v)
	}
	_, err = s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1.ID}, Method: store.BulkModifyCustomFields, AddCustomFieldIDs: []int{9999}})
	wantCode(t, err, store.Validation, "")
	_, err = s.BulkEdit(ctx, store.BulkEdit{DocumentIDs: []int{d1.ID}, Method: store.BulkModifyCustomFields,
		AddCustomFieldValues: []store.CustomFieldValueInput{{FieldID: n.ID, Value: "many"}}})
	wantCode(t, err, store.Validation, "customFieldValues/0/value")
}

func testCustomFieldOutbox(t *testing.T, s *store.Store) {
	n := mustField(t, s, "number", store.FieldInteger, nil)
	d := mustDocument(t, s, doc{title: "1"})
	drain := func() {
		batch, err := s.OutboxBatch(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range batch {
			ids = append(ids, e.ID)
		}
		if err := s.DeleteOutbox(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	queued := func() []int {
		batch, err := s.OutboxBatch(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, e := range batch {
			out = append(out, e.DocumentID)
		}
		return out
	}
	drain()
	v0, _ := s.Version(ctx)
	mustSetFields(t, s, d.ID, store.CustomFieldValueInput{FieldID: n.ID, Value: 1})
	if q := queued(); len(q) == 0 || q[0] != d.ID {
		t.Errorf("setting a value queued %v", q)
	}
	if v1, _ := s.Version(ctx); v1 == v0 {
		t.Errorf("archive version unchanged by a value")
	}
	drain()
	if _, err := s.UpdateCustomField(ctx, n.ID, store.CustomFieldInput{Name: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	if q := queued(); len(q) == 0 || q[0] != d.ID {
		t.Errorf("renaming the field queued %v", q)
	}
}
