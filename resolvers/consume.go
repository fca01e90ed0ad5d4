package resolvers

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
)

// Consumer is what the resolvers need from the consumption pipeline
// (server/consume.Service, adapted by server/consume/bridge). The server
// sets Resolver.Consumer; without one, uploads and file access fail with
// an Internal error.
type Consumer interface {
	// Submit validates and stores an upload and queues its task
	// (Validation errors keyed document, correspondentId, documentTypeId,
	// tagIds).
	Submit(ctx context.Context, u Submission) (*store.ConsumptionTask, error)
	// Tasks lists tasks, newest first; Task finds one by UUID (NotFound).
	Tasks(ctx context.Context, f store.TaskFilter) ([]store.ConsumptionTask, error)
	Task(ctx context.Context, id string) (*store.ConsumptionTask, error)
	// Subscribe streams progress messages until ctx ends.
	Subscribe(ctx context.Context) <-chan *model.ConsumptionProgress
	// Open opens the archive version (or the original when original is
	// set or there is no archive); OpenThumbnail the PNG thumbnail. A
	// missing file is NotFound.
	Open(ctx context.Context, doc *store.Document, original bool) (*File, error)
	OpenThumbnail(ctx context.Context, doc *store.Document) (*File, error)
	// PublicFilename is the 1.x download name of a document's file.
	PublicFilename(doc *store.Document, correspondent string, archive bool) string
	Metadata(ctx context.Context, doc *store.Document) (*model.DocumentMetadata, error)
	Suggestions(ctx context.Context, doc *store.Document) (*model.DocumentSuggestions, error)
	// Rename moves a document's files to the names the filename format
	// gives now; RetrainClassifier asks for a retraining soon.
	Rename(ctx context.Context, docID int) error
	RetrainClassifier()
	// DeleteFiles removes a deleted document's original, archive version
	// and thumbnail and the storage folders left empty; a file already
	// gone is not an error. Call it after the deletion is committed.
	DeleteFiles(ctx context.Context, doc *store.Document) error
}

// Submission is one upload with its optional overrides (API §10.5).
type Submission struct {
	Filename        string
	Body            io.Reader
	Title           *string
	CorrespondentID *int
	DocumentTypeID  *int
	TagIDs          []int
	// OwnerID is the uploader; Created and ASN are applied to the
	// document the consumer makes (paperless-ngx's created and
	// archive_serial_number).
	OwnerID *int
	Created *time.Time
	ASN     *int
	// StoragePathID files the document under a storage path the uploader
	// may see (it wins over matching).
	StoragePathID *int
	// CustomFields are set on the document.
	CustomFields []store.CustomFieldValueInput
}

// File is an opened stored file for http.ServeContent; the caller closes it.
type File struct {
	io.ReadSeekCloser
	Name     string // public download name
	MimeType string
	Size     int64
}

func (r *Resolver) consumer() (Consumer, error) {
	if r.Consumer == nil {
		return nil, fmt.Errorf("consumption is not configured")
	}
	return r.Consumer, nil
}

// uploadDocument submits an upload. Its field errors use the mutation's
// argument names: file, correspondentId, documentTypeId, tagIds,
// storagePathId.
func (r *Resolver) uploadDocument(ctx context.Context, file graphql.Upload, title *string, corr, typ *int, tagIDs []int, created *time.Time, asn *int, storagePath *int, fields []store.CustomFieldValueInput) (*store.ConsumptionTask, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	created, asn64, err := uploadOverrides(created, asn)
	if err != nil {
		return nil, err
	}
	c, err := r.consumer()
	if err != nil {
		return nil, err
	}
	if title != nil && strings.TrimSpace(*title) == "" {
		title = nil
	}
	var body io.Reader
	if file.File != nil {
		body = file.File
	}
	t, err := c.Submit(ctx, Submission{Filename: file.Filename, Body: body, Title: title,
		CorrespondentID: corr, DocumentTypeID: typ, TagIDs: tagIDs,
		OwnerID: &u.ID, Created: created, ASN: asn64, StoragePathID: storagePath, CustomFields: fields})
	if err != nil {
		if fe := store.ErrorFields(err); fe != nil {
			if msgs, ok := fe["document"]; ok {
				delete(fe, "document")
				fe["file"] = msgs
			}
		}
		return nil, err
	}
	return t, nil
}

func (r *Resolver) consumptionTasks(ctx context.Context, states []store.TaskState, ids []string, limit *int) ([]store.ConsumptionTask, error) {
	c, err := r.consumer()
	if err != nil {
		return nil, err
	}
	f := store.TaskFilter{States: states, UUIDs: ids}
	if limit != nil {
		if *limit < 1 {
			return nil, store.FieldErrors{"limit": {"Ensure this value is greater than or equal to 1."}}.Err()
		}
		f.Limit = min(*limit, 1000)
	}
	return c.Tasks(ctx, f)
}

// OpenDocument opens a document's file for download or preview: the
// archive version unless original is true or there is none. Any user may
// read any document (paperless-ng has no per-object permissions). Errors:
// Unauthenticated, NotFound (document or file missing). The caller closes
// the file.
func (r *Resolver) OpenDocument(ctx context.Context, id int, original bool) (*File, error) {
	doc, c, err := r.documentForFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Open(ctx, doc, original)
}

// OpenThumbnail opens a document's PNG thumbnail; errors as OpenDocument.
func (r *Resolver) OpenThumbnail(ctx context.Context, id int) (*File, error) {
	doc, c, err := r.documentForFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.OpenThumbnail(ctx, doc)
}

