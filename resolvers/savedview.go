package resolvers

import (
	"context"

	"github.com/quirehq/quire/store"
)

func (r *Resolver) createSavedView(ctx context.Context, in store.SavedViewInput) (*store.SavedView, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateSavedView(fe, in, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.Store.CreateSavedView(ctx, u.ID, in)
}

func (r *Resolver) updateSavedView(ctx context.Context, id int, in store.SavedViewInput) (*store.SavedView, error) {
	return r.saveSavedView(ctx, id, in, false)
}

// saveSavedView changes one of the caller's views; requireAll demands the
// fields a create needs (replace semantics).
func (r *Resolver) saveSavedView(ctx context.Context, id int, in store.SavedViewInput, requireAll bool) (*store.SavedView, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateSavedView(fe, in, requireAll)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.Store.UpdateSavedView(ctx, u.ID, id, in)
}
