package rest

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-chi/chi/v5/middleware"
	"golang.org/x/text/unicode/norm"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Uploads and stored files (API §8, §10, §13.4, §13.5, §13.8, §13.12).

// maxUploadBytes bounds a post_document request, as the GraphQL multipart
// transport does; the consumer applies its own (smaller) size limit.
const maxUploadBytes = 1 << 30

// uploadMemory is how much of a multipart upload is kept in memory; the
// rest goes to a temporary file.
const uploadMemory = 8 << 20

// uploadNames maps uploadDocument's field names to post_document's.
var uploadNames = map[string]string{
	"file": "document", "correspondentId": "correspondent", "documentTypeId": "document_type", "tagIds": "tags",
	"storagePathId": "storage_path", "customFields": "custom_fields",
}

// postDocument is POST /api/documents/post_document/: multipart only
// (415 otherwise), the file in `document`, optional title, correspondent,
// document_type and repeated tags (empty values mean "not given"); for
// paperless-ngx (v9, v10) also created, archive_serial_number and storage_path
// (ngxUploadFields). It answers "OK" (v0–v2) or the task id (v9, v10)
// once the uploadDocument mutation stored the file and its task.
func (a *API) postDocument() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if mt, _, _ := mime.ParseMediaType(ct); mt != "multipart/form-data" {
			a.writeJSON(w, r, http.StatusUnsupportedMediaType, detail(fmt.Sprintf("Unsupported media type %q in request.", ct)))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			a.bodyError(w, r, "Multipart form parse error - ", err)
			return
		}
		defer r.MultipartForm.RemoveAll()
		b := &body{form: url.Values(r.MultipartForm.Value)}
		if fe := b.checkText(); len(fe) > 0 {
			a.fieldErrors(w, r, fe)
			return
		}
		var title *string
		if v, ok := last(b.form, "title"); ok && v != "" {
			title = &v
		}
		corr, _ := b.pk("correspondent", true)
		typ, _ := b.pk("document_type", true)
		tags, _ := b.pkList("tags")
		var created *time.Time
		var asn, storagePath *int
		var fields []store.CustomFieldValueInput
		if info(r).version >= 9 {
			created, asn, storagePath, fields = a.ngxUploadFields(b)
		}
		var up graphql.Upload
		if fhs := r.MultipartForm.File["document"]; len(fhs) == 0 {
			b.fail("document", "No file was submitted.")
		} else {
			fh := fhs[0]
			f, err := fh.Open()
			if err != nil {
				a.writeError(w, r, fmt.Errorf("open uploaded part: %w", err), nil)
				return
			}
			defer f.Close()
			up = graphql.Upload{File: f, Filename: fh.Filename, Size: fh.Size, ContentType: fh.Header.Get("Content-Type")}
		}
		if b.errs != nil {
			if info(r).version == 0 {
				a.uploadErrors09(w, b.errs)
				return
			}
			a.fieldErrors(w, r, b.errs)
			return
		}
		t, err := a.res.Mutation().UploadDocument(r.Context(), up, title, corr, typ, tags, created, asn, storagePath, fields)
		if err != nil {
			if info(r).version == 0 && a.uploadError09(w, err) {
				return
			}
			a.writeError(w, r, err, uploadNames)
			return
		}
		if info(r).version >= 9 { // paperless-ngx answers the task id
			a.writeJSON(w, r, http.StatusOK, t.UUID)
			return
		}
		a.writeJSON(w, r, http.StatusOK, "OK")
	}
}

// documentFile is GET …/download/ (attachment) and …/preview/ (inline):
// the archive version, or the original with ?original=true (exactly
// "true") or when there is none; Range requests work.
func (a *API) documentFile(disposition string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		// 0.9 had no archive versions: it served the original (C14).
		original := r.URL.Query().Get("original") == "true" || info(r).version == 0
		f, err := a.res.OpenDocument(r.Context(), id, original)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		defer f.Close()
		name := f.Name
		if info(r).version == 0 {
			if name, err = a.downloadName09(r.Context(), id, f.Name); err != nil {
				a.writeError(w, r, err, nil)
				return
			}
		}
		h := w.Header()
		h.Set("Content-Type", f.MimeType)
		h.Set("Content-Disposition", contentDisposition(disposition, name))
		h.Del("Vary")
		http.ServeContent(w, r, "", time.Time{}, f)
	}
}

// thumb is GET …/thumb/: the PNG thumbnail, cacheable for ten years
// (§8.3, in the valid form the contract allows).
func (a *API) thumb() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		f, err := a.res.OpenThumbnail(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("Content-Type", "image/png")
		h.Set("Cache-Control", "private, max-age=315360000")
		h.Del("Vary")
		http.ServeContent(w, r, "", time.Time{}, f)
	}
}

