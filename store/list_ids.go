package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// The ids-only lists: every row matching a filter, in the list's order,
// read in one query on the id column (paperless-ngx v9 lists carry them as
// `all`). DocumentIDs is beside Documents.

// CorrespondentIDs returns the ids of every correspondent matching f, in
// the order Correspondents lists them.
func (s *Store) CorrespondentIDs(ctx context.Context, f NameFilter, order []NameOrder) ([]int, error) {
	return namedIDs[Correspondent](ctx, s, correspondentKind, f, order)
}

// DocumentTypeIDs is CorrespondentIDs for document types.
func (s *Store) DocumentTypeIDs(ctx context.Context, f NameFilter, order []NameOrder) ([]int, error) {
	return namedIDs[DocumentType](ctx, s, documentTypeKind, f, order)
}

// TagIDs is CorrespondentIDs for tags.
func (s *Store) TagIDs(ctx context.Context, f NameFilter, order []NameOrder) ([]int, error) {
	return namedIDs[Tag](ctx, s, tagKind, f, order)
}

func namedIDs[T any](ctx context.Context, s *Store, k namedKind, f NameFilter, order []NameOrder) ([]int, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	orderSQL, err := s.nameOrderSQL(k, order)
	if err != nil {
		return nil, err
	}
	q := s.db(ctx).NewSelect().Model((*T)(nil)).Column("id")
	if len(f.IDs) > 0 {
		q = q.Where("?TableAlias.id IN (?)", bun.In(f.IDs))
	}
	q = where(q, s.textConds("?TableAlias.name_key", true, f.Name))
	ids := []int{}
	if err := q.OrderExpr(orderSQL).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list %s ids: %w", k.label, err)
	}
	return ids, nil
}

// SavedViewIDs returns the ids of the user's saved views, in the order
// SavedViews lists them.
func (s *Store) SavedViewIDs(ctx context.Context, userID int) ([]int, error) {
	nameKey := s.fold("sv.name")
	if s.IsPostgres() {
		nameKey += ` COLLATE "C"`
	}
	ids := []int{}
	err := s.db(ctx).NewSelect().TableExpr("saved_views AS sv").Column("sv.id").
		Where("sv.user_id = ?", userID).OrderExpr(nameKey+", sv.id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list saved view ids: %w", err)
	}
	return ids, nil
}
