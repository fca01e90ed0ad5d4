package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// DefaultTagColor is the colour of a tag created without one (palette
// entry 1 of API version 1).
const DefaultTagColor = "#a6cee3"

// Tag returns the tag with the given id, or a NotFound error.
func (s *Store) Tag(ctx context.Context, id int) (*Tag, error) {
	return getNamed[Tag](ctx, s, tagKind, id)
}

// Tags returns one page of the tags matching f and the total number that
// match, ordered like Correspondents. Ordering by LAST_CORRESPONDENCE is
// a Validation error.
func (s *Store) Tags(ctx context.Context, f NameFilter, order []NameOrder, p Page) ([]Tag, int, error) {
	return listNamed[Tag](ctx, s, tagKind, f, order, p)
}

// TagsByIDs returns the tags among ids that exist, ordered by id.
func (s *Store) TagsByIDs(ctx context.Context, ids []int) ([]Tag, error) {
	return namedByIDs[Tag](ctx, s, tagKind, ids)
}

// CreateTag stores a new tag; name rules and defaults as in
// CreateCorrespondent, plus colour DefaultTagColor and not an inbox tag.
// The colour is stored as given (the resolver validates it).
func (s *Store) CreateTag(ctx context.Context, in TagInput) (*Tag, error) {
	t := &Tag{Color: DefaultTagColor, OwnerID: in.OwnerID, Matching: Matching{MatchingAlgorithm: MatchAny, IsInsensitive: true}}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.applyTag(ctx, 0, t, in); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewInsert().Model(t).Exec(ctx)
		return nameConflict(tagKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("create tag: %w", err)
	}
	return t, nil
}

// UpdateTag changes the set fields of a tag (NotFound when it does not
// exist; name rules as in CreateCorrespondent).
func (s *Store) UpdateTag(ctx context.Context, id int, in TagInput) (*Tag, error) {
	var t *Tag
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if t, err = s.Tag(ctx, id); err != nil {
			return err
		}
		if err := s.mayChangeOwned(ctx, ModelTag, id); err != nil {
			return err
		}
		oldParent := t.ParentID
		if err := s.applyTag(ctx, id, t, in); err != nil {
			return err
		}
		if _, err = s.wdb(ctx).NewUpdate().Model(t).WherePK().Exec(ctx); err != nil {
			return nameConflict(tagKind, err)
		}
		if t.ParentID != nil && (oldParent == nil || *oldParent != *t.ParentID) {
			// Its documents get the new ancestors (NGX.md §7.3).
			_, err = s.propagateTagParent(ctx, id)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update tag %d: %w", id, err)
	}
	return t, nil
}

func (s *Store) applyTag(ctx context.Context, id int, t *Tag, in TagInput) error {
	named := nameInput{Name: in.Name, Match: in.Match, MatchingAlgorithm: in.MatchingAlgorithm, IsInsensitive: in.IsInsensitive, OwnerID: in.OwnerID}
	if err := s.applyNamed(ctx, tagKind, id, named, &t.Name, &t.NameKey, &t.Slug, &t.Matching); err != nil {
		return err
	}
	if in.Color != nil {
		t.Color = *in.Color
	}
	if in.IsInboxTag != nil {
		t.IsInboxTag = *in.IsInboxTag
	}
	if v, ok := in.ParentID.ValueOK(); ok {
		if err := s.checkTagParent(ctx, id, v); err != nil {
			return err
		}
		t.ParentID = v
	}
	return nil
}

// DeleteTag deletes a tag (NotFound when it does not exist), removing it
// from every document.
func (s *Store) DeleteTag(ctx context.Context, id int) error {
	return s.deleteNamed(ctx, tagKind, id)
}

// TagDocumentCounts returns how many documents carry each of the tags (0
// for ids without documents).
func (s *Store) TagDocumentCounts(ctx context.Context, ids []int) (map[int]int, error) {
	if !inTx(ctx) && len(ids) > 0 && !restricted(ctx) {
		m, err := s.tagCountsCached(ctx)
		if err != nil {
			return nil, fmt.Errorf("count documents of tags: %w", err)
		}
		s.aggregates.mu.Lock()
		defer s.aggregates.mu.Unlock()
		return pick(m, ids), nil
	}
	if !inTx(ctx) && len(ids) > 0 {
		m, ok, err := s.restrictedCounts(ctx, "tag_id", ids, func(ctx context.Context) (map[int]int, error) {
			m, err := s.tagCountsCached(ctx)
			if err != nil {
				return nil, err
			}
			s.aggregates.mu.Lock()
			defer s.aggregates.mu.Unlock()
			return pick(m, ids), nil
		})
		if err != nil || ok {
			return m, err
		}
	}
	q := s.db(ctx).NewSelect().TableExpr("document_tags AS dt").
		ColumnExpr("dt.tag_id AS id, count(*) AS n").
		Where("dt.tag_id IN (?)", bun.In(ids)).GroupExpr("dt.tag_id")
	if c := docVisible(ctx, "vd"); c.sql != "" {
		q = q.Join("JOIN documents AS vd ON vd.id = dt.document_id").Where(c.sql, c.args...)
	}
	m, err := countInts(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("count documents of tags: %w", err)
	}
	return m, nil
}

// InboxTagIDs returns the ids of the inbox tags, ascending.
func (s *Store) InboxTagIDs(ctx context.Context) ([]int, error) {
	ids := []int{}
	q := s.db(ctx).NewSelect().TableExpr("tags AS o").Column("o.id").Where("o.is_inbox_tag").OrderExpr("o.id")
	if err := whereCond(q, visibleCond(PrincipalFrom(ctx), ModelTag, "o")).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("load inbox tags: %w", err)
	}
	return ids, nil
}
