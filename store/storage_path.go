package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/uptrace/bun"
)

// StoragePath is a paperless-ngx storage path: a matching object (like a
// correspondent) whose Path is a file-name template. A document with a
// storage path has its files named by that template instead of the
// server-wide filename format. It has an owner (nil: everyone's).
type StoragePath struct {
	bun.BaseModel `bun:"table:storage_paths,alias:sp"`

	ID      int    `bun:"id,pk,autoincrement"`
	Name    string `bun:"name,notnull"`
	NameKey string `bun:"name_key,notnull"`
	Slug    string `bun:"slug,notnull"`
	// Path is the template, in paperless-ngx's `{{ variable }}` form (the
	// resolvers convert and check it before it gets here).
	Path    string `bun:"path,notnull"`
	OwnerID *int   `bun:"owner_id"`
	Matching
}

// StoragePathInput creates or changes a storage path; nil fields are left
// alone (on create: defaults). Name and Path are required on create.
// OwnerID, when set, names the owner (nil: unowned); on create, when not
// set, the acting user becomes the owner.
type StoragePathInput struct {
	Name              *string
	Path              *string
	Match             *string
	MatchingAlgorithm *MatchingAlgorithm
	IsInsensitive     *bool
	OwnerID           graphql.Omittable[*int]
}

// StoragePathFilter selects storage paths: the filters every matching
// object has plus the text filter on the template.
type StoragePathFilter struct {
	IDs  []int
	Name *TextFilter
	Path *TextFilter
}

// NameOrderPath orders storage paths by their template.
const NameOrderPath NameOrderField = "PATH"

var storagePathKind = namedKind{
	table:    "storage_paths",
	label:    "storage path",
	countSQL: "(SELECT count(*) FROM documents AS cd WHERE cd.storage_path_id = ?TableAlias.id AND cd.deleted_at IS NULL)",
}

// StoragePath returns the storage path with the given id; NotFound when
// it does not exist or the acting principal may not see it.
func (s *Store) StoragePath(ctx context.Context, id int) (*StoragePath, error) {
	sp := new(StoragePath)
	q := s.db(ctx).NewSelect().Model(sp).Where("sp.id = ?", id)
	err := where(q, s.storagePathVisible(ctx)).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("storage path", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load storage path %d: %w", id, err)
	}
	return sp, nil
}

// storagePathVisible is the visibility condition of the acting principal
// on storage_paths AS sp.
func (s *Store) storagePathVisible(ctx context.Context) []cond {
	if c := visibleCond(PrincipalFrom(ctx), ModelStoragePath, "sp"); c.sql != "" {
		return []cond{c}
	}
	return nil
}

func (s *Store) storagePathConds(ctx context.Context, f StoragePathFilter) ([]cond, error) {
	fe := FieldErrors{}
	f.Name.check(fe, "name")
	f.Path.check(fe, "path")
	if err := fe.Err(); err != nil {
		return nil, err
	}
	conds := s.storagePathVisible(ctx)
	if len(f.IDs) > 0 {
		conds = append(conds, cond{"sp.id IN (?)", []any{bun.In(f.IDs)}})
	}
	conds = append(conds, s.textConds("sp.name_key", true, f.Name)...)
	conds = append(conds, s.textConds("sp.path", false, f.Path)...)
	return conds, nil
}

// StoragePaths returns one page of the visible storage paths matching f
// and the total number that match, ordered like Correspondents (plus
// NameOrderPath). An unknown order field is a Validation error.
func (s *Store) StoragePaths(ctx context.Context, f StoragePathFilter, order []NameOrder, p Page) ([]StoragePath, int, error) {
	conds, err := s.storagePathConds(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	orderSQL, err := s.storagePathOrderSQL(order)
	if err != nil {
		return nil, 0, err
	}
	items := []StoragePath{}
	total64, err := where(s.db(ctx).NewSelect().Model(&items), conds).Count(ctx)
	total := int(total64)
	if err != nil {
		return nil, 0, fmt.Errorf("count storage paths: %w", err)
	}
	if total == 0 {
		return items, 0, nil
	}
	_, limit, offset := p.Limit(total)
	q := where(s.db(ctx).NewSelect().Model(&items), conds).OrderExpr(orderSQL).Limit(int64(limit)).Offset(int64(offset))
	if err := q.Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list storage paths: %w", err)
	}
	return items, total, nil
}

// StoragePathIDs returns the ids of every visible storage path matching
// f, in the order StoragePaths lists them.
func (s *Store) StoragePathIDs(ctx context.Context, f StoragePathFilter, order []NameOrder) ([]int, error) {
	conds, err := s.storagePathConds(ctx, f)
	if err != nil {
		return nil, err
	}
	orderSQL, err := s.storagePathOrderSQL(order)
	if err != nil {
		return nil, err
	}
	ids := []int{}
	q := where(s.db(ctx).NewSelect().Model((*StoragePath)(nil)).Column("id"), conds).OrderExpr(orderSQL)
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list storage path ids: %w", err)
	}
	return ids, nil
}

