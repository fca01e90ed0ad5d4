package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// Group is a set of users sharing global permissions and object grants
// (paperless-ngx's auth.Group, NGX.md §10). Its name is unique ignoring
// case.
type Group struct {
	bun.BaseModel `bun:"table:groups"`

	ID      int    `bun:"id,pk,autoincrement"`
	Name    string `bun:"name,notnull"`
	NameKey string `bun:"name_key,notnull"` // UsernameKey(name): uniqueness and ordering
}

const maxGroupNameLen = 150

// Rows of the membership and permission tables.
type (
	userGroup struct {
		bun.BaseModel `bun:"table:user_groups"`
		UserID        int `bun:"user_id,pk"`
		GroupID       int `bun:"group_id,pk"`
	}
	userPermission struct {
		bun.BaseModel `bun:"table:user_permissions"`
		UserID        int    `bun:"user_id,pk"`
		Codename      string `bun:"codename,pk"`
	}
	groupPermission struct {
		bun.BaseModel `bun:"table:group_permissions"`
		GroupID       int    `bun:"group_id,pk"`
		Codename      string `bun:"codename,pk"`
	}
)

// Global permissions (NGX.md §4.1): "<action>_<model>" codenames.
var (
	permissionActions = []string{"view", "add", "change", "delete"}
	// PermissionModels are the model parts of the codenames, in
	// paperless-ngx's order.
	PermissionModels = []string{"document", "tag", "correspondent", "documenttype", "storagepath", "customfield",
		"savedview", "note", "sharelink", "sharelinkbundle", "paperlesstask", "uisettings", "workflow", "workflowtrigger",
		"workflowaction", "mailaccount", "mailrule", "processedmail", "user", "group", "logentry", "applicationconfiguration"}
	// defaultPermissionModels are the models of DefaultPermissions.
	defaultPermissionModels = []string{"document", "tag", "correspondent", "documenttype", "storagepath",
		"customfield", "savedview", "note", "sharelink", "paperlesstask", "uisettings"}
	codenames = func() map[string]bool {
		m := map[string]bool{"view_global_statistics": true, "view_system_monitoring": true}
		for _, c := range AllPermissions() {
			m[c] = true
		}
		return m
	}()
)

// AllPermissions returns every global permission codename Quire knows
// (the ones a superuser has), ordered by model then action.
func AllPermissions() []string {
	out := make([]string, 0, 4*len(PermissionModels)+2)
	for _, m := range PermissionModels {
		for _, a := range permissionActions {
			out = append(out, a+"_"+m)
		}
	}
	return append(out, "view_global_statistics", "view_system_monitoring")
}

// DefaultPermissions is the set a user created without an explicit
// permission list gets (and every non-superuser had when permissions
// arrived): view, add, change and delete of documents, tags,
// correspondents, document types, storage paths, custom fields, saved
// views, notes, share links, tasks and UI settings.
func DefaultPermissions() []string {
	out := make([]string, 0, 4*len(defaultPermissionModels))
	for _, m := range defaultPermissionModels {
		for _, a := range permissionActions {
			out = append(out, a+"_"+m)
		}
	}
	return out
}

// ValidPermission reports whether codename is a known global permission.
func ValidPermission(codename string) bool { return codenames[codename] }

// checkPermissions validates a codename list for field, returning it
// sorted without duplicates. Errors: Validation naming the unknown ones.
func checkPermissions(field string, perms []string) ([]string, error) {
	out := slices.Clone(perms)
	sort.Strings(out)
	out = slices.Compact(out)
	for _, c := range out {
		if !codenames[c] {
			return nil, FieldErrors{field: {fmt.Sprintf("Object with codename=%s does not exist.", c)}}.Err()
		}
	}
	return out, nil
}

func validateGroup(g *Group) error {
	switch {
	case strings.TrimSpace(g.Name) == "":
		return FieldErrors{"name": {"This field may not be blank."}}.Err()
	case utf8.RuneCountInString(g.Name) > maxGroupNameLen:
		return FieldErrors{"name": {fmt.Sprintf("Ensure this field has no more than %d characters.", maxGroupNameLen)}}.Err()
	case TextProblem(g.Name) != "":
		return FieldErrors{"name": {TextProblem(g.Name)}}.Err()
	}
	g.NameKey = UsernameKey(g.Name)
	return nil
}

func groupNameTaken() *Error {
	return &Error{Code: Conflict, Message: "a group with that name already exists",
		Fields: map[string][]string{"name": {"group with this name already exists."}}}
}

