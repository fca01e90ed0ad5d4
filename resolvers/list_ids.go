package resolvers

import (
	"context"

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
