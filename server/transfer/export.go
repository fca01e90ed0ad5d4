package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// The records as written, with paperless-ng 1.5.0's field names and order.
type (
	recordOut struct {
		Model     string `json:"model"`
		PK        int    `json:"pk"`
		Fields    any    `json:"fields"`
		File      string `json:"__exported_file_name__,omitempty"`
		Thumbnail string `json:"__exported_thumbnail_name__,omitempty"`
		Archive   string `json:"__exported_archive_name__,omitempty"`
	}
	matchingOut struct {
		Name              string `json:"name"`
		Match             string `json:"match"`
		MatchingAlgorithm int    `json:"matching_algorithm"`
		IsInsensitive     bool   `json:"is_insensitive"`
	}
	tagOut struct {
		Name              string `json:"name"`
		Match             string `json:"match"`
		MatchingAlgorithm int    `json:"matching_algorithm"`
		IsInsensitive     bool   `json:"is_insensitive"`
		Colour            int    `json:"colour"`
		IsInboxTag        bool   `json:"is_inbox_tag"`
	}
	documentOut struct {
		Correspondent       *int    `json:"correspondent"`
		Title               string  `json:"title"`
		DocumentType        *int    `json:"document_type"`
		Content             string  `json:"content"`
		MimeType            string  `json:"mime_type"`
		Checksum            string  `json:"checksum"`
		ArchiveChecksum     *string `json:"archive_checksum"`
		Created             string  `json:"created"`
		Modified            string  `json:"modified"`
		StorageType         string  `json:"storage_type"`
		Added               string  `json:"added"`
		Filename            *string `json:"filename"`
		ArchiveFilename     *string `json:"archive_filename"`
		OriginalFilename    *string `json:"original_filename"`
		ArchiveSerialNumber *int    `json:"archive_serial_number"`
		Tags                []int   `json:"tags"`
	}
	savedViewOut struct {
		User            int     `json:"user"`
		Name            string  `json:"name"`
		ShowOnDashboard bool    `json:"show_on_dashboard"`
		ShowInSidebar   bool    `json:"show_in_sidebar"`
		SortField       *string `json:"sort_field"`
		SortReverse     bool    `json:"sort_reverse"`
	}
	savedViewRuleOut struct {
		SavedView int     `json:"saved_view"`
		RuleType  int     `json:"rule_type"`
		Value     *string `json:"value"`
	}
	userOut struct {
		Password        string  `json:"password"`
		LastLogin       *string `json:"last_login"`
		IsSuperuser     bool    `json:"is_superuser"`
		Username        string  `json:"username"`
		FirstName       string  `json:"first_name"`
		LastName        string  `json:"last_name"`
		Email           string  `json:"email"`
		IsStaff         bool    `json:"is_staff"`
		IsActive        bool    `json:"is_active"`
		DateJoined      string  `json:"date_joined"`
		Groups          []int   `json:"groups"`
		UserPermissions []int   `json:"user_permissions"`
	}
)

// ExportReport says what an export wrote.
type ExportReport struct {
	Documents int // documents written (with their files)
	Total     int // documents in the archive
	// Skipped counts what the format has no place for (an ngx export:
	// permissions paperless-ngx does not have).
	Skipped []Skip
	// Failed lists documents left out because a stored file is missing.
	Failed []Problem
}

// exportBatch is how many documents are read from the database at once.
const exportBatch = 500