// Groups returns every group ordered by name (ignoring case), then id.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	var gs []Group
	if err := s.db(ctx).NewSelect().Model(&gs).OrderExpr("name_key ASC, id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list groups: %w", translate(err))
	}
	return gs, nil
}

// Group returns one group, or a NotFound error.
func (s *Store) Group(ctx context.Context, id int) (*Group, error) {
	g := new(Group)
	if err := s.db(ctx).NewSelect().Model(g).Where("id = ?", id).Limit(1).Scan(ctx); err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, notFound("group", id)
		}
		return nil, fmt.Errorf("load group %d: %w", id, translate(err))
	}
	return g, nil
}

// GroupByName returns the group with the name (compared the way names
// are kept unique: ignoring case), or NotFound.
func (s *Store) GroupByName(ctx context.Context, name string) (*Group, error) {
	g := new(Group)
	if err := s.db(ctx).NewSelect().Model(g).Where("name_key = ?", UsernameKey(name)).Limit(1).Scan(ctx); err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, Errorf(NotFound, "group %q not found", name)
		}
		return nil, fmt.Errorf("load group %q: %w", name, translate(err))
	}
	return g, nil
}

// GroupsByIDs returns the groups with the given ids (missing ones are
// left out), in no particular order.
func (s *Store) GroupsByIDs(ctx context.Context, ids []int) ([]Group, error) {
	var gs []Group
	if len(ids) == 0 {
		return gs, nil
	}
	if err := s.db(ctx).NewSelect().Model(&gs).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load groups: %w", translate(err))
	}
	return gs, nil
}

// CreateGroup inserts g (setting ID and NameKey) with the given
// permissions. Errors: Validation for a blank or too long name or an
// unknown codename (field "permissions"); Conflict (field "name") when
// a group of that name, ignoring case, exists.
func (s *Store) CreateGroup(ctx context.Context, g *Group, perms []string) error {
	if err := validateGroup(g); err != nil {
		return err
	}
	perms, err := checkPermissions("permissions", perms)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.groupNameFree(ctx, g); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewInsert().Model(g).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			if ErrorCode(translate(err)) == Conflict {
				return groupNameTaken()
			}
			return fmt.Errorf("create group %q: %w", g.Name, translate(err))
		}
		return s.writeGroupPermissions(ctx, g.ID, perms)
	})
}

func (s *Store) groupNameFree(ctx context.Context, g *Group) error {
	taken, err := s.db(ctx).NewSelect().Model((*Group)(nil)).
		Where("name_key = ?", g.NameKey).Where("id <> ?", g.ID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("check group name %q: %w", g.Name, translate(err))
	}
	if taken {
		return groupNameTaken()
	}
	return nil
}

// GroupUpdate changes a group; nil fields are left alone.
type GroupUpdate struct {
	Name        *string
	Permissions *[]string // replaces the set
}