func (r *Resolver) documentForFiles(ctx context.Context, id int) (*store.Document, Consumer, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, nil, err
	}
	doc, err := r.Store.Document(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := r.consumer()
	if err != nil {
		return nil, nil, err
	}
	return doc, c, nil
}

// Bulk download contents (API §13.8).
const (
	BulkArchive   = "archive"
	BulkOriginals = "originals"
	BulkBoth      = "both"
)

// ZipEntry is one file of a bulk download: its name inside the archive
// and how to open it.
type ZipEntry struct {
	Name string
	Open func() (*File, error)
}

// BulkDownload plans the zip of a set of documents (API §13.8): content
// is archive (the archive version where there is one, else the
// original), originals, or both (under originals/ and archive/). Names
// are the public file names; a clash gets _01, _02, … before the
// extension. Every file is checked to exist first. Errors: Validation on
// documentIds (unknown or repeated ids) or content, NotFound when a file
// is missing.
func (r *Resolver) BulkDownload(ctx context.Context, ids []int, content string) ([]ZipEntry, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	switch content {
	case BulkArchive, BulkOriginals, BulkBoth:
	default:
		return nil, store.FieldErrors{"content": {fmt.Sprintf("%q is not a valid choice.", content)}}.Err()
	}
	if len(ids) == 0 {
		return nil, store.FieldErrors{"documentIds": {"This list may not be empty."}}.Err()
	}
	docs, err := r.Store.DocumentsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(docs) != len(ids) || len(seen) != len(ids) {
		return nil, store.FieldErrors{"documentIds": {"Some documents in documents don't exist or were specified twice."}}.Err()
	}
	c, err := r.consumer()
	if err != nil {
		return nil, err
	}
	byID := map[int]*store.Document{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	used := map[string]bool{}
	unique := func(name string) string {
		ext := path.Ext(name)
		base := strings.TrimSuffix(name, ext)
		for n := 0; ; n++ {
			candidate := name
			if n > 0 {
				candidate = fmt.Sprintf("%s_%02d%s", base, n, ext)
			}
			if !used[candidate] {
				used[candidate] = true
				return candidate
			}
		}
	}
	var out []ZipEntry
	add := func(doc *store.Document, original bool, prefix string) error {
		f, err := c.Open(ctx, doc, original)
		if err != nil {
			return err
		}
		name := f.Name
		f.Close()
		out = append(out, ZipEntry{Name: unique(prefix + name), Open: func() (*File, error) { return c.Open(ctx, doc, original) }})
		return nil
	}
	for _, id := range ids {
		doc := byID[id]
		var err error
		switch content {
		case BulkArchive:
			err = add(doc, false, "")
		case BulkOriginals:
			err = add(doc, true, "")
		case BulkBoth:
			err = add(doc, true, "originals/")
			if err == nil && doc.ArchiveFilename != nil {
				err = add(doc, false, "archive/")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Resolver) documentSuggestions(ctx context.Context, id int) (*model.DocumentSuggestions, error) {
	doc, c, err := r.documentForFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Suggestions(ctx, doc)
}

func (r *Resolver) documentMetadata(ctx context.Context, id int) (*model.DocumentMetadata, error) {
	doc, c, err := r.documentForFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := c.Metadata(ctx, doc)
	if err != nil {
		return nil, err
	}
	m.OriginalFilename, m.Lang = doc.OriginalFilename, "en"
	return m, nil
}

// correspondentName loads a document's correspondent name ("" without one).
func (r *Resolver) correspondentName(ctx context.Context, doc *store.Document) (string, error) {
	if doc.CorrespondentID == nil {
		return "", nil
	}
	c, err := r.loaders(ctx).correspondentByID.Load(ctx, *doc.CorrespondentID)
	if err != nil {
		return "", err
	}
	return c.Name, nil
}

// ArchivedFileName is the public name of a document's archive version
// (paperless 1.x `archived_file_name`, the name its download carries), or
// nil without an archive version.
func (r *Resolver) ArchivedFileName(ctx context.Context, d *store.Document) (*string, error) {
	if d.ArchiveFilename == nil {
		return nil, nil
	}
	if r.Consumer == nil {
		return ArchivedFileName(d), nil
	}
	corr, err := r.correspondentName(ctx, d)
	if err != nil {
		return nil, err
	}
	name := r.Consumer.PublicFilename(d, corr, true)
	return &name, nil
}

// afterDocumentsDeleted removes the files of documents whose deletion is
// committed (API §7.1) and asks the classifier to retrain. Failures are
// logged, never returned: the deletion itself is committed, and the
// consumer's sweeper later moves files no document refers to into
// lost+found.
func (r *Resolver) afterDocumentsDeleted(ctx context.Context, docs []store.Document) {
	if r.Consumer == nil || len(docs) == 0 {
		return
	}
	for i := range docs {
		if err := r.Consumer.DeleteFiles(ctx, &docs[i]); err != nil {
			r.Logger.ErrorContext(ctx, "remove files of deleted document", "document_id", docs[i].ID, "error", err)
		}
	}
	r.Consumer.RetrainClassifier()
}

// afterDocumentsChanged keeps files and the classifier in step with
// committed document changes: the files of changed documents move to the
// names the filename format gives now, and when assignments changed the
// classifier is asked to retrain. Failures to rename are logged, never
// returned: the change itself is committed.
func (r *Resolver) afterDocumentsChanged(ctx context.Context, ids []int, assignments bool) {
	if r.Consumer == nil {
		return
	}
	for _, id := range ids {
		if err := r.Consumer.Rename(ctx, id); err != nil {
			r.Logger.ErrorContext(ctx, "rename document files", "document_id", id, "error", err)
		}
	}
	if assignments {
		r.Consumer.RetrainClassifier()
	}
}
