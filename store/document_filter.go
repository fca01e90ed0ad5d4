package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Documents returns one page of the documents matching f and the number
// of (distinct) documents that match. The default order is newest created
// first; id ascending breaks ties unless the order names id. An unknown
// order field or direction is a Validation error.
//
// It runs three short queries instead of one wide one: the count, the ids
// of the page (filters are id-set subqueries on the documents table, so
// the tag filters intersect document_tags index ranges and never
// multiply rows), and the page's rows by primary key, so content is read
// for the page only.
func (s *Store) Documents(ctx context.Context, f DocumentFilter, order []DocumentOrder, p Page) ([]Document, int, error) {
	orderSQL, joins, err := documentOrderSQL(order)
	if err != nil {
		return nil, 0, err
	}
	with, conds := s.documentMatch(ctx, f)
	if p.Number < 0 {
		// Counting from the end needs the total before the page.
		total, err := s.countDocuments(ctx, with, conds)
		if err != nil || total == 0 {
			return []Document{}, total, err
		}
		_, limit, offset := p.Limit(total)
		docs, _, err := s.documentPage(ctx, with, conds, joins, orderSQL, limit, offset)
		return docs, total, err
	}
	_, limit, offset := p.Limit(0)
	docs, total, err := s.documentPage(ctx, with, conds, joins, orderSQL, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if len(docs) == 0 && offset > 0 {
		// A page past the end returns no row to carry the total.
		if total, err = s.countDocuments(ctx, with, conds); err != nil {
			return nil, 0, err
		}
	}
	return docs, total, nil
}

// documentMatch translates f into conditions on "documents AS d" plus, for
// a Tags.All filter, a materialised common table expression "ta" holding
// the intersection, so that the count and the page share one evaluation
// of it.
func (s *Store) documentMatch(ctx context.Context, f DocumentFilter) (with *bun.WithQuery, conds []cond) {
	var all []int
	if f.Tags != nil {
		all = uniqueInts(f.Tags.All)
		f.Tags = &TagsFilter{Any: f.Tags.Any, None: f.Tags.None}
	}
	conds = s.documentConds(f)
	if len(all) > 0 {
		with = bun.NewWithQuery("ta", s.db(ctx).NewSelect().TableExpr("(?) AS ta0", tagsAllSQL(all)).Column("ta0.document_id")).Materialized()
		conds = append(conds, cond{sql: "d.id IN (SELECT ta.document_id FROM ta)"})
	}
	return with, conds
}

// documentPage loads one page of documents and the total number of
// matches in one statement: the page's ids are chosen on the narrow
// columns first (so only the page's rows are read whole), and the total
// rides along as a scalar subquery. When the page is empty the total is
// unknown (0).
func (s *Store) documentPage(ctx context.Context, with *bun.WithQuery, conds []cond, joins []string, orderSQL string, limit, offset int) ([]Document, int, error) {
	page := s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id")
	for _, j := range joins {
		page = page.Join(j)
	}
	page = where(page, conds).OrderExpr(orderSQL).Limit(int64(limit)).Offset(int64(offset))
	count := where(s.db(ctx).NewSelect().TableExpr("documents AS d").ColumnExpr("count(*)"), conds)

	var rows []struct {
		Document   `bun:",extend"`
		TotalCount int `bun:"total_count"`
	}
	q := s.db(ctx).NewSelect().
		TableExpr("documents AS d").
		ColumnExpr("d.*").
		ColumnExpr("(?) AS total_count", count)
	if with != nil {
		q = q.WithQuery(with)
	}
	for _, j := range joins {
		q = q.Join(j)
	}
	q = q.Where("d.id IN (?)", page).OrderExpr(orderSQL)
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	docs := make([]Document, len(rows))
	total := 0
	for i, r := range rows {
		docs[i] = r.Document
		total = r.TotalCount
	}
	return docs, total, nil
}

// countDocuments counts the documents matching conds.
func (s *Store) countDocuments(ctx context.Context, with *bun.WithQuery, conds []cond) (int, error) {
	q := s.db(ctx).NewSelect().TableExpr("documents AS d")
	if with != nil {
		q = q.WithQuery(with)
	}
	n, err := where(q, conds).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return int(n), nil
}

// DocumentIDs returns the ids of every document matching f, in the given
// order (as Documents orders them). It reads no other column.
func (s *Store) DocumentIDs(ctx context.Context, f DocumentFilter, order []DocumentOrder) ([]int, error) {
	orderSQL, joins, err := documentOrderSQL(order)
	if err != nil {
		return nil, err
	}
	with, conds := s.documentMatch(ctx, f)
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id")
	if with != nil {
		q = q.WithQuery(with)
	}
	for _, j := range joins {
		q = q.Join(j)
	}
	ids := []int{}
	if err := where(q, conds).OrderExpr(orderSQL).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list document ids: %w", err)
	}
	return ids, nil
}

