package store

import (
	"context"
	"fmt"
	"strconv"
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
	if err := s.checkOrderFields(ctx, order); err != nil {
		return nil, 0, err
	}
	orderSQL, joins, err := documentOrderSQL(order)
	if err != nil {
		return nil, 0, err
	}
	if tags := onlyTagsAll(f); tags != nil && len(joins) == 0 && cacheableOrder(order) && !inTx(ctx) && !restricted(ctx) {
		// the tag list in date order: picked from the caches (see DocumentIDs)
		if docs, total, ok, err := s.cachedTagPage(ctx, tags, orderSQL, p); err != nil || ok {
			return docs, total, err
		}
	}
	if tags, ok := cachedVisibleList(f); ok && restricted(ctx) && len(joins) == 0 && cacheableOrder(order) && !inTx(ctx) {
		// what a restricted principal may see of the tag list or the archive
		if docs, total, ok, err := s.cachedVisiblePage(ctx, tags, orderSQL, p); err != nil || ok {
			return docs, total, err
		}
	}
	useCache := true
	for attempt := 0; ; attempt++ {
		m, err := s.documentMatch(ctx, f, useCache)
		if err != nil {
			return nil, 0, err
		}
		docs, total, gen, err := s.documentsPage(ctx, m, joins, orderSQL, p)
		if err != nil {
			return nil, 0, err
		}
		if m.counter == "documents" && m.gen < 0 && gen >= 0 && len(docs) > 0 {
			s.aggregates.setTotal(total, gen) // learnt with this page
		}
		if m.gen < 0 || gen == m.gen {
			return docs, total, nil
		}
		// What the cached answer rests on changed since it was cached.
		if m.counter == "documents" {
			s.aggregates.setTotal(0, -1)
		} else {
			s.postings.invalidate()
		}
		if attempt > 0 {
			useCache = false // changing fast: let the database do it all
		}
	}
}

// documentsPage runs a docMatch for one page, returning the documents, the
// total and the tag generation the statement saw (when m uses the cache).
func (s *Store) documentsPage(ctx context.Context, m docMatch, joins []string, orderSQL string, p Page) ([]Document, int, int64, error) {
	if p.Number < 0 {
		// Counting from the end needs the total before the page.
		total, gen, err := s.countDocuments(ctx, m)
		if err != nil || total == 0 || (m.gen >= 0 && gen != m.gen) {
			return []Document{}, total, gen, err
		}
		_, limit, offset := p.Limit(total)
		docs, _, gen, err := s.documentPage(ctx, m, joins, orderSQL, limit, offset)
		return docs, total, gen, err
	}
	_, limit, offset := p.Limit(0)
	docs, total, gen, err := s.documentPage(ctx, m, joins, orderSQL, limit, offset)
	if err != nil || len(docs) > 0 {
		return docs, total, gen, err
	}
	// No row came back to carry the total (and generation).
	total, gen, err = s.countDocuments(ctx, m)
	return docs, total, gen, err
}

// docMatch is a DocumentFilter translated to SQL: conditions on
// "documents AS d" and, for a Tags.All filter, either the intersection
// from the postings cache as a list of ids (gen ≥ 0 is the generation it
// is valid for) or, without the cache, the intersection as a
// materialised common table expression "ta" (formatted SQL) that the count
// and the page share.
type docMatch struct {
	with  string
	conds []cond
	count string // the count's SQL when known without scanning (or "")
	// counter names the counters row a cached part of the answer rests
	// on ("document_tags" for postings, "documents" for the archive's
	// total); the statement reads it, and gen is the value the cache was
	// made at (-1: nothing cached, read only to learn it).
	counter string
	gen     int64
	many    bool // the id list is long: walking a date index beats probing each id
}

// manyIDs is where walking the (created|added|modified, id) index from the
// page's end, testing each entry against the id list, becomes cheaper on
// SQLite than probing every listed document and sorting (its planner
// always probes): about sqrt(2N) for an archive of N documents, N = 100k.
const manyIDs = 500

