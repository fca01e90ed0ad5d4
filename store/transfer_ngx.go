package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"
)

// What an import of a paperless-ngx export stores beyond paperless-ng's
// models, keeping the export's ids. Like the rest of store/transfer.go it
// runs as the system (no principal) and leaves validation of references
// to the caller, except where noted.

var customFieldImportKind = namedKind{table: "custom_fields", label: "custom field"}

var groupImportKind = namedKind{table: "groups", label: "group"}

// ImportStoragePath is ImportCorrespondent for a storage path (its Path
// is paperless-ngx's template, stored as it is).
func (s *Store) ImportStoragePath(ctx context.Context, sp *StoragePath) (bool, error) {
	sp.NameKey, sp.Slug = foldKey(sp.Name), Slugify(sp.Name)
	return importNamed(ctx, s, storagePathKind, sp.ID, sp.Name, sp.NameKey, ownedBy(sp.OwnerID), sp)
}

// ImportCustomField is ImportCorrespondent for a custom field.
func (s *Store) ImportCustomField(ctx context.Context, f *CustomField) (bool, error) {
	if !f.DataType.Valid() {
		return false, Errorf(Validation, "data type %q is not one of Quire's", f.DataType)
	}
	f.NameKey = foldKey(f.Name)
	if f.Created.IsZero() {
		f.Created = s.Now()
	}
	return importNamed(ctx, s, customFieldImportKind, f.ID, f.Name, f.NameKey, nil, f)
}

// ImportGroup is ImportCorrespondent for a group, with its global
// permissions (codenames Quire does not know are left out and returned).
func (s *Store) ImportGroup(ctx context.Context, g *Group, perms []string) (created bool, unknown []string, err error) {
	known, unknown := KnownPermissions(perms)
	g.NameKey = UsernameKey(g.Name)
	err = s.InTx(ctx, func(ctx context.Context) error {
		created, err = importNamed(ctx, s, groupImportKind, g.ID, g.Name, g.NameKey, nil, g)
		if err != nil || !created {
			return err
		}
		return s.writeGroupPermissions(ctx, g.ID, known)
	})
	return created, unknown, err
}

// KnownPermissions splits codenames into those Quire has (sorted, without
// repeats) and the others.
func KnownPermissions(perms []string) (known, unknown []string) {
	for _, p := range perms {
		if ValidPermission(p) {
			known = append(known, p)
		} else {
			unknown = append(unknown, p)
		}
	}
	slices.Sort(known)
	return slices.Compact(known), unknown
}

// ImportedValue is a custom field value of an export: Value as
// paperless-ngx's API would carry it (see CustomFieldValueInput).
type ImportedValue struct {
	ID, DocumentID, FieldID int
	Value                   any
}

// CustomFieldRows checks imported values against their fields and
// returns the rows to store; a value that does not fit (or whose field is
// not stored) is left out with its message in problems, by value id.
func (s *Store) CustomFieldRows(ctx context.Context, vals []ImportedValue) (rows []CustomFieldInstance, problems map[int]string, err error) {
	ids := make([]int, 0, len(vals))
	for _, v := range vals {
		ids = append(ids, v.FieldID)
	}
	slices.Sort(ids)
	fields, err := s.CustomFieldsByIDs(ctx, slices.Compact(ids))
	if err != nil {
		return nil, nil, err
	}
	problems = map[int]string{}
	for _, v := range vals {
		f := fields[v.FieldID]
		if f == nil {
			problems[v.ID] = fmt.Sprintf("custom field %d is not in the archive", v.FieldID)
			continue
		}
		val, msg := checkValue(f, v.Value)
		if msg != "" {
			problems[v.ID] = fmt.Sprintf("%s: %s", f.Name, msg)
			continue
		}
		rows = append(rows, CustomFieldInstance{ID: v.ID, DocumentID: v.DocumentID, FieldID: v.FieldID, ValueNum: val.num, ValueText: val.text})
	}
	return rows, problems, nil
}

// DocumentExtras is what ImportDocumentsWith stores with a batch of
// documents, each row under its own id: notes, custom field values (see
// CustomFieldRows) and share links. Rows whose id is taken already (an
// earlier, interrupted run) are skipped.
type DocumentExtras struct {
	Notes      []Note
	Values     []CustomFieldInstance
	ShareLinks []ShareLink
}

// ImportDocumentsWith is ImportDocuments storing extras in the same
// transaction (so the search index sees the documents with their notes
// and values), and the tags of documents in the trash (DeletedAt set)
// as the trash keeps them.
func (s *Store) ImportDocumentsWith(ctx context.Context, docs []*Document, tagIDs [][]int, extras *DocumentExtras) error {
	return s.importDocuments(ctx, docs, tagIDs, func(ctx context.Context) error {
		if extras == nil {
			return nil
		}
		for chunk := range chunks(extras.Notes, 1000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("add notes: %w", err)
			}
		}
		for chunk := range chunks(extras.Values, 1000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Column("id", "document_id", "field_id", "value_num", "value_text").
				On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("add custom field values: %w", err)
			}
		}
		for chunk := range chunks(extras.ShareLinks, 1000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("add share links: %w", err)
			}
		}
		return s.ResetIDSequences(ctx, "notes", "custom_field_instances", "share_links")
	})
}

// DocumentsWithTrashAfter is DocumentsAfter including the documents in
// the trash (an export of everything).
func (s *Store) DocumentsWithTrashAfter(ctx context.Context, afterID, limit int) ([]Document, error) {
	var docs []Document
	if err := s.db(ctx).NewSelect().Model(&docs).Where("id > ?", afterID).OrderExpr("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read documents after %d: %w", afterID, err)
	}
	return docs, nil
}

// TrashTagIDsByDocuments returns the tags the trash keeps for documents
// in it (see TrashDocuments), by document id.
func (s *Store) TrashTagIDsByDocuments(ctx context.Context, docIDs []int) (map[int][]int, error) {
	out := map[int][]int{}
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []DocumentTag
	if err := s.db(ctx).NewSelect().Model(&rows).ModelTableExpr("trash_document_tags AS document_tag").Where("document_id IN (?)", bun.In(docIDs)).
		OrderExpr("document_id, tag_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("read the tags of documents in the trash: %w", translate(err))
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.TagID)
	}
	return out, nil
}

// AllCustomFields returns every custom field, by id.
func (s *Store) AllCustomFields(ctx context.Context) ([]CustomField, error) {
	return allByID[CustomField](ctx, s, "custom fields")
}

// ImportHistory stores history entries of documents under their own ids
// and returns how many it stored (an entry whose id is taken, from an
// earlier run, is skipped); it does not check that the documents exist,
// as the history outlives them.
func (s *Store) ImportHistory(ctx context.Context, entries []HistoryEntry) (int, error) {
	n := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		for chunk := range chunks(entries, 1000) {
			res, err := s.wdb(ctx).NewInsert().Model(&chunk).On("CONFLICT (id) DO NOTHING").Exec(ctx)
			if err != nil {
				return fmt.Errorf("add document history: %w", translate(err))
			}
			if k, err := res.RowsAffected(); err == nil {
				n += int(k)
			}
		}
		return s.ResetIDSequences(ctx, "document_history")
	})
	return n, err
}