// Joins the document orderings need.
const (
	joinCorrespondent = "LEFT JOIN correspondents AS oc ON oc.id = d.correspondent_id"
	joinDocumentType  = "LEFT JOIN document_types AS ot ON ot.id = d.document_type_id"
)

// documentOrderSQL returns the ORDER BY for order (default -created), with
// id ascending appended unless id is a key, and the joins it needs.
// Titles and names order by their case-folded keys; documents without a
// correspondent, type or ASN come first ascending and last descending.
func documentOrderSQL(order []DocumentOrder) (string, []string, error) {
	if len(order) == 0 {
		order = []DocumentOrder{{Field: DocumentOrderCreated, Direction: Desc}}
	}
	var parts, joins []string
	byID := false
	for _, o := range order {
		dir, err := direction(o.Direction)
		if err != nil {
			return "", nil, err
		}
		switch o.Field {
		case DocumentOrderID:
			byID = true
			parts = append(parts, "d.id "+dir)
		case DocumentOrderTitle:
			parts = append(parts, "d.title_key "+dir)
		case DocumentOrderCorrespondentName:
			if !containsString(joins, joinCorrespondent) {
				joins = append(joins, joinCorrespondent)
			}
			parts = append(parts, "oc.name_key "+dir+nullsEdge(dir))
		case DocumentOrderDocumentTypeName:
			if !containsString(joins, joinDocumentType) {
				joins = append(joins, joinDocumentType)
			}
			parts = append(parts, "ot.name_key "+dir+nullsEdge(dir))
		case DocumentOrderCreated:
			parts = append(parts, "d.created "+dir)
		case DocumentOrderModified:
			parts = append(parts, "d.modified "+dir)
		case DocumentOrderAdded:
			parts = append(parts, "d.added "+dir)
		case DocumentOrderArchiveSerialNumber:
			parts = append(parts, "d.archive_serial_number "+dir+nullsEdge(dir))
		default:
			return "", nil, &Error{Code: Validation, Message: fmt.Sprintf("unknown order field %q", o.Field),
				Fields: map[string][]string{"orderBy": {fmt.Sprintf("%q is not a valid choice.", o.Field)}}}
		}
	}
	if !byID {
		parts = append(parts, "d.id ASC")
	}
	return strings.Join(parts, ", "), joins, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Subqueries the tag filters use.
const (
	inboxDocsSQL  = "SELECT ib.document_id FROM document_tags AS ib JOIN tags AS ibt ON ibt.id = ib.tag_id WHERE ibt.is_inbox_tag"
	taggedDocsSQL = "EXISTS (SELECT 1 FROM document_tags AS tg WHERE tg.document_id = d.id)"
)

// documentConds translates f into conditions on "documents AS d". Every
// condition restricts d by a subquery or a column, never by a join, so
// rows stay distinct and the count is the number of documents.
func (s *Store) documentConds(f DocumentFilter) []cond {
	var out []cond
	if len(f.IDs) > 0 {
		out = append(out, cond{"d.id IN (?)", []any{bun.In(f.IDs)}})
	}
	out = append(out, s.textConds("d.title_key", true, f.Title)...)
	out = append(out, s.textConds("d.content", false, f.Content)...)
	if f.TitleContent != nil && *f.TitleContent != "" {
		t := s.containsCond("d.title_key", true, *f.TitleContent)
		c := s.containsCond("d.content", false, *f.TitleContent)
		out = append(out, cond{"(" + t.sql + " OR " + c.sql + ")", append(t.args, c.args...)})
	}
	if f.Search != nil {
		for _, term := range searchTerms(*f.Search) {
			t := s.containsCond("d.title_key", true, term)
			n := s.containsCond("sc.name_key", true, term)
			c := s.containsCond("d.content", false, term)
			out = append(out, cond{
				"(" + t.sql + " OR d.correspondent_id IN (SELECT sc.id FROM correspondents AS sc WHERE " + n.sql + ") OR " + c.sql + ")",
				append(append(t.args, n.args...), c.args...),
			})
		}
	}
	out = append(out, intConds("d.archive_serial_number", f.ArchiveSerialNumber)...)
	out = append(out, s.dateConds("d.created", f.Created)...)
	out = append(out, s.dateConds("d.added", f.Added)...)
	out = append(out, s.dateConds("d.modified", f.Modified)...)
	out = append(out, idConds("d.correspondent_id", f.Correspondent)...)
	if cs := s.textConds("nc.name_key", true, f.CorrespondentName); len(cs) > 0 {
		out = append(out, subqueryCond("d.correspondent_id IN (SELECT nc.id FROM correspondents AS nc WHERE ", cs))
	}
	out = append(out, idConds("d.document_type_id", f.DocumentType)...)
	if cs := s.textConds("nt.name_key", true, f.DocumentTypeName); len(cs) > 0 {
		out = append(out, subqueryCond("d.document_type_id IN (SELECT nt.id FROM document_types AS nt WHERE ", cs))
	}
	if f.Tags != nil {
		if ids := uniqueInts(f.Tags.Any); len(ids) > 0 {
			out = append(out, cond{"d.id IN (SELECT ta.document_id FROM document_tags AS ta WHERE ta.tag_id IN (?))", []any{bun.In(ids)}})
		}
		if ids := uniqueInts(f.Tags.All); len(ids) > 0 {
			out = append(out, cond{"d.id IN (?)", []any{tagsAllSQL(ids)}})
		}
		if ids := uniqueInts(f.Tags.None); len(ids) > 0 {
			out = append(out, cond{"d.id NOT IN (SELECT tn.document_id FROM document_tags AS tn WHERE tn.tag_id IN (?))", []any{bun.In(ids)}})
		}
	}
	if cs := s.textConds("tnt.name_key", true, f.TagName); len(cs) > 0 {
		out = append(out, subqueryCond("d.id IN (SELECT tnd.document_id FROM document_tags AS tnd JOIN tags AS tnt ON tnt.id = tnd.tag_id WHERE ", cs))
	}
	if f.IsTagged != nil {
		if *f.IsTagged {
			out = append(out, cond{sql: taggedDocsSQL})
		} else {
			out = append(out, cond{sql: "NOT " + taggedDocsSQL})
		}
	}
	if f.IsInInbox != nil {
		if *f.IsInInbox {
			out = append(out, cond{sql: "d.id IN (" + inboxDocsSQL + ")"})
		} else {
			out = append(out, cond{sql: "d.id NOT IN (" + inboxDocsSQL + ")"})
		}
	}
	return out
}

// tagsAllSQL selects the documents carrying every tag in ids: the first
// tag's range of the (tag_id, document_id) index, each entry probed in the
// primary key for the other tags.
func tagsAllSQL(ids []int) schema.QueryAppender {
	var b strings.Builder
	args := make([]any, 0, len(ids))
	b.WriteString("SELECT t0.document_id FROM document_tags AS t0")
	for i := 1; i < len(ids); i++ {
		fmt.Fprintf(&b, " JOIN document_tags AS t%d ON t%d.document_id = t0.document_id AND t%d.tag_id = ?", i, i, i)
		args = append(args, ids[i])
	}
	b.WriteString(" WHERE t0.tag_id = ?")
	args = append(args, ids[0])
	return bun.SafeQuery(b.String(), args...)
}

// subqueryCond joins conditions into "prefix c1 AND c2 ...)".
func subqueryCond(prefix string, cs []cond) cond {
	var sqls []string
	var args []any
	for _, c := range cs {
		sqls = append(sqls, c.sql)
		args = append(args, c.args...)
	}
	return cond{prefix + strings.Join(sqls, " AND ") + ")", args}
}

// searchTerms splits a paperless `search` value into its terms: on
// whitespace and commas, with NUL characters removed.
func searchTerms(v string) []string {
	v = strings.ReplaceAll(v, "\x00", "")
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