// storagePathOrderSQL is nameOrderSQL with the extra PATH field; the
// count orders by visible documents like document_count does.
func (s *Store) storagePathOrderSQL(order []NameOrder) (string, error) {
	var rest []NameOrder
	var parts []string
	for _, o := range order {
		if o.Field != NameOrderPath {
			rest = append(rest, o)
			continue
		}
		dir, err := direction(o.Direction)
		if err != nil {
			return "", err
		}
		col := "sp.path"
		if s.IsPostgres() {
			col += ` COLLATE "C"`
		}
		parts = append(parts, col+" "+dir)
	}
	if len(rest) == 0 && len(parts) > 0 {
		return strings.Join(append(parts, "sp.id ASC"), ", "), nil
	}
	tail, err := s.nameOrderSQL(storagePathKind, rest)
	if err != nil {
		return "", err
	}
	// PATH keys keep their place only when they come first; paperless
	// clients send one ordering field, so this is enough.
	return strings.Join(append(parts, tail), ", "), nil
}

// StoragePathsByIDs returns the visible storage paths among ids, ordered
// by id (the loaders' batch function).
func (s *Store) StoragePathsByIDs(ctx context.Context, ids []int) ([]StoragePath, error) {
	items := []StoragePath{}
	if len(ids) == 0 {
		return items, nil
	}
	q := s.db(ctx).NewSelect().Model(&items).Where("sp.id IN (?)", bun.In(uniqueInts(ids)))
	if err := where(q, s.storagePathVisible(ctx)).OrderExpr("sp.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load storage paths by id: %w", err)
	}
	return items, nil
}

// AllStoragePaths returns every storage path, by id, whoever acts (for
// consumption matching, renaming and exports).
func (s *Store) AllStoragePaths(ctx context.Context) ([]StoragePath, error) {
	items := []StoragePath{}
	if err := s.db(ctx).NewSelect().Model(&items).OrderExpr("sp.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load storage paths: %w", err)
	}
	return items, nil
}