// Export writes the archive to dir in paperless-ng 1.5.0's exporter
// format, or with opts.NGX in paperless-ngx 3.x's (see NGXVersion,
// NGXOptions and runNGX). paperless-ng's format holds correspondents,
// tags, document types, documents, saved views with their rules, and
// users in manifest.json, and each document's
// original, thumbnail ("<name>-thumbnail.png") and archive version
// ("<name>-archive.pdf") under its public name ("2021-03-01 ACME
// Invoice.pdf", made unique with "_01", …). Documents are read in batches
// and the manifest is streamed, so memory stays bounded; a file already
// in dir with the size and time of the stored one is not copied again.
// The manifest is written under a temporary name and renamed when
// complete, after every file is durable. A document whose stored files
// are missing is left out and listed in the report.
func Export(ctx context.Context, st *store.Store, dir string, opts Options) (*ExportReport, error) {
	opts.defaults()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	total, err := st.CountDocuments(ctx)
	if err != nil {
		return nil, err
	}
	if opts.NGX {
		trashed, err := st.TrashedDocumentIDs(ctx)
		if err != nil {
			return nil, err
		}
		total += len(trashed)
	}
	rep := &ExportReport{Total: total}
	tmp, err := os.CreateTemp(dir, ".manifest.json.tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create manifest: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	ex := &exporter{st: st, dir: dir, opts: opts, rep: rep, w: bufio.NewWriterSize(tmp, 256<<10), names: map[string]bool{}}
	run := ex.run
	if opts.NGX {
		run = ex.runNGX
	}
	if err := run(ctx); err != nil {
		return rep, err
	}
	if err := ex.w.Flush(); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	// The copied files were not fsync'd one by one.
	if err := syncFiles(files.Layout{Media: dir}, ex.written); err != nil {
		return rep, err
	}
	if opts.NGX {
		path, err := writeNGXMetadata(dir)
		if err != nil {
			return rep, err
		}
		if err := syncFiles(files.Layout{Media: dir}, []string{path}); err != nil {
			return rep, err
		}
	}
	if err := os.Rename(tmp.Name(), manifestPath(dir)); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	return rep, files.SyncDir(dir)
}

type exporter struct {
	st      *store.Store
	dir     string
	opts    Options
	rep     *ExportReport
	w       *bufio.Writer
	n       int             // records written
	names   map[string]bool // exported base names (lower-cased)
	written []string
	buf     []byte
	users   map[int]bool   // ngx: the exported users, for owner references
	permIDs map[string]int // ngx: codename → auth.permission id
	ctIDs   map[string]int // ngx: model → content type id
	skipped map[string]int
}

// write appends one record to the manifest (indented as paperless's
// json.dump(indent=2)).
func (ex *exporter) write(r recordOut) error {
	b, err := json.MarshalIndent(r, "  ", "  ")
	if err != nil {
		return fmt.Errorf("encode %s %d: %w", r.Model, r.PK, err)
	}
	sep := ",\n  "
	if ex.n == 0 {
		sep = "  "
	}
	ex.n++
	if _, err := ex.w.WriteString(sep); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	_, err = ex.w.Write(b)
	return err
}

func (ex *exporter) run(ctx context.Context) error {
	ex.w.WriteString("[\n")
	corrs, err := ex.st.AllCorrespondents(ctx)
	if err != nil {
		return err
	}
	corrName := map[int]string{}
	for _, c := range corrs {
		corrName[c.ID] = c.Name
		if err := ex.write(recordOut{Model: modelCorrespondent, PK: c.ID, Fields: matchingOut{
			Name: c.Name, Match: c.Match, MatchingAlgorithm: int(c.MatchingAlgorithm), IsInsensitive: c.IsInsensitive,
		}}); err != nil {
			return err
		}
	}
	tags, err := ex.st.AllTags(ctx)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if err := ex.write(recordOut{Model: modelTag, PK: t.ID, Fields: tagOut{
			Name: t.Name, Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
			Colour: store.PaletteIndex(t.Color), IsInboxTag: t.IsInboxTag,
		}}); err != nil {
			return err
		}
	}
	types, err := ex.st.AllDocumentTypes(ctx)
	if err != nil {
		return err
	}
	for _, t := range types {
		if err := ex.write(recordOut{Model: modelDocumentType, PK: t.ID, Fields: matchingOut{
			Name: t.Name, Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
		}}); err != nil {
			return err
		}
	}
	if err := ex.documents(ctx, corrName); err != nil {
		return err
	}
	views, err := ex.st.AllSavedViews(ctx)
	if err != nil {
		return err
	}
	for _, v := range views {
		if err := ex.write(recordOut{Model: modelSavedView, PK: v.ID, Fields: savedViewOut{
			User: v.UserID, Name: v.Name, ShowOnDashboard: v.ShowOnDashboard, ShowInSidebar: v.ShowInSidebar,
			SortField: v.SortField, SortReverse: v.SortReverse,
		}}); err != nil {
			return err
		}
	}
	rules, err := ex.st.AllSavedViewRules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := ex.write(recordOut{Model: modelSavedViewRule, PK: r.ID, Fields: savedViewRuleOut{
			SavedView: r.SavedViewID, RuleType: r.RuleType, Value: r.Value,
		}}); err != nil {
			return err
		}
	}
	users, err := ex.st.AllUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		var last *string
		if u.LastLogin != nil {
			s := formatTime(*u.LastLogin)
			last = &s
		}
		if err := ex.write(recordOut{Model: modelUser, PK: u.ID, Fields: userOut{
			Password: u.Password, LastLogin: last, IsSuperuser: u.IsSuperuser, Username: u.Username,
			FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, IsStaff: u.IsStaff, IsActive: u.IsActive,
			DateJoined: formatTime(u.DateJoined), Groups: []int{}, UserPermissions: []int{},
		}}); err != nil {
			return err
		}
	}
	_, err = ex.w.WriteString("\n]\n")
	return err
}

