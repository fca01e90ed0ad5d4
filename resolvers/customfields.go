package resolvers

import (
	"context"
	"strings"

	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
)

// customFieldLoaders batch the custom field lookups of one request: a
// page of documents with their custom fields costs one statement for the
// values and one for the fields' definitions.
type customFieldLoaders struct {
	byDocument    *dataloadgen.Loader[int, []store.CustomFieldInstance]
	byID          *dataloadgen.Loader[int, *store.CustomField]
	documentCount *dataloadgen.Loader[int, int]
}

func newCustomFieldLoaders(s *store.Store, opts []dataloadgen.Option) *customFieldLoaders {
	return &customFieldLoaders{
		byDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.CustomFieldInstance, []error) {
			return inKeyOrder[[]store.CustomFieldInstance](ids)(s.CustomFieldValuesByDocuments(ctx, ids))
		}, opts...),
		byID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.CustomField, []error) {
			m, err := s.CustomFieldsByIDs(ctx, ids)
			out := make([]*store.CustomField, len(ids))
			if err != nil {
				return out, fill(len(ids), err)
			}
			var errs []error
			for i, id := range ids {
				if out[i] = m[id]; out[i] == nil {
					if errs == nil {
						errs = make([]error, len(ids))
					}
					errs[i] = store.Errorf(store.NotFound, "custom field %d not found", id)
				}
			}
			return out, errs
		}, opts...),
		documentCount: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.CustomFieldDocumentCounts(ctx, ids))
		}, opts...),
	}
}

// DocumentCustomFields returns the custom fields attached to a document
// (through the request's loader: one statement per page of documents).
func (r *Resolver) DocumentCustomFields(ctx context.Context, docID int) ([]store.CustomFieldInstance, error) {
	vals, err := r.loaders(ctx).customFields.byDocument.Load(ctx, docID)
	if vals == nil && err == nil {
		vals = []store.CustomFieldInstance{}
	}
	return vals, err
}

// CustomFieldDocumentCount is how many documents the caller may see carry
// the field (batched per request).
func (r *Resolver) CustomFieldDocumentCount(ctx context.Context, id int) (int, error) {
	return r.loaders(ctx).customFields.documentCount.Load(ctx, id)
}

// selectOptions returns a field's options (empty for non-select fields).
func selectOptions(f *store.CustomField) []store.SelectOption {
	if f.ExtraData == nil || f.ExtraData.SelectOptions == nil {
		return []store.SelectOption{}
	}
	return f.ExtraData.SelectOptions
}

// defaultCurrency returns a monetary field's default currency, or nil.
func defaultCurrency(f *store.CustomField) *string {
	if f.ExtraData == nil || f.ExtraData.DefaultCurrency == nil || *f.ExtraData.DefaultCurrency == "" {
		return nil
	}
	return f.ExtraData.DefaultCurrency
}

// CustomFieldIDs returns the ids of every custom field matching f, in
// list order (REST version 9's `all`).
func (r *Resolver) CustomFieldIDs(ctx context.Context, f *store.CustomFieldFilter, order []store.CustomFieldOrder) ([]int, error) {
	items, _, err := r.Store.CustomFields(ctx, deref(f), order, store.Page{Size: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(items))
	for i, f := range items {
		ids[i] = f.ID
	}
	return ids, nil
}

// ReplaceCustomField is a PUT: name and dataType are required.
func (r *Resolver) ReplaceCustomField(ctx context.Context, id int, in store.CustomFieldInput) (*store.CustomField, error) {
	fe := store.FieldErrors{}
	if in.Name == nil {
		fe.Add("name", msgRequired)
	}
	if in.DataType == nil {
		fe.Add("dataType", msgRequired)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.Store.UpdateCustomField(ctx, id, in)
}

// CustomFieldValuesOf returns the custom fields of documents the caller
// has loaded (so may see), in one statement.
func (r *Resolver) CustomFieldValuesOf(ctx context.Context, ids []int) (map[int][]store.CustomFieldInstance, error) {
	return r.Store.CustomFieldValuesByDocuments(ctx, ids)
}

// maxRuleType is the highest saved view rule type (paperless-ngx's 0–49,
// NGX.md §9.1).
const maxRuleType = 49

// ruleCustomFieldQuery is the saved view rule type whose value is a
// custom_field_query (JSON).
const ruleCustomFieldQuery = 42

// validateSavedViewCustomFields adds to fe what a saved view gets wrong
// about custom fields: a custom field query rule must be a valid query
// (its problem is reported on filterRules), and display fields
// custom_field_<id> must name a field the caller may see.
func (r *Resolver) validateSavedViewCustomFields(ctx context.Context, fe store.FieldErrors, in store.SavedViewInput) error {
	for _, rule := range in.FilterRules.Value() {
		if rule.RuleType != ruleCustomFieldQuery || rule.Value == nil {
			continue
		}
		err := r.Store.CheckCustomFieldQuery(ctx, *rule.Value)
		if store.ErrorCode(err) != store.Validation {
			if err != nil {
				return err
			}
			continue
		}
		for path, msgs := range store.ErrorFields(err) {
			for _, m := range msgs {
				fe.Add("filterRules", strings.Replace(path, "customFieldQuery", "custom_field_query", 1)+": "+m)
			}
		}
	}
	probs, err := r.Store.CustomFieldDisplayProblems(ctx, in.DisplayFields.Value())
	for _, p := range probs {
		fe.Add("displayFields", p)
	}
	return err
}