// contentDisposition builds the header with a quoted ASCII filename and,
// for a non-ASCII name, RFC 5987's filename* with the UTF-8 name.
func contentDisposition(kind, name string) string {
	ascii, plain := asciiFilename(name)
	v := kind + `; filename="` + ascii + `"`
	if !plain {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// asciiFilename returns name when it is printable ASCII without quotes
// or backslashes (plain), else a transliteration: accents dropped, other
// non-ASCII characters "_", quotes and backslashes "-".
func asciiFilename(name string) (string, bool) {
	plain := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return name, true
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '"' || r == '\\':
			b.WriteByte('-')
		case r < 0x20 || r >= 0x7f:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), false
}

// rfc5987 percent-encodes everything but RFC 5987's attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// metadataJSON is GET …/metadata/: the baseline keys (§8.4) and the 1.x
// keys (§13.4) in one object.
type metadataJSON struct {
	PaperlessChecksum    string          `json:"paperless__checksum"`
	PaperlessMimeType    string          `json:"paperless__mime_type"`
	PaperlessFilename    *string         `json:"paperless__filename"`
	OriginalChecksum     string          `json:"original_checksum"`
	OriginalSize         *int            `json:"original_size"`
	OriginalMimeType     string          `json:"original_mime_type"`
	MediaFilename        *string         `json:"media_filename"`
	HasArchiveVersion    bool            `json:"has_archive_version"`
	OriginalMetadata     []metadataEntry `json:"original_metadata"`
	ArchiveChecksum      *string         `json:"archive_checksum"`
	ArchiveMediaFilename *string         `json:"archive_media_filename"`
	ArchiveSize          *int            `json:"archive_size"`
	ArchiveMetadata      []metadataEntry `json:"archive_metadata"`
}

type metadataEntry struct {
	Namespace *string `json:"namespace"`
	Prefix    *string `json:"prefix"`
	Key       string  `json:"key"`
	Value     string  `json:"value"`
}

func metadataEntries(in []model.FileMetadataEntry) []metadataEntry {
	if in == nil {
		return nil
	}
	out := make([]metadataEntry, len(in))
	for i, e := range in {
		out[i] = metadataEntry(e)
	}
	return out
}

func (a *API) metadata() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		m, err := a.res.Query().DocumentMetadata(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		if info(r).version >= 9 { // rest/ngx_ops.go
			a.writeJSON(w, r, http.StatusOK, ngxMetadata(m))
			return
		}
		a.writeJSON(w, r, http.StatusOK, metadataJSON{
			PaperlessChecksum: m.OriginalChecksum, PaperlessMimeType: m.OriginalMimeType, PaperlessFilename: m.MediaFilename,
			OriginalChecksum: m.OriginalChecksum, OriginalSize: m.OriginalSize, OriginalMimeType: m.OriginalMimeType,
			MediaFilename: m.MediaFilename, HasArchiveVersion: m.HasArchiveVersion, OriginalMetadata: metadataEntries(m.OriginalMetadata),
			ArchiveChecksum: m.ArchiveChecksum, ArchiveMediaFilename: m.ArchiveMediaFilename, ArchiveSize: m.ArchiveSize,
			ArchiveMetadata: metadataEntries(m.ArchiveMetadata),
		})
	}
}

// suggestionsJSON is GET …/suggestions/.
type suggestionsJSON struct {
	Correspondents []int `json:"correspondents"`
	Tags           []int `json:"tags"`
	DocumentTypes  []int `json:"document_types"`
}

func (a *API) suggestions() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		s, err := a.res.Query().DocumentSuggestions(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		nonNil := func(ids []int) []int {
			if ids == nil {
				return []int{}
			}
			return ids
		}
		if info(r).version >= 9 { // rest/ngx_ops.go
			a.writeJSON(w, r, http.StatusOK, ngxSuggestions(s, nonNil))
			return
		}
		a.writeJSON(w, r, http.StatusOK, suggestionsJSON{nonNil(s.CorrespondentIds), nonNil(s.TagIds), nonNil(s.DocumentTypeIds)})
	}
}

// zipMethods maps bulk_download's compression to a zip method: Go's
// archive/zip writes stored and deflated entries only, so bzip2 and lzma
// are accepted and written deflated (README "Downloads").
var zipMethods = map[string]uint16{"none": zip.Store, "deflated": zip.Deflate, "bzip2": zip.Deflate, "lzma": zip.Deflate}

var bulkDownloadNames = map[string]string{"documentIds": "documents"}

// bulkDownload is POST /api/documents/bulk_download/: the zip is streamed
// as it is written, entry by entry.
func (a *API) bulkDownload() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		ids := documentList(b)
		choice := func(name, def string, allowed func(string) bool) string {
			v, set := b.str(name, false, false)
			if !set || v == nil {
				return def
			}
			if !allowed(*v) {
				b.fail(name, fmt.Sprintf("%q is not a valid choice.", *v))
			}
			return *v
		}
		content := choice("content", resolvers.BulkArchive, func(s string) bool {
			return s == resolvers.BulkArchive || s == resolvers.BulkOriginals || s == resolvers.BulkBoth
		})
		compression := choice("compression", "none", func(s string) bool { _, ok := zipMethods[s]; return ok })
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		entries, err := a.res.BulkDownload(r.Context(), ids, content)
		if err != nil {
			a.writeError(w, r, err, bulkDownloadNames)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", `attachment; filename="documents.zip"`)
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if err := writeZip(w, entries, zipMethods[compression]); err != nil {
			// The status is sent: log, and let the client see a cut zip.
			a.logger.LogAttrs(r.Context(), slog.LevelError, "bulk download failed",
				slog.String("request_id", middleware.GetReqID(r.Context())), slog.Any("error", err))
		}
	}
}

func writeZip(w io.Writer, entries []resolvers.ZipEntry, method uint16) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		f, err := e.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", e.Name, err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: method, Modified: time.Now()})
		if err == nil {
			_, err = io.Copy(fw, f)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("write %s: %w", e.Name, err)
		}
	}
	return zw.Close()
}

// statusFrame is one /ws/status/ message, with ng 1.x's keys (§13.14).
type statusFrame struct {
	Filename        *string `json:"filename"`
	TaskID          *string `json:"task_id"`
	CurrentProgress int     `json:"current_progress"`
	MaxProgress     int     `json:"max_progress"`
	Status          string  `json:"status"`
	Message         *string `json:"message"`
	DocumentID      *int    `json:"document_id"`
}

// progressFrames subscribes to consumption progress for the user in ctx.
func (a *API) progressFrames(ctx context.Context) (<-chan *model.ConsumptionProgress, error) {
	return a.res.Subscription().ConsumptionProgress(ctx)
}
