package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"
)

// MaxTagDepth is how deep tags nest: a root is level 1, and no tag may
// sit below level 5 (paperless-ngx's MAX_NESTING_DEPTH).
const MaxTagDepth = 5

// The tag hierarchy (NGX.md §7.3). Tags form a forest through
// tags.parent_id. The rules every writer of document tags follows:
//
//   - giving a document a tag gives it every ancestor of that tag too
//     (CreateDocuments, UpdateDocument, the bulk ADD_TAG and MODIFY_TAGS);
//   - taking a tag away takes its descendants too (UpdateDocument when a
//     tag leaves the set, REMOVE_TAG, MODIFY_TAGS' removals);
//   - re-parenting a tag gives its new ancestors to every document that
//     carries the tag or one of its descendants.
//
// Tags are few (hundreds), so the whole parent map is read in one query
// and walked in memory.

// tagForest is the parent map of every tag with a parent.
type tagForest map[int]int

func (s *Store) tagForest(ctx context.Context) (tagForest, error) {
	var rows []struct {
		ID       int `bun:"id"`
		ParentID int `bun:"parent_id"`
	}
	err := s.db(ctx).NewSelect().TableExpr("tags").Column("id", "parent_id").Where("parent_id IS NOT NULL").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load tag hierarchy: %w", err)
	}
	f := make(tagForest, len(rows))
	for _, r := range rows {
		f[r.ID] = r.ParentID
	}
	return f, nil
}

// ancestors returns id's ancestors, nearest first (a cycle, which the
// writers refuse, ends the walk).
func (f tagForest) ancestors(id int) []int {
	var out []int
	seen := map[int]bool{id: true}
	for {
		p, ok := f[id]
		if !ok || seen[p] {
			return out
		}
		out = append(out, p)
		seen[p] = true
		id = p
	}
}

// withAncestors returns ids plus all their ancestors, once each, in
// ascending order.
func (f tagForest) withAncestors(ids []int) []int {
	out := slices.Clone(ids)
	for _, id := range ids {
		out = append(out, f.ancestors(id)...)
	}
	return sortedInts(uniqueInts(out))
}

// children maps each tag to its direct children.
func (f tagForest) children() map[int][]int {
	out := map[int][]int{}
	for c, p := range f {
		out[p] = append(out[p], c)
	}
	return out
}

