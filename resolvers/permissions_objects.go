package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
)

// Owners and per-object permissions on the inputs of create and update
// mutations (NGX.md §4.3). The input types are the store's, which do not
// carry them; gqlgen hands the `owner` and `setPermissions` input fields
// to input field resolvers instead, which record them (and whether owner
// was sent at all: absent on create means the caller, null means
// unowned) in the operation's ObjectPermissionArgs. REST puts the same
// record in the context with WithObjectPermissions. The create and
// update resolvers apply it with the object, in one transaction.

// ObjectPermissionArgs is what a request asks of an object's owner and
// grants besides its other fields.
type ObjectPermissionArgs struct {
	// OwnerSet says Owner was sent (nil: unowned).
	OwnerSet bool
	Owner    *int
	// View and Change, when non-nil, replace (or with Merge, add to) that
	// permission's holders.
	View, Change *store.HoldersUpdate
	Merge        bool
}

func (a *ObjectPermissionArgs) empty() bool {
	return a == nil || !a.OwnerSet && a.View == nil && a.Change == nil
}

type permArgsKey struct{}

// permArgsBox holds the ObjectPermissionArgs of one root field; the
// input field resolvers fill it while gqlgen reads the arguments.
type permArgsBox struct {
	mu   sync.Mutex
	args ObjectPermissionArgs
}

// WithObjectPermissions returns a context whose create or update
// resolver also applies a (REST's owner and set_permissions).
func WithObjectPermissions(ctx context.Context, a ObjectPermissionArgs) context.Context {
	return context.WithValue(ctx, permArgsKey{}, &permArgsBox{args: a})
}

// PermissionArgs is a gqlgen root field middleware giving each root field
// an empty ObjectPermissionArgs for its input field resolvers to fill.
func PermissionArgs(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return next(context.WithValue(ctx, permArgsKey{}, &permArgsBox{}))
}

func permArgsFrom(ctx context.Context) *ObjectPermissionArgs {
	b, _ := ctx.Value(permArgsKey{}).(*permArgsBox)
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	a := b.args
	return &a
}

// recordPermArgs changes the operation's ObjectPermissionArgs.
func recordPermArgs(ctx context.Context, fn func(a *ObjectPermissionArgs)) {
	b, _ := ctx.Value(permArgsKey{}).(*permArgsBox)
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fn(&b.args)
}

// recordOwner is the input field resolver of `owner`.
func recordOwner(ctx context.Context, owner *int) {
	recordPermArgs(ctx, func(a *ObjectPermissionArgs) { a.OwnerSet, a.Owner = true, owner })
}

// recordSetPermissions is the input field resolver of `setPermissions`.
func recordSetPermissions(ctx context.Context, in *model.SetPermissionsInput) {
	recordPermArgs(ctx, func(a *ObjectPermissionArgs) { a.View, a.Change = holdersUpdates(in) })
}

// holdersUpdates turns a SetPermissionsInput into the store's updates.
func holdersUpdates(in *model.SetPermissionsInput) (view, change *store.HoldersUpdate) {
	if in == nil {
		return nil, nil
	}
	conv := func(h *model.PermissionHoldersInput) *store.HoldersUpdate {
		if h == nil {
			return nil
		}
		u := &store.HoldersUpdate{}
		if h.Users != nil {
			users := h.Users
			u.Users = &users
		}
		if h.Groups != nil {
			groups := h.Groups
			u.Groups = &groups
		}
		return u
	}
	return conv(in.View), conv(in.Change)
}

// defaultOwner sets *owner for a create: what the request sent, else the
// caller (NGX.md §4.3: an absent owner makes the creator the owner).
func defaultOwner(ctx context.Context, owner **int) {
	if a := permArgsFrom(ctx); a != nil && a.OwnerSet {
		*owner = a.Owner
		return
	}
	if u, ok := UserFromContext(ctx); ok {
		id := u.ID
		*owner = &id
	}
}

