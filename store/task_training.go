package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// TrainingDocument is what the classifier learns from: a document's
// content and its current assignments.
type TrainingDocument struct {
	ID              int
	Content         string
	CorrespondentID *int
	DocumentTypeID  *int
	TagIDs          []int
}

// TrainingDocuments calls fn for every document that carries no inbox tag
// (paperless trains only on filed documents), in id order, loading them in
// batches so memory stays flat. fn's error stops the walk and is returned.
func (s *Store) TrainingDocuments(ctx context.Context, fn func(TrainingDocument) error) error {
	const batch = 200
	last := 0
	for {
		var docs []Document
		err := s.db(ctx).NewSelect().Model(&docs).
			Column("id", "content", "correspondent_id", "document_type_id").
			Where("?TableAlias.id > ?", last).
			Where("NOT EXISTS (SELECT 1 FROM document_tags AS dt JOIN tags AS t ON t.id = dt.tag_id WHERE dt.document_id = ?TableAlias.id AND t.is_inbox_tag)").
			OrderExpr("?TableAlias.id").Limit(batch).Scan(ctx)
		if err != nil {
			return fmt.Errorf("load training documents: %w", err)
		}
		if len(docs) == 0 {
			return nil
		}
		ids := make([]int, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		var links []DocumentTag
		if err := s.db(ctx).NewSelect().Model(&links).Where("document_id IN (?)", bun.In(ids)).OrderExpr("document_id, tag_id").Scan(ctx); err != nil {
			return fmt.Errorf("load training document tags: %w", err)
		}
		tags := map[int][]int{}
		for _, l := range links {
			tags[l.DocumentID] = append(tags[l.DocumentID], l.TagID)
		}
		for _, d := range docs {
			td := TrainingDocument{ID: d.ID, Content: d.Content, CorrespondentID: d.CorrespondentID, DocumentTypeID: d.DocumentTypeID, TagIDs: tags[d.ID]}
			if err := fn(td); err != nil {
				return err
			}
		}
		last = docs[len(docs)-1].ID
		if len(docs) < batch {
			return nil
		}
	}
}
