package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"
)

// ownedTable is where a model's rows live and which column holds their
// owner (saved views keep their user_id as the owner).
type ownedTable struct {
	table    string
	ownerCol string
	label    string
}

var ownedTables = map[Model]ownedTable{
	ModelDocument:      {"documents", "owner_id", "document"},
	ModelTag:           {"tags", "owner_id", "tag"},
	ModelCorrespondent: {"correspondents", "owner_id", "correspondent"},
	ModelDocumentType:  {"document_types", "owner_id", "document type"},
	ModelStoragePath:   {"storage_paths", "owner_id", "storage path"},
	ModelSavedView:     {"saved_views", "user_id", "saved view"},
	ModelCustomField:   {"custom_fields", "owner_id", "custom field"},
	ModelShareLink:     {"share_links", "owner_id", "share link"},
}

func tableOf(m Model) (ownedTable, error) {
	t, ok := ownedTables[m]
	if !ok {
		return ownedTable{}, fmt.Errorf("model %q has no owner", m)
	}
	return t, nil
}

// ObjectGrants returns the grants of the objects of model m among ids, in
// one statement; objects without grants are absent from the map. Holder
// ids are in ascending order. It applies no visibility: callers load the
// grants of objects they have already read.
func (s *Store) ObjectGrants(ctx context.Context, m Model, ids []int) (map[int]Grants, error) {
	out := make(map[int]Grants)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ObjectID   int    `bun:"object_id"`
		Permission string `bun:"permission"`
		UserID     *int   `bun:"user_id"`
		GroupID    *int   `bun:"group_id"`
	}
	err := s.db(ctx).NewSelect().TableExpr("object_permissions").
		Column("object_id", "permission", "user_id", "group_id").
		Where("model = ?", string(m)).Where("object_id IN (?)", bun.In(uniqueInts(ids))).
		OrderExpr("object_id, permission, user_id, group_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load grants of %ss: %w", m, err)
	}
	for _, r := range rows {
		g := out[r.ObjectID]
		h := &g.View
		if r.Permission == PermChange {
			h = &g.Change
		}
		if r.UserID != nil {
			h.Users = append(h.Users, *r.UserID)
		} else if r.GroupID != nil {
			h.Groups = append(h.Groups, *r.GroupID)
		}
		out[r.ObjectID] = g
	}
	for id, g := range out {
		for _, h := range []*Holders{&g.View, &g.Change} {
			slices.Sort(h.Users)
			slices.Sort(h.Groups)
		}
		out[id] = g
	}
	return out, nil
}

// HoldersUpdate changes who holds one permission: a nil list is left
// alone, a non-nil one (even empty) replaces the holders (or, with
// PermissionsUpdate.Merge, is added to them).
type HoldersUpdate struct {
	Users  *[]int
	Groups *[]int
}

// PermissionsUpdate changes the owner and grants of objects, with
// paperless-ngx's set_permissions semantics (NGX.md §4.3, §6.8, §12).
type PermissionsUpdate struct {
	// SetOwner applies Owner (nil: unowned). With Merge only unowned
	// objects get the owner, and only a non-nil one.
	SetOwner bool
	Owner    *int
	// View and Change, when non-nil, update that permission's holders.
	// Holders given change also get view.
	View   *HoldersUpdate
	Change *HoldersUpdate
	// Merge adds holders instead of replacing them.
	Merge bool
	// Created says the objects were created by the caller in this
	// transaction: the right to change their permissions is not checked.
	Created bool
}

// SetPermissions applies upd to the objects of model m with the given ids,
// all or nothing, acting for the context's principal. Errors: NotFound
// when an object does not exist or is not visible; Forbidden "Insufficient
// permissions." when the principal is neither superuser nor the owner of
// an owned object; Validation on "owner" for an unknown user and on
// "set_permissions" for unknown or repeated users or groups. Documents
// whose owner or grants change are queued for the search index (its access
// tokens).
func (s *Store) SetPermissions(ctx context.Context, m Model, ids []int, upd PermissionsUpdate) error {
	t, err := tableOf(m)
	if err != nil {
		return err
	}
	ids = uniqueInts(ids)
	if len(ids) == 0 {
		return nil
	}
	if err := s.validatePermissions(ctx, upd); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		owners, err := s.visibleOwners(ctx, m, t, ids)
		if err != nil {
			return err
		}
		if !upd.Created {
			for _, id := range ids {
				if !mayChangePermissions(PrincipalFrom(ctx), owners[id]) {
					return Errorf(Forbidden, "Insufficient permissions.")
				}
			}
		}
		if upd.SetOwner {
			q := s.wdb(ctx).NewUpdate().TableExpr(t.table).Set(t.ownerCol+" = ?", upd.Owner).Where("id IN (?)", bun.In(ids))
			if upd.Merge {
				q = q.Where(t.ownerCol + " IS NULL")
			}
			if !(upd.Merge && upd.Owner == nil) && !(m == ModelSavedView && upd.Owner == nil) {
				if _, err := q.Exec(ctx); err != nil {
					return fmt.Errorf("set owner of %ss: %w", t.label, err)
				}
			}
		}
		if upd.View != nil || upd.Change != nil {
			if err := s.writeGrants(ctx, m, ids, upd); err != nil {
				return err
			}
		}
		if m == ModelDocument && (upd.SetOwner || upd.View != nil || upd.Change != nil) {
			return s.EnqueueSearch(ctx, ids)
		}
		return nil
	})
}