// idListCond restricts d.id to ids. Long lists travel as one JSON array
// (SQLite: json_each) or array literal (PostgreSQL: = ANY) rather than as
// thousands of SQL tokens.
func (s *Store) idListCond(ids []int) cond {
	switch {
	case len(ids) == 0:
		return cond{sql: "FALSE"}
	case len(ids) <= 100:
		return cond{"d.id IN (?)", []any{bun.In(ids)}}
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	if s.IsPostgres() {
		return cond{"d.id = ANY(?::integer[])", []any{"{" + b.String() + "}"}}
	}
	return cond{"d.id IN (SELECT value FROM json_each(?))", []any{"[" + b.String() + "]"}}
}

// dateIndexHint returns the SQLite index hint for walking the page order
// when it starts with a date (see manyIDs), or "".
func (s *Store) dateIndexHint(m docMatch, orderSQL string) string {
	if !m.many || s.IsPostgres() {
		return ""
	}
	for _, col := range []string{"created", "added", "modified"} {
		if strings.HasPrefix(orderSQL, "d."+col+" ") {
			return " INDEXED BY documents_" + col
		}
	}
	return ""
}

func (s *Store) documentMatch(ctx context.Context, f DocumentFilter, useCache bool) (docMatch, error) {
	if err := f.Validate(); err != nil {
		return docMatch{}, err
	}
	var all []int
	if f.Tags != nil {
		all = uniqueInts(f.Tags.All)
		f.Tags = &TagsFilter{Any: f.Tags.Any, None: f.Tags.None}
	}
	conds := s.documentConds(f)
	cfConds, err := s.customFieldConds(ctx, f, len(all) > 0)
	if err != nil {
		return docMatch{}, err
	}
	conds = append(conds, cfConds...)
	if c := docVisible(ctx, "d"); c.sql != "" {
		conds = append(conds, c) // what the principal may see (no cached whole-archive count then)
	}
	filtered := len(conds) > 0
	m := docMatch{conds: append(conds, liveCond), gen: -1} // never a document in the trash
	m.many = wideCustomFieldQuery(f, len(all) > 0)         // custom field matches: walk the date index
	_, inTx := ctx.Value(txKey{}).(bun.Tx)
	if len(all) == 0 {
		if !filtered && useCache && !inTx {
			// The whole archive: its size is cached per generation of
			// counters.documents (an exact count(*) over every row costs
			// milliseconds on PostgreSQL).
			m.counter = "documents"
			if total, gen := s.aggregates.total(); gen >= 0 {
				m.count, m.gen = fmt.Sprint(total), gen
			}
		}
		return m, nil
	}
	if useCache && !inTx {
		ids, gen, err := s.cachedIntersection(ctx, all)
		if err != nil {
			return m, err
		}
		if len(ids) <= maxLiteralIDs {
			if !filtered { // the postings hold no trashed document
				m.count = fmt.Sprint(len(ids))
			}
			m.counter, m.gen = "document_tags", gen
			m.conds = append(m.conds, s.idListCond(ids))
			m.many = len(ids) > manyIDs
			return m, nil
		}
	}
	if !filtered {
		m.count = "(SELECT count(*) FROM ta)"
	}
	m.with = s.db(ctx).NewSelect().TableExpr("(?) AS ta0", tagsAllSQL(all)).Column("ta0.document_id").String()
	m.conds = append(m.conds, cond{sql: "d.id IN (SELECT ta.document_id FROM ta)"})
	return m, nil
}

// countQuery is the query counting the matches.
func (s *Store) countQuery(ctx context.Context, m docMatch) *bun.SelectQuery {
	if m.count != "" {
		return s.db(ctx).NewSelect().ColumnExpr(m.count)
	}
	return where(s.db(ctx).NewSelect().TableExpr("documents AS d").ColumnExpr("count(*)"), m.conds)
}

// genSQL reads a counters row inside a statement.
func genSQL(counter string) string {
	return "(SELECT value FROM counters WHERE name = '" + counter + "')"
}

// scan runs q, preceded by m's common table expression, into dest. The
// expression is marked AS MATERIALIZED (SQLite ≥ 3.35, PostgreSQL ≥ 12):
// computed once however often the statement reads it. (bun writes that
// keyword for PostgreSQL only, hence the hand-made WITH.)
func (s *Store) scan(ctx context.Context, m docMatch, q *bun.SelectQuery, dest ...any) error {
	if m.with == "" {
		return q.Scan(ctx, dest...)
	}
	sql := "WITH ta AS MATERIALIZED (" + m.with + ") " + q.String()
	return s.db(ctx).NewRaw("?", bun.Safe(sql)).Scan(ctx, dest...)
}

// documentPage loads one page of documents and the total number of
// matches in one statement: the page's ids are chosen on the narrow
// columns first (so only the page's rows are read whole), and the total
// (and the tag generation) ride along as scalar subqueries. When the page
// is empty they are unknown (0, -1).
func (s *Store) documentPage(ctx context.Context, m docMatch, joins []string, orderSQL string, limit, offset int) ([]Document, int, int64, error) {
	page := s.db(ctx).NewSelect().TableExpr("documents AS d" + s.dateIndexHint(m, orderSQL)).Column("d.id")
	for _, j := range joins {
		page = page.Join(j)
	}
	page = where(page, m.conds).OrderExpr(orderSQL).Limit(int64(limit)).Offset(int64(offset))

	var rows []struct {
		Document   `bun:",extend"`
		TotalCount int   `bun:"total_count"`
		Gen        int64 `bun:"gen"`
	}
	q := s.db(ctx).NewSelect().
		TableExpr("documents AS d").
		ColumnExpr("d.*").
		ColumnExpr("(?) AS total_count", s.countQuery(ctx, m))
	if m.counter != "" {
		q = q.ColumnExpr(genSQL(m.counter) + " AS gen")
	}
	for _, j := range joins {
		q = q.Join(j)
	}
	q = q.Where("d.id IN (?)", page).OrderExpr(orderSQL)
	if err := s.scan(ctx, m, q, &rows); err != nil {
		return nil, 0, 0, fmt.Errorf("list documents: %w", err)
	}
	docs := make([]Document, len(rows))
	total, gen := 0, int64(-1)
	for i, r := range rows {
		docs[i] = r.Document
		total = r.TotalCount
		if m.counter != "" {
			gen = r.Gen
		}
	}
	return docs, total, gen, nil
}

// countDocuments counts the documents matching m and reads the tag
// generation with it (when m uses the cache; else -1).
func (s *Store) countDocuments(ctx context.Context, m docMatch) (int, int64, error) {
	var n int
	gen := int64(-1)
	q := s.db(ctx).NewSelect().ColumnExpr("(?) AS n", s.countQuery(ctx, m))
	dest := []any{&n}
	if m.counter != "" {
		q = q.ColumnExpr(genSQL(m.counter) + " AS g")
		dest = append(dest, &gen)
	}
	if err := s.scan(ctx, m, q, dest...); err != nil {
		return 0, 0, fmt.Errorf("count documents: %w", err)
	}
	return n, gen, nil
}

// DocumentIDs returns the ids of every document matching f, in the given
// order (as Documents orders them). It reads no other column.
//
// Ordered by created, added and id only (the paperless-ngx `all` of the
// usual list), the order comes from a cached list of every document in
// that order (valid while counters.documents stands) and the matches from
// the tag postings cache or an unordered query: no sort of the matches.
func (s *Store) DocumentIDs(ctx context.Context, f DocumentFilter, order []DocumentOrder) ([]int, error) {
	if err := s.checkOrderFields(ctx, order); err != nil {
		return nil, err
	}
	orderSQL, joins, err := documentOrderSQL(order)
	if err != nil {
		return nil, err
	}
	if len(joins) == 0 && cacheableOrder(order) && !inTx(ctx) && !restricted(ctx) {
		if ids, ok, err := s.cachedOrderIDs(ctx, f, orderSQL); err != nil || ok {
			return ids, err
		}
	}
	if tags, ok := cachedVisibleList(f); ok && restricted(ctx) && len(joins) == 0 && cacheableOrder(order) && !inTx(ctx) {
		if ids, ok, err := s.cachedVisibleIDs(ctx, tags, orderSQL); err != nil || ok {
			return ids, err
		}
	}
	m, err := s.documentMatch(ctx, f, false)
	if err != nil {
		return nil, err
	}
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id")
	for _, j := range joins {
		q = q.Join(j)
	}
	ids := []int{}
	if err := s.scan(ctx, m, where(q, m.conds).OrderExpr(orderSQL), &ids); err != nil {
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
		case DocumentOrderStoragePathName:
			if !containsString(joins, joinStoragePath) {
				joins = append(joins, joinStoragePath)
			}
			parts = append(parts, "osp.name_key "+dir+nullsEdge(dir))
		case DocumentOrderCreated:
			parts = append(parts, "d.created "+dir)
		case DocumentOrderModified:
			parts = append(parts, "d.modified "+dir)
		case DocumentOrderAdded:
			parts = append(parts, "d.added "+dir)
		case DocumentOrderArchiveSerialNumber:
			parts = append(parts, "d.archive_serial_number "+dir+nullsEdge(dir))
		case DocumentOrderPageCount:
			parts = append(parts, "d.page_count "+dir+nullsEdge(dir))
		case DocumentOrderNumNotes:
			parts = append(parts, numNotesSQL+" "+dir)
		case DocumentOrderCustomField:
			term, join := customFieldOrder(o.CustomField, dir)
			if !containsString(joins, join) {
				joins = append(joins, join)
			}
			parts = append(parts, term)
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
	out = append(out, idConds("d.storage_path_id", f.StoragePath)...)
	if cs := s.textConds("nsp.name_key", true, f.StoragePathName); len(cs) > 0 {
		out = append(out, subqueryCond("d.storage_path_id IN (SELECT nsp.id FROM storage_paths AS nsp WHERE ", cs))
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
	out = append(out, ownerConds(f)...)
	out = append(out, s.textConds("d.original_filename", false, f.OriginalFilename)...)
	out = append(out, s.textConds("d.checksum", false, f.Checksum)...)
	if f.MimeType != nil && *f.MimeType != "" {
		out = append(out, s.containsCond("d.mime_type", false, *f.MimeType))
	}
	if f.hasAbsent() {
		out = append(out, cond{sql: "FALSE"})
	}
	return out
}

// hasAbsent reports whether f asks for something no document has yet (an
// owner, a storage path, a share, a custom field); see DocumentFilter.
func (f DocumentFilter) hasAbsent() bool {
	switch {
	}
	return false
}

// textSet reports whether t has a non-empty lookup.
func textSet(t *TextFilter) bool {
	for _, v := range []*string{t.Istartswith, t.Iendswith, t.Icontains, t.Iexact} {
		if v != nil && *v != "" {
			return true
		}
	}
	return false
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
// whitespace and commas.
func searchTerms(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