// documents writes the documents in id order, batch by batch.
func (ex *exporter) documents(ctx context.Context, corrName map[int]string) error {
	ex.buf = make([]byte, 64<<10)
	last, done := 0, 0
	for {
		read := ex.st.DocumentsAfter
		if ex.opts.NGX {
			read = ex.st.DocumentsWithTrashAfter // paperless-ngx exports its trash
		}
		docs, err := read(ctx, last, exportBatch)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return nil
		}
		ids := make([]int, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		tagIDs, err := ex.st.TagIDsByDocuments(ctx, ids)
		if err != nil {
			return err
		}
		if ex.opts.NGX {
			err = ex.ngxBatch(ctx, docs, tagIDs, corrName)
		} else {
			for i := range docs {
				if err = ex.document(&docs[i], tagIDs[docs[i].ID], corrName); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
		last = ids[len(ids)-1]
		done += len(docs)
		if ex.opts.Progress != nil {
			ex.opts.Progress(done, max(ex.rep.Total, done))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (ex *exporter) document(d *store.Document, tagIDs []int, corrName map[int]string) error {
	label := fmt.Sprintf("document %d (%s)", d.ID, d.Title)
	if d.Filename == nil {
		ex.rep.Failed = append(ex.rep.Failed, Problem{Object: label, Reason: "it has no stored file"})
		return nil
	}
	corr := ""
	if d.CorrespondentID != nil {
		corr = corrName[*d.CorrespondentID]
	}
	base := ex.uniqueName(d, corr)
	r := recordOut{Model: modelDocument, PK: d.ID, File: base, Thumbnail: base + "-thumbnail.png"}
	src, err := ex.opts.Media.OriginalPath(*d.Filename)
	if err != nil {
		return err
	}
	copies := [][2]string{{src, base}, {ex.opts.Media.ThumbnailPath(d.ID), r.Thumbnail}}
	if d.ArchiveFilename != nil {
		r.Archive = base + "-archive.pdf"
		asrc, err := ex.opts.Media.ArchivePath(*d.ArchiveFilename)
		if err != nil {
			return err
		}
		copies = append(copies, [2]string{asrc, r.Archive})
	}
	var made []string
	for _, c := range copies {
		dst := filepath.Join(ex.dir, c[1])
		copied, err := ex.copy(c[0], dst)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				// left out: so are the copies of its other files
				for _, m := range made {
					os.Remove(m)
				}
				ex.rep.Failed = append(ex.rep.Failed, Problem{Object: label, Reason: fmt.Sprintf("stored file %s is missing", c[0])})
				return nil
			}
			return err
		}
		if copied {
			made = append(made, dst)
		}
	}
	ex.written = append(ex.written, made...)
	if tagIDs == nil {
		tagIDs = []int{}
	}
	var orig *string
	if d.OriginalFilename != "" {
		orig = &d.OriginalFilename
	}
	r.Fields = documentOut{
		Correspondent: d.CorrespondentID, Title: d.Title, DocumentType: d.DocumentTypeID, Content: d.Content,
		MimeType: d.MimeType, Checksum: d.Checksum, ArchiveChecksum: d.ArchiveChecksum,
		Created: formatTime(d.Created), Modified: formatTime(d.Modified), StorageType: "unencrypted",
		Added: formatTime(d.Added), Filename: d.Filename, ArchiveFilename: d.ArchiveFilename,
		OriginalFilename: orig, ArchiveSerialNumber: d.ArchiveSerialNumber, Tags: tagIDs,
	}
	if err := ex.write(r); err != nil {
		return err
	}
	ex.rep.Documents++
	return nil
}

// uniqueName is paperless 1.x's Document.get_public_filename, with a
// counter ("_01", …) until the name is unused in this export.
func (ex *exporter) uniqueName(d *store.Document, corr string) string {
	stem := d.Created.In(ex.opts.Location).Format(time.DateOnly)
	if corr != "" && d.Title != "" {
		stem += " " + corr + " " + d.Title
	} else {
		stem += " " + d.Title
	}
	ext := parse.Extension(d.MimeType)
	if ext == "" && d.Filename != nil {
		ext = filepath.Ext(*d.Filename)
	}
	for n := 0; ; n++ {
		name := stem
		if n > 0 {
			name += fmt.Sprintf("_%02d", n)
		}
		name = sanitizeFilename(name + ext)
		if key := strings.ToLower(name); !ex.names[key] {
			ex.names[key] = true
			return name
		}
	}
}

// sanitizeFilename replaces what may not stand in a file name with "-"
// (as pathvalidate.sanitize_filename(replacement_text="-")) and trims
// what Windows forbids at the ends.
func sanitizeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '-'
		}
		return r
	}, name)
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if r := []rune(name); len(r) > 200 {
		ext := filepath.Ext(name)
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	return name
}

// copy copies src to dst unless dst already has src's size and
// modification time (an earlier export), and reports whether it wrote
// dst. dst gets src's time, as shutil.copy2 gives it, once all its bytes
// are written, so a copy cut short is made again by the next export. (It
// is written in place: a temporary file renamed would double the work on
// the export's folder, which holds three files a document.) It does not
// fsync (Export syncs once at the end).
func (ex *exporter) copy(src, dst string) (bool, error) {
	si, err := os.Stat(src)
	if err != nil {
		return false, err
	}
	if di, err := os.Stat(dst); err == nil && di.Size() == si.Size() && di.ModTime().Equal(si.ModTime()) {
		return false, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return false, fmt.Errorf("create %s: %w", dst, err)
	}
	_, err = io.CopyBuffer(out, in, ex.buf)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(dst, si.ModTime(), si.ModTime())
	}
	if err != nil {
		os.Remove(dst)
		return false, fmt.Errorf("copy %s: %w", src, err)
	}
	return true, nil
}