// SetOwner gives the object of model m a new owner (nil: unowned); errors
// as SetPermissions.
func (s *Store) SetOwner(ctx context.Context, m Model, id int, owner *int) error {
	return s.SetPermissions(ctx, m, []int{id}, PermissionsUpdate{SetOwner: true, Owner: owner})
}

// mayChangePermissions reports whether p may change the owner and grants
// of an object owned by owner: the system, a superuser, the owner, or
// anyone when it is unowned.
func mayChangePermissions(p *Principal, owner *int) bool {
	return !p.Restricted() || owner == nil || *owner == p.UserID
}

// visibleOwners returns the owners of the objects ids the principal may
// see; NotFound names the first one missing or hidden.
func (s *Store) visibleOwners(ctx context.Context, m Model, t ownedTable, ids []int) (map[int]*int, error) {
	var rows []struct {
		ID    int  `bun:"id"`
		Owner *int `bun:"owner"`
	}
	q := s.db(ctx).NewSelect().TableExpr(t.table+" AS o").ColumnExpr("o.id, o."+t.ownerCol+" AS owner").
		Where("o.id IN (?)", bun.In(ids))
	if c := grantCondOn(PrincipalFrom(ctx), m, "o", t.ownerCol, PermView, PermChange); c.sql != "" {
		q = q.Where(c.sql, c.args...)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("load owners of %ss: %w", t.label, err)
	}
	out := make(map[int]*int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Owner
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, notFound(t.label, id)
		}
	}
	return out, nil
}

