// Package bridge adapts the consumption service (server/consume) to the
// resolvers' Consumer interface, converting between the two packages'
// types, so that neither imports the other. The server wires it; tests
// that need a real consumer behind the resolvers use it too.
//
// It imports resolvers, graph/model, store and server/consume; nothing
// imports it but the server and tests.
package bridge

import (
	"context"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/server/consume"
	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
)

// Consumer implements resolvers.Consumer with a *consume.Service.
type Consumer struct{ Svc *consume.Service }

var _ resolvers.Consumer = Consumer{}

// Submit implements resolvers.Consumer.
func (c Consumer) Submit(ctx context.Context, u resolvers.Submission) (*store.ConsumptionTask, error) {
	return c.Svc.Submit(ctx, consume.Upload{Filename: u.Filename, Body: u.Body, Title: u.Title,
		CorrespondentID: u.CorrespondentID, DocumentTypeID: u.DocumentTypeID, TagIDs: u.TagIDs,
		OwnerID: u.OwnerID, Created: u.Created, ASN: u.ASN, StoragePathID: u.StoragePathID, CustomFields: u.CustomFields})
}

// MaxUploadSize is the consumer's upload limit in bytes (negative: none);
// the GraphQL multipart transport takes it when the consumer states it.
func (c Consumer) MaxUploadSize() int64 { return c.Svc.MaxUploadSize() }

// Tasks implements resolvers.Consumer.
func (c Consumer) Tasks(ctx context.Context, f store.TaskFilter) ([]store.ConsumptionTask, error) {
	return c.Svc.Tasks(ctx, f)
}

// Task implements resolvers.Consumer.
func (c Consumer) Task(ctx context.Context, id string) (*store.ConsumptionTask, error) {
	return c.Svc.Task(ctx, id)
}

// Subscribe implements resolvers.Consumer; the channel closes when ctx ends.
func (c Consumer) Subscribe(ctx context.Context) <-chan *model.ConsumptionProgress {
	in := c.Svc.Subscribe(ctx)
	out := make(chan *model.ConsumptionProgress, 16)
	go func() {
		defer close(out)
		for p := range in {
			select {
			case out <- Progress(p):
			case <-ctx.Done():
				// Drain until the service closes in.
			}
		}
	}()
	return out
}

// Progress converts a progress message.
func Progress(p consume.Progress) *model.ConsumptionProgress {
	return &model.ConsumptionProgress{Filename: p.Filename, TaskID: p.TaskID, CurrentProgress: p.CurrentProgress,
		MaxProgress: p.MaxProgress, Status: p.Status, Message: p.Message, DocumentID: p.DocumentID}
}

// Open implements resolvers.Consumer.
func (c Consumer) Open(ctx context.Context, doc *store.Document, original bool) (*resolvers.File, error) {
	return file(c.Svc.Open(ctx, doc, original))
}

// OpenThumbnail implements resolvers.Consumer.
func (c Consumer) OpenThumbnail(ctx context.Context, doc *store.Document) (*resolvers.File, error) {
	return file(c.Svc.OpenThumbnail(ctx, doc))
}

func file(f *consume.File, err error) (*resolvers.File, error) {
	if err != nil {
		return nil, err
	}
	return &resolvers.File{ReadSeekCloser: f.ReadSeekCloser, Name: f.Name, MimeType: f.MimeType, Size: f.Size}, nil
}

// PublicFilename implements resolvers.Consumer.
func (c Consumer) PublicFilename(doc *store.Document, correspondent string, archive bool) string {
	return c.Svc.PublicFilename(doc, correspondent, archive)
}

// Metadata implements resolvers.Consumer.
func (c Consumer) Metadata(ctx context.Context, doc *store.Document) (*model.DocumentMetadata, error) {
	m, err := c.Svc.Metadata(ctx, doc)
	if err != nil {
		return nil, err
	}
	size := func(p *int64) *int {
		if p == nil {
			return nil
		}
		n := int(*p)
		return &n
	}
	entries := func(in []parse.MetadataEntry) []model.FileMetadataEntry {
		if in == nil {
			return nil
		}
		out := make([]model.FileMetadataEntry, len(in))
		for i, e := range in {
			out[i] = model.FileMetadataEntry{Namespace: e.Namespace, Prefix: e.Prefix, Key: e.Key, Value: e.Value}
		}
		return out
	}
	return &model.DocumentMetadata{
		OriginalChecksum: m.OriginalChecksum, OriginalSize: size(m.OriginalSize), OriginalMimeType: m.OriginalMimeType,
		MediaFilename: m.MediaFilename, HasArchiveVersion: m.HasArchiveVersion, OriginalMetadata: entries(m.OriginalMetadata),
		ArchiveChecksum: m.ArchiveChecksum, ArchiveMediaFilename: m.ArchiveMediaFilename, ArchiveSize: size(m.ArchiveSize),
		ArchiveMetadata: entries(m.ArchiveMetadata),
	}, nil
}

// Suggestions implements resolvers.Consumer.
func (c Consumer) Suggestions(ctx context.Context, doc *store.Document) (*model.DocumentSuggestions, error) {
	s, err := c.Svc.Suggestions(ctx, doc)
	if err != nil {
		return nil, err
	}
	return &model.DocumentSuggestions{CorrespondentIds: s.Correspondents, TagIds: s.Tags, DocumentTypeIds: s.DocumentTypes,
		StoragePathIds: s.StoragePaths, Dates: c.Svc.SuggestedDates(doc.Content)}, nil
}

// Rename implements resolvers.Consumer.
func (c Consumer) Rename(ctx context.Context, docID int) error { return c.Svc.Rename(ctx, docID) }

// RetrainClassifier implements resolvers.Consumer.
func (c Consumer) RetrainClassifier() { c.Svc.RetrainClassifier() }

// DeleteFiles implements resolvers.Consumer.
func (c Consumer) DeleteFiles(ctx context.Context, doc *store.Document) error {
	return c.Svc.DeleteFiles(ctx, doc)
}
