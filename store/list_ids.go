package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"

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
	orderSQL = s.visibleCounts(ctx, k, orderSQL)
	q := s.db(ctx).NewSelect().Model((*T)(nil)).Column("id")
	q = whereCond(q, visibleCond(PrincipalFrom(ctx), tableModels[k.table], "?TableAlias"))
	if len(f.IDs) > 0 {
		q = q.Where("?TableAlias.id IN (?)", bun.In(f.IDs))
	}
	q = where(q, s.textConds("?TableAlias.name_key", true, f.Name))
	if f.IsRoot != nil {
		q = where(q, rootConds(k, *f.IsRoot))
	}
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
	c := savedViewCond(ctx, userID, "sv", PermView, PermChange)
	err := s.db(ctx).NewSelect().TableExpr("saved_views AS sv").Column("sv.id").
		Where(c.sql, c.args...).OrderExpr(nameKey+", sv.id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list saved view ids: %w", err)
	}
	return ids, nil
}

// orderCache keeps, per document order, the ids of every document in that
// order. Only orders on created, added and id are kept: they change only
// when counters.documents goes up (a document added, removed or refiled).
type orderCache struct {
	mu    sync.Mutex
	gen   int64 // counters.documents the lists are valid for (-1: none)
	lists map[string][]int32
}

// maxCachedOrders bounds the lists orderCache keeps (4 bytes a document
// each): the usual orders are -created and created.
const maxCachedOrders = 6

// cacheableOrder says whether order is kept by orderCache.
func cacheableOrder(order []DocumentOrder) bool {
	for _, o := range order {
		switch o.Field {
		case DocumentOrderCreated, DocumentOrderAdded, DocumentOrderID:
		default:
			return false
		}
	}
	return true
}

// orderedDocuments returns every document id in orderSQL's order as of
// counters.documents = gen or later, loading the list when the cached one
// is older.
func (s *Store) orderedDocuments(ctx context.Context, orderSQL string, gen int64) ([]int32, error) {
	c := s.orders
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if l, ok := c.lists[orderSQL]; ok {
			return l, nil
		}
	} else {
		c.gen, c.lists = -1, map[string][]int32{}
	}
	// The generation first: the list read after it is at least as new.
	now, err := s.generation(ctx, "documents")
	if err != nil {
		return nil, err
	}
	var ids []int32
	err = s.read.NewSelect().TableExpr("documents AS d").Column("d.id").Where(liveCond.sql).OrderExpr(orderSQL).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list documents in order: %w", err)
	}
	if ids == nil {
		ids = []int32{}
	}
	if len(c.lists) >= maxCachedOrders {
		c.lists = map[string][]int32{} // orders are client-chosen: keep a few
	}
	c.gen, c.lists[orderSQL] = now, ids
	return ids, nil
}

// cachedOrderIDs is DocumentIDs from the order cache; ok is false when
// the answer could not be made consistent (the caller asks the database).
func (s *Store) cachedOrderIDs(ctx context.Context, f DocumentFilter, orderSQL string) ([]int, bool, error) {
	for attempt := 0; attempt < 2; attempt++ {
		var matches []int
		tagGen := int64(-1)
		if tags := onlyTagsAll(f); tags != nil {
			// tags__id / tags__id__all alone: the postings cache
			ids, gen, err := s.cachedIntersection(ctx, tags)
			if err != nil {
				return nil, false, err
			}
			matches, tagGen = ids, gen
		} else {
			m, err := s.documentMatch(ctx, f, true)
			if err != nil {
				return nil, false, err
			}
			q := where(s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id"), m.conds)
			matches = []int{}
			if err := s.scan(ctx, m, q, &matches); err != nil {
				return nil, false, fmt.Errorf("list document ids: %w", err)
			}
			if m.counter == "document_tags" {
				tagGen = m.gen
			}
		}
		docGen, tagsNow, err := s.generations(ctx)
		if err != nil {
			return nil, false, err
		}
		if tagGen >= 0 && tagGen != tagsNow {
			s.postings.invalidate() // changed since cached: load again
			continue
		}
		ordered, err := s.orderedDocuments(ctx, orderSQL, docGen)
		if err != nil {
			return nil, false, err
		}
		return pickInOrder(ordered, matches), true, nil
	}
	return nil, false, nil
}

// pickInOrder returns the ids of ordered that are in matches, in ordered's
// order.
func pickInOrder(ordered []int32, matches []int) []int {
	out := make([]int, 0, len(matches))
	if len(matches) == 0 {
		return out
	}
	top := 0
	for _, id := range matches {
		top = max(top, id)
	}
	in := make([]uint64, top/64+1)
	for _, id := range matches {
		if id >= 0 {
			in[id/64] |= 1 << (id % 64)
		}
	}
	for _, id := range ordered {
		if n := int(id); n <= top && in[n/64]&(1<<(n%64)) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// generations reads counters.documents and counters.document_tags.
func (s *Store) generations(ctx context.Context) (docs, tags int64, err error) {
	var gens []struct {
		Name  string `bun:"name"`
		Value int64  `bun:"value"`
	}
	err = s.read.NewSelect().TableExpr("counters").Column("name", "value").
		Where("name IN ('documents', 'document_tags')").Scan(ctx, &gens)
	if err != nil {
		return 0, 0, fmt.Errorf("read generations: %w", err)
	}
	docs, tags = -1, -1
	for _, g := range gens {
		if g.Name == "documents" {
			docs = g.Value
		} else {
			tags = g.Value
		}
	}
	return docs, tags, nil
}

// onlyTagsAll returns the tags of a filter that is tags__id__all alone
// (the tag list of the web UIs and apps), or nil.
func onlyTagsAll(f DocumentFilter) []int {
	if f.Tags == nil || len(f.Tags.All) == 0 || len(f.Tags.Any) > 0 || len(f.Tags.None) > 0 {
		return nil
	}
	rest := f
	rest.Tags = nil
	if !reflect.ValueOf(rest).IsZero() {
		return nil
	}
	return uniqueInts(f.Tags.All)
}

// cachedTagPage serves a page of documents carrying every tag in tags, in
// a cacheable order, from the tag postings and order caches: the page's
// ids are picked in Go (no sort, no scan of the matches in SQL) and only
// its rows are read. ok is false when the caches could not give a
// consistent answer (the caller asks the database).
func (s *Store) cachedTagPage(ctx context.Context, tags []int, orderSQL string, p Page) ([]Document, int, bool, error) {
	matches, tagGen, err := s.cachedIntersection(ctx, tags)
	if err != nil {
		return nil, 0, false, err
	}
	docGen, tagsNow, err := s.generations(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	if tagGen != tagsNow {
		s.postings.invalidate()
		return nil, 0, false, nil
	}
	ordered, err := s.orderedDocuments(ctx, orderSQL, docGen)
	if err != nil {
		return nil, 0, false, err
	}
	total := len(matches)
	_, limit, offset := p.Limit(total)
	var pageIDs []int
	if offset < total {
		all := pickInOrder(ordered, matches)
		pageIDs = all[offset:min(offset+limit, len(all))]
	}
	docs, err := s.DocumentsByIDs(ctx, pageIDs)
	if err != nil {
		return nil, 0, false, err
	}
	docsAfter, tagsAfter, err := s.generations(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	if len(docs) != len(pageIDs) || docsAfter != docGen || tagsAfter != tagsNow {
		return nil, 0, false, nil // changed meanwhile
	}
	return docs, total, true, nil
}
