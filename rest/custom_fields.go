package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/quirehq/quire/store"
)

// Custom fields (paperless-ngx only, NGX.md §8): /api/custom_fields/, the
// custom_fields key of the document object (read and write) and the
// errors of a document's values.

// customFieldJSON is a definition in NGX.md §8.1's key order.
type customFieldJSON struct {
	ID            int                     `json:"id"`
	Name          string                  `json:"name"`
	DataType      string                  `json:"data_type"`
	ExtraData     *store.CustomFieldExtra `json:"extra_data"`
	DocumentCount *int                    `json:"document_count,omitempty"`
}

// customFieldParams are the filters of /api/custom_fields/.
var customFieldParams = listQuery(customFieldFilters().params(), customFieldOrders().names())

// customFieldNames maps resolver fields to wire names.
var customFieldNames = map[string]string{"dataType": "data_type", "selectOptions": "extra_data", "defaultCurrency": "extra_data"}

func customFieldFilters() filterSet[store.CustomFieldFilter] {
	type F = store.CustomFieldFilter
	s := filterSet[F]{
		{param{"id", "integer", "id"}, func(f *F, v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msgEnterNumber
			}
			f.IDs = intersect(f.IDs, []int{n})
			return ""
		}},
		{param{"id__in", "integers", "id is one of (comma-separated)"}, func(f *F, v string) string {
			ids, ok := intList(v, true)
			if !ok {
				return msgEnterNumber
			}
			if len(ids) > 0 {
				f.IDs = intersect(f.IDs, ids)
			}
			return ""
		}},
	}
	return append(s, textFilters("name", "name", func(f *F) **store.TextFilter { return &f.Name })...)
}

func customFieldOrders() orderSet[store.CustomFieldOrder] {
	def := func(name string, field store.CustomFieldOrderField) orderDef[store.CustomFieldOrder] {
		return orderDef[store.CustomFieldOrder]{name, func(desc bool) store.CustomFieldOrder {
			return store.CustomFieldOrder{Field: field, Direction: dir(desc)}
		}}
	}
	return orderSet[store.CustomFieldOrder]{
		def("id", store.CustomFieldOrderID),
		def("name", store.CustomFieldOrderName),
		def("data_type", store.CustomFieldOrderDataType),
		def("document_count", store.CustomFieldOrderDocumentCount),
	}
}

