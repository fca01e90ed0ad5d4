package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// DocumentType returns the document type with the given id, or a NotFound error.
func (s *Store) DocumentType(ctx context.Context, id int) (*DocumentType, error) {
	return getNamed[DocumentType](ctx, s, documentTypeKind, id)
}

// DocumentTypes returns one page of the document types matching f and the
// total number that match, ordered like Correspondents. Ordering by
// LAST_CORRESPONDENCE is a Validation error.
func (s *Store) DocumentTypes(ctx context.Context, f NameFilter, order []NameOrder, p Page) ([]DocumentType, int, error) {
	return listNamed[DocumentType](ctx, s, documentTypeKind, f, order, p)
}

// DocumentTypesByIDs returns the document types among ids that exist,
// ordered by id.
func (s *Store) DocumentTypesByIDs(ctx context.Context, ids []int) ([]DocumentType, error) {
	return namedByIDs[DocumentType](ctx, s, documentTypeKind, ids)
}

// CreateDocumentType stores a new document type; name rules and defaults
// as in CreateCorrespondent.
func (s *Store) CreateDocumentType(ctx context.Context, in DocumentTypeInput) (*DocumentType, error) {
	t := &DocumentType{OwnerID: in.OwnerID, Matching: Matching{MatchingAlgorithm: MatchAny, IsInsensitive: true}}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.applyNamed(ctx, documentTypeKind, 0, nameInput(in), &t.Name, &t.NameKey, &t.Slug, &t.Matching); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewInsert().Model(t).Exec(ctx)
		return nameConflict(documentTypeKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("create document type: %w", err)
	}
	return t, nil
}

// UpdateDocumentType changes the set fields of a document type (NotFound
// when it does not exist; name rules as in CreateCorrespondent).
func (s *Store) UpdateDocumentType(ctx context.Context, id int, in DocumentTypeInput) (*DocumentType, error) {
	var t *DocumentType
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if t, err = s.DocumentType(ctx, id); err != nil {
			return err
		}
		if err := s.mayChangeOwned(ctx, ModelDocumentType, id); err != nil {
			return err
		}
		if err := s.applyNamed(ctx, documentTypeKind, id, nameInput(in), &t.Name, &t.NameKey, &t.Slug, &t.Matching); err != nil {
			return err
		}
		_, err = s.wdb(ctx).NewUpdate().Model(t).WherePK().Exec(ctx)
		return nameConflict(documentTypeKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("update document type %d: %w", id, err)
	}
	return t, nil
}

// DeleteDocumentType deletes a document type (NotFound when it does not
// exist). Its documents survive with no type.
func (s *Store) DeleteDocumentType(ctx context.Context, id int) error {
	return s.deleteNamed(ctx, documentTypeKind, id)
}

// DocumentTypeDocumentCounts returns how many documents each of the
// document types has (0 for ids without documents).
func (s *Store) DocumentTypeDocumentCounts(ctx context.Context, ids []int) (map[int]int, error) {
	if !inTx(ctx) && len(ids) > 0 && !restricted(ctx) {
		a, err := s.documentAggregates(ctx)
		if err != nil {
			return nil, fmt.Errorf("count documents of document types: %w", err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		return pick(a.typeCounts, ids), nil
	}
	if !inTx(ctx) && len(ids) > 0 {
		m, ok, err := s.restrictedCounts(ctx, "document_type_id", ids, func(ctx context.Context) (map[int]int, error) {
			a, err := s.documentAggregates(ctx)
			if err != nil {
				return nil, err
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			return pick(a.typeCounts, ids), nil
		})
		if err != nil || ok {
			return m, err
		}
	}
	q := s.db(ctx).NewSelect().TableExpr("documents").
		ColumnExpr("document_type_id AS id, count(*) AS n").
		Where("document_type_id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").GroupExpr("document_type_id")
	m, err := countInts(ctx, whereCond(q, docVisible(ctx, "documents")), ids)
	if err != nil {
		return nil, fmt.Errorf("count documents of document types: %w", err)
	}
	return m, nil
}
