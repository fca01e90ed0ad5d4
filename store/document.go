package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Document returns the document with the given id, or a NotFound error
// (also for a document in the trash: see TrashedDocuments).
func (s *Store) Document(ctx context.Context, id int) (*Document, error) {
	d := new(Document)
	q := s.db(ctx).NewSelect().Model(d).Where("?TableAlias.id = ?", id).Where(liveModel)
	err := whereCond(q, docVisible(ctx, "?TableAlias")).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("document", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load document %d: %w", id, err)
	}
	return d, nil
}

// DocumentsByIDs returns the documents among ids that exist (and are not
// in the trash), in the order of ids (each once).
func (s *Store) DocumentsByIDs(ctx context.Context, ids []int) ([]Document, error) {
	ids = uniqueInts(ids)
	out := make([]Document, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var docs []Document
	q := s.db(ctx).NewSelect().Model(&docs).Where("?TableAlias.id IN (?)", bun.In(ids)).Where(liveModel)
	if err := whereCond(q, docVisible(ctx, "?TableAlias")).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load documents by id: %w", err)
	}
	byID := make(map[int]int, len(docs))
	for i, d := range docs {
		byID[d.ID] = i
	}
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			out = append(out, docs[i])
		}
	}
	return out, nil
}

// DocumentContents returns the content of the documents among ids that
// exist (for search highlights: the search engine need not keep a copy).
func (s *Store) DocumentContents(ctx context.Context, ids []int) (map[int]string, error) {
	ids = uniqueInts(ids)
	out := make(map[int]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID      int    `bun:"id"`
		Content string `bun:"content"`
	}
	if err := whereCond(s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id", "d.content").
		Where("d.id IN (?)", bun.In(ids)).Where("d.deleted_at IS NULL"), docVisible(ctx, "d")).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("load document contents: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Content
	}
	return out, nil
}

// TagIDsByDocuments returns each document's tag ids, ordered by tag name
// (case-insensitively) then id. Every requested id has an entry (empty
// when the document has no tags or does not exist).
func (s *Store) TagIDsByDocuments(ctx context.Context, docIDs []int) (map[int][]int, error) {
	out := make(map[int][]int, len(docIDs))
	for _, id := range docIDs {
		out[id] = []int{}
	}
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DocumentID int `bun:"document_id"`
		TagID      int `bun:"tag_id"`
	}
	in := bun.In(uniqueInts(docIDs))
	err := s.db(ctx).NewSelect().TableExpr("(SELECT document_id, tag_id FROM document_tags WHERE document_id IN (?) UNION ALL "+
		"SELECT document_id, tag_id FROM trash_document_tags WHERE document_id IN (?)) AS dt", in, in). // a trashed document keeps its tags aside
		Join("JOIN tags AS t ON t.id = dt.tag_id").
		ColumnExpr("dt.document_id, dt.tag_id").
		OrderExpr("dt.document_id, t.name_key, t.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load tags of documents: %w", err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.TagID)
	}
	return out, nil
}

// CreateDocument stores d with the given tags and sets d.ID. Zero
// Created/Added/Modified become now. The correspondent, type and tags
// must exist (Validation on correspondentId, documentTypeId, tagIds); the
// checksum and archive serial number must be unused (Conflict on
// checksum, archiveSerialNumber).
func (s *Store) CreateDocument(ctx context.Context, d *Document, tagIDs []int) error {
	return s.CreateDocuments(ctx, []*Document{d}, [][]int{tagIDs})
}

