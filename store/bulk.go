package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// BulkEdit applies one bulk operation to a set of documents in one
// transaction and returns the ids (ascending) of the documents that
// actually changed: for MODIFY_TAGS and DELETE every listed document.
// Changed documents get modified = now.
//
// Validation errors, raised before anything changes: documentIds when a
// document does not exist or is listed twice; method for an unknown
// method; object-level ("" field) paperless messages for a missing or
// unknown correspondent, document type or tag ("Tag does not exist",
// "Some tags in add_tags don't exist or were specified twice."). DELETE
// moves the documents to the trash (TrashDocuments).
func (s *Store) BulkEdit(ctx context.Context, b BulkEdit) ([]int, error) {
	if unsupportedBulk[b.Method] {
		return nil, UnsupportedBulkMethod(strings.ToLower(string(b.Method)))
	}
	var changed []int
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkDocumentList(ctx, b.DocumentIDs); err != nil {
			return err
		}
		if err := s.mayChangeDocuments(ctx, b.DocumentIDs); err != nil {
			return err
		}
		snaps, err := s.snapshotBulk(ctx, b) // for the history
		if err != nil {
			return err
		}
		switch b.Method {
		case BulkSetCorrespondent:
			changed, err = s.bulkSetRef(ctx, b.DocumentIDs, "correspondent_id", "correspondents", "Correspondent does not exist", b.CorrespondentID)
		case BulkSetDocumentType:
			changed, err = s.bulkSetRef(ctx, b.DocumentIDs, "document_type_id", "document_types", "Document type does not exist", b.DocumentTypeID)
		case BulkAddTag, BulkRemoveTag:
			changed, err = s.bulkTag(ctx, b.DocumentIDs, b.TagID, b.Method == BulkAddTag)
		case BulkModifyTags:
			changed, err = s.bulkModifyTags(ctx, b.DocumentIDs, b.AddTagIDs, b.RemoveTagIDs)
		case BulkSetStoragePath:
			changed, err = s.bulkSetRef(ctx, b.DocumentIDs, "storage_path_id", "storage_paths", "Storage path does not exist", b.StoragePathID)
		case BulkModifyCustomFields:
			changed, err = s.bulkModifyCustomFields(ctx, b)
		case BulkSetPermissions:
			return s.bulkValidateOnly(ctx, b)
		case BulkDelete: // to the trash
			changed = b.DocumentIDs
			return s.trash(ctx, changed)
		default:
			return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
				"method": {fmt.Sprintf("%q is not a valid choice.", string(b.Method))},
			}}
		}
		if err != nil || len(changed) == 0 {
			return err
		}
		_, err = s.wdb(ctx).NewUpdate().TableExpr("documents").Set("modified = ?", s.Now()).Where("id IN (?)", bun.In(changed)).Exec(ctx)
		if err != nil {
			return err
		}
		return s.recordBulk(ctx, snaps, changed)
	})
	if err != nil {
		return nil, fmt.Errorf("bulk edit %s: %w", b.Method, err)
	}
	return sortedInts(changed), nil
}

func objectError(msg string) error {
	return &Error{Code: Validation, Message: msg, Fields: map[string][]string{"": {msg}}}
}

// bulkSetRef sets col (correspondent_id or document_type_id) to id, or
// clears it when id is nil, on the documents where it differs.
func (s *Store) bulkSetRef(ctx context.Context, docIDs []int, col, table, missingMsg string, id *int) ([]int, error) {
	if id != nil {
		missing, err := s.missingIDs(ctx, table, []int{*id})
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, objectError(missingMsg)
		}
	}
	if len(docIDs) == 0 {
		return nil, nil
	}
	q := s.db(ctx).NewSelect().TableExpr("documents").Column("id").Where("id IN (?)", bun.In(docIDs))
	if id == nil {
		q = q.Where("? IS NOT NULL", bun.Ident(col))
	} else {
		q = q.Where("(? IS NULL OR ? <> ?)", bun.Ident(col), bun.Ident(col), *id)
	}
	var changed []int
	if err := q.Scan(ctx, &changed); err != nil {
		return nil, fmt.Errorf("find documents to change: %w", err)
	}
	if len(changed) == 0 {
		return nil, nil
	}
	_, err := s.wdb(ctx).NewUpdate().TableExpr("documents").Set("? = ?", bun.Ident(col), id).Where("id IN (?)", bun.In(changed)).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", col, err)
	}
	return changed, nil
}

// bulkTag adds the tag to the documents lacking it, or removes it from
// the documents carrying it.
func (s *Store) bulkTag(ctx context.Context, docIDs []int, tagID *int, add bool) ([]int, error) {
	if tagID == nil {
		return nil, objectError("tag not specified")
	}
	missing, err := s.missingIDs(ctx, "tags", []int{*tagID})
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, objectError("Tag does not exist")
	}
	if len(docIDs) == 0 {
		return nil, nil
	}
	// The tag comes with its ancestors and goes with its descendants
	// (NGX.md §7.3).
	var tags []int
	if add {
		tags, err = s.TagsWithAncestors(ctx, []int{*tagID})
	} else {
		tags, err = s.TagsWithDescendants(ctx, []int{*tagID})
	}
	if err != nil {
		return nil, err
	}
	has := "id IN (SELECT document_id FROM document_tags WHERE tag_id IN (?))"
	if add {
		has = fmt.Sprintf("(SELECT count(*) FROM document_tags AS bt WHERE bt.document_id = documents.id AND bt.tag_id IN (?)) < %d", len(tags))
	}
	var changed []int
	err = s.db(ctx).NewSelect().TableExpr("documents").Column("id").
		Where("id IN (?)", bun.In(docIDs)).Where(has, bun.In(tags)).Scan(ctx, &changed)
	if err != nil {
		return nil, fmt.Errorf("find documents to change: %w", err)
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if add {
		return changed, s.addDocumentTags(ctx, changed, tags)
	}
	_, err = s.wdb(ctx).NewDelete().TableExpr("document_tags").
		Where("tag_id IN (?)", bun.In(tags)).Where("document_id IN (?)", bun.In(changed)).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("remove tag: %w", err)
	}
	return changed, nil
}

// bulkModifyTags removes then adds tags on every listed document.
func (s *Store) bulkModifyTags(ctx context.Context, docIDs, add, remove []int) ([]int, error) {
	for _, l := range []struct {
		name string
		ids  []int
	}{{"add_tags", add}, {"remove_tags", remove}} {
		missing, err := s.missingIDs(ctx, "tags", l.ids)
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 || len(uniqueInts(l.ids)) != len(l.ids) {
			return nil, objectError(fmt.Sprintf("Some tags in %s don't exist or were specified twice.", l.name))
		}
	}
	if len(docIDs) == 0 {
		return nil, nil
	}
	// Removed tags take their descendants, added ones bring their
	// ancestors (NGX.md §7.3).
	if len(remove) > 0 {
		all, err := s.TagsWithDescendants(ctx, remove)
		if err != nil {
			return nil, err
		}
		_, err = s.wdb(ctx).NewDelete().TableExpr("document_tags").
			Where("tag_id IN (?)", bun.In(all)).Where("document_id IN (?)", bun.In(docIDs)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("remove tags: %w", err)
		}
	}
	add, err := s.TagsWithAncestors(ctx, add)
	if err != nil {
		return nil, err
	}
	if err := s.addDocumentTags(ctx, docIDs, add); err != nil {
		return nil, err
	}
	return docIDs, nil
}
