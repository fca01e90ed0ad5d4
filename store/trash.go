package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// The trash (NGX.md §6.12). Deleting a document moves it to the trash:
// deleted_at is set and its tag links move to trash_document_tags; its
// files, notes and other rows stay. Every read of the archive keeps to
// the documents not in the trash (liveCond and friends, applied where the
// store reads documents), so lists, counts, statistics, caches and the
// search index (the document is queued and dropped there) lose it at
// once. Restoring undoes both steps; emptying deletes the rows for good
// and hands them back so the caller removes their files after the commit.
// Checksums and archive serial numbers stay taken while a document is in
// the trash, as in paperless-ngx.

// liveCond keeps, of "documents AS d", those not in the trash.
var liveCond = cond{sql: "d.deleted_at IS NULL"}

// liveModel is liveCond for a query on the Document model.
const liveModel = "?TableAlias.deleted_at IS NULL"

// liveDocuments is a table expression of the ids of the documents not in
// the trash (for existingIDs and missingIDs).
const liveDocuments = "(SELECT id FROM documents WHERE deleted_at IS NULL) AS live_documents"

// trashCond keeps, of "documents AS d", those in the trash that p may see
// there: paperless-ngx shows a user the trashed documents they own and
// the unowned ones (not those merely granted to them); a superuser or the
// system sees all.
func trashCond(p *Principal) []cond {
	out := []cond{{sql: "d.deleted_at IS NOT NULL"}}
	if p.Restricted() {
		out = append(out, cond{"(d.owner_id IS NULL OR d.owner_id = ?)", []any{p.UserID}})
	}
	return out
}

// TrashedDocuments returns one page of the documents in the trash the
// caller may see there (see trashCond), most recently deleted first, and
// how many there are.
func (s *Store) TrashedDocuments(ctx context.Context, p Page) ([]Document, int, error) {
	conds := trashCond(PrincipalFrom(ctx))
	n, err := where(s.db(ctx).NewSelect().TableExpr("documents AS d"), conds).Count(ctx)
	total := int(n)
	if err != nil {
		return nil, 0, fmt.Errorf("count documents in the trash: %w", err)
	}
	_, limit, offset := p.Limit(total)
	docs := []Document{}
	if limit > 0 && offset < total {
		q := s.db(ctx).NewSelect().Model(&docs).ModelTableExpr("documents AS d").ColumnExpr("d.*")
		err = where(q, conds).OrderExpr("d.deleted_at DESC, d.id DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("list documents in the trash: %w", err)
		}
	}
	return docs, total, nil
}

// TrashedDocumentIDs returns the ids of every document in the trash the
// caller may see there, in TrashedDocuments' order.
func (s *Store) TrashedDocumentIDs(ctx context.Context) ([]int, error) {
	ids := []int{}
	q := where(s.db(ctx).NewSelect().TableExpr("documents AS d").Column("d.id"), trashCond(PrincipalFrom(ctx)))
	if err := q.OrderExpr("d.deleted_at DESC, d.id DESC").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list documents in the trash: %w", err)
	}
	return ids, nil
}

// TrashDocuments moves the listed documents to the trash in one
// transaction and returns their ids (ascending). Validation on
// documentIds when one does not exist (or is already in the trash, or
// the caller may not see it) or is listed twice; Forbidden when the
// caller may see but not change one. Nothing changes on error.
func (s *Store) TrashDocuments(ctx context.Context, ids []int) ([]int, error) {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkDocumentList(ctx, ids); err != nil {
			return err
		}
		if err := s.checkChangeable(ctx, ids, liveCond); err != nil {
			return err
		}
		return s.trash(ctx, ids)
	})
	if err != nil {
		return nil, fmt.Errorf("move documents to the trash: %w", err)
	}
	return sortedInts(slices.Clone(ids)), nil
}

// TrashDocument moves one document to the trash (NotFound when it does
// not exist, is in the trash already or the caller may not see it;
// Forbidden when the caller may not change it).
func (s *Store) TrashDocument(ctx context.Context, id int) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkLiveVisible(ctx, id); err != nil {
			return err
		}
		if err := s.checkChangeable(ctx, []int{id}, liveCond); err != nil {
			return err
		}
		return s.trash(ctx, []int{id})
	})
	if err != nil {
		return fmt.Errorf("move document %d to the trash: %w", id, err)
	}
	return nil
}

// trash sets deleted_at and moves the tag links aside (in a transaction).
func (s *Store) trash(ctx context.Context, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	in := bun.In(ids)
	if _, err := s.wdb(ctx).NewUpdate().TableExpr("documents").Set("deleted_at = ?", s.Now()).
		Where("id IN (?)", in).Where("deleted_at IS NULL").Exec(ctx); err != nil {
		return err
	}
	if _, err := s.wdb(ctx).NewRaw("INSERT INTO trash_document_tags (document_id, tag_id) "+
		"SELECT document_id, tag_id FROM document_tags WHERE document_id IN (?)", in).Exec(ctx); err != nil {
		return fmt.Errorf("keep tags of trashed documents: %w", err)
	}
	if _, err := s.wdb(ctx).NewDelete().TableExpr("document_tags").Where("document_id IN (?)", in).Exec(ctx); err != nil {
		return fmt.Errorf("unlink tags of trashed documents: %w", err)
	}
	return nil
}

