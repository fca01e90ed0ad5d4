package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// aclCache keeps, per restricted principal, the documents it may not see
// (owned by someone else and not granted to it or its groups), valid while
// counters.documents (documents added, removed) and counters.document_acl
// (owners and grants changed) stand. With it a restricted principal's
// tag list and whole-archive list come from the same in-memory postings
// and order lists as a superuser's, filtered in Go, instead of probing the
// rule row by row in SQL.
type aclCache struct {
	mu   sync.Mutex
	sets map[string]*hiddenSet
}

// hiddenSet is one principal's hidden documents as a bit set by id, and
// how many of them each tag, correspondent and type has (loaded when
// first asked).
type hiddenSet struct {
	docsGen, aclGen int64
	bits            []uint64

	mu     sync.Mutex
	counts map[string]hiddenCount // by column: tag_id, correspondent_id, document_type_id
}

// hiddenCount is a per-object count of hidden documents, for tags valid
// at one counters.document_tags.
type hiddenCount struct {
	tagsGen int64
	n       map[int]int
}

func (h *hiddenSet) has(id int) bool {
	i := id / 64
	return id >= 0 && i < len(h.bits) && h.bits[i]&(1<<(id%64)) != 0
}

// maxACLSets bounds the principals kept: a request of another one
// beyond it empties the cache.
const maxACLSets = 256

func newACLCache() *aclCache { return &aclCache{sets: map[string]*hiddenSet{}} }

// aclKey names what a principal sees: its user and groups.
func aclKey(p *Principal) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(p.UserID))
	g := slices.Clone(p.GroupIDs)
	slices.Sort(g)
	for _, id := range g {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(id))
	}
	return b.String()
}

// aclGenerations reads counters.documents, counters.document_tags and
// counters.document_acl in one statement.
func (s *Store) aclGenerations(ctx context.Context) (docs, tags, acl int64, err error) {
	var gens []struct {
		Name  string `bun:"name"`
		Value int64  `bun:"value"`
	}
	err = s.read.NewSelect().TableExpr("counters").Column("name", "value").
		Where("name IN ('documents', 'document_tags', 'document_acl')").Scan(ctx, &gens)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read generations: %w", err)
	}
	docs, tags, acl = -1, -1, -1
	for _, g := range gens {
		switch g.Name {
		case "documents":
			docs = g.Value
		case "document_tags":
			tags = g.Value
		case "document_acl":
			acl = g.Value
		}
	}
	return docs, tags, acl, nil
}

// hiddenDocuments returns the documents p may not see as of the given
// generations, from the cache or the database (then cached with those
// generations, read before the query: it is at least as new as they say).
func (s *Store) hiddenDocuments(ctx context.Context, p *Principal, docsGen, aclGen int64) (*hiddenSet, error) {
	key := aclKey(p)
	c := s.acl
	c.mu.Lock()
	h := c.sets[key]
	c.mu.Unlock()
	if h != nil && h.docsGen == docsGen && h.aclGen == aclGen {
		return h, nil
	}
	vis := visibleCond(p, ModelDocument, "d")
	var ids []int
	err := s.read.NewSelect().TableExpr("documents AS d").Column("d.id").
		Where("d.owner_id IS NOT NULL").Where("d.owner_id <> ?", p.UserID).
		Where("NOT "+vis.sql, vis.args...).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list documents hidden from user %d: %w", p.UserID, err)
	}
	h = &hiddenSet{docsGen: docsGen, aclGen: aclGen, counts: map[string]hiddenCount{}}
	for _, id := range ids {
		for id/64 >= len(h.bits) {
			h.bits = append(h.bits, 0)
		}
		h.bits[id/64] |= 1 << (id % 64)
	}
	c.mu.Lock()
	if len(c.sets) >= maxACLSets {
		c.sets = map[string]*hiddenSet{}
	}
	c.sets[key] = h
	c.mu.Unlock()
	return h, nil
}

