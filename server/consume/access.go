package consume

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// filename is the storage name of a document (relative to the originals
// folder): its storage path's template when it has one, else the
// configured format (else the default name).
func (s *Service) filename(d *store.Document, tagIDs []int, n names, ext string) string {
	format := s.format
	if d.StoragePathID != nil {
		if f := n.pathFormat[*d.StoragePathID]; f != nil {
			format = f
		}
	}
	if format == nil {
		return files.DefaultFilename(d.ID, ext)
	}
	fd := files.FormatData{ID: d.ID, Title: d.Title, Created: d.Created.In(s.cfg.Location), Added: d.Added.In(s.cfg.Location), Ext: ext,
		ASN: d.ArchiveSerialNumber, OriginalName: d.OriginalFilename}
	if d.CorrespondentID != nil {
		fd.Correspondent = n.corr[*d.CorrespondentID]
	}
	if d.DocumentTypeID != nil {
		fd.DocumentType = n.typ[*d.DocumentTypeID]
	}
	for _, id := range tagIDs {
		fd.Tags = append(fd.Tags, n.tag[id])
	}
	slices.SortFunc(fd.Tags, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return format.Filename(fd)
}

// File is an opened stored file, ready for http.ServeContent.
type File struct {
	io.ReadSeekCloser
	Name     string // public download name ("2020-11-30 ACME Invoice.pdf")
	MimeType string
	Size     int64
}

// Open opens a document's archive version, or its original when original
// is true or there is no archive version (GET …/download/ and
// …/preview/). A missing file is a NotFound error. The caller closes it.
func (s *Service) Open(ctx context.Context, doc *store.Document, original bool) (*File, error) {
	archive := !original && doc.ArchiveFilename != nil
	var path string
	var err error
	mime := doc.MimeType
	switch {
	case archive:
		path, err = s.layout.ArchivePath(*doc.ArchiveFilename)
		mime = parse.MimePDF
	case doc.Filename != nil:
		path, err = s.layout.OriginalPath(*doc.Filename)
	default:
		return nil, &store.Error{Code: store.NotFound, Message: fmt.Sprintf("document %d has no file", doc.ID)}
	}
	if err != nil {
		return nil, &store.Error{Code: store.NotFound, Message: err.Error()}
	}
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	corr := ""
	if doc.CorrespondentID != nil {
		if c, err := s.store.Correspondent(ctx, *doc.CorrespondentID); err == nil {
			corr = c.Name
		}
	}
	f.Name = s.PublicFilename(doc, corr, archive)
	f.MimeType = mime
	return f, nil
}

// OpenThumbnail opens a document's PNG thumbnail (NotFound if missing).
func (s *Service) OpenThumbnail(ctx context.Context, doc *store.Document) (*File, error) {
	f, err := openFile(s.layout.ThumbnailPath(doc.ID))
	if err != nil {
		return nil, err
	}
	f.Name, f.MimeType = fmt.Sprintf("%07d.png", doc.ID), parse.MimePNG
	return f, nil
}

func openFile(path string) (*File, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &store.Error{Code: store.NotFound, Message: "file not found"}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{ReadSeekCloser: f, Size: st.Size()}, nil
}

// PublicFilename is the 1.x download name: "<created YYYY-MM-DD>
// [<correspondent> ]<title><ext>" with characters invalid in file names
// replaced by "-"; ext is ".pdf" for the archive version, else the MIME
// type's default extension.
func (s *Service) PublicFilename(doc *store.Document, correspondent string, archive bool) string {
	name := doc.Created.In(s.cfg.Location).Format("2006-01-02")
	if correspondent != "" && doc.Title != "" {
		name += " " + correspondent + " " + doc.Title
	} else {
		name += " " + doc.Title
	}
	ext := parse.Extension(doc.MimeType)
	if archive {
		ext = ".pdf"
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(name)+ext)
	return name
}

// Metadata is GET /api/documents/<pk>/metadata/: the baseline keys (§8.4)
// and the 1.x keys (§13.4) in one object.
type Metadata struct {
	PaperlessChecksum    string                `json:"paperless__checksum"`
	PaperlessMimeType    string                `json:"paperless__mime_type"`
	PaperlessFilename    *string               `json:"paperless__filename"`
	OriginalChecksum     string                `json:"original_checksum"`
	OriginalSize         *int64                `json:"original_size"`
	OriginalMimeType     string                `json:"original_mime_type"`
	MediaFilename        *string               `json:"media_filename"`
	HasArchiveVersion    bool                  `json:"has_archive_version"`
	OriginalMetadata     []parse.MetadataEntry `json:"original_metadata"`
	ArchiveChecksum      *string               `json:"archive_checksum"`
	ArchiveMediaFilename *string               `json:"archive_media_filename"`
	ArchiveSize          *int64                `json:"archive_size"`
	ArchiveMetadata      []parse.MetadataEntry `json:"archive_metadata"`
}

// Metadata reads a document's file metadata. Missing files give null
// sizes and metadata, not an error.
func (s *Service) Metadata(ctx context.Context, doc *store.Document) (*Metadata, error) {
	m := &Metadata{
		PaperlessChecksum: doc.Checksum, PaperlessMimeType: doc.MimeType, PaperlessFilename: doc.Filename,
		OriginalChecksum: doc.Checksum, OriginalMimeType: doc.MimeType, MediaFilename: doc.Filename,
		HasArchiveVersion: doc.ArchiveFilename != nil, ArchiveChecksum: doc.ArchiveChecksum,
		ArchiveMediaFilename: doc.ArchiveFilename,
	}
	read := func(path, mime string) (*int64, []parse.MetadataEntry) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, nil
		}
		size := st.Size()
		md, err := parse.Metadata(ctx, s.tools, path, mime)
		if err != nil {
			s.logger.Warn("read file metadata", "document_id", doc.ID, "error", err)
			md = []parse.MetadataEntry{}
		}
		return &size, md
	}
	if doc.Filename != nil {
		if p, err := s.layout.OriginalPath(*doc.Filename); err == nil {
			m.OriginalSize, m.OriginalMetadata = read(p, doc.MimeType)
		}
	}
	if doc.ArchiveFilename != nil {
		if p, err := s.layout.ArchivePath(*doc.ArchiveFilename); err == nil {
			m.ArchiveSize, m.ArchiveMetadata = read(p, parse.MimePDF)
		}
	}
	return m, nil
}

