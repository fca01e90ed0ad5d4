package resolvers

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
)

// The trash and share links (NGX.md §6.11, §6.12): the resolver side of
// store/trash.go and store/share_link.go. Moving to the trash keeps the
// files; only emptying (by hand or the consumer's scheduled purge)
// removes them, after the deletion is committed.

// trashDocument moves a document to the trash; its files stay.
func (r *Resolver) trashDocument(ctx context.Context, id int) (int, error) {
	if err := r.Store.TrashDocument(ctx, id); err != nil {
		return 0, err
	}
	r.afterDocumentsTrashed()
	return id, nil
}

// afterDocumentsTrashed asks the classifier to retrain (trashed
// documents leave its training set); the search index drops them through
// the outbox.
func (r *Resolver) afterDocumentsTrashed() {
	if r.Consumer != nil {
		r.Consumer.RetrainClassifier()
	}
}

// Trash returns one page of the caller's trash (see store.TrashedDocuments).
func (r *Resolver) Trash(ctx context.Context, p store.Page) ([]store.Document, int, error) {
	docs, total, err := r.Store.TrashedDocuments(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	if err := r.prefetch(ctx, docs); err != nil {
		return nil, 0, err
	}
	return docs, total, nil
}

// RestoreDocuments takes documents out of the trash (see
// store.RestoreDocuments); their files are where they were.
func (r *Resolver) RestoreDocuments(ctx context.Context, ids []int) ([]int, error) {
	out, err := r.Store.RestoreDocuments(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.afterDocumentsChanged(ctx, out, true)
	return out, nil
}

// EmptyTrash deletes documents in the trash for good (nil ids: the
// caller's whole trash), then, committed, their files.
func (r *Resolver) EmptyTrash(ctx context.Context, ids []int) ([]int, error) {
	docs, err := r.Store.EmptyTrash(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.afterDocumentsDeleted(ctx, docs)
	out := make([]int, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

// SharePath is where a share link serves its file, outside /api/.
func SharePath(slug string) string { return "/share/" + slug }

// SharedFile opens the file behind a share link, for anyone holding the
// slug (no principal applies), as downloads open files: the archive
// version for ARCHIVE links to documents that have one, else the
// original. The caller closes it. Errors: NotFound for an unknown slug or
// a document in the trash; Forbidden for an expired link.
func (r *Resolver) SharedFile(ctx context.Context, slug string) (*File, error) {
	ctx = store.WithPrincipal(ctx, nil)
	link, d, err := r.Store.SharedDocument(ctx, slug)
	if err != nil {
		return nil, err
	}
	c, err := r.consumer()
	if err != nil {
		return nil, err
	}
	return c.Open(ctx, d, link.FileVersion == store.ShareLinkOriginal)
}

// newShareLinkLoader batches Document.shareLinks.
func newShareLinkLoader(s *store.Store, opts []dataloadgen.Option) *dataloadgen.Loader[int, []store.ShareLink] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.ShareLink, []error) {
		return inKeyOrder[[]store.ShareLink](ids)(s.ShareLinksByDocuments(ctx, ids))
	}, opts...)
}

// trashDelayDays is TrashDelay in days (paperless-ngx's trash_delay).
func (r *Resolver) trashDelayDays() int {
	if r.TrashDelay <= 0 {
		return 30
	}
	return int(r.TrashDelay / (24 * time.Hour))
}
