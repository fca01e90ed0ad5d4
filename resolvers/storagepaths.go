package resolvers

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// storagePathLoaders batch the storage path and tag tree lookups of one
// request (a page of documents with their storage paths, a tag list with
// parents and children).
type storagePathLoaders struct {
	byID          *dataloadgen.Loader[int, *store.StoragePath]
	documentCount *dataloadgen.Loader[int, int]
	userCanChange *dataloadgen.Loader[int, bool]
	tagByID       *dataloadgen.Loader[int, *store.Tag]
	tagChildren   *dataloadgen.Loader[int, []int]
}

func newStoragePathLoaders(s *store.Store, opts []dataloadgen.Option) *storagePathLoaders {
	return &storagePathLoaders{
		// A path or tag the caller may not see loads as nil, not an error:
		// a visible document may name an invisible path.
		byID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.StoragePath, []error) {
			rows, err := s.StoragePathsByIDs(ctx, ids)
			return orNil(ids, rows, err, func(p store.StoragePath) int { return p.ID })
		}, opts...),
		documentCount: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.StoragePathDocumentCounts(ctx, ids))
		}, opts...),
		userCanChange: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]bool, []error) {
			return inKeyOrder[bool](ids)(s.UserCanChange(ctx, store.ModelStoragePath, ids))
		}, opts...),
		tagByID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.Tag, []error) {
			rows, err := s.TagsByIDs(ctx, ids)
			return orNil(ids, rows, err, func(t store.Tag) int { return t.ID })
		}, opts...),
		tagChildren: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]int, []error) {
			return inKeyOrder[[]int](ids)(s.TagChildren(ctx, ids))
		}, opts...),
	}
}

// orNil orders rows by the requested keys; a missing key gives nil.
func orNil[T any](ids []int, rows []T, err error, id func(T) int) ([]*T, []error) {
	out := make([]*T, len(ids))
	if err != nil {
		return out, fill(len(ids), err)
	}
	m := make(map[int]*T, len(rows))
	for i := range rows {
		m[id(rows[i])] = &rows[i]
	}
	for i, k := range ids {
		out[i] = m[k]
	}
	return out, nil
}

// checkStoragePathTemplate converts and checks in.Path (see
// files.CheckTemplate), reporting problems on "path".
func checkStoragePathTemplate(fe store.FieldErrors, path *string) {
	if path == nil {
		return
	}
	conv, err := files.CheckTemplate(*path)
	if err != nil {
		fe.Add("path", err.Error())
		return
	}
	*path = conv
}

// CreateStoragePath creates a storage path (add_storagepath is checked by
// the operation table). Validation: name required, matching rules as for
// correspondents, path required and a valid template. The owner is the
// request's (REST owner, GraphQL owner; null: unowned) or else the caller;
// the request's set_permissions are applied in the same transaction.
func (r *Resolver) CreateStoragePath(ctx context.Context, in store.StoragePathInput) (*store.StoragePath, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, true)
	if in.Path == nil {
		fe.Add("path", msgRequired)
	}
	checkStoragePathTemplate(fe, in.Path)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if !in.OwnerID.IsSet() {
		var owner *int
		defaultOwner(ctx, &owner)
		in.OwnerID = graphql.OmittableOf(owner)
	}
	var out *store.StoragePath
	err := r.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = r.Store.CreateStoragePath(ctx, in); err != nil {
			return err
		}
		return r.applyGrants(ctx, store.ModelStoragePath, out.ID, true)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateStoragePath changes a storage path and applies the request's owner
// and set_permissions in the same transaction; when its template changed,
// the files of its documents move to their new names (after the commit;
// failures are logged).
func (r *Resolver) UpdateStoragePath(ctx context.Context, id int, in store.StoragePathInput) (*store.StoragePath, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, false)
	checkStoragePathTemplate(fe, in.Path)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var before, after *store.StoragePath
	err := r.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if before, after, err = r.Store.UpdateStoragePath(ctx, id, in); err != nil {
			return err
		}
		if permArgsFrom(ctx).empty() {
			return nil
		}
		if err := r.applyGrants(ctx, store.ModelStoragePath, id, false); err != nil {
			return err
		}
		after, err = r.Store.StoragePath(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if before.Path != after.Path {
		r.refileStoragePath(ctx, id)
	}
	return after, nil
}

// DeleteStoragePath deletes a storage path; its documents' files move back
// to the names the filename format gives.
func (r *Resolver) DeleteStoragePath(ctx context.Context, id int) (int, error) {
	docs, err := r.Store.DeleteStoragePath(ctx, id)
	if err != nil {
		return 0, err
	}
	r.afterDocumentsChanged(ctx, docs, false)
	return id, nil
}

// refileStoragePath moves the files of every document with the storage
// path to the names its template gives now.
func (r *Resolver) refileStoragePath(ctx context.Context, id int) {
	docs, err := r.Store.StoragePathDocumentIDs(ctx, id)
	if err != nil {
		r.Logger.ErrorContext(ctx, "list documents of storage path", "storage_path_id", id, "error", err)
		return
	}
	r.afterDocumentsChanged(ctx, docs, false)
}