// CreateDocuments stores many documents at once (an import, or seeding
// test data), all or none, with the rules of CreateDocument; tagIDs[i]
// are the tags of docs[i] (tagIDs may be shorter than docs). It sets each
// document's ID. Statements are batched, so 100,000 documents take
// seconds, not minutes.
func (s *Store) CreateDocuments(ctx context.Context, docs []*Document, tagIDs [][]int) error {
	now := s.Now()
	var corrs, types, tags []int
	checksums := map[string]bool{}
	asns := map[int]bool{}
	dup := FieldErrors{}
	for i, d := range docs {
		for _, t := range []*time.Time{&d.Created, &d.Added, &d.Modified} {
			if t.IsZero() {
				*t = now
			}
			*t = t.UTC()
		}
		d.TitleKey = foldKey(d.Title)
		if d.CorrespondentID != nil {
			corrs = append(corrs, *d.CorrespondentID)
		}
		if d.DocumentTypeID != nil {
			types = append(types, *d.DocumentTypeID)
		}
		if i < len(tagIDs) {
			tags = append(tags, tagIDs[i]...)
		}
		if checksums[d.Checksum] {
			dup.Add("checksum", "document with this checksum already exists.")
		}
		checksums[d.Checksum] = true
		if a := d.ArchiveSerialNumber; a != nil {
			if asns[*a] {
				dup.Add("archiveSerialNumber", "document with this archive serial number already exists.")
			}
			asns[*a] = true
		}
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkRefs(ctx, corrs, types, tags); err != nil {
			return err
		}
		if err := s.checkStoragePathRefs(ctx, docs); err != nil {
			return err
		}
		// A document given a tag gets its ancestors too (NGX.md §7.3).
		expanded, err := s.expandTagSets(ctx, tagIDs)
		if err != nil {
			return err
		}
		tagIDs = expanded
		if len(dup) > 0 {
			return &Error{Code: Conflict, Message: "duplicate documents", Fields: dup}
		}
		if err := s.checkDocumentsUnique(ctx, docs); err != nil {
			return err
		}
		for chunk := range chunks(docs, 500) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		var links []DocumentTag
		for i, d := range docs {
			if i < len(tagIDs) {
				for _, t := range uniqueInts(tagIDs[i]) {
					links = append(links, DocumentTag{DocumentID: d.ID, TagID: t})
				}
			}
		}
		for chunk := range chunks(links, 5000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return fmt.Errorf("add document tags: %w", err)
			}
		}
		return s.recordCreate(ctx, docs, tagIDs)
	})
	if err != nil {
		return fmt.Errorf("create documents: %w", err)
	}
	return nil
}

// checkDocumentsUnique checks that no stored document has the checksum or
// archive serial number of one of docs.
func (s *Store) checkDocumentsUnique(ctx context.Context, docs []*Document) error {
	var sums []string
	var asns []int
	for _, d := range docs {
		sums = append(sums, d.Checksum)
		if d.ArchiveSerialNumber != nil {
			asns = append(asns, *d.ArchiveSerialNumber)
		}
	}
	fe := FieldErrors{}
	for chunk := range chunks(sums, 1000) {
		n, err := s.db(ctx).NewSelect().TableExpr("documents").Where("checksum IN (?)", bun.In(chunk)).Count(ctx)
		if err != nil {
			return fmt.Errorf("check document checksums: %w", err)
		}
		if n > 0 {
			fe.Add("checksum", "document with this checksum already exists.")
			break
		}
	}
	for chunk := range chunks(asns, 1000) {
		n, err := s.db(ctx).NewSelect().TableExpr("documents").Where("archive_serial_number IN (?)", bun.In(chunk)).Count(ctx)
		if err != nil {
			return fmt.Errorf("check document archive serial numbers: %w", err)
		}
		if n > 0 {
			fe.Add("archiveSerialNumber", "document with this archive serial number already exists.")
			break
		}
	}
	if len(fe) > 0 {
		return &Error{Code: Conflict, Message: "a document with these values already exists", Fields: fe}
	}
	return nil
}