func (a *API) customFields() *resource[store.CustomField, store.CustomFieldFilter, store.CustomFieldOrder, store.CustomFieldInput] {
	q, m := a.res.Query(), a.res.Mutation()
	return &resource[store.CustomField, store.CustomFieldFilter, store.CustomFieldOrder, store.CustomFieldInput]{
		filters: customFieldFilters(),
		orders:  customFieldOrders(),
		names:   staticNames(customFieldNames),
		list: func(ctx context.Context, f *store.CustomFieldFilter, o []store.CustomFieldOrder, page, size *int) ([]store.CustomField, int, int, error) {
			l, err := q.CustomFields(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		ids:     a.res.CustomFieldIDs,
		get:     q.CustomField,
		input:   customFieldInput,
		create:  m.CreateCustomField,
		replace: a.res.ReplaceCustomField,
		patch:   m.UpdateCustomField,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteCustomField(ctx, id); return err },
		render:  a.renderCustomFields,
	}
}

// customFieldInput reads name, data_type and extra_data
// ({"select_options":[{"id","label"}], "default_currency"}).
func customFieldInput(b *body, _ *reqInfo) store.CustomFieldInput {
	var in store.CustomFieldInput
	in.Name, _ = b.str("name", false, true)
	if dt, ok := b.str("data_type", false, true); ok && dt != nil {
		t := store.CustomFieldDataType(*dt)
		if !t.Valid() {
			b.fail("data_type", `"`+*dt+`" is not a valid choice.`)
		}
		in.DataType = &t
	}
	raw, ok := b.raw("extra_data")
	if !ok {
		return in
	}
	extra := &store.CustomFieldExtra{}
	in.ExtraData = extra
	obj, _ := raw.(map[string]any)
	if opts, has := obj["select_options"]; has && opts != nil {
		list, isList := opts.([]any)
		if !isList {
			b.fail("error", "extra_data.select_options must be a valid list")
			return in
		}
		for _, o := range list {
			om, isObj := o.(map[string]any)
			label, _ := om["label"].(string)
			id, _ := om["id"].(string)
			if !isObj {
				b.fail("error", "extra_data.select_options must be a valid list")
				return in
			}
			extra.SelectOptions = append(extra.SelectOptions, store.SelectOption{ID: id, Label: label})
		}
	}
	if c, has := obj["default_currency"]; has && c != nil {
		s, isStr := c.(string)
		if !isStr {
			b.fail("error", "extra_data.default_currency must be a 3-character string")
			return in
		}
		extra.DefaultCurrency = &s
	}
	return in
}

// renderCustomFields serialises definitions; document_count (documents
// the caller may see) unless computed is false.
func (a *API) renderCustomFields(ctx context.Context, _ *http.Request, items []store.CustomField, computed bool) (any, error) {
	out := make([]customFieldJSON, len(items))
	for i, f := range items {
		out[i] = customFieldJSON{ID: f.ID, Name: f.Name, DataType: string(f.DataType), ExtraData: f.ExtraData}
	}
	if !computed {
		return out, nil
	}
	return out, each(len(items), func(i int) error {
		n, err := a.res.CustomFieldDocumentCount(ctx, items[i].ID)
		out[i].DocumentCount = &n
		return err
	})
}

// ngxCustomFields is the custom_fields key of the document object (a bit
// of its mask).
const ngxCustomFields = 1 << 21

// customFieldValueJSON is one value on a document: {"value", "field"}.
type customFieldValueJSON struct {
	Value any `json:"value"`
	Field int `json:"field"`
}

// fillCustomFields loads the custom_fields key of a page of ngx document
// objects in one statement.
func (a *API) fillCustomFields(ctx context.Context, out []documentJSON) error {
	if out[0].v < 9 || out[0].mask&ngxCustomFields == 0 {
		return nil
	}
	ids := make([]int, len(out))
	for i := range out {
		ids[i] = out[i].d.ID
	}
	vals, err := a.res.CustomFieldValuesOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range out {
		list := vals[out[i].d.ID]
		if len(list) == 0 {
			continue
		}
		items := make([]customFieldValueJSON, len(list))
		for k := range list {
			items[k] = customFieldValueJSON{Value: list[k].Value(), Field: list[k].FieldID}
		}
		b, err := encodeJSON(items)
		if err != nil {
			return err
		}
		out[i].customFields = b
	}
	return nil
}

// customFieldValues reads a document write's custom_fields: a list of
// {"field": id, "value": …} (NGX.md §8.2).
func customFieldValues(b *body) ([]store.CustomFieldValueInput, bool) {
	raw, ok := b.raw("custom_fields")
	if !ok {
		return nil, false
	}
	list, isList := raw.([]any)
	if !isList {
		b.fail("custom_fields", `Expected a list of items but got type "`+pyTypeName(raw)+`".`)
		return nil, false
	}
	out := make([]store.CustomFieldValueInput, 0, len(list))
	for _, item := range list {
		m, isObj := item.(map[string]any)
		if !isObj {
			b.fail("custom_fields", "Invalid data. Expected a dictionary, but got "+pyTypeName(item)+".")
			return nil, false
		}
		id, good := jsonInt(m["field"])
		if !good {
			b.fail("custom_fields", "field: Incorrect type. Expected pk value.")
			return nil, false
		}
		out = append(out, store.CustomFieldValueInput{FieldID: id, Value: m["value"]})
	}
	return out, true
}

// pyTypeName is Python's name of a decoded JSON value's type.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case json.Number:
		if strings.ContainsAny(v.(json.Number).String(), ".eE") {
			return "float"
		}
		return "int"
	}
	return "float"
}

// customFieldItemErrors rewrites the errors of a document's values,
// {"custom_fields":{"1":{"value":[…]}}}, into DRF's per-item list,
// {"custom_fields":[{},{"non_field_errors":[…]}]}.
func customFieldItemErrors(fields map[string]any) {
	m, ok := fields["custom_fields"].(map[string]any)
	if !ok {
		return
	}
	n := 0
	for k := range m {
		i, err := strconv.Atoi(k)
		if err != nil {
			return
		}
		n = max(n, i+1)
	}
	list := make([]map[string]any, n)
	for i := range list {
		list[i] = map[string]any{}
	}
	for k, v := range m {
		i, _ := strconv.Atoi(k)
		item, _ := v.(map[string]any)
		for key, msgs := range item {
			if key == "value" {
				key = "non_field_errors"
			}
			list[i][key] = msgs
		}
	}
	fields["custom_fields"] = list
}