// TestStoragePath renders a template for a document: the relative file
// name it would give the document's original, nothing changed.
// Validation on "path"; NotFound for a document the caller may not see.
func (r *Resolver) TestStoragePath(ctx context.Context, path string, docID int) (string, error) {
	fe := store.FieldErrors{}
	checkStoragePathTemplate(fe, &path)
	if err := fe.Err(); err != nil {
		return "", err
	}
	doc, err := r.Store.Document(ctx, docID)
	if err != nil {
		return "", err
	}
	f, err := files.ParseTemplate(path)
	if err != nil {
		return "", errors.Join(store.Errorf(store.Validation, "invalid template"), err)
	}
	fd := files.FormatData{ID: doc.ID, Title: doc.Title, Created: doc.Created.In(r.loc()), Added: doc.Added.In(r.loc()),
		ASN: doc.ArchiveSerialNumber, OriginalName: doc.OriginalFilename, Ext: ".pdf"}
	if doc.Filename != nil {
		fd.Ext = filepath.Ext(*doc.Filename)
	}
	sys := store.WithPrincipal(ctx, nil) // names as the files get them, whoever asks
	if doc.CorrespondentID != nil {
		if c, err := r.Store.Correspondent(sys, *doc.CorrespondentID); err == nil {
			fd.Correspondent = c.Name
		}
	}
	if doc.DocumentTypeID != nil {
		if t, err := r.Store.DocumentType(sys, *doc.DocumentTypeID); err == nil {
			fd.DocumentType = t.Name
		}
	}
	tags, err := r.Store.TagsByDocuments(sys, []int{doc.ID})
	if err != nil {
		return "", err
	}
	for _, t := range tags[doc.ID] {
		fd.Tags = append(fd.Tags, t.Name)
	}
	slices.SortFunc(fd.Tags, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return f.Filename(fd), nil
}

// StoragePathDocumentCount is a storage path's document_count (documents
// the caller may see).
func (r *Resolver) StoragePathDocumentCount(ctx context.Context, id int) (int, error) {
	return r.loaders(ctx).storagePaths.documentCount.Load(ctx, id)
}

// StoragePathUserCanChange is a storage path's user_can_change.
func (r *Resolver) StoragePathUserCanChange(ctx context.Context, id int) (bool, error) {
	return r.loaders(ctx).storagePaths.userCanChange.Load(ctx, id)
}

// DocumentStoragePath is a document's storage path through the loader;
// nil when it has none or the caller may not see it.
func (r *Resolver) DocumentStoragePath(ctx context.Context, d *store.Document) (*store.StoragePath, error) {
	if d.StoragePathID == nil {
		return nil, nil
	}
	return r.loaders(ctx).storagePaths.byID.Load(ctx, *d.StoragePathID)
}

// TagParent is a tag's parent through the loader (nil for a root, or a
// parent the caller may not see).
func (r *Resolver) TagParent(ctx context.Context, t *store.Tag) (*store.Tag, error) {
	if t.ParentID == nil {
		return nil, nil
	}
	return r.loaders(ctx).storagePaths.tagByID.Load(ctx, *t.ParentID)
}

// TagChildren are a tag's direct children the caller may see, by name.
func (r *Resolver) TagChildren(ctx context.Context, t *store.Tag) ([]store.Tag, error) {
	ids, err := r.loaders(ctx).storagePaths.tagChildren.Load(ctx, t.ID)
	if err != nil || len(ids) == 0 {
		return []store.Tag{}, err
	}
	tags, err := r.loaders(ctx).storagePaths.tagByID.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]store.Tag, 0, len(tags))
	for _, tg := range tags {
		if tg != nil {
			out = append(out, *tg)
		}
	}
	return out, nil
}

// TagChildIDs are the ids of a tag's direct children the caller may see,
// by name (REST's nested children start here).
func (r *Resolver) TagChildIDs(ctx context.Context, id int) ([]int, error) {
	return r.loaders(ctx).storagePaths.tagChildren.Load(ctx, id)
}

// storagePathListArgs reads the filter and order of the storagePaths
// field an allIds belongs to.
func storagePathListArgs(ctx context.Context) (*store.StoragePathFilter, []store.NameOrder) {
	f, _ := listArgs[*store.StoragePathFilter](ctx, "filter")
	order, _ := listArgs[[]store.NameOrder](ctx, "orderBy")
	return f, order
}

// ReplaceStoragePath is PUT on a storage path: name and path are
// required; otherwise UpdateStoragePath.
func (r *Resolver) ReplaceStoragePath(ctx context.Context, id int, in store.StoragePathInput) (*store.StoragePath, error) {
	fe := store.FieldErrors{}
	if in.Name == nil {
		fe.Add("name", msgRequired)
	}
	if in.Path == nil {
		fe.Add("path", msgRequired)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r.UpdateStoragePath(ctx, id, in)
}

// StoragePathIDs returns the ids of every visible storage path matching
// f, in list order (REST's v9 `all`).
func (r *Resolver) StoragePathIDs(ctx context.Context, f *store.StoragePathFilter, order []store.NameOrder) ([]int, error) {
	return r.Store.StoragePathIDs(ctx, deref(f), order)
}

// StoragePathGrants returns the view and change grants of the storage
// paths (REST's ?full_perms=true); the caller has loaded them, so they
// are visible.
func (r *Resolver) StoragePathGrants(ctx context.Context, ids []int) (map[int]store.Grants, error) {
	return r.Store.ObjectGrants(ctx, store.ModelStoragePath, ids)
}

// TagDisplayCount is paperless-ngx's display_count of a tag list: the
// number of tags among ids and their descendants.
func (r *Resolver) TagDisplayCount(ctx context.Context, ids []int) (int, error) {
	all, err := r.Store.TagsWithDescendants(ctx, ids)
	return len(all), err
}
