package resolvers

import (
	"context"

	"github.com/quirehq/quire/store"
)

// Groups and the groups and permissions of users (NGX.md §10). Reading
// needs view_group / view_user (opPerms); managing users stays with
// superusers; managing groups needs add_/change_/delete_group.

// groups lists every group by name.
func (r *Resolver) groups(ctx context.Context) ([]store.Group, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	gs, err := r.Store.Groups(ctx)
	if gs == nil && err == nil {
		gs = []store.Group{}
	}
	return gs, err
}

// group returns one group (NotFound when it does not exist).
func (r *Resolver) group(ctx context.Context, id int) (*store.Group, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	return r.Store.Group(ctx, id)
}

// groupPermissions is a group's codenames, batched per request.
func (r *Resolver) groupPermissions(ctx context.Context, g *store.Group) ([]string, error) {
	perms, err := r.permLoaders(ctx).groupPermissions.Load(ctx, g.ID)
	if perms == nil && err == nil {
		perms = []string{}
	}
	return perms, err
}

// groupMembers is a group's members, batched per request.
func (r *Resolver) groupMembers(ctx context.Context, g *store.Group) ([]store.User, error) {
	ids, err := r.permLoaders(ctx).groupMembers.Load(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	out := make([]store.User, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	users, err := r.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	in := map[int]bool{}
	for _, id := range ids {
		in[id] = true
	}
	for _, u := range users {
		if in[u.ID] {
			out = append(out, u)
		}
	}
	return out, nil
}

// GroupInput is what createGroup and updateGroup take: nil fields are
// left alone (a new group needs a name).
type GroupInput struct {
	Name        *string
	Permissions []string
}

// createGroup makes a group (add_group).
func (r *Resolver) createGroup(ctx context.Context, in GroupInput) (*store.Group, error) {
	if in.Name == nil {
		return nil, store.FieldErrors{"name": {msgRequired}}.Err()
	}
	g := &store.Group{Name: *in.Name}
	if err := r.Store.CreateGroup(ctx, g, in.Permissions); err != nil {
		return nil, err
	}
	return g, nil
}

// updateGroup renames a group or replaces its permissions (change_group).
func (r *Resolver) updateGroup(ctx context.Context, id int, in GroupInput) (*store.Group, error) {
	upd := store.GroupUpdate{Name: in.Name}
	if in.Permissions != nil {
		upd.Permissions = &in.Permissions
	}
	return r.Store.UpdateGroup(ctx, id, upd)
}

// deleteGroup deletes a group (delete_group); its grants go with it.
func (r *Resolver) deleteGroup(ctx context.Context, id int) (int, error) {
	if err := r.Store.DeleteGroup(ctx, id); err != nil {
		return 0, err
	}
	return id, nil
}

// userAccess is what a user holds (groups, direct and inherited
// permissions), batched per request.
func (r *Resolver) userAccess(ctx context.Context, u *store.User) (*store.UserAccess, error) {
	a, err := r.permLoaders(ctx).userAccess.Load(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		a = &store.UserAccess{}
	}
	return a, nil
}

// UserAccess returns a user's groups and permissions (REST's users
// endpoint); see userAccess.
func (r *Resolver) UserAccess(ctx context.Context, u *store.User) (*store.UserAccess, error) {
	return r.userAccess(ctx, u)
}

// GroupPermissions returns a group's permission codenames (REST's groups
// endpoint).
func (r *Resolver) GroupPermissions(ctx context.Context, g *store.Group) ([]string, error) {
	return r.groupPermissions(ctx, g)
}

// UserAccessInput is what user administration may set besides the
// account fields: nil leaves it alone (on create, nil permissions mean
// store.DefaultPermissions), non-nil (even empty) replaces it.
type UserAccessInput struct {
	Groups      []int
	Permissions []string
}

// applyUserAccess writes in for user id (inside the caller's transaction).
func (r *Resolver) applyUserAccess(ctx context.Context, id int, in UserAccessInput) error {
	if in.Permissions != nil {
		if err := r.Store.SetUserPermissions(ctx, id, in.Permissions); err != nil {
			return err
		}
	}
	if in.Groups != nil {
		if err := r.Store.SetUserGroups(ctx, id, in.Groups); err != nil {
			return err
		}
	}
	return nil
}

// effectivePermissions are the caller's global permission codenames:
// every one for a superuser.
func effectivePermissions(ctx context.Context) []string {
	p := store.PrincipalFrom(ctx)
	if !p.Restricted() {
		return store.AllPermissions()
	}
	out := []string{}
	for _, c := range store.AllPermissions() {
		if p.Perms[c] {
			out = append(out, c)
		}
	}
	return out
}

// UsersAccess returns the groups and permissions of many users in one
// statement (REST's user list).
func (r *Resolver) UsersAccess(ctx context.Context, ids []int) (map[int]*store.UserAccess, error) {
	return r.Store.UsersAccess(ctx, ids)
}

// GroupsPermissions returns the permission codenames of many groups in one
// statement (REST's group list).
func (r *Resolver) GroupsPermissions(ctx context.Context, ids []int) (map[int][]string, error) {
	return r.Store.GroupsPermissions(ctx, ids)
}
