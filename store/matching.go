package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// namedKind describes one of the three "matching object" tables
// (correspondents, document types, tags), which share their queries.
type namedKind struct {
	table string // SQL table
	label string // for messages: "correspondent"
	// countSQL counts the documents of the row aliased ?TableAlias.
	countSQL string
	// lastCorrespondence allows ordering by the newest document's created.
	lastCorrespondence bool
}

var (
	correspondentKind = namedKind{
		table:              "correspondents",
		label:              "correspondent",
		countSQL:           "(SELECT count(*) FROM documents AS cd WHERE cd.correspondent_id = ?TableAlias.id AND cd.deleted_at IS NULL)",
		lastCorrespondence: true,
	}
	documentTypeKind = namedKind{
		table:    "document_types",
		label:    "document type",
		countSQL: "(SELECT count(*) FROM documents AS cd WHERE cd.document_type_id = ?TableAlias.id AND cd.deleted_at IS NULL)",
	}
	tagKind = namedKind{
		table:    "tags",
		label:    "tag",
		countSQL: "(SELECT count(*) FROM document_tags AS cdt WHERE cdt.tag_id = ?TableAlias.id)",
	}
)

const lastCorrespondenceSQL = "(SELECT max(lc.created) FROM documents AS lc WHERE lc.correspondent_id = ?TableAlias.id AND lc.deleted_at IS NULL)"

// getNamed loads one row of k by id into a new T.
func getNamed[T any](ctx context.Context, s *Store, k namedKind, id int) (*T, error) {
	v := new(T)
	q := s.db(ctx).NewSelect().Model(v).Where("?TableAlias.id = ?", id)
	err := whereCond(q, visibleCond(PrincipalFrom(ctx), tableModels[k.table], "?TableAlias")).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound(k.label, id)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s %d: %w", k.label, id, err)
	}
	return v, nil
}

// namedByIDs loads the rows of k with the given ids, ordered by id.
func namedByIDs[T any](ctx context.Context, s *Store, k namedKind, ids []int) ([]T, error) {
	items := []T{}
	if len(ids) == 0 {
		return items, nil
	}
	q := s.db(ctx).NewSelect().Model(&items).Where("?TableAlias.id IN (?)", bun.In(uniqueInts(ids)))
	err := whereCond(q, visibleCond(PrincipalFrom(ctx), tableModels[k.table], "?TableAlias")).OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %ss by id: %w", k.label, err)
	}
	return items, nil
}

// listNamed returns one page of k's rows and the total.
func listNamed[T any](ctx context.Context, s *Store, k namedKind, f NameFilter, order []NameOrder, p Page) ([]T, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	orderSQL, err := s.nameOrderSQL(k, order)
	if err != nil {
		return nil, 0, err
	}
	orderSQL = s.visibleCounts(ctx, k, orderSQL)
	var conds []cond
	if c := visibleCond(PrincipalFrom(ctx), tableModels[k.table], "?TableAlias"); c.sql != "" {
		conds = append(conds, c)
	}
	if len(f.IDs) > 0 {
		conds = append(conds, cond{"?TableAlias.id IN (?)", []any{bun.In(f.IDs)}})
	}
	conds = append(conds, s.textConds("?TableAlias.name_key", true, f.Name)...)
	if f.IsRoot != nil {
		conds = append(conds, rootConds(k, *f.IsRoot)...)
	}

	items := []T{}
	total64, err := where(s.db(ctx).NewSelect().Model(&items), conds).Count(ctx)
	total := int(total64)
	if err != nil {
		return nil, 0, fmt.Errorf("count %ss: %w", k.label, err)
	}
	if total == 0 {
		return items, 0, nil
	}
	_, limit, offset := p.Limit(total)
	q := where(s.db(ctx).NewSelect().Model(&items), conds).OrderExpr(orderSQL).Limit(int64(limit)).Offset(int64(offset))
	if err := q.Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list %ss: %w", k.label, err)
	}
	return items, total, nil
}

