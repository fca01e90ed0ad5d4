package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// TagsByDocuments returns each document's tags ordered by name, in one
// query; documents without tags are absent from the map.
func (s *Store) TagsByDocuments(ctx context.Context, docIDs []int) (map[int][]Tag, error) {
	out := make(map[int][]Tag, len(docIDs))
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DocumentID int `bun:"document_id"`
		Tag        `bun:",extend"`
	}
	q := s.db(ctx).NewSelect().
		TableExpr("document_tags AS dt").
		Join("JOIN tags AS tag ON tag.id = dt.tag_id").
		ColumnExpr("dt.document_id").
		ColumnExpr("tag.*").
		Where("dt.document_id IN (?)", bun.List(docIDs))
	err := whereCond(q, visibleCond(PrincipalFrom(ctx), ModelTag, "tag")).
		OrderExpr("dt.document_id, tag.name_key, tag.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load tags of %d documents: %w", len(docIDs), err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.Tag)
	}
	return out, nil
}