// UpdateGroup applies upd to the group id and returns it. Changing its
// permissions changes every member's AccessVersion. Errors: NotFound, and
// CreateGroup's Validation and Conflict errors.
func (s *Store) UpdateGroup(ctx context.Context, id int, upd GroupUpdate) (*Group, error) {
	var perms []string
	if upd.Permissions != nil {
		var err error
		if perms, err = checkPermissions("permissions", *upd.Permissions); err != nil {
			return nil, err
		}
	}
	var g *Group
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if g, err = s.Group(ctx, id); err != nil {
			return err
		}
		if upd.Name != nil {
			g.Name = *upd.Name
			if err := validateGroup(g); err != nil {
				return err
			}
			if err := s.groupNameFree(ctx, g); err != nil {
				return err
			}
			if _, err := s.wdb(ctx).NewUpdate().Model(g).Column("name", "name_key").WherePK().Exec(ctx); err != nil {
				if ErrorCode(translate(err)) == Conflict {
					return groupNameTaken()
				}
				return fmt.Errorf("rename group %d: %w", id, translate(err))
			}
		}
		if upd.Permissions != nil {
			if _, err := s.wdb(ctx).NewDelete().TableExpr("group_permissions").Where("group_id = ?", id).Exec(ctx); err != nil {
				return fmt.Errorf("clear permissions of group %d: %w", id, translate(err))
			}
			if err := s.writeGroupPermissions(ctx, id, perms); err != nil {
				return err
			}
			return s.bumpGroupMembers(ctx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup deletes a group: its members leave it, and the object
// grants given to it go (NGX.md §4.2). Errors: NotFound.
func (s *Store) DeleteGroup(ctx context.Context, id int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.bumpGroupMembers(ctx, id); err != nil {
			return err
		}
		// The search index keeps the group's token on the documents granted
		// to it until they are indexed again.
		if _, err := s.wdb(ctx).NewRaw(`INSERT INTO search_outbox (document_id)
SELECT DISTINCT object_id FROM object_permissions WHERE model = 'document' AND group_id = ?`, id).Exec(ctx); err != nil {
			return fmt.Errorf("queue documents of group %d for the search index: %w", id, translate(err))
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("object_permissions").Where("group_id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete grants of group %d: %w", id, translate(err))
		}
		// Foreign keys cascade on PostgreSQL; SQLite's may be off.
		for _, t := range []string{"user_groups", "group_permissions"} {
			if _, err := s.wdb(ctx).NewDelete().TableExpr(t).Where("group_id = ?", id).Exec(ctx); err != nil {
				return fmt.Errorf("delete %s of group %d: %w", t, id, translate(err))
			}
		}
		res, err := s.wdb(ctx).NewDelete().Model((*Group)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete group %d: %w", id, translate(err))
		}
		return affectedOrNotFound(res, notFound("group", id))
	})
}

func (s *Store) writeGroupPermissions(ctx context.Context, id int, perms []string) error {
	if len(perms) == 0 {
		return nil
	}
	rows := make([]groupPermission, len(perms))
	for i, c := range perms {
		rows[i] = groupPermission{GroupID: id, Codename: c}
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("write permissions of group %d: %w", id, translate(err))
	}
	return nil
}

// bumpGroupMembers changes the AccessVersion of every member of group id.
func (s *Store) bumpGroupMembers(ctx context.Context, id int) error {
	_, err := s.wdb(ctx).NewUpdate().Model((*User)(nil)).Set("access_version = access_version + 1").
		Where("id IN (SELECT user_id FROM user_groups WHERE group_id = ?)", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("bump access of members of group %d: %w", id, translate(err))
	}
	return nil
}

// bumpUser changes a user's AccessVersion. Errors: NotFound.
func (s *Store) bumpUser(ctx context.Context, userID int) error {
	res, err := s.wdb(ctx).NewUpdate().Model((*User)(nil)).Set("access_version = access_version + 1").
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("bump access of user %d: %w", userID, translate(err))
	}
	return affectedOrNotFound(res, notFound("user", userID))
}

// SetUserGroups replaces the groups user userID belongs to. Errors:
// NotFound for the user; Validation (field "groups") for an unknown
// group.
func (s *Store) SetUserGroups(ctx context.Context, userID int, groupIDs []int) error {
	ids := slices.Clone(groupIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.bumpUser(ctx, userID); err != nil {
			return err
		}
		if len(ids) > 0 {
			n, err := s.db(ctx).NewSelect().Model((*Group)(nil)).Where("id IN (?)", bun.In(ids)).Count(ctx)
			if err != nil {
				return fmt.Errorf("check groups: %w", translate(err))
			}
			if int(n) != len(ids) {
				return FieldErrors{"groups": {"Some groups do not exist."}}.Err()
			}
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("user_groups").Where("user_id = ?", userID).Exec(ctx); err != nil {
			return fmt.Errorf("clear groups of user %d: %w", userID, translate(err))
		}
		if len(ids) == 0 {
			return nil
		}
		rows := make([]userGroup, len(ids))
		for i, g := range ids {
			rows[i] = userGroup{UserID: userID, GroupID: g}
		}
		if _, err := s.wdb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("write groups of user %d: %w", userID, translate(err))
		}
		return nil
	})
}

// SetUserPermissions replaces the global permissions user userID holds
// directly. Errors: NotFound for the user; Validation (field
// "userPermissions") for an unknown codename.
func (s *Store) SetUserPermissions(ctx context.Context, userID int, perms []string) error {
	perms, err := checkPermissions("userPermissions", perms)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.bumpUser(ctx, userID); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("user_permissions").Where("user_id = ?", userID).Exec(ctx); err != nil {
			return fmt.Errorf("clear permissions of user %d: %w", userID, translate(err))
		}
		return s.writeUserPermissions(ctx, userID, perms)
	})
}

func (s *Store) writeUserPermissions(ctx context.Context, userID int, perms []string) error {
	if len(perms) == 0 {
		return nil
	}
	rows := make([]userPermission, len(perms))
	for i, c := range perms {
		rows[i] = userPermission{UserID: userID, Codename: c}
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("write permissions of user %d: %w", userID, translate(err))
	}
	return nil
}

