package resolvers

import (
	"context"
	"path"
	"strings"

	"github.com/quirehq/quire/store"
)

func (r *Resolver) updateDocument(ctx context.Context, id int, u store.DocumentUpdate) (*store.Document, error) {
	fe := store.FieldErrors{}
	validateDocumentUpdate(fe, u)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.Store.UpdateDocument(ctx, id, u)
}

func (r *Resolver) deleteDocument(ctx context.Context, id int) (int, error) {
	if _, err := r.Store.DeleteDocument(ctx, id); err != nil {
		return 0, err
	}
	return id, nil
}

func (r *Resolver) bulkEdit(ctx context.Context, b store.BulkEdit) ([]int, error) {
	changed, err := r.Store.BulkEdit(ctx, b)
	if err != nil {
		return nil, err
	}
	if changed == nil {
		changed = []int{}
	}
	return changed, nil
}

// ArchivedFileName is the public name of a document's archive version
// (paperless 1.x `archived_file_name`): the original's base name with a
// .pdf extension, or nil without an archive version.
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