// UpdateDocument changes the set fields of a document and sets modified
// to now (NotFound when it does not exist). Referenced objects must exist
// (Validation on correspondentId, documentTypeId, tagIds with paperless's
// `Invalid pk "999" - object does not exist.`); the archive serial number
// must be unused (Conflict on archiveSerialNumber). A set TagIDs replaces
// the tag set.
func (s *Store) UpdateDocument(ctx context.Context, id int, u DocumentUpdate) (*Document, error) {
	var d *Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.Document(ctx, id); err != nil {
			return err
		}
		if restricted(ctx) {
			if err := s.MayChange(ctx, ModelDocument, id); err != nil {
				return err
			}
		}
		snap, err := s.snapshotDocument(ctx, d, u) // for the history
		if err != nil {
			return err
		}
		if u.Title != nil {
			d.Title = *u.Title
			d.TitleKey = foldKey(d.Title)
		}
		if u.Content != nil {
			d.Content = *u.Content
		}
		if v, ok := u.CorrespondentID.ValueOK(); ok {
			d.CorrespondentID = v
		}
		if v, ok := u.DocumentTypeID.ValueOK(); ok {
			d.DocumentTypeID = v
		}
		if u.Created != nil {
			d.Created = u.Created.UTC()
		}
		if v, ok := u.ArchiveSerialNumber.ValueOK(); ok {
			d.ArchiveSerialNumber = v
		}
		if v, ok := u.StoragePathID.ValueOK(); ok {
			if err := s.checkStoragePathRefs(ctx, []*Document{{StoragePathID: v}}); err != nil {
				return err
			}
			d.StoragePathID = v
		}
		var tagIDs []int
		tags, setTags := u.TagIDs.ValueOK()
		if setTags {
			tagIDs = uniqueInts(tags)
		}
		if err := s.checkDocumentRefs(ctx, d.CorrespondentID, d.DocumentTypeID, tagIDs); err != nil {
			return err
		}
		if setTags { // the tag hierarchy's rules (NGX.md §7.3)
			prev, err := s.TagIDsByDocuments(ctx, []int{id})
			if err != nil {
				return err
			}
			if tagIDs, err = s.nextDocumentTags(ctx, prev[id], tagIDs); err != nil {
				return err
			}
		}
		if err := s.checkDocumentUnique(ctx, id, "", d.ArchiveSerialNumber); err != nil {
			return err
		}
		d.Modified = s.Now()
		if _, err := s.wdb(ctx).NewUpdate().Model(d).WherePK().Exec(ctx); err != nil {
			return err
		}
		if setTags {
			if err := s.replaceDocumentTags(ctx, id, tagIDs); err != nil {
				return err
			}
		}
		if vals, ok := u.CustomFields.ValueOK(); ok {
			if err := s.SetDocumentCustomFields(ctx, id, vals); err != nil {
				return err
			}
		}
		return s.recordUpdate(ctx, snap, d, tagIDs)
	})
	if err != nil {
		return nil, fmt.Errorf("update document %d: %w", id, err)
	}
	return d, nil
}

// DeleteDocument deletes a document and its tag links and returns the
// deleted row, as it was when deleted, so the caller can remove its
// files once the deletion is committed (NotFound when it does not
// exist). Its log entries stay, without the reference.
func (s *Store) DeleteDocument(ctx context.Context, id int) (*Document, error) {
	if restricted(ctx) {
		if err := s.MayChange(ctx, ModelDocument, id); err != nil {
			return nil, fmt.Errorf("delete document %d: %w", id, err)
		}
	}
	docs, err := s.deleteDocuments(ctx, []int{id})
	if err == nil && len(docs) == 0 {
		err = notFound("document", id)
	}
	if err != nil {
		return nil, fmt.Errorf("delete document %d: %w", id, err)
	}
	return &docs[0], nil
}

// DeleteDocuments deletes the listed documents and their tag links in
// one transaction and returns the deleted rows (ascending id), as they
// were when deleted, so the caller can remove their files once the
// deletion is committed. It is BulkEdit's DELETE with the rows instead of
// the ids, and validates alike: Validation on documentIds when a
// document does not exist or is listed twice, before anything changes.
func (s *Store) DeleteDocuments(ctx context.Context, ids []int) ([]Document, error) {
	var docs []Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkDocumentList(ctx, ids); err != nil {
			return err
		}
		if err := s.mayChangeDocuments(ctx, ids); err != nil {
			return err
		}
		var err error
		docs, err = s.deleteDocuments(ctx, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete documents: %w", err)
	}
	return docs, nil
}

// deleteDocuments deletes the documents that exist among ids (tag links
// go by cascade) with DELETE … RETURNING, so the rows returned are the
// ones deleted even when a concurrent rename changed them meanwhile.
func (s *Store) deleteDocuments(ctx context.Context, ids []int) ([]Document, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var docs []Document
	if _, err := s.wdb(ctx).NewDelete().Model(&docs).Where("id IN (?)", bun.In(ids)).Returning("*").Exec(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b Document) int { return a.ID - b.ID })
	return docs, s.recordDelete(ctx, docs)
}

