package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// aggregates caches the per-object document counts (and correspondents'
// last correspondence) that every list of tags, correspondents and types
// shows. Computing them means reading every document_tags row (or every
// document) — tens of milliseconds for 100k documents — so they are
// computed once per generation of the counters they depend on (see
// postings) and served from memory until that generation moves. Inside a
// transaction the database is asked directly.
type aggregates struct {
	mu sync.Mutex
	// tags depends on counters.document_tags; the rest on counters.documents.
	tagsGen, docsGen int64
	tagCounts        map[int]int
	corrCounts       map[int]int
	typeCounts       map[int]int
	lastCorr         map[int]time.Time
	// The number of documents, at counters.documents = totalGen (-1: none).
	docTotal, totalGen int64
}

func newAggregates() *aggregates { return &aggregates{tagsGen: -1, docsGen: -1, totalGen: -1} }

// total returns the cached number of documents and the generation it was
// counted at (-1 when nothing is cached).
func (a *aggregates) total() (int, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return int(a.docTotal), a.totalGen
}

// setTotal caches the number of documents at a generation (-1 forgets it).
func (a *aggregates) setTotal(n int, gen int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.docTotal, a.totalGen = int64(n), gen
}

// generation reads one row of counters.
func (s *Store) generation(ctx context.Context, name string) (int64, error) {
	var gen int64
	err := s.read.NewSelect().TableExpr("counters").Column("value").Where("name = ?", name).Scan(ctx, &gen)
	if err != nil {
		return 0, fmt.Errorf("read %s generation: %w", name, err)
	}
	return gen, nil
}

func inTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(bun.Tx)
	return ok
}

// pick returns m's values for ids, 0 for ids absent from m.
func pick(m map[int]int, ids []int) map[int]int {
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		out[id] = m[id]
	}
	return out
}

// groupCounts counts rows of table per column value (all values); of
// documents, those not in the trash.
func (s *Store) groupCounts(ctx context.Context, table, column string) (map[int]int, error) {
	var rows []struct {
		ID int `bun:"id"`
		N  int `bun:"n"`
	}
	q := s.db(ctx).NewSelect().TableExpr(table)
	if table == "documents" {
		q = q.Where("deleted_at IS NULL")
	}
	err := q.ColumnExpr("? AS id, count(*) AS n", bun.Ident(column)).
		Where("? IS NOT NULL", bun.Ident(column)).GroupExpr("?", bun.Ident(column)).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make(map[int]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

// tagCountsCached returns the document count of every tag.
func (s *Store) tagCountsCached(ctx context.Context) (map[int]int, error) {
	gen, err := s.generation(ctx, "document_tags")
	if err != nil {
		return nil, err
	}
	a := s.aggregates
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tagsGen != gen {
		m, err := s.groupCounts(ctx, "document_tags", "tag_id")
		if err != nil {
			return nil, err
		}
		a.tagCounts, a.tagsGen = m, gen
	}
	return a.tagCounts, nil
}

// documentAggregates returns the cached per-correspondent and per-type
// counts and last correspondences, recomputing them when documents moved.
func (s *Store) documentAggregates(ctx context.Context) (*aggregates, error) {
	gen, err := s.generation(ctx, "documents")
	if err != nil {
		return nil, err
	}
	a := s.aggregates
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.docsGen == gen {
		return a, nil
	}
	corr, err := s.groupCounts(ctx, "documents", "correspondent_id")
	if err != nil {
		return nil, err
	}
	types, err := s.groupCounts(ctx, "documents", "document_type_id")
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID   int       `bun:"id"`
		Last time.Time `bun:"last"`
	}
	err = s.db(ctx).NewSelect().TableExpr("documents").
		ColumnExpr("correspondent_id AS id, max(created) AS last").
		Where("correspondent_id IS NOT NULL").Where("deleted_at IS NULL").GroupExpr("correspondent_id").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	last := make(map[int]time.Time, len(rows))
	for _, r := range rows {
		last[r.ID] = r.Last.UTC()
	}
	a.corrCounts, a.typeCounts, a.lastCorr, a.docsGen = corr, types, last, gen
	return a, nil
}
