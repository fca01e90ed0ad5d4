package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
		addGrant(out, r.ObjectID, r.Permission, r.UserID, r.GroupID)
	}
	sortGrants(out)
	return out, nil
}

// addGrant adds one object_permissions row to out.
func addGrant(out map[int]Grants, id int, perm string, user, group *int) {
	g := out[id]
	h := &g.View
	if perm == PermChange {
		h = &g.Change
	}
	if user != nil {
		h.Users = append(h.Users, *user)
	} else if group != nil {
		h.Groups = append(h.Groups, *group)
	}
	out[id] = g
}

func sortGrants(out map[int]Grants) {
	for id, g := range out {
		for _, h := range []*Holders{&g.View, &g.Change} {
			slices.Sort(h.Users)
			slices.Sort(h.Groups)
		}
		out[id] = g
	}
}

// DocumentGrantsAndNoteCounts returns what ObjectGrants(ModelDocument, ids)
// and NoteCounts(ids) return, in one statement: a page of documents that
// shows both costs one round trip for them.
func (s *Store) DocumentGrantsAndNoteCounts(ctx context.Context, ids []int) (map[int]Grants, map[int]int, error) {
	grants, counts := make(map[int]Grants), make(map[int]int)
	if len(ids) == 0 {
		return grants, counts, nil
	}
	ids = uniqueInts(ids)
	var rows []struct {
		Kind       int    `bun:"kind"`
		ID         int    `bun:"id"`
		N          int    `bun:"n"`
		Permission string `bun:"permission"`
		UserID     *int   `bun:"user_id"`
		GroupID    *int   `bun:"group_id"`
	}
	err := s.db(ctx).NewRaw(`SELECT 0 AS kind, document_id AS id, count(*) AS n, '' AS permission,
	CAST(NULL AS INTEGER) AS user_id, CAST(NULL AS INTEGER) AS group_id
FROM notes WHERE document_id IN (?) GROUP BY document_id
UNION ALL
SELECT 1, object_id, 0, permission, user_id, group_id
FROM object_permissions WHERE model = ? AND object_id IN (?)`, bun.In(ids), string(ModelDocument), bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, nil, fmt.Errorf("load grants and note counts of %d documents: %w", len(ids), err)
	}
	for _, r := range rows {
		if r.Kind == 0 {
			counts[r.ID] = r.N
			continue
		}
		addGrant(grants, r.ID, r.Permission, r.UserID, r.GroupID)
	}
	sortGrants(grants)
	return grants, counts, nil
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
					if ErrorCode(translate(err)) == Conflict {
						return &Error{Code: Conflict, Message: OwnerNameConflict}
					}
					return fmt.Errorf("set owner of %ss: %w", t.label, err)
				}
			}
		}
		if upd.View != nil || upd.Change != nil {
			if err := s.writeGrants(ctx, m, ids, upd); err != nil {
				return err
			}
		}
		if m == ModelDocument && upd.SetOwner && !upd.Created {
			if err := s.recordOwners(ctx, ids, owners, upd); err != nil {
				return err
			}
		}
		if m == ModelDocument && (upd.SetOwner || upd.View != nil || upd.Change != nil) {
			return s.EnqueueSearch(ctx, ids)
		}
		return nil
	})
}