// RestoreDocuments takes the listed documents out of the trash, with
// their tags, and returns their ids (ascending). Validation on
// documentIds ("Some documents in the list have not yet been deleted.")
// when one is not in the trash as the caller sees it; Forbidden when the
// caller may not change one.
func (s *Store) RestoreDocuments(ctx context.Context, ids []int) ([]int, error) {
	if len(ids) == 0 {
		return []int{}, nil
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkTrashList(ctx, ids); err != nil {
			return err
		}
		if err := s.checkChangeable(ctx, ids, cond{sql: "d.deleted_at IS NOT NULL"}); err != nil {
			return err
		}
		in := bun.In(ids)
		if _, err := s.wdb(ctx).NewRaw("INSERT INTO document_tags (document_id, tag_id) "+
			"SELECT document_id, tag_id FROM trash_document_tags WHERE document_id IN (?)", in).Exec(ctx); err != nil {
			return fmt.Errorf("restore tags: %w", err)
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("trash_document_tags").Where("document_id IN (?)", in).Exec(ctx); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewUpdate().TableExpr("documents").Set("deleted_at = NULL").Where("id IN (?)", in).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("restore documents: %w", err)
	}
	return sortedInts(slices.Clone(ids)), nil
}

// EmptyTrash deletes for good the listed documents in the trash (nil:
// every one the caller sees there) and returns the deleted rows, as they
// were, so the caller removes their files once this is committed. Errors
// as RestoreDocuments.
func (s *Store) EmptyTrash(ctx context.Context, ids []int) ([]Document, error) {
	var docs []Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		if ids == nil {
			var err error
			if ids, err = s.TrashedDocumentIDs(ctx); err != nil {
				return err
			}
		} else if err := s.checkTrashList(ctx, ids); err != nil {
			return err
		}
		if err := s.checkChangeable(ctx, ids, cond{sql: "d.deleted_at IS NOT NULL"}); err != nil {
			return err
		}
		var err error
		docs, err = s.deleteDocuments(ctx, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("empty the trash: %w", err)
	}
	if docs == nil {
		docs = []Document{}
	}
	return docs, nil
}

// PurgeTrash deletes for good every document that went to the trash
// before the given time (the scheduled emptying, run as the system) and
// returns the deleted rows for their files to be removed.
func (s *Store) PurgeTrash(ctx context.Context, before time.Time) ([]Document, error) {
	var docs []Document
	err := s.InTx(ctx, func(ctx context.Context) error {
		var ids []int
		if err := s.db(ctx).NewSelect().TableExpr("documents").Column("id").
			Where("deleted_at IS NOT NULL").Where("deleted_at < ?", before.UTC()).Scan(ctx, &ids); err != nil {
			return err
		}
		var err error
		docs, err = s.deleteDocuments(ctx, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("purge the trash: %w", err)
	}
	return docs, nil
}

// checkTrashList checks that ids are distinct documents in the trash as
// the caller sees it (paperless-ngx's message otherwise).
func (s *Store) checkTrashList(ctx context.Context, ids []int) error {
	n := 0
	if len(ids) > 0 {
		q := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id IN (?)", bun.In(ids))
		c, err := where(q, trashCond(PrincipalFrom(ctx))).Count(ctx)
		if err != nil {
			return fmt.Errorf("look up documents in the trash: %w", err)
		}
		n = int(c)
	}
	if n != len(ids) || len(uniqueInts(ids)) != len(ids) {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
			"documentIds": {"Some documents in the list have not yet been deleted."},
		}}
	}
	return nil
}

// checkLiveVisible is NotFound unless the document exists, is not in the
// trash and the caller may see it.
func (s *Store) checkLiveVisible(ctx context.Context, id int) error {
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id = ?", id).Where(liveCond.sql)
	if c := visibleCond(PrincipalFrom(ctx), ModelDocument, "d"); c.sql != "" {
		q = q.Where(c.sql, c.args...)
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return fmt.Errorf("look up document %d: %w", id, err)
	}
	if !ok {
		return notFound("document", id)
	}
	return nil
}

// checkChangeable is Forbidden when the caller may not change one of the
// documents (of those matching state).
func (s *Store) checkChangeable(ctx context.Context, ids []int, state cond) error {
	c := changeableCond(PrincipalFrom(ctx), ModelDocument, "d")
	if c.sql == "" || len(ids) == 0 {
		return nil
	}
	q := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id IN (?)", bun.In(ids))
	n, err := where(q, []cond{state, c}).Count(ctx)
	if err != nil {
		return fmt.Errorf("check document permissions: %w", err)
	}
	if int(n) != len(uniqueInts(ids)) {
		return Errorf(Forbidden, "Insufficient permissions.")
	}
	return nil
}

// DuplicateInTrashNote ends the consumer's refusal of a duplicate whose
// existing document is in the trash (paperless-ngx's wording); the task
// list reports such a failure with duplicate_in_trash.
const DuplicateInTrashNote = "Note: existing document is in the trash."

// DocumentTrashed reports whether the document is in the trash (false
// when it does not exist). It applies no visibility: the consumer asks.
func (s *Store) DocumentTrashed(ctx context.Context, id int) (bool, error) {
	ok, err := s.db(ctx).NewSelect().TableExpr("documents").Where("id = ?", id).Where("deleted_at IS NOT NULL").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look up document %d: %w", id, err)
	}
	return ok, nil
}

// asnInTrashMessage is paperless-ngx's refusal of an archive serial
// number that a document in the trash holds.
const asnInTrashMessage = "Document with this Archive Serial Number already exists in the trash."

// asnInTrash reports whether a document other than id that is in the
// trash holds the archive serial number.
func (s *Store) asnInTrash(ctx context.Context, id, asn int) (bool, error) {
	ok, err := s.db(ctx).NewSelect().TableExpr("documents").Where("archive_serial_number = ?", asn).
		Where("id <> ?", id).Where("deleted_at IS NOT NULL").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("check archive serial number %d: %w", asn, err)
	}
	return ok, nil
}
