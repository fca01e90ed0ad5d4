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
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateSavedView(fe, in, false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.Store.UpdateSavedView(ctx, u.ID, id, in)
}