// recordOwners writes the history of documents whose owner upd changed
// (before: their owners until now).
func (s *Store) recordOwners(ctx context.Context, ids []int, before map[int]*int, upd PermissionsUpdate) error {
	owner := func(p *int) string {
		if p == nil {
			return "None"
		}
		return strconv.Itoa(*p)
	}
	var rows []historyRow
	for _, id := range ids {
		old := before[id]
		if upd.Merge && old != nil || owner(old) == owner(upd.Owner) {
			continue
		}
		rows = append(rows, historyRow{docID: id, action: HistoryUpdate,
			changes: []historyChange{{Field: "owner", Old: owner(old), New: owner(upd.Owner)}}})
	}
	return s.writeHistory(ctx, rows)
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

// docVisible is visibleCond over documents aliased alias for the
// context's principal (zero when it sees everything).
func docVisible(ctx context.Context, alias string) cond {
	return visibleCond(PrincipalFrom(ctx), ModelDocument, alias)
}

// restricted reports whether the context's principal sees less than
// everything: the caches of whole-archive answers are not for it.
func restricted(ctx context.Context) bool { return PrincipalFrom(ctx).Restricted() }

// whereCond adds c to q unless it is the zero cond.
func whereCond(q *bun.SelectQuery, c cond) *bun.SelectQuery {
	if c.sql == "" {
		return q
	}
	return q.Where(c.sql, c.args...)
}

// ownerConds are the document filters on the owner (owner__id, __in,
// __none, __isnull) and shared_by__id: owned by the user and granted to
// someone.
func ownerConds(f DocumentFilter) []cond {
	out := idConds("d.owner_id", f.Owner)
	if f.SharedBy != nil {
		out = append(out, cond{"(d.owner_id = ? AND d.id IN (SELECT sb.object_id FROM object_permissions AS sb WHERE sb.model = 'document'))",
			[]any{*f.SharedBy}})
	}
	return out
}

// tableModels names the model of each owned table.
var tableModels = map[string]Model{
	"documents": ModelDocument, "tags": ModelTag, "correspondents": ModelCorrespondent,
	"document_types": ModelDocumentType, "storage_paths": ModelStoragePath,
	"custom_fields": ModelCustomField, "share_links": ModelShareLink,
}

// mayChangeDocuments checks, for a bulk operation on existing documents,
// that the principal may change every one: Forbidden (nothing written)
// when any is not changeable, hidden ones included (paperless-ngx answers
// 403 there too).
func (s *Store) mayChangeDocuments(ctx context.Context, ids []int) error {
	p := PrincipalFrom(ctx)
	if !p.Restricted() || len(ids) == 0 {
		return nil
	}
	c := changeableCond(p, ModelDocument, "d")
	n, err := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id IN (?)", bun.In(uniqueInts(ids))).
		Where(c.sql, c.args...).Count(ctx)
	if err != nil {
		return fmt.Errorf("check rights on documents: %w", err)
	}
	if int(n) != len(uniqueInts(ids)) {
		return Errorf(Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// checkVisibleDocuments is checkDocumentList's message for documents the
// principal may not see (they do not exist for it).
func (s *Store) checkVisibleDocuments(ctx context.Context, ids []int) error {
	c := docVisible(ctx, "d")
	if c.sql == "" || len(ids) == 0 {
		return nil
	}
	n, err := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id IN (?)", bun.In(uniqueInts(ids))).
		Where(c.sql, c.args...).Count(ctx)
	if err != nil {
		return fmt.Errorf("check documents: %w", err)
	}
	if int(n) != len(uniqueInts(ids)) {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
			"documentIds": {"Some documents in documents don't exist or were specified twice."},
		}}
	}
	return nil
}

// OwnerNameConflict is paperless-ngx's message when a matching object's
// name is taken by another object of the same owner (NGX.md §4.3); the
// store's Conflict error carries it as its message, and the older
// dialects' field message on "name".
const OwnerNameConflict = "Object violates owner / name unique constraint"

func nameTaken(k namedKind) error {
	return &Error{Code: Conflict, Message: OwnerNameConflict,
		Fields: map[string][]string{"name": {k.label + " with this name already exists."}}}
}

// nameOwner returns the owner key (0: unowned) a name must be unique
// under: the stored row's owner on update, the given owner on create
// (which must be a user: Validation on "owner").
func (s *Store) nameOwner(ctx context.Context, k namedKind, id int, create *int) (int, error) {
	if id == 0 {
		if create == nil {
			return 0, nil
		}
		missing, err := s.missingIDs(ctx, "users", []int{*create})
		if err != nil {
			return 0, err
		}
		if len(missing) > 0 {
			return 0, &Error{Code: Validation, Message: "invalid input",
				Fields: map[string][]string{"owner": {invalidPK(*create)}}}
		}
		return *create, nil
	}
	var owner *int
	err := s.db(ctx).NewSelect().TableExpr(k.table).Column("owner_id").Where("id = ?", id).Scan(ctx, &owner)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("load owner of %s %d: %w", k.label, id, err)
	}
	if owner == nil {
		return 0, nil
	}
	return *owner, nil
}

// visibleCounts rewrites a name list's ORDER BY so that ordering by
// document count counts only the documents the principal may see.
func (s *Store) visibleCounts(ctx context.Context, k namedKind, orderSQL string) string {
	c := docVisible(ctx, "vd")
	if c.sql == "" || !strings.Contains(orderSQL, k.countSQL) || !strings.HasSuffix(k.countSQL, ")") {
		return orderSQL
	}
	vis := s.read.QueryGen().FormatQuery(c.sql, c.args...)
	var doc string
	switch {
	case strings.Contains(k.countSQL, "cdt."):
		doc = "cdt.document_id"
	case strings.Contains(k.countSQL, "cd."):
		doc = "cd.id"
	default:
		return orderSQL
	}
	restricted := k.countSQL[:len(k.countSQL)-1] + " AND " + doc + " IN (SELECT vd.id FROM documents AS vd WHERE " + vis + "))"
	return strings.Replace(orderSQL, k.countSQL, restricted, 1)
}

// mayChangeOwned is MayChange for a restricted principal and free for
// anyone else (the object was just read: it exists).
func (s *Store) mayChangeOwned(ctx context.Context, m Model, id int) error {
	if !restricted(ctx) {
		return nil
	}
	return s.MayChange(ctx, m, id)
}

// savedViewCond keeps the saved views user userID may see (perms view
// and change) or change (change): their own, and those granted to them or
// (when the context's principal is that user) one of their groups. A
// saved view's owner is its user_id; a superuser is no exception, so
// dashboards show one's own and shared views only.
func savedViewCond(ctx context.Context, userID int, alias string, perms ...string) cond {
	holder := "op.user_id = ?"
	args := []any{userID, string(ModelSavedView), bun.In(perms), userID}
	if p := PrincipalFrom(ctx); p != nil && p.UserID == userID && len(p.GroupIDs) > 0 {
		holder = "(op.user_id = ? OR op.group_id IN (?))"
		args = append(args, bun.In(p.GroupIDs))
	}
	return cond{
		sql: "(" + alias + ".user_id = ? OR " + alias + ".id IN (" +
			"SELECT op.object_id FROM object_permissions op WHERE op.model = ? AND op.permission IN (?) AND " + holder + "))",
		args: args,
	}
}

// maySaveView answers Forbidden when user userID sees saved view id only
// through a view grant.
func (s *Store) maySaveView(ctx context.Context, userID, id int) error {
	c := savedViewCond(ctx, userID, "sv", PermChange)
	ok, err := s.db(ctx).NewSelect().TableExpr("saved_views AS sv").Where("sv.id = ?", id).Where(c.sql, c.args...).Exists(ctx)
	if err != nil {
		return fmt.Errorf("check rights on saved view %d: %w", id, err)
	}
	if !ok {
		return Errorf(Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// enqueueUserDocuments queues for the search index the documents whose
// access tokens a user's deletion changes: those it owns (they become
// unowned) and those granted to it (the grants go with it).
func (s *Store) enqueueUserDocuments(ctx context.Context, userID int) error {
	_, err := s.wdb(ctx).NewRaw(`INSERT INTO search_outbox (document_id)
SELECT id FROM documents WHERE owner_id = ?
UNION SELECT object_id FROM object_permissions WHERE model = 'document' AND user_id = ?`, userID, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("queue documents of user %d for the search index: %w", userID, err)
	}
	return nil
}
