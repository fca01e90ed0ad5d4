package resolvers

import (
	"context"
	"fmt"

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
	validateSavedViewDisplay(fe, in)
	if err := r.validateSavedViewCustomFields(ctx, fe, in); err != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *store.SavedView
	err = r.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = r.Store.CreateSavedView(ctx, u.ID, in); err != nil {
			return err
		}
		if err := r.applyGrants(ctx, store.ModelSavedView, out.ID, false); err != nil {
			return err
		}
		if a := permArgsFrom(ctx); a != nil && a.OwnerSet {
			out, err = r.Store.SavedView(ctx, u.ID, out.ID)
		}
		return err
	})
	return out, err
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
	validateSavedViewDisplay(fe, in)
	if err := r.validateSavedViewCustomFields(ctx, fe, in); err != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return updateOwned(ctx, r, store.ModelSavedView, id,
		func(ctx context.Context) (*store.SavedView, error) { return r.Store.UpdateSavedView(ctx, u.ID, id, in) },
		func(ctx context.Context) (*store.SavedView, error) { return r.Store.SavedView(ctx, u.ID, id) })
}

// validateSavedViewDisplay checks how a view shows its documents:
// pageSize at least 1, a known displayMode, known displayFields (NGX.md
// §9.1; each bad name is one message).
func validateSavedViewDisplay(fe store.FieldErrors, in store.SavedViewInput) {
	if n := in.PageSize.Value(); n != nil && *n < 1 {
		fe.Add("pageSize", "Ensure this value is greater than or equal to 1.")
	}
	if m := in.DisplayMode.Value(); m != nil && !m.Valid() {
		fe.Add("displayMode", fmt.Sprintf("%q is not a valid choice.", string(*m)))
	}
	for _, f := range in.DisplayFields.Value() {
		if p := store.DisplayFieldProblem(f); p != "" {
			fe.Add("displayFields", p)
		}
	}
}