// validatePermissions checks the owner and every holder list of upd.
func (s *Store) validatePermissions(ctx context.Context, upd PermissionsUpdate) error {
	if upd.SetOwner && upd.Owner != nil {
		missing, err := s.missingIDs(ctx, "users", []int{*upd.Owner})
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return &Error{Code: Validation, Message: "invalid input",
				Fields: map[string][]string{"owner": {fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", *upd.Owner)}}}
		}
	}
	for _, h := range []*HoldersUpdate{upd.View, upd.Change} {
		if h == nil {
			continue
		}
		for _, l := range []struct {
			ids   *[]int
			table string
			what  string
		}{{h.Users, "users", "users"}, {h.Groups, "groups", "groups"}} {
			if l.ids == nil || len(*l.ids) == 0 {
				continue
			}
			missing, err := s.missingIDs(ctx, l.table, *l.ids)
			if err != nil {
				return err
			}
			if len(missing) > 0 || len(uniqueInts(*l.ids)) != len(*l.ids) {
				return &Error{Code: Validation, Message: "invalid input",
					Fields: map[string][]string{"set_permissions": {"Some " + l.what + " in don't exist or were specified twice."}}}
			}
		}
	}
	return nil
}

// writeGrants rewrites the grants of ids from their current rows and upd.
func (s *Store) writeGrants(ctx context.Context, m Model, ids []int, upd PermissionsUpdate) error {
	cur, err := s.ObjectGrants(ctx, m, ids)
	if err != nil {
		return err
	}
	apply := func(have []int, set *[]int) []int {
		if set == nil {
			return have
		}
		if upd.Merge {
			return uniqueInts(append(slices.Clone(have), *set...))
		}
		return uniqueInts(*set)
	}
	type row struct {
		bun.BaseModel `bun:"table:object_permissions"`
		Model         string `bun:"model"`
		ObjectID      int    `bun:"object_id"`
		Permission    string `bun:"permission"`
		UserID        *int   `bun:"user_id"`
		GroupID       *int   `bun:"group_id"`
	}
	var rows []row
	for _, id := range ids {
		g := cur[id]
		if upd.View != nil {
			g.View.Users = apply(g.View.Users, upd.View.Users)
			g.View.Groups = apply(g.View.Groups, upd.View.Groups)
		}
		if upd.Change != nil {
			g.Change.Users = apply(g.Change.Users, upd.Change.Users)
			g.Change.Groups = apply(g.Change.Groups, upd.Change.Groups)
			// Change implies view: the holders given change see it too.
			if upd.Change.Users != nil {
				g.View.Users = uniqueInts(append(g.View.Users, *upd.Change.Users...))
			}
			if upd.Change.Groups != nil {
				g.View.Groups = uniqueInts(append(g.View.Groups, *upd.Change.Groups...))
			}
		}
		for _, p := range []struct {
			perm string
			h    Holders
		}{{PermView, g.View}, {PermChange, g.Change}} {
			for _, u := range p.h.Users {
				rows = append(rows, row{Model: string(m), ObjectID: id, Permission: p.perm, UserID: &u})
			}
			for _, gr := range p.h.Groups {
				rows = append(rows, row{Model: string(m), ObjectID: id, Permission: p.perm, GroupID: &gr})
			}
		}
	}
	if _, err := s.wdb(ctx).NewDelete().TableExpr("object_permissions").
		Where("model = ?", string(m)).Where("object_id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return fmt.Errorf("replace grants of %ss: %w", m, err)
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("write grants of %ss: %w", m, err)
	}
	return nil
}

// MayChange returns nil when the context's principal may change (and
// delete) the object of model m: NotFound when it cannot see it,
// Forbidden when it sees it without a right to change it.
func (s *Store) MayChange(ctx context.Context, m Model, id int) error {
	t, err := tableOf(m)
	if err != nil {
		return err
	}
	p := PrincipalFrom(ctx)
	see := grantCondOn(p, m, "o", t.ownerCol, PermView, PermChange)
	change := grantCondOn(p, m, "o", t.ownerCol, PermChange)
	q := s.db(ctx).NewSelect().TableExpr(t.table+" AS o").Where("o.id = ?", id)
	if see.sql == "" {
		q = q.ColumnExpr("TRUE")
	} else {
		q = q.Where(see.sql, see.args...).ColumnExpr("CASE WHEN "+change.sql+" THEN TRUE ELSE FALSE END", change.args...)
	}
	var ok bool
	err = q.Scan(ctx, &ok)
	if isNoRows(err) {
		return notFound(t.label, id)
	}
	if err != nil {
		return fmt.Errorf("check rights on %s %d: %w", t.label, id, err)
	}
	if !ok {
		return Errorf(Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// MaySee returns nil when the context's principal may see the object of
// model m, else NotFound (also when it does not exist).
func (s *Store) MaySee(ctx context.Context, m Model, id int) error {
	t, err := tableOf(m)
	if err != nil {
		return err
	}
	_, err = s.visibleOwners(ctx, m, t, []int{id})
	return err
}

// MayChangeAll is MayChange for many objects in one statement: NotFound
// for the first one not visible, Forbidden when any is not changeable.
func (s *Store) MayChangeAll(ctx context.Context, m Model, ids []int) error {
	p := PrincipalFrom(ctx)
	if !p.Restricted() || len(ids) == 0 {
		return nil
	}
	t, err := tableOf(m)
	if err != nil {
		return err
	}
	ids = uniqueInts(ids)
	see := grantCondOn(p, m, "o", t.ownerCol, PermView, PermChange)
	change := grantCondOn(p, m, "o", t.ownerCol, PermChange)
	var rows []struct {
		ID int  `bun:"id"`
		OK bool `bun:"ok"`
	}
	err = s.db(ctx).NewSelect().TableExpr(t.table+" AS o").Where("o.id IN (?)", bun.In(ids)).Where(see.sql, see.args...).
		ColumnExpr("o.id").ColumnExpr("CASE WHEN "+change.sql+" THEN TRUE ELSE FALSE END AS ok", change.args...).
		Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("check rights on %ss: %w", t.label, err)
	}
	seen := make(map[int]bool, len(rows))
	forbidden := false
	for _, r := range rows {
		seen[r.ID] = true
		forbidden = forbidden || !r.OK
	}
	for _, id := range ids {
		if !seen[id] {
			return notFound(t.label, id)
		}
	}
	if forbidden {
		return Errorf(Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// UserCanChange reports, for each of ids the principal sees, whether it
// may change the object (paperless-ngx's user_can_change), in one
// statement; hidden or missing ids are absent.
func (s *Store) UserCanChange(ctx context.Context, m Model, ids []int) (map[int]bool, error) {
	out := make(map[int]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	t, err := tableOf(m)
	if err != nil {
		return nil, err
	}
	p := PrincipalFrom(ctx)
	q := s.db(ctx).NewSelect().TableExpr(t.table+" AS o").Where("o.id IN (?)", bun.In(uniqueInts(ids))).ColumnExpr("o.id")
	if see := grantCondOn(p, m, "o", t.ownerCol, PermView, PermChange); see.sql != "" {
		change := grantCondOn(p, m, "o", t.ownerCol, PermChange)
		q = q.Where(see.sql, see.args...).ColumnExpr("CASE WHEN "+change.sql+" THEN TRUE ELSE FALSE END AS ok", change.args...)
	} else {
		q = q.ColumnExpr("TRUE AS ok")
	}
	var rows []struct {
		ID int  `bun:"id"`
		OK bool `bun:"ok"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("check rights on %ss: %w", t.label, err)
	}
	for _, r := range rows {
		out[r.ID] = r.OK
	}
	return out, nil
}