// applyGrants applies the request's setPermissions (and, on an update,
// its owner) to object id of model m.
func (r *Resolver) applyGrants(ctx context.Context, m store.Model, id int, created bool) error {
	a := permArgsFrom(ctx)
	if created && a != nil {
		a.OwnerSet = false // the create took it
	}
	if a.empty() {
		return nil
	}
	upd := store.PermissionsUpdate{View: a.View, Change: a.Change, Merge: a.Merge, Created: created}
	if a.OwnerSet {
		upd.SetOwner, upd.Owner = true, a.Owner
	}
	return r.Store.SetPermissions(ctx, m, []int{id}, upd)
}

// createOwned runs create (which stores *owner as the new object's owner)
// and applies the request's grants, in one transaction.
func createOwned[T any](ctx context.Context, r *Resolver, m store.Model, owner **int, id func(*T) int,
	create func(ctx context.Context) (*T, error)) (*T, error) {
	defaultOwner(ctx, owner)
	var out *T
	err := r.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = create(ctx); err != nil {
			return err
		}
		return r.applyGrants(ctx, m, id(out), true)
	})
	return out, err
}

// updateOwned runs update and applies the request's owner and grants in
// one transaction; when they changed anything, reload reads the object
// again.
func updateOwned[T any](ctx context.Context, r *Resolver, m store.Model, id int,
	update, reload func(ctx context.Context) (*T, error)) (*T, error) {
	var out *T
	err := r.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = update(ctx); err != nil {
			return err
		}
		if permArgsFrom(ctx).empty() {
			return nil
		}
		if err := r.applyGrants(ctx, m, id, false); err != nil {
			return err
		}
		out, err = reload(ctx)
		return err
	})
	return out, err
}

// objectGrants is an object's grants, batched per request.
func (r *Resolver) objectGrants(ctx context.Context, m store.Model, id int) (*store.Grants, error) {
	l := r.permLoaders(ctx).grants[m]
	g, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if g.View.Users == nil {
		g.View.Users = []int{}
	}
	if g.View.Groups == nil {
		g.View.Groups = []int{}
	}
	if g.Change.Users == nil {
		g.Change.Users = []int{}
	}
	if g.Change.Groups == nil {
		g.Change.Groups = []int{}
	}
	return &g, nil
}

// userCanChange says whether the caller may change the object, batched
// per request (no query for superusers and unowned or own objects).
func (r *Resolver) userCanChange(ctx context.Context, m store.Model, id int, owner *int) (bool, error) {
	p := store.PrincipalFrom(ctx)
	if !p.Restricted() || owner == nil || *owner == p.UserID {
		return true, nil
	}
	return r.permLoaders(ctx).canChange[m].Load(ctx, id)
}

// isSharedByRequester: the caller owns the document and granted it to
// someone.
func (r *Resolver) isSharedByRequester(ctx context.Context, d *store.Document) (bool, error) {
	u, ok := UserFromContext(ctx)
	if !ok || d.OwnerID == nil || *d.OwnerID != u.ID {
		return false, nil
	}
	g, err := r.objectGrants(ctx, store.ModelDocument, d.ID)
	if err != nil {
		return false, err
	}
	return len(g.View.Users)+len(g.View.Groups)+len(g.Change.Users)+len(g.Change.Groups) > 0, nil
}

// ObjectGrants returns the grants of many objects of model m in one
// statement (REST's full_perms lists).
func (r *Resolver) ObjectGrants(ctx context.Context, m store.Model, ids []int) (map[int]store.Grants, error) {
	return r.Store.ObjectGrants(ctx, m, ids)
}

// UserCanChange returns, for each of ids, whether the caller may change
// it, in one statement (REST's user_can_change).
func (r *Resolver) UserCanChange(ctx context.Context, m store.Model, ids []int) (map[int]bool, error) {
	return r.Store.UserCanChange(ctx, m, ids)
}