// nameOrderSQL builds the ORDER BY of a correspondent/type/tag list.
func (s *Store) nameOrderSQL(k namedKind, order []NameOrder) (string, error) {
	if len(order) == 0 {
		order = []NameOrder{{Field: NameOrderName, Direction: Asc}}
	}
	var parts []string
	byID := false
	for _, o := range order {
		dir, err := direction(o.Direction)
		if err != nil {
			return "", err
		}
		switch o.Field {
		case NameOrderID:
			byID = true
			parts = append(parts, "?TableAlias.id "+dir)
		case NameOrderName:
			parts = append(parts, "?TableAlias.name_key "+dir)
		case NameOrderMatch:
			col := "?TableAlias.match"
			if s.IsPostgres() {
				col += ` COLLATE "C"`
			}
			parts = append(parts, col+" "+dir)
		case NameOrderMatchingAlgorithm:
			parts = append(parts, "?TableAlias.matching_algorithm "+dir)
		case NameOrderDocumentCount:
			parts = append(parts, k.countSQL+" "+dir)
		case NameOrderLastCorrespondence:
			if !k.lastCorrespondence {
				return "", &Error{Code: Validation, Message: "only correspondents can be ordered by last correspondence",
					Fields: map[string][]string{"orderBy": {fmt.Sprintf("%ss cannot be ordered by LAST_CORRESPONDENCE.", k.label)}}}
			}
			parts = append(parts, lastCorrespondenceSQL+" "+dir+nullsEdge(dir))
		default:
			return "", &Error{Code: Validation, Message: fmt.Sprintf("unknown order field %q", o.Field),
				Fields: map[string][]string{"orderBy": {fmt.Sprintf("%q is not a valid choice.", o.Field)}}}
		}
	}
	if !byID {
		parts = append(parts, "?TableAlias.id ASC")
	}
	return strings.Join(parts, ", "), nil
}

// nameInput are the fields every matching object's input shares.
type nameInput struct {
	Name              *string
	Match             *string
	MatchingAlgorithm *MatchingAlgorithm
	IsInsensitive     *bool
	OwnerID           *int // on create only
}

// applyNamed writes in onto the row's fields, computing slug and name_key,
// and checks that the name is set and free (case-insensitively) among the
// other rows of k. It must run in a transaction.
func (s *Store) applyNamed(ctx context.Context, k namedKind, id int, in nameInput, name, nameKey, slug *string, m *Matching) error {
	if in.Name != nil {
		*name = strings.TrimSpace(*in.Name)
	}
	if *name == "" {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{"name": {"This field may not be blank."}}}
	}
	*nameKey = foldKey(*name)
	*slug = Slugify(*name)
	if in.Match != nil {
		m.Match = *in.Match
	}
	if in.MatchingAlgorithm != nil {
		m.MatchingAlgorithm = *in.MatchingAlgorithm
	}
	if in.IsInsensitive != nil {
		m.IsInsensitive = *in.IsInsensitive
	}
	owner, err := s.nameOwner(ctx, k, id, in.OwnerID)
	if err != nil {
		return err
	}
	taken, err := s.db(ctx).NewSelect().TableExpr(k.table).Where("name_key = ?", *nameKey).Where("id <> ?", id).
		Where("COALESCE(owner_id, 0) = ?", owner).Exists(ctx)
	if err != nil {
		return fmt.Errorf("check %s name: %w", k.label, err)
	}
	if taken {
		return nameTaken(k)
	}
	return nil
}

// nameConflict turns a unique violation of a racing writer into the same
// error the in-transaction check gives.
func nameConflict(k namedKind, err error) error {
	if ErrorCode(translate(err)) == Conflict {
		return nameTaken(k)
	}
	return err
}

// deleteNamed deletes one row of k; NotFound when it does not exist. The
// foreign keys null documents' references (correspondent, type) or drop
// the document_tags rows (tag).
func (s *Store) deleteNamed(ctx context.Context, k namedKind, id int) error {
	if restricted(ctx) {
		if err := s.MayChange(ctx, tableModels[k.table], id); err != nil {
			return err
		}
	}
	res, err := s.wdb(ctx).NewDelete().TableExpr(k.table).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", k.label, id, translate(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return notFound(k.label, id)
	}
	return nil
}
