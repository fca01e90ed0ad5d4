package resolvers

import (
	"context"
	"strings"
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

// holdersFromIDs is the legacy flat form of bulk permissions
// (permissionUserIds, permissionGroupIds): view holders.
func holdersFromIDs(users, groups []int) *store.HoldersUpdate {
	if users == nil && groups == nil {
		return nil
	}
	u := &store.HoldersUpdate{}
	if users != nil {
		u.Users = &users
	}
	if groups != nil {
		u.Groups = &groups
	}
	return u
}

// bulkSetPermissions is bulk edit SET_PERMISSIONS (NGX.md §6.8): without
// merge the owner is set to the given one (absent = none) and the
// holders replaced; with merge only unowned documents get the owner and
// holders are added. Ownership of every document is required
// (FORBIDDEN "Insufficient permissions.").
func (r *Resolver) bulkSetPermissions(ctx context.Context, b store.BulkEdit) ([]int, error) {
	upd := r.bulkPermissionsUpdate(ctx, b.OwnerID, b.Merge, b.PermissionUserIDs, b.PermissionGroupIDs)
	upd.SetOwner = !b.Merge || b.OwnerID != nil
	if err := r.Store.SetPermissions(ctx, store.ModelDocument, b.DocumentIDs, upd); err != nil {
		return nil, bulkPermissionError(err)
	}
	if b.DocumentIDs == nil {
		return []int{}, nil
	}
	return b.DocumentIDs, nil
}

func (r *Resolver) bulkPermissionsUpdate(ctx context.Context, owner *int, merge bool, users, groups []int) store.PermissionsUpdate {
	upd := store.PermissionsUpdate{Owner: owner, Merge: merge}
	if a := permArgsFrom(ctx); a != nil && (a.View != nil || a.Change != nil) {
		upd.View, upd.Change = a.View, a.Change
	} else {
		upd.View = holdersFromIDs(users, groups)
	}
	return upd
}

// objectModels are the models of bulk_edit_objects' object types.
var objectModels = map[store.ObjectType]store.Model{store.ObjectTags: store.ModelTag,
	store.ObjectCorrespondents: store.ModelCorrespondent, store.ObjectDocumentTypes: store.ModelDocumentType,
	store.ObjectStoragePaths: store.ModelStoragePath}

// authorizeObjects checks bulk_edit_objects' global permission:
// change_<model> to set permissions, delete_<model> to delete.
func authorizeObjects(ctx context.Context, b store.BulkObjects) error {
	m, ok := objectModels[b.ObjectType]
	if !ok {
		return nil // the store names the invalid choice
	}
	action := "change_"
	if b.Operation == store.ObjectDelete {
		action = "delete_"
	}
	return requirePerm(ctx, action+string(m))
}

// bulkObjectPermissions is bulk_edit_objects SET_PERMISSIONS (NGX.md §12):
// the owner applies when sent (setOwner; with merge only to unowned
// objects and only a non-nil one), the holders with replace or merge
// semantics.
func (r *Resolver) bulkObjectPermissions(ctx context.Context, b store.BulkObjects) ([]int, error) {
	m := objectModels[b.ObjectType]
	if len(b.ObjectIDs) == 0 {
		return nil, store.FieldErrors{"": {"objects must not be empty"}}.Err()
	}
	upd := r.bulkPermissionsUpdate(ctx, b.OwnerID, b.Merge, b.PermissionUserIDs, b.PermissionGroupIDs)
	a := permArgsFrom(ctx)
	upd.SetOwner = a != nil && a.OwnerSet && (!b.Merge || b.OwnerID != nil)
	if err := r.Store.SetPermissions(ctx, m, b.ObjectIDs, upd); err != nil {
		return nil, bulkPermissionError(err)
	}
	return b.ObjectIDs, nil
}

// bulkPermissionError words the store's validation errors of a bulk
// permission change as paperless-ngx's bulk edits do: object-level
// messages ("Specified owner cannot be found", "Some users in
// set_permissions don't exist or were specified twice.").
func bulkPermissionError(err error) error {
	if store.ErrorCode(err) != store.Validation {
		return err
	}
	fields := store.ErrorFields(err)
	if _, ok := fields["owner"]; ok {
		return store.FieldErrors{"": {"Specified owner cannot be found"}}.Err()
	}
	if msgs := fields["set_permissions"]; len(msgs) > 0 {
		return store.FieldErrors{"": {strings.Replace(msgs[0], " in don't", " in set_permissions don't", 1)}}.Err()
	}
	return err
}
