package resolvers

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// The ids of every row a list's filter matches, in list order (one
// ids-only query each): paperless-ngx v9 lists carry them as `all`.
// Documents have Query.DocumentIds.

// CorrespondentIDs lists the ids of the correspondents matching f.
func (r *Resolver) CorrespondentIDs(ctx context.Context, f *store.NameFilter, order []store.NameOrder) ([]int, error) {
	return r.Store.CorrespondentIDs(ctx, deref(f), order)
}

// DocumentTypeIDs lists the ids of the document types matching f.
func (r *Resolver) DocumentTypeIDs(ctx context.Context, f *store.NameFilter, order []store.NameOrder) ([]int, error) {
	return r.Store.DocumentTypeIDs(ctx, deref(f), order)
}

// TagIDs lists the ids of the tags matching f.
func (r *Resolver) TagIDs(ctx context.Context, f *store.NameFilter, order []store.NameOrder) ([]int, error) {
	return r.Store.TagIDs(ctx, deref(f), order)
}

// SavedViewIDs lists the ids of the requesting user's saved views.
func (r *Resolver) SavedViewIDs(ctx context.Context) ([]int, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	return r.Store.SavedViewIDs(ctx, u.ID)
}

// listArgs returns argument name of the field that returned the list
// whose allIds is being resolved (Query.documents for DocumentList), so
// allIds is computed only when selected, from the page's own filter.
func listArgs[T any](ctx context.Context, name string) (T, bool) {
	var zero T
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return zero, false
	}
	for p := fc.Parent; p != nil; p = p.Parent {
		if p.Args != nil {
			v, ok := p.Args[name].(T)
			return v, ok
		}
	}
	return zero, false
}

// nameListArgs is listArgs for the correspondent, document type and tag
// lists.
func nameListArgs(ctx context.Context) (*store.NameFilter, []store.NameOrder) {
	f, _ := listArgs[*store.NameFilter](ctx, "filter")
	order, _ := listArgs[[]store.NameOrder](ctx, "orderBy")
	return f, order
}

// decodeCustomFieldQuery reads DocumentFilter.customFieldQuery, a JSON
// string, as REST's custom_field_query does; the store then checks the
// expression (problems under "customFieldQuery/…").
func decodeCustomFieldQuery(f *store.DocumentFilter, data *string) error {
	if data == nil {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(*data))
	d.UseNumber()
	var expr any
	if err := d.Decode(&expr); err != nil || d.More() {
		return &store.Error{Code: store.Validation, Message: "invalid input",
			Fields: map[string][]string{"customFieldQuery": {"Value must be valid JSON."}}}
	}
	if expr == nil {
		expr = []any{} // JSON null: not an expression
	}
	f.CustomFieldQuery = expr
	return nil
}