// Rename moves a document's files to the names the filename format, or
// the document's storage path, now gives (call it after a document's
// title, dates, correspondent, type, tags or storage path changed, or its
// storage path's template did). Without a format it moves only documents
// with a storage path, and those whose file sits in a sub-folder (one a
// storage path gave them before). Names come from every object whoever
// asks, so a file's name never depends on who changed it. Each file is linked
// under its new name before the database changes and the old name is
// removed after, so a crash leaves at worst an extra name, never a
// missing file. A target that exists already, or a vanished source, is
// skipped with a warning (§11.6). Emptied folders are removed.
func (s *Service) Rename(ctx context.Context, docID int) error {
	ctx = store.WithPrincipal(ctx, nil)
	doc, err := s.store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if doc.Filename == nil {
		return nil
	}
	if s.format == nil && doc.StoragePathID == nil && !strings.Contains(*doc.Filename, "/") {
		return nil
	}
	tagMap, err := s.store.TagIDsByDocuments(ctx, []int{docID})
	if err != nil {
		return err
	}
	sug, err := s.namesOnly(ctx)
	if err != nil {
		return err
	}
	fn := s.filename(doc, tagMap[docID], sug, filepath.Ext(*doc.Filename))
	if fn == *doc.Filename {
		return nil
	}
	oldPath, err1 := s.layout.OriginalPath(*doc.Filename)
	newPath, err2 := s.layout.OriginalPath(fn)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if exists(newPath) || !exists(oldPath) {
		s.logger.Warn("not renaming document file: target exists or source vanished", "document_id", docID, "from", *doc.Filename, "to", fn)
		return nil
	}
	var moves [][2]string
	if err := files.Place(oldPath, newPath); err != nil {
		return err
	}
	moves = append(moves, [2]string{oldPath, newPath})
	archiveFn := doc.ArchiveFilename
	if doc.ArchiveFilename != nil {
		afn := strings.TrimSuffix(fn, filepath.Ext(fn)) + ".pdf"
		oa, _ := s.layout.ArchivePath(*doc.ArchiveFilename)
		na, err := s.layout.ArchivePath(afn)
		if err == nil && exists(oa) && !exists(na) {
			if err := files.Place(oa, na); err != nil {
				os.Remove(newPath)
				return err
			}
			moves = append(moves, [2]string{oa, na})
			archiveFn = &afn
		}
	}
	if err := s.store.SetDocumentFiles(ctx, docID, &fn, archiveFn, doc.ArchiveChecksum); err != nil {
		for _, m := range moves {
			os.Remove(m[1])
		}
		return err
	}
	for _, m := range moves {
		os.Remove(m[0])
		root := s.layout.Originals()
		if strings.HasPrefix(m[0], s.layout.Archive()) {
			root = s.layout.Archive()
		}
		files.RemoveEmptyDirs(root, filepath.Dir(m[0]))
	}
	if s.hooks.DocumentFilesChanged != nil {
		s.hooks.DocumentFilesChanged(ctx, docID)
	}
	return nil
}

func (s *Service) namesOnly(ctx context.Context) (names, error) {
	sug, err := s.suggest(ctx, "", nil)
	if err != nil {
		return names{}, err
	}
	return sug.names, nil
}

// DeleteFiles removes a deleted document's files: its original, its
// archive version and its thumbnail, then the storage folders that left
// empty (up to, not including, the originals and archive folders). Call
// it after the deletion is committed (API §7.1). A file already gone is
// not an error; other failures are returned together, and whatever they
// leave behind the sweeper later moves to lost+found as unreferenced.
func (s *Service) DeleteFiles(ctx context.Context, doc *store.Document) error {
	var errs []error
	remove := func(root string, rel *string, pathOf func(string) (string, error)) {
		if rel == nil {
			return
		}
		p, err := pathOf(*rel)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			return
		}
		files.RemoveEmptyDirs(root, filepath.Dir(p))
	}
	remove(s.layout.Originals(), doc.Filename, s.layout.OriginalPath)
	remove(s.layout.Archive(), doc.ArchiveFilename, s.layout.ArchivePath)
	if err := os.Remove(s.layout.ThumbnailPath(doc.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove files of document %d: %w", doc.ID, err)
	}
	s.logger.InfoContext(ctx, "document files removed", "document_id", doc.ID)
	return nil
}
