package store

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"
)

// Principal is who a request acts for, as the store's visibility rules see
// it (NGX.md §4): a superuser sees and changes everything; anyone else sees
// objects without an owner, their own, and those granted to them or to one
// of their groups. A context without a Principal is the system itself (the
// consumer, the indexer, imports, commands): nothing is hidden from it.
type Principal struct {
	UserID    int
	GroupIDs  []int
	Superuser bool
	// Perms holds the global permission codenames ("view_document",
	// "add_tag", …) the user has directly or through a group; a superuser
	// has every one whatever it holds.
	Perms map[string]bool
}

type principalKey struct{}

// WithPrincipal returns a context whose store calls act for p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx acts for; nil means the system.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Restricted reports whether p sees less than everything: a non-nil
// principal that is not a superuser.
func (p *Principal) Restricted() bool { return p != nil && !p.Superuser }

// Has reports whether p holds the global permission codename.
func (p *Principal) Has(codename string) bool {
	return p == nil || p.Superuser || p.Perms[codename]
}

// Model names a kind of object that has an owner and per-object
// grants; the values are paperless-ngx's model codenames (NGX.md §4.1).
type Model string

// The models with owners and grants.
const (
	ModelDocument      Model = "document"
	ModelTag           Model = "tag"
	ModelCorrespondent Model = "correspondent"
	ModelDocumentType  Model = "documenttype"
	ModelStoragePath   Model = "storagepath"
	ModelSavedView     Model = "savedview"
	ModelCustomField   Model = "customfield"
	ModelShareLink     Model = "sharelink"
)

// Holders are the users and groups a grant is given to.
type Holders struct {
	Users  []int
	Groups []int
}

// Grants are an object's per-object permissions. Change implies view: a
// holder of Change sees the object too.
type Grants struct {
	View   Holders
	Change Holders
}

// ACLPublic is the search-index access token of a document without an
// owner; see ACLTokens.
const ACLPublic = "public"

// ACLTokens are the access tokens the search index keeps for a document:
// "public" when it has no owner, else "u<owner>" plus "u<id>" and "g<id>"
// for every user and group granted view or change. A restricted
// principal may see the document when the two share a token (see
// Principal.ACL).
func ACLTokens(owner *int, g Grants) []string {
	if owner == nil {
		return []string{ACLPublic}
	}
	out := []string{"u" + strconv.Itoa(*owner)}
	for _, h := range []Holders{g.View, g.Change} {
		for _, id := range h.Users {
			out = append(out, "u"+strconv.Itoa(id))
		}
		for _, id := range h.Groups {
			out = append(out, "g"+strconv.Itoa(id))
		}
	}
	return out
}

// ACL returns the tokens a search must match one of for p to see a hit,
// or nil when p sees every document.
func (p *Principal) ACL() []string {
	if !p.Restricted() {
		return nil
	}
	out := make([]string, 0, 2+len(p.GroupIDs))
	out = append(out, ACLPublic, "u"+strconv.Itoa(p.UserID))
	for _, g := range p.GroupIDs {
		out = append(out, "g"+strconv.Itoa(g))
	}
	return out
}

// Permission levels of object_permissions rows.
const (
	PermView   = "view"
	PermChange = "change"
)

// visibleCond is the SQL condition that keeps, of the rows of model m
// aliased alias (a table with id and owner_id), those p may see: no owner,
// owned by p, or granted (view or change) to p or one of p's groups. The
// zero cond (sql "") means p sees every row.
func visibleCond(p *Principal, m Model, alias string) cond {
	return grantCond(p, m, alias, PermView, PermChange)
}

// changeableCond is visibleCond for changing (and deleting): no owner,
// owned by p, or a change grant.
func changeableCond(p *Principal, m Model, alias string) cond {
	return grantCond(p, m, alias, PermChange)
}

func grantCond(p *Principal, m Model, alias string, perms ...string) cond {
	return grantCondOn(p, m, alias, "owner_id", perms...)
}

// grantCondOn is grantCond over a table whose owner is in ownerCol.
func grantCondOn(p *Principal, m Model, alias, ownerCol string, perms ...string) cond {
	if !p.Restricted() {
		return cond{}
	}
	holder := "op.user_id = ?"
	args := []any{p.UserID, string(m), bun.In(perms), p.UserID}
	if len(p.GroupIDs) > 0 {
		holder = "(op.user_id = ? OR op.group_id IN (?))"
		args = append(args, bun.In(p.GroupIDs))
	}
	return cond{
		sql: "(" + alias + "." + ownerCol + " IS NULL OR " + alias + "." + ownerCol + " = ? OR EXISTS (" +
			"SELECT 1 FROM object_permissions op WHERE op.model = ? AND op.object_id = " + alias + ".id AND op.permission IN (?) AND " + holder + "))",
		args: args,
	}
}