// withDescendants returns ids plus all their descendants, ascending.
func (f tagForest) withDescendants(ids []int) []int {
	kids := f.children()
	seen := map[int]bool{}
	var walk func(int)
	walk = func(id int) {
		if seen[id] {
			return
		}
		seen[id] = true
		for _, c := range kids[id] {
			walk(c)
		}
	}
	for _, id := range ids {
		walk(id)
	}
	out := make([]int, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	return sortedInts(out)
}

// height is the number of levels below id (0 for a leaf).
func (f tagForest) height(id int) int {
	kids := f.children()
	var h func(int, int) int
	h = func(id, guard int) int {
		if guard > MaxTagDepth*4 {
			return guard
		}
		best := 0
		for _, c := range kids[id] {
			best = max(best, 1+h(c, guard+1))
		}
		return best
	}
	return h(id, 0)
}

// TagsWithAncestors returns ids plus every ancestor of them, ascending:
// the tag set a document gets when given ids.
func (s *Store) TagsWithAncestors(ctx context.Context, ids []int) ([]int, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	f, err := s.tagForest(ctx)
	if err != nil {
		return nil, err
	}
	return f.withAncestors(ids), nil
}

// TagsWithDescendants returns ids plus every descendant of them,
// ascending: the tags a document loses when ids are taken away.
func (s *Store) TagsWithDescendants(ctx context.Context, ids []int) ([]int, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	f, err := s.tagForest(ctx)
	if err != nil {
		return nil, err
	}
	return f.withDescendants(ids), nil
}

// nextDocumentTags is paperless-ngx's rule for a written tag set: the
// requested tags plus their ancestors, minus the tags that left the set
// (prev minus requested) and their descendants.
func (s *Store) nextDocumentTags(ctx context.Context, prev, requested []int) ([]int, error) {
	f, err := s.tagForest(ctx)
	if err != nil {
		return nil, err
	}
	removed := []int{}
	for _, t := range prev {
		if !slices.Contains(requested, t) {
			removed = append(removed, t)
		}
	}
	blocked := map[int]bool{}
	if len(removed) > 0 {
		for _, t := range f.withDescendants(removed) {
			blocked[t] = true
		}
	}
	out := []int{}
	for _, t := range f.withAncestors(requested) {
		if !blocked[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// checkTagParent applies the hierarchy rules to giving tag id (0: a new
// tag) the parent: the parent must exist and be visible, must not be the
// tag itself or one of its descendants, and the deepest tag of the moved
// subtree must stay within MaxTagDepth. Validation on parentId with
// paperless-ngx's messages.
func (s *Store) checkTagParent(ctx context.Context, id int, parent *int) error {
	if parent == nil {
		return nil
	}
	bad := func(msg string) error {
		return &Error{Code: Validation, Message: msg, Fields: map[string][]string{"parentId": {msg}}}
	}
	if *parent == id {
		return bad("Cannot set itself as parent.")
	}
	q := s.db(ctx).NewSelect().TableExpr("tags AS t").Where("t.id = ?", *parent)
	if c := visibleCond(PrincipalFrom(ctx), ModelTag, "t"); c.sql != "" {
		q = q.Where(c.sql, c.args...)
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return fmt.Errorf("check tag parent: %w", err)
	}
	if !ok {
		return bad(invalidPK(*parent))
	}
	f, err := s.tagForest(ctx)
	if err != nil {
		return err
	}
	if id != 0 && slices.Contains(f.ancestors(*parent), id) {
		return bad("Cannot set parent to a descendant.")
	}
	height := 0
	if id != 0 {
		height = f.height(id)
	}
	if parentLevel := len(f.ancestors(*parent)) + 1; parentLevel+1+height > MaxTagDepth {
		return bad("Maximum nesting depth exceeded.")
	}
	return nil
}

// propagateTagParent gives the ancestors of tag id to every document that
// carries the tag or one of its descendants (after a re-parenting). It
// returns the ids of the documents that gained a tag.
func (s *Store) propagateTagParent(ctx context.Context, id int) ([]int, error) {
	f, err := s.tagForest(ctx)
	if err != nil {
		return nil, err
	}
	anc := f.ancestors(id)
	if len(anc) == 0 {
		return nil, nil
	}
	subtree := f.withDescendants([]int{id})
	var docs []int
	err = s.db(ctx).NewSelect().TableExpr("document_tags").ColumnExpr("DISTINCT document_id").
		Where("tag_id IN (?)", bun.In(subtree)).Scan(ctx, &docs)
	if err != nil {
		return nil, fmt.Errorf("find documents of tag %d: %w", id, err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	var lacking []int
	err = s.db(ctx).NewSelect().TableExpr("documents").Column("id").Where("id IN (?)", bun.In(docs)).
		Where("(SELECT count(*) FROM document_tags AS a WHERE a.document_id = documents.id AND a.tag_id IN (?)) < ?", bun.In(anc), len(anc)).
		Scan(ctx, &lacking)
	if err != nil {
		return nil, fmt.Errorf("find documents lacking ancestors of tag %d: %w", id, err)
	}
	if err := s.addDocumentTags(ctx, lacking, anc); err != nil {
		return nil, err
	}
	return sortedInts(lacking), nil
}

// TagChildren returns, for each of ids, the ids of its direct children the
// acting principal may see, in list order (name, then id).
func (s *Store) TagChildren(ctx context.Context, ids []int) (map[int][]int, error) {
	out := make(map[int][]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID       int `bun:"id"`
		ParentID int `bun:"parent_id"`
	}
	q := s.db(ctx).NewSelect().TableExpr("tags AS t").Column("t.id", "t.parent_id").
		Where("t.parent_id IN (?)", bun.In(uniqueInts(ids))).OrderExpr("t.name_key, t.id")
	if c := visibleCond(PrincipalFrom(ctx), ModelTag, "t"); c.sql != "" {
		q = q.Where(c.sql, c.args...)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("load tag children: %w", err)
	}
	for _, r := range rows {
		out[r.ParentID] = append(out[r.ParentID], r.ID)
	}
	return out, nil
}

// expandTagSets gives every tag set its ancestors (one hierarchy read for
// all of them).
func (s *Store) expandTagSets(ctx context.Context, sets [][]int) ([][]int, error) {
	any := false
	for _, set := range sets {
		any = any || len(set) > 0
	}
	if !any {
		return sets, nil
	}
	f, err := s.tagForest(ctx)
	if err != nil {
		return nil, err
	}
	if len(f) == 0 {
		return sets, nil
	}
	out := make([][]int, len(sets))
	for i, set := range sets {
		out[i] = f.withAncestors(set)
	}
	return out, nil
}

// rootConds is NameFilter.IsRoot on the rows of k: tags without (true) or
// with (false) a parent; the other kinds do not nest, so all of them are
// roots.
func rootConds(k namedKind, root bool) []cond {
	switch {
	case k.table == tagKind.table && root:
		return []cond{{sql: "?TableAlias.parent_id IS NULL"}}
	case k.table == tagKind.table:
		return []cond{{sql: "?TableAlias.parent_id IS NOT NULL"}}
	case !root:
		return []cond{{sql: "FALSE"}}
	}
	return nil
}