// invalidPK is paperless's message for a reference to a missing object.
func invalidPK(id int) string {
	return `Invalid pk "` + strconv.Itoa(id) + `" - object does not exist.`
}

// checkRefs checks that the referenced correspondents, types and tags
// exist (Validation with paperless's per-field messages).
func (s *Store) checkRefs(ctx context.Context, corrs, types, tags []int) error {
	fe := FieldErrors{}
	for _, r := range []struct {
		table, field string
		ids          []int
	}{{"correspondents", "correspondentId", corrs}, {"document_types", "documentTypeId", types}, {"tags", "tagIds", tags}} {
		missing, err := s.missingIDs(ctx, r.table, r.ids)
		if err != nil {
			return err
		}
		for _, id := range missing {
			fe.Add(r.field, invalidPK(id))
		}
	}
	return fe.Err()
}

// checkDocumentRefs checks one document's references, like checkRefs.
func (s *Store) checkDocumentRefs(ctx context.Context, correspondentID, documentTypeID *int, tagIDs []int) error {
	var corrs, types []int
	if correspondentID != nil {
		corrs = []int{*correspondentID}
	}
	if documentTypeID != nil {
		types = []int{*documentTypeID}
	}
	return s.checkRefs(ctx, corrs, types, tagIDs)
}

// checkDocumentUnique checks that no other document has the checksum
// (when not empty) or the archive serial number (when set).
func (s *Store) checkDocumentUnique(ctx context.Context, id int, checksum string, asn *int) error {
	taken := func(col string, v any) (bool, error) {
		ok, err := s.db(ctx).NewSelect().TableExpr("documents").Where("? = ?", bun.Ident(col), v).Where("id <> ?", id).Exists(ctx)
		if err != nil {
			return false, fmt.Errorf("check document %s: %w", col, err)
		}
		return ok, nil
	}
	fe := map[string][]string{}
	if checksum != "" {
		t, err := taken("checksum", checksum)
		if err != nil {
			return err
		}
		if t {
			fe["checksum"] = []string{"document with this checksum already exists."}
		}
	}
	if asn != nil {
		t, err := taken("archive_serial_number", *asn)
		if err != nil {
			return err
		}
		if t {
			msg := "document with this archive serial number already exists."
			if trashed, err := s.asnInTrash(ctx, id, *asn); err != nil {
				return err
			} else if trashed {
				msg = asnInTrashMessage
			}
			fe["archiveSerialNumber"] = []string{msg}
		}
	}
	if len(fe) == 0 {
		return nil
	}
	var msgs []string
	for _, m := range fe {
		msgs = append(msgs, m...)
	}
	return &Error{Code: Conflict, Message: strings.Join(msgs, " "), Fields: fe}
}

// addDocumentTags links every tag to every document, skipping links that
// exist. It must run in a transaction.
func (s *Store) addDocumentTags(ctx context.Context, docIDs, tagIDs []int) error {
	if len(docIDs) == 0 || len(tagIDs) == 0 {
		return nil
	}
	links := make([]DocumentTag, 0, len(docIDs)*len(tagIDs))
	for _, d := range docIDs {
		for _, t := range tagIDs {
			links = append(links, DocumentTag{DocumentID: d, TagID: t})
		}
	}
	for chunk := range chunks(links, 5000) {
		if _, err := s.wdb(ctx).NewInsert().Model(&chunk).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("add document tags: %w", err)
		}
	}
	return nil
}

// replaceDocumentTags makes tagIDs the document's tag set.
func (s *Store) replaceDocumentTags(ctx context.Context, docID int, tagIDs []int) error {
	q := s.wdb(ctx).NewDelete().TableExpr("document_tags").Where("document_id = ?", docID)
	if len(tagIDs) > 0 {
		q = q.Where("tag_id NOT IN (?)", bun.In(tagIDs))
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("remove document tags: %w", err)
	}
	return s.addDocumentTags(ctx, []int{docID}, tagIDs)
}

