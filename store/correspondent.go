package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Correspondent returns the correspondent with the given id, or a NotFound error.
func (s *Store) Correspondent(ctx context.Context, id int) (*Correspondent, error) {
	return getNamed[Correspondent](ctx, s, correspondentKind, id)
}

// Correspondents returns one page of the correspondents matching f and the
// total number that match. Default order is by name, case-insensitively;
// id ascending breaks ties. An unknown order field or direction is a
// Validation error.
func (s *Store) Correspondents(ctx context.Context, f NameFilter, order []NameOrder, p Page) ([]Correspondent, int, error) {
	return listNamed[Correspondent](ctx, s, correspondentKind, f, order, p)
}

// CorrespondentsByIDs returns the correspondents among ids that exist,
// ordered by id (the loaders' batch function).
func (s *Store) CorrespondentsByIDs(ctx context.Context, ids []int) ([]Correspondent, error) {
	return namedByIDs[Correspondent](ctx, s, correspondentKind, ids)
}

// CreateCorrespondent stores a new correspondent. Name is required
// (Validation on field "name" when blank) and must be unique ignoring case
// (Conflict on field "name"). Defaults: match "", algorithm Any,
// case-insensitive.
func (s *Store) CreateCorrespondent(ctx context.Context, in CorrespondentInput) (*Correspondent, error) {
	c := &Correspondent{OwnerID: in.OwnerID, Matching: Matching{MatchingAlgorithm: MatchAny, IsInsensitive: true}}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.applyNamed(ctx, correspondentKind, 0, nameInput(in), &c.Name, &c.NameKey, &c.Slug, &c.Matching); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewInsert().Model(c).Exec(ctx)
		return nameConflict(correspondentKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("create correspondent: %w", err)
	}
	return c, nil
}

// UpdateCorrespondent changes the set fields of a correspondent (NotFound
// when it does not exist; name rules as in CreateCorrespondent).
func (s *Store) UpdateCorrespondent(ctx context.Context, id int, in CorrespondentInput) (*Correspondent, error) {
	var c *Correspondent
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.Correspondent(ctx, id); err != nil {
			return err
		}
		if err := s.mayChangeOwned(ctx, ModelCorrespondent, id); err != nil {
			return err
		}
		if err := s.applyNamed(ctx, correspondentKind, id, nameInput(in), &c.Name, &c.NameKey, &c.Slug, &c.Matching); err != nil {
			return err
		}
		_, err = s.wdb(ctx).NewUpdate().Model(c).WherePK().Exec(ctx)
		return nameConflict(correspondentKind, err)
	})
	if err != nil {
		return nil, fmt.Errorf("update correspondent %d: %w", id, err)
	}
	return c, nil
}

// DeleteCorrespondent deletes a correspondent (NotFound when it does not
// exist). Its documents survive with no correspondent.
func (s *Store) DeleteCorrespondent(ctx context.Context, id int) error {
	return s.deleteNamed(ctx, correspondentKind, id)
}

// CorrespondentDocumentCounts returns how many documents each of the
// correspondents has (0 for ids without documents).
func (s *Store) CorrespondentDocumentCounts(ctx context.Context, ids []int) (map[int]int, error) {
	if !inTx(ctx) && len(ids) > 0 && !restricted(ctx) {
		a, err := s.documentAggregates(ctx)
		if err != nil {
			return nil, fmt.Errorf("count documents of correspondents: %w", err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		return pick(a.corrCounts, ids), nil
	}
	if !inTx(ctx) && len(ids) > 0 {
		m, ok, err := s.restrictedCounts(ctx, "correspondent_id", ids, func(ctx context.Context) (map[int]int, error) {
			a, err := s.documentAggregates(ctx)
			if err != nil {
				return nil, err
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			return pick(a.corrCounts, ids), nil
		})
		if err != nil || ok {
			return m, err
		}
	}
	q := s.db(ctx).NewSelect().TableExpr("documents").
		ColumnExpr("correspondent_id AS id, count(*) AS n").
		Where("correspondent_id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").GroupExpr("correspondent_id")
	m, err := countInts(ctx, whereCond(q, docVisible(ctx, "documents")), ids)
	if err != nil {
		return nil, fmt.Errorf("count documents of correspondents: %w", err)
	}
	return m, nil
}

// LastCorrespondences returns, per correspondent, the newest created time
// of its documents. Correspondents without documents are absent.
func (s *Store) LastCorrespondences(ctx context.Context, ids []int) (map[int]time.Time, error) {
	out := make(map[int]time.Time, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if !inTx(ctx) && !restricted(ctx) {
		a, err := s.documentAggregates(ctx)
		if err != nil {
			return nil, fmt.Errorf("load last correspondences: %w", err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, id := range ids {
			if t, ok := a.lastCorr[id]; ok {
				out[id] = t
			}
		}
		return out, nil
	}
	var rows []struct {
		ID   int       `bun:"id"`
		Last time.Time `bun:"last"`
	}
	q := s.db(ctx).NewSelect().TableExpr("documents").
		ColumnExpr("correspondent_id AS id, max(created) AS last").
		Where("correspondent_id IN (?)", bun.In(ids)).Where("deleted_at IS NULL").GroupExpr("correspondent_id")
	err := whereCond(q, docVisible(ctx, "documents")).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load last correspondences: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Last.UTC()
	}
	return out, nil
}