// CreateStoragePath stores a new storage path. Name is required
// (Validation on "name" when blank) and unique ignoring case among the
// paths of the same owner (Conflict on "name"); Path is required
// (Validation on "path"). Defaults: match "", algorithm Any,
// case-insensitive, owned by the acting user. The path template must have
// been checked by the caller.
func (s *Store) CreateStoragePath(ctx context.Context, in StoragePathInput) (*StoragePath, error) {
	sp := &StoragePath{Matching: Matching{MatchingAlgorithm: MatchAny, IsInsensitive: true}}
	if p := PrincipalFrom(ctx); p != nil {
		sp.OwnerID = &p.UserID
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.applyStoragePath(ctx, sp, in); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewInsert().Model(sp).Exec(ctx)
		return nameConflict(storagePathKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("create storage path: %w", err)
	}
	return sp, nil
}

// UpdateStoragePath changes the set fields of a storage path: NotFound
// when the acting principal may not see it, Forbidden when it may see but
// not change it, or may not change its owner (only a superuser, the owner,
// or anyone for an unowned path); name rules as in CreateStoragePath.
// It returns the path as it was before the change too, so the caller can
// tell whether the template changed.
func (s *Store) UpdateStoragePath(ctx context.Context, id int, in StoragePathInput) (before, after *StoragePath, err error) {
	err = s.InTx(ctx, func(ctx context.Context) error {
		sp, err := s.changeableStoragePath(ctx, id)
		if err != nil {
			return err
		}
		old := *sp
		before = &old
		if in.OwnerID.IsSet() {
			if !mayChangePermissions(PrincipalFrom(ctx), sp.OwnerID) {
				return Errorf(Forbidden, "Insufficient permissions.")
			}
		}
		if err := s.applyStoragePath(ctx, sp, in); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewUpdate().Model(sp).WherePK().Exec(ctx); err != nil {
			return nameConflict(storagePathKind, err)
		}
		after = sp
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update storage path %d: %w", id, err)
	}
	return before, after, nil
}

// changeableStoragePath loads a storage path the acting principal may
// change: NotFound when it may not see it, Forbidden when it may only see it.
func (s *Store) changeableStoragePath(ctx context.Context, id int) (*StoragePath, error) {
	if err := s.MayChange(ctx, ModelStoragePath, id); err != nil {
		return nil, err
	}
	return s.StoragePath(ctx, id)
}

func (s *Store) applyStoragePath(ctx context.Context, sp *StoragePath, in StoragePathInput) error {
	fe := FieldErrors{}
	if in.Name != nil {
		sp.Name = strings.TrimSpace(*in.Name)
	}
	if sp.Name == "" {
		fe.Add("name", "This field may not be blank.")
	}
	if in.Path != nil {
		sp.Path = *in.Path
	}
	if strings.TrimSpace(sp.Path) == "" {
		fe.Add("path", "This field may not be blank.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	sp.NameKey, sp.Slug = foldKey(sp.Name), Slugify(sp.Name)
	if in.Match != nil {
		sp.Match = *in.Match
	}
	if in.MatchingAlgorithm != nil {
		sp.MatchingAlgorithm = *in.MatchingAlgorithm
	}
	if in.IsInsensitive != nil {
		sp.IsInsensitive = *in.IsInsensitive
	}
	if v, ok := in.OwnerID.ValueOK(); ok {
		sp.OwnerID = v
		if v != nil {
			missing, err := s.missingIDs(ctx, "users", []int{*v})
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{"owner": {invalidPK(*v)}}}
			}
		}
	}
	q := s.db(ctx).NewSelect().TableExpr("storage_paths").Where("name_key = ?", sp.NameKey).Where("id <> ?", sp.ID)
	if sp.OwnerID == nil {
		q = q.Where("owner_id IS NULL")
	} else {
		q = q.Where("owner_id = ?", *sp.OwnerID)
	}
	taken, err := q.Exists(ctx)
	if err != nil {
		return fmt.Errorf("check storage path name: %w", err)
	}
	if taken {
		msg := "storage path with this name already exists."
		return &Error{Code: Conflict, Message: msg, Fields: map[string][]string{"name": {msg}}}
	}
	return nil
}

// DeleteStoragePath deletes a storage path (NotFound when not visible,
// Forbidden when not changeable) and returns the ids of the documents
// that used it: they keep their files under the old names until the
// caller re-files them.
func (s *Store) DeleteStoragePath(ctx context.Context, id int) ([]int, error) {
	var docs []int
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.changeableStoragePath(ctx, id); err != nil {
			return err
		}
		var err error
		if docs, err = s.StoragePathDocumentIDs(ctx, id); err != nil {
			return err
		}
		_, err = s.wdb(ctx).NewDelete().TableExpr("storage_paths").Where("id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete storage path %d: %w", id, err)
	}
	return docs, nil
}

// StoragePathDocumentIDs returns the ids (ascending) of every document
// with the storage path (not in the trash), whoever acts (for re-filing
// their files).
func (s *Store) StoragePathDocumentIDs(ctx context.Context, id int) ([]int, error) {
	ids := []int{}
	err := s.db(ctx).NewSelect().TableExpr("documents").Column("id").Where("storage_path_id = ?", id).
		Where("deleted_at IS NULL").OrderExpr("id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list documents of storage path %d: %w", id, err)
	}
	return ids, nil
}

// StoragePathDocumentCounts returns how many documents the acting
// principal may see (and not in the trash) use each of the storage paths
// (0 for the others).
func (s *Store) StoragePathDocumentCounts(ctx context.Context, ids []int) (map[int]int, error) {
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").
		ColumnExpr("d.storage_path_id AS id, count(*) AS n").
		Where("d.storage_path_id IN (?)", bun.In(ids)).Where("d.deleted_at IS NULL").GroupExpr("d.storage_path_id")
	if c := visibleCond(PrincipalFrom(ctx), ModelDocument, "d"); c.sql != "" {
		q = q.Where(c.sql, c.args...)
	}
	m, err := countInts(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("count documents of storage paths: %w", err)
	}
	return m, nil
}

// StoragePathCount returns the number of storage paths the acting
// principal may see.
func (s *Store) StoragePathCount(ctx context.Context) (int, error) {
	n, err := where(s.db(ctx).NewSelect().Model((*StoragePath)(nil)), s.storagePathVisible(ctx)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count storage paths: %w", err)
	}
	return int(n), nil
}

// checkStoragePathRefs checks that the storage paths the documents name
// exist (Validation on storagePathId with paperless's message).
func (s *Store) checkStoragePathRefs(ctx context.Context, docs []*Document) error {
	var ids []int
	for _, d := range docs {
		if d.StoragePathID != nil {
			ids = append(ids, *d.StoragePathID)
		}
	}
	missing, err := s.missingIDs(ctx, "storage_paths", ids)
	if err != nil {
		return err
	}
	fe := FieldErrors{}
	for _, id := range missing {
		fe.Add("storagePathId", invalidPK(id))
	}
	return fe.Err()
}

// DocumentOrderStoragePathName orders documents by their storage path's
// name (paperless-ngx's storage_path__name); documents without one come
// first ascending.
const DocumentOrderStoragePathName DocumentOrderField = "STORAGE_PATH_NAME"

const joinStoragePath = "LEFT JOIN storage_paths AS osp ON osp.id = d.storage_path_id"
