package resolvers

import (
	"context"
	"path"
	"strings"

	"github.com/quirehq/quire/store"
)

func (r *Resolver) updateDocument(ctx context.Context, id int, u store.DocumentUpdate) (*store.Document, error) {
	return r.saveDocument(ctx, id, u, store.FieldErrors{})
}

// saveDocument validates u (adding to the problems fe already holds, so a
// replace reports missing and invalid fields together), stores it and
// renames files and retrains as the change needs.
func (r *Resolver) saveDocument(ctx context.Context, id int, u store.DocumentUpdate, fe store.FieldErrors) (*store.Document, error) {
	validateDocumentUpdate(fe, u)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	d, err := updateOwned(ctx, r, store.ModelDocument, id,
		func(ctx context.Context) (*store.Document, error) { return r.Store.UpdateDocument(ctx, id, u) },
		func(ctx context.Context) (*store.Document, error) { return r.Store.Document(ctx, id) })
	if err != nil {
		return nil, err
	}
	r.afterDocumentsChanged(ctx, []int{id}, assignmentsChanged(u))
	return d, nil
}

// assignmentsChanged reports whether an update touches what the
// classifier learns from (content, correspondent, type, tags).
func assignmentsChanged(u store.DocumentUpdate) bool {
	return u.Content != nil || u.CorrespondentID.IsSet() || u.DocumentTypeID.IsSet() || u.TagIDs.IsSet()
}

// deleteDocument moves a document to the trash (its files stay until the
// trash is emptied: see trash.go).
func (r *Resolver) deleteDocument(ctx context.Context, id int) (int, error) {
	return r.trashDocument(ctx, id)
}

// bulkEdit applies a bulk edit; DELETE moves the documents to the trash.
func (r *Resolver) bulkEdit(ctx context.Context, b store.BulkEdit) ([]int, error) {
	if err := r.bulkSelection(ctx, &b); err != nil {
		return nil, err
	}
	if b.Method == store.BulkSetPermissions { // permissions_objects.go
		return r.bulkSetPermissions(ctx, b)
	}
	if b.Method == store.BulkDelete {
		ids, err := r.Store.TrashDocuments(ctx, b.DocumentIDs)
		if err != nil {
			return nil, err
		}
		r.afterDocumentsTrashed()
		return ids, nil
	}
	changed, err := r.Store.BulkEdit(ctx, b)
	if err != nil {
		return nil, err
	}
	if changed == nil {
		changed = []int{}
	}
	r.afterDocumentsChanged(ctx, changed, len(changed) > 0)
	return changed, nil
}

// ArchivedFileName is the fallback name of a document's archive version
// when no consumer is configured: the original's base name with a .pdf
// extension, or nil without an archive version. Resolver.ArchivedFileName
// gives the public name downloads carry.
func ArchivedFileName(d *store.Document) *string {
	if d.ArchiveFilename == nil {
		return nil
	}
	base := d.OriginalFilename
	if base == "" {
		base = path.Base(*d.Filename)
	}
	name := strings.TrimSuffix(base, path.Ext(base)) + ".pdf"
	return &name
}