// cachedVisiblePage is cachedTagPage for a restricted principal: a page
// of the documents carrying every tag in tags (every document when tags
// is nil) that the principal may see, in a cacheable order, picked in Go
// from the postings, order and ACL caches. ok is false when the caches
// could not give a consistent answer (the caller asks the database).
func (s *Store) cachedVisiblePage(ctx context.Context, tags []int, orderSQL string, p Page) ([]Document, int, bool, error) {
	v, ok, err := s.visibleInOrder(ctx, tags, orderSQL)
	if err != nil || !ok {
		return nil, 0, false, err
	}
	total := v.count()
	_, limit, offset := p.Limit(total)
	var pageIDs []int
	for i, n := 0, 0; i < len(v.ordered) && len(pageIDs) < limit && offset < total; i++ {
		if id := int(v.ordered[i]); v.visible(id) {
			if n >= offset {
				pageIDs = append(pageIDs, id)
			}
			n++
		}
	}
	docs, ok, err := s.visiblePageRows(ctx, v, pageIDs)
	if err != nil || !ok || len(docs) != len(pageIDs) {
		return nil, 0, false, err // changed meanwhile
	}
	return docs, total, true, nil
}

// visiblePageRows loads a restricted page's documents, in ids' order, and
// checks in the same statement that the generations v rests on still
// hold (ok false: something changed since the caches were read).
func (s *Store) visiblePageRows(ctx context.Context, v *visibleOrder, ids []int) ([]Document, bool, error) {
	if len(ids) == 0 {
		ok, err := v.stillValid(ctx, s)
		return []Document{}, ok, err
	}
	var rows []struct {
		Document `bun:",extend"`
		GenDocs  int64 `bun:"gen_docs"`
		GenTags  int64 `bun:"gen_tags"`
		GenACL   int64 `bun:"gen_acl"`
	}
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").ColumnExpr("d.*").
		ColumnExpr(genSQL("documents")+" AS gen_docs").
		ColumnExpr(genSQL("document_tags")+" AS gen_tags").
		ColumnExpr(genSQL("document_acl")+" AS gen_acl").
		Where("d.id IN (?)", bun.In(ids)).Where(liveCond.sql, liveCond.args...)
	if err := whereCond(q, docVisible(ctx, "d")).Scan(ctx, &rows); err != nil {
		return nil, false, fmt.Errorf("load documents by id: %w", err)
	}
	byID := make(map[int]int, len(rows))
	for i, r := range rows {
		if r.GenDocs != v.docGen || (v.tags && r.GenTags != v.tagsGen) || r.GenACL != v.aclGen {
			return nil, false, nil
		}
		byID[r.ID] = i
	}
	out := make([]Document, 0, len(ids))
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			out = append(out, rows[i].Document)
		}
	}
	return out, true, nil
}

// cachedVisibleIDs is DocumentIDs from the caches for a restricted
// principal (see cachedVisiblePage).
func (s *Store) cachedVisibleIDs(ctx context.Context, tags []int, orderSQL string) ([]int, bool, error) {
	v, ok, err := s.visibleInOrder(ctx, tags, orderSQL)
	if err != nil || !ok {
		return nil, false, err
	}
	out := make([]int, 0, v.count())
	for _, id := range v.ordered {
		if v.visible(int(id)) {
			out = append(out, int(id))
		}
	}
	if ok, err := v.stillValid(ctx, s); err != nil || !ok {
		return nil, false, err
	}
	return out, true, nil
}

// visibleOrder is what the caches say a restricted principal sees of the
// tag list (or, without tags, the archive) in one order, and the
// generations that answer rests on.
type visibleOrder struct {
	ordered                 []int32
	hidden                  *hiddenSet
	in                      func(int) bool // nil: every document
	docGen, tagsGen, aclGen int64
	tags                    bool
}

func (v *visibleOrder) visible(id int) bool {
	return !v.hidden.has(id) && (v.in == nil || v.in(id))
}

func (v *visibleOrder) count() int {
	n := 0
	for _, id := range v.ordered {
		if v.visible(int(id)) {
			n++
		}
	}
	return n
}

// stillValid reports whether the generations v rests on still stand.
func (v *visibleOrder) stillValid(ctx context.Context, s *Store) (bool, error) {
	docs, tags, acl, err := s.aclGenerations(ctx)
	if err != nil {
		return false, err
	}
	return docs == v.docGen && (!v.tags || tags == v.tagsGen) && acl == v.aclGen, nil
}

