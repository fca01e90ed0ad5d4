package rest

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Owners and per-object permissions on the wire (NGX.md §4.3): owner,
// user_can_change, is_shared_by_requester, permissions (with
// ?full_perms=true) and the write-only set_permissions.

// docPerms is what a document object shows of its permissions.
type docPerms struct {
	canChange bool
	shared    bool
	grants    *store.Grants // loaded when the mask has permissions
}

// ngxShared is the mask bit of is_shared_by_requester (ngxUserCanChange
// holds it and user_can_change's).
const ngxShared = 1 << 19

// fillPermissions loads user_can_change, is_shared_by_requester and
// permissions of a page of ngx document objects: one statement each.
func (a *API) fillPermissions(ctx context.Context, out []documentJSON) error {
	if out[0].v < 9 || out[0].mask&(ngxPermissions|ngxUserCanChange|ngxShared) == 0 {
		return nil
	}
	ids := make([]int, len(out))
	for i := range out {
		ids[i] = out[i].d.ID
	}
	var grants map[int]store.Grants
	if out[0].mask&(ngxPermissions|ngxShared) != 0 {
		var err error
		if grants, err = a.res.ObjectGrants(ctx, store.ModelDocument, ids); err != nil {
			return err
		}
	}
	var can map[int]bool
	if out[0].mask&ngxUserCanChange != 0 {
		var err error
		if can, err = a.res.UserCanChange(ctx, store.ModelDocument, ids); err != nil {
			return err
		}
	}
	u, _ := resolvers.UserFromContext(ctx)
	for i := range out {
		d := out[i].d
		p := &docPerms{canChange: can[d.ID]}
		if g, ok := grants[d.ID]; ok || grants != nil {
			g := g
			p.grants = &g
			p.shared = u != nil && d.OwnerID != nil && *d.OwnerID == u.ID &&
				len(g.View.Users)+len(g.View.Groups)+len(g.Change.Users)+len(g.Change.Groups) > 0
		}
		out[i].perms = p
	}
	return nil
}

// appendPerms appends the permissions object of g (nil: none granted).
func appendPerms(b []byte, g *store.Grants) []byte {
	if g == nil {
		g = &store.Grants{}
	}
	b = append(b, `{"view":{"users":`...)
	b = appendInts(b, orEmpty(g.View.Users))
	b = append(b, `,"groups":`...)
	b = appendInts(b, orEmpty(g.View.Groups))
	b = append(b, `},"change":{"users":`...)
	b = appendInts(b, orEmpty(g.Change.Users))
	b = append(b, `,"groups":`...)
	b = appendInts(b, orEmpty(g.Change.Groups))
	return append(b, "}}"...)
}

// ngxPermsOf is the permissions object of g.
func ngxPermsOf(g store.Grants) *ngxPerms {
	return &ngxPerms{View: ngxHolders{orEmpty(g.View.Users), orEmpty(g.View.Groups)},
		Change: ngxHolders{orEmpty(g.Change.Users), orEmpty(g.Change.Groups)}}
}

// ownership fills the owner and user_can_change or (full_perms)
// permissions of a page of owned objects of model m, one statement for
// all of them.
func (a *API) ownership(ctx context.Context, r *http.Request, m store.Model, ids []int, owners []*int) ([]ngxOwnership, error) {
	out := make([]ngxOwnership, len(ids))
	full, _ := boolStyle(r.URL.Query().Get("full_perms"))
	if full {
		grants, err := a.res.ObjectGrants(ctx, m, ids)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			out[i] = ngxOwnership{Owner: owners[i], Permissions: ngxPermsOf(grants[id])}
		}
		return out, nil
	}
	can, err := a.res.UserCanChange(ctx, m, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		c := can[id]
		out[i] = ngxOwnership{Owner: owners[i], UserCanChange: &c}
	}
	return out, nil
}

// permissionArgs reads owner and set_permissions from a body into the
// context the create or update resolver reads them from
// (resolvers.WithObjectPermissions). owner applies only when sent.
func permissionArgs(ctx context.Context, b *body) context.Context {
	var args resolvers.ObjectPermissionArgs
	if v, ok := b.pk("owner", true); ok {
		args.OwnerSet, args.Owner = true, v
	}
	if x, ok := b.raw("set_permissions"); ok {
		args.View, args.Change = setPermissions(b, "set_permissions", x)
	}
	return resolvers.WithObjectPermissions(ctx, args)
}

// setPermissions reads a set_permissions object ({"view": {"users": [],
// "groups": []}, "change": {…}}): each key present replaces its holders.
func setPermissions(b *body, field string, x any) (view, change *store.HoldersUpdate) {
	obj, ok := x.(map[string]any)
	if !ok {
		b.fail(field, `Expected a dictionary of items but got type "`+pyType(x)+`".`)
		return nil, nil
	}
	read := func(key string) *store.HoldersUpdate {
		h, ok := obj[key]
		if !ok {
			return nil
		}
		hm, ok := h.(map[string]any)
		if !ok {
			b.fail(field, `Expected a dictionary of items but got type "`+pyType(h)+`".`)
			return nil
		}
		u := &store.HoldersUpdate{}
		for _, k := range []string{"users", "groups"} {
			v, ok := hm[k]
			if !ok {
				continue
			}
			list, isList := v.([]any)
			if !isList {
				b.fail(field, `Expected a list of items but got type "`+pyType(v)+`".`)
				return nil
			}
			ids := []int{}
			for _, it := range list {
				n, msg := pkValue(it)
				if msg != "" {
					b.fail(field, msg)
					return nil
				}
				ids = append(ids, n)
			}
			if k == "users" {
				u.Users = &ids
			} else {
				u.Groups = &ids
			}
		}
		return u
	}
	return read("view"), read("change")
}

// ownedOf is ownership for n objects of model m, at(i) giving the i-th
// one's id and owner.
func (a *API) ownedOf(ctx context.Context, r *http.Request, m store.Model, n int, at func(i int) (int, *int)) ([]ngxOwnership, error) {
	ids, owners := make([]int, n), make([]*int, n)
	for i := range n {
		ids[i], owners[i] = at(i)
	}
	if n == 0 {
		return nil, nil
	}
	return a.ownership(ctx, r, m, ids, owners)
}

// bulkPermissionArgs puts a bulk edit's set_permissions object (already
// checked by permissionHolders) and, for bulk_edit_objects, whether owner
// was sent into the context the resolvers read them from.
func bulkPermissionArgs(ctx context.Context, perms any, ownerSent bool) context.Context {
	args := resolvers.ObjectPermissionArgs{OwnerSet: ownerSent}
	if perms != nil {
		b := &body{}
		args.View, args.Change = setPermissions(b, "set_permissions", perms)
	}
	return resolvers.WithObjectPermissions(ctx, args)
}