// UserAccess is what a user holds: their groups, the permissions they
// hold directly and those they inherit from their groups (both sorted).
type UserAccess struct {
	Groups    []int
	Direct    []string
	Inherited []string
}

// UsersAccess returns the groups and permissions of each user in ids in
// one statement (users without any get a zero UserAccess).
func (s *Store) UsersAccess(ctx context.Context, ids []int) (map[int]*UserAccess, error) {
	out := make(map[int]*UserAccess, len(ids))
	for _, id := range ids {
		out[id] = &UserAccess{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.accessRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		a := out[r.UserID]
		switch {
		case r.Kind == "g" && r.GroupID != nil:
			a.Groups = append(a.Groups, *r.GroupID)
		case r.Kind == "u" && r.Codename != nil:
			a.Direct = append(a.Direct, *r.Codename)
		case r.Kind == "i" && r.Codename != nil:
			a.Inherited = append(a.Inherited, *r.Codename)
		}
	}
	for _, a := range out {
		slices.Sort(a.Groups)
		a.Groups = slices.Compact(a.Groups)
		slices.Sort(a.Direct)
		slices.Sort(a.Inherited)
		a.Inherited = slices.Compact(a.Inherited)
	}
	return out, nil
}

type accessRow struct {
	UserID   int     `bun:"user_id"`
	Kind     string  `bun:"kind"`
	GroupID  *int    `bun:"group_id"`
	Codename *string `bun:"codename"`
}

// accessRows reads memberships, direct and inherited permissions of the
// users in one UNION statement.
func (s *Store) accessRows(ctx context.Context, ids []int) ([]accessRow, error) {
	var rows []accessRow
	in := bun.In(ids)
	err := s.db(ctx).NewRaw(`SELECT ug.user_id, 'g' AS kind, ug.group_id, CAST(NULL AS VARCHAR(100)) AS codename
FROM user_groups ug WHERE ug.user_id IN (?)
UNION ALL SELECT up.user_id, 'u', NULL, up.codename FROM user_permissions up WHERE up.user_id IN (?)
UNION ALL SELECT ug.user_id, 'i', NULL, gp.codename FROM user_groups ug
JOIN group_permissions gp ON gp.group_id = ug.group_id WHERE ug.user_id IN (?)`, in, in, in).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load access of users: %w", translate(err))
	}
	return rows, nil
}

// Access returns the principal u acts as: its groups and effective
// permissions (direct and inherited) read in one statement; a superuser
// needs no statement.
func (s *Store) Access(ctx context.Context, u *User) (*Principal, error) {
	p := &Principal{UserID: u.ID, Superuser: u.IsSuperuser}
	if u.IsSuperuser {
		return p, nil
	}
	rows, err := s.accessRows(ctx, []int{u.ID})
	if err != nil {
		return nil, err
	}
	p.Perms = map[string]bool{}
	for _, r := range rows {
		if r.GroupID != nil {
			p.GroupIDs = append(p.GroupIDs, *r.GroupID)
		} else if r.Codename != nil {
			p.Perms[*r.Codename] = true
		}
	}
	slices.Sort(p.GroupIDs)
	p.GroupIDs = slices.Compact(p.GroupIDs)
	return p, nil
}

// GroupsPermissions returns the permissions of each group in ids, sorted,
// in one statement.
func (s *Store) GroupsPermissions(ctx context.Context, ids []int) (map[int][]string, error) {
	out := make(map[int][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		GroupID  int    `bun:"group_id"`
		Codename string `bun:"codename"`
	}
	err := s.db(ctx).NewSelect().TableExpr("group_permissions").Column("group_id", "codename").
		Where("group_id IN (?)", bun.In(ids)).OrderExpr("group_id, codename").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load permissions of groups: %w", translate(err))
	}
	for _, r := range rows {
		out[r.GroupID] = append(out[r.GroupID], r.Codename)
	}
	return out, nil
}

// GroupsMembers returns the member user ids of each group in ids,
// sorted, in one statement.
func (s *Store) GroupsMembers(ctx context.Context, ids []int) (map[int][]int, error) {
	out := make(map[int][]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		GroupID int `bun:"group_id"`
		UserID  int `bun:"user_id"`
	}
	err := s.db(ctx).NewSelect().TableExpr("user_groups").Column("group_id", "user_id").
		Where("group_id IN (?)", bun.In(ids)).OrderExpr("group_id, user_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load members of groups: %w", translate(err))
	}
	for _, r := range rows {
		out[r.GroupID] = append(out[r.GroupID], r.UserID)
	}
	return out, nil
}