// visibleInOrder reads the caches for a restricted principal's list; ok
// is false when they could not be made consistent.
func (s *Store) visibleInOrder(ctx context.Context, tags []int, orderSQL string) (*visibleOrder, bool, error) {
	// The generations first: what is read after them is at least as new.
	docGen, tagsGen, aclGen, err := s.aclGenerations(ctx)
	if err != nil {
		return nil, false, err
	}
	v := &visibleOrder{docGen: docGen, tagsGen: tagsGen, aclGen: aclGen, tags: tags != nil}
	if v.hidden, err = s.hiddenDocuments(ctx, PrincipalFrom(ctx), docGen, aclGen); err != nil {
		return nil, false, err
	}
	if tags != nil {
		matches, gen, err := s.cachedIntersection(ctx, tags)
		if err == nil && gen != tagsGen {
			s.postings.invalidate() // cached before the tags last changed: load again
			matches, gen, err = s.cachedIntersection(ctx, tags)
		}
		if err != nil {
			return nil, false, err
		}
		if gen != tagsGen {
			return nil, false, nil // changed meanwhile
		}
		set := &hiddenSet{} // a bit set of the matches
		for _, id := range matches {
			for id/64 >= len(set.bits) {
				set.bits = append(set.bits, 0)
			}
			set.bits[id/64] |= 1 << (id % 64)
		}
		v.in = set.has
	}
	if v.ordered, err = s.orderedDocuments(ctx, orderSQL, docGen); err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// cachedVisibleList reports which filters cachedVisiblePage answers: the
// tag list (tags__id__all alone) and the unfiltered list; tags is nil
// for the latter.
func cachedVisibleList(f DocumentFilter) (tags []int, ok bool) {
	if tags := onlyTagsAll(f); tags != nil {
		return tags, true
	}
	return nil, reflect.ValueOf(f).IsZero()
}

// restrictedCounts answers a restricted principal's document counts per
// tag, correspondent or type (col: tag_id, correspondent_id,
// document_type_id) outside a transaction: the cached counts of the whole
// archive (full, read under the aggregates lock) minus those of the
// documents the principal may not see (cached with its hidden set). ok is
// false when something changed meanwhile (the caller asks the database).
func (s *Store) restrictedCounts(ctx context.Context, col string, ids []int, full func(ctx context.Context) (map[int]int, error)) (map[int]int, bool, error) {
	docGen, tagsGen, aclGen, err := s.aclGenerations(ctx)
	if err != nil {
		return nil, false, err
	}
	p := PrincipalFrom(ctx)
	h, err := s.hiddenDocuments(ctx, p, docGen, aclGen)
	if err != nil {
		return nil, false, err
	}
	hidden, err := s.hiddenCounts(ctx, p, h, col, tagsGen)
	if err != nil {
		return nil, false, err
	}
	all, err := full(ctx)
	if err != nil {
		return nil, false, err
	}
	docsAfter, tagsAfter, aclAfter, err := s.aclGenerations(ctx)
	if err != nil {
		return nil, false, err
	}
	if docsAfter != docGen || tagsAfter != tagsGen || aclAfter != aclGen {
		return nil, false, nil
	}
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		out[id] = all[id] - hidden[id]
	}
	return out, true, nil
}

// hiddenCounts returns how many of h's (live) documents each object of
// col has, loading them once per h (and, for tags, per tagsGen).
func (s *Store) hiddenCounts(ctx context.Context, p *Principal, h *hiddenSet, col string, tagsGen int64) (map[int]int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.counts[col]; ok && (col != "tag_id" || c.tagsGen == tagsGen) {
		return c.n, nil
	}
	vis := visibleCond(p, ModelDocument, "d")
	q := s.read.NewSelect().TableExpr("documents AS d").
		Where("d.owner_id IS NOT NULL").Where("d.owner_id <> ?", p.UserID).Where("NOT "+vis.sql, vis.args...)
	if col == "tag_id" {
		q = q.Join("JOIN document_tags AS hdt ON hdt.document_id = d.id").
			ColumnExpr("hdt.tag_id AS id, count(*) AS n").GroupExpr("hdt.tag_id")
	} else {
		q = q.ColumnExpr("d.? AS id, count(*) AS n", bun.Ident(col)).Where("d.deleted_at IS NULL").
			Where("d.? IS NOT NULL", bun.Ident(col)).GroupExpr("d.?", bun.Ident(col))
	}
	var rows []struct {
		ID int `bun:"id"`
		N  int `bun:"n"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count hidden documents per %s: %w", col, err)
	}
	n := make(map[int]int, len(rows))
	for _, r := range rows {
		n[r.ID] = r.N
	}
	h.counts[col] = hiddenCount{tagsGen: tagsGen, n: n}
	return n, nil
}