// chunks yields successive slices of at most n elements.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// Statistics returns the number of documents and of distinct documents
// carrying an inbox tag (nil when no tag is an inbox tag), the inbox
// tags, documents per MIME type, the characters of all contents, the
// numbers of tags, correspondents and document types, and the highest
// archive serial number.
func (s *Store) Statistics(ctx context.Context) (Statistics, error) {
	var st Statistics
	total, err := whereCond(s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.deleted_at IS NULL"), docVisible(ctx, "d")).Count(ctx)
	if err != nil {
		return st, fmt.Errorf("count documents: %w", err)
	}
	st.DocumentsTotal = int(total)
	if err := s.moreStatistics(ctx, &st); err != nil {
		return st, err
	}
	inbox, err := s.InboxTagIDs(ctx)
	if err != nil {
		return st, err
	}
	st.InboxTagIDs = inbox
	if len(inbox) == 0 {
		return st, nil
	}
	var n int
	q := s.db(ctx).NewSelect().TableExpr("document_tags").ColumnExpr("count(DISTINCT document_id)").
		Where("tag_id IN (?)", bun.In(inbox))
	if c := docVisible(ctx, "d"); c.sql != "" {
		q = q.Where("document_id IN (SELECT d.id FROM documents AS d WHERE "+c.sql+")", c.args...)
	}
	err = q.Scan(ctx, &n)
	if err != nil {
		return st, fmt.Errorf("count inbox documents: %w", err)
	}
	st.DocumentsInbox = &n
	return st, nil
}

// SelectionData counts, for every correspondent, tag and document type
// (ordered by id, zeros included), how many of docIDs reference it. The
// documents must exist and be listed once (Validation on documentIds).
func (s *Store) SelectionData(ctx context.Context, docIDs []int) (SelectionData, error) {
	var sd SelectionData
	if err := s.checkDocumentList(ctx, docIDs); err != nil {
		return sd, err
	}
	if err := s.checkVisibleDocuments(ctx, docIDs); err != nil {
		return sd, err
	}
	var err error
	if sd.Correspondents, err = s.selectionCounts(ctx, "correspondents", "documents", "correspondent_id", "id", docIDs); err != nil {
		return sd, err
	}
	if sd.Tags, err = s.selectionCounts(ctx, "tags", "document_tags", "tag_id", "document_id", docIDs); err != nil {
		return sd, err
	}
	if sd.DocumentTypes, err = s.selectionCounts(ctx, "document_types", "documents", "document_type_id", "id", docIDs); err != nil {
		return sd, err
	}
	if sd.StoragePaths, err = s.selectionCounts(ctx, "storage_paths", "documents", "storage_path_id", "id", docIDs); err != nil {
		return sd, err
	}
	return sd, nil
}

// selectionCounts lists every id of table with the number of rows of
// refTable among docIDs (by docCol) that point at it (by refCol).
func (s *Store) selectionCounts(ctx context.Context, table, refTable, refCol, docCol string, docIDs []int) ([]ObjectCount, error) {
	var ids []int
	q := s.db(ctx).NewSelect().TableExpr(table + " AS o").Column("o.id").OrderExpr("o.id")
	if err := whereCond(q, visibleCond(PrincipalFrom(ctx), tableModels[table], "o")).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	counts := map[int]int{}
	if len(docIDs) > 0 && len(ids) > 0 {
		q := s.db(ctx).NewSelect().TableExpr(refTable).
			ColumnExpr("? AS id, count(*) AS n", bun.Ident(refCol)).
			Where("? IN (?)", bun.Ident(docCol), bun.In(docIDs)).
			Where("? IS NOT NULL", bun.Ident(refCol)).
			GroupExpr("?", bun.Ident(refCol))
		var err error
		if counts, err = countInts(ctx, q, ids); err != nil {
			return nil, fmt.Errorf("count selected documents per %s: %w", table, err)
		}
	}
	out := make([]ObjectCount, len(ids))
	for i, id := range ids {
		out[i] = ObjectCount{ID: id, DocumentCount: counts[id]}
	}
	return out, nil
}

// checkDocumentList checks that every id names an existing document (not
// in the trash) and none is repeated (paperless's bulk edit / selection
// data rule).
func (s *Store) checkDocumentList(ctx context.Context, ids []int) error {
	missing, err := s.missingIDs(ctx, liveDocuments, ids)
	if err != nil {
		return err
	}
	if len(missing) > 0 || len(uniqueInts(ids)) != len(ids) {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
			"documentIds": {"Some documents in documents don't exist or were specified twice."},
		}}
	}
	return nil
}
