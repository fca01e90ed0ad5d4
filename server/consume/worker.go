package consume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// Status message codes of failed consumptions (ng's /ws/status/ codes).
const (
	CodeDuplicate    = "document_already_exists"
	CodeFileNotFound = "file_not_found"
	CodeUnsupported  = "unsupported_type"
	CodeFailed       = "consumption_failed"
)

// failure is why a consumption stopped.
type failure struct {
	code      string
	msg       string
	transient bool
	// duplicateOf is the document a duplicate repeats, when known.
	duplicateOf *int
}

func (f *failure) Error() string { return f.msg }

func permanent(code, format string, args ...any) *failure {
	return &failure{code: code, msg: fmt.Sprintf(format, args...)}
}

// runLog collects the log lines of one consumption; they are stored with
// the transaction that ends the task (group = task UUID).
type runLog struct {
	s       *Service
	group   string
	entries []store.LogEntry
}

func (l *runLog) add(level int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	g := l.group
	l.entries = append(l.entries, store.LogEntry{Created: l.s.store.Now(), Logger: "paperless", Message: msg, Group: &g, Level: level})
	l.s.logger.Log(context.Background(), slogLevel(level), msg, "task_id", l.group)
}

func (l *runLog) withDocument(id int) []store.LogEntry {
	for i := range l.entries {
		l.entries[i].DocumentID = &id
	}
	return l.entries
}

func (s *Service) wake() {
	select {
	case s.wakeCh() <- struct{}{}:
	default:
	}
}

func (s *Service) wakeCh() chan struct{} { return s.wakeC }

// work claims and consumes tasks until ctx ends.
func (s *Service) work(ctx context.Context) {
	for ctx.Err() == nil {
		t, ok, err := s.store.ClaimConsumptionTask(ctx, s.cfg.Owner, s.cfg.Lease)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("claim consumption task", "error", err)
			}
		}
		if ok {
			s.consume(ctx, t)
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wakeCh():
		case <-time.After(s.cfg.Poll):
		}
	}
}

// consume runs one claimed task to its end (success, failure or retry).
func (s *Service) consume(ctx context.Context, t *store.ConsumptionTask) {
	rl := &runLog{s: s, group: t.UUID}
	name := t.OriginalFilename
	var cur atomic.Int64
	var code atomic.Value
	code.Store("new_file")
	step := func(pct int, msg string) {
		cur.Store(int64(pct))
		code.Store(msg)
		status := StatusWorking
		if pct == 0 {
			status = StatusStarting
		}
		var m *string
		if msg != "" {
			m = &msg
		}
		s.publish(Progress{Filename: &name, TaskID: &t.UUID, CurrentProgress: pct, Status: status, Message: m})
	}
	step(0, "new_file")

	workCtx, cancel := context.WithCancel(ctx)
	hbDone := make(chan struct{})
	var lost atomic.Bool
	go func() {
		defer close(hbDone)
		tick := time.NewTicker(s.cfg.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-workCtx.Done():
				return
			case <-tick.C:
				c, _ := code.Load().(string)
				err := s.store.HeartbeatConsumptionTask(workCtx, t.ID, s.cfg.Owner, s.cfg.Lease, int(cur.Load()), c)
				if store.ErrorCode(err) == store.Conflict {
					lost.Store(true)
					cancel()
					return
				}
			}
		}
	}()
	defer func() { cancel(); <-hbDone }()

	var err error
	if t.Attempts > 3*t.MaxAttempts {
		err = permanent(CodeFailed, "Not consuming %s: consumption was interrupted %d times (the server stopped or crashed while working on this file)", name, t.Attempts-1)
	} else {
		err = s.consumeTask(workCtx, t, rl, step)
	}
	if err == nil {
		return
	}
	if lost.Load() {
		s.logger.Warn("consumption task lease lost; another worker took it over", "task_id", t.UUID)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: hand the task back at once.
		rctx := context.WithoutCancel(ctx)
		if err := s.store.FinishConsumptionTask(rctx, t.ID, s.cfg.Owner, store.TaskOutcome{State: store.TaskQueued, RunAfter: s.store.Now(), Message: "interrupted by shutdown"}); err != nil {
			s.logger.Warn("release consumption task", "task_id", t.UUID, "error", err)
		}
		return
	}
	s.fail(ctx, t, rl, err)
}

// consumeTask is the pipeline of one task; it returns nil once the
// document and the task's success are committed.
func (s *Service) consumeTask(ctx context.Context, t *store.ConsumptionTask, rl *runLog, step func(int, string)) error {
	name := t.OriginalFilename
	path, err := s.stage(ctx, t)
	if err != nil {
		return err
	}
	// Pre-checks: duplicate, type.
	sum, size, err := files.MD5File(path)
	if err != nil {
		return permanent(CodeFileNotFound, "Not consuming %s: Cannot read the file: %v", name, err)
	}
	if size == 0 {
		return permanent(CodeFailed, "Not consuming %s: The file is empty.", name)
	}
	if dupID, dup, err := s.store.DocumentIDByChecksum(ctx, sum); err != nil {
		return err
	} else if dup {
		msg := "Not consuming %s: It is a duplicate."
		if trashed, err := s.store.DocumentTrashed(ctx, dupID); err != nil {
			return err
		} else if trashed {
			msg += " " + store.DuplicateInTrashNote
		}
		f := permanent(CodeDuplicate, msg, name)
		f.duplicateOf = &dupID
		return f
	}
	mime, err := sniffFile(path)
	if err != nil {
		return permanent(CodeFileNotFound, "Not consuming %s: Cannot read the file: %v", name, err)
	}
	if !parse.Supported(mime) {
		return permanent(CodeUnsupported, "Not consuming %s: Unsupported mime type %s", name, mime)
	}
	rl.add(store.LevelInfo, "Consuming %s", name)
	rl.add(store.LevelDebug, "Parser: %s based on mime type %s", parse.Name(mime), mime)

	// Parsing, in a scratch folder, outside any transaction.
	scratch := filepath.Join(s.scratchDir(), t.UUID)
	os.RemoveAll(scratch)
	if err := os.MkdirAll(scratch, 0o750); err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	step(20, "parsing_document")
	rl.add(store.LevelDebug, "Parsing %s...", name)
	p := &parse.Parser{Tools: s.tools, Config: s.cfg.Parse,
		Log: func(level int, msg string) { rl.add(level, "%s", msg) },
		Progress: func(pct int) {
			if pct == 70 {
				rl.add(store.LevelDebug, "Generating thumbnail for %s...", name)
				step(70, "generating_thumbnail")
				return
			}
			step(20+pct/2, "")
		}}
	res, err := p.Parse(ctx, path, mime, scratch)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var pe *parse.Error
		if errors.As(err, &pe) {
			return &failure{code: CodeFailed, msg: fmt.Sprintf("Error while consuming document %s: %s", name, pe.Msg), transient: pe.Transient}
		}
		return err
	}

	// Title and created date.
	step(90, "parse_date")
	title, created := s.titleAndDate(name, res.Content, t, rl)
	if t.Title != nil {
		title = *t.Title
	}
	if t.OverrideCreated != nil {
		created = *t.OverrideCreated
	}
	title = truncateTitle(title)

	// Matching.
	sug, err := s.suggest(ctx, res.Content, rl)
	if err != nil {
		return err
	}
	step(95, "save_document")
	rl.add(store.LevelDebug, "Saving record to database")
	doc := &store.Document{
		Title: title, Content: res.Content, Created: created, Modified: created,
		MimeType: mime, Checksum: sum, OriginalFilename: name,
		CorrespondentID: t.CorrespondentID, DocumentTypeID: t.DocumentTypeID,
		ArchiveSerialNumber: t.OverrideASN,
		OwnerID:             t.OwnerID, // the uploader (NGX.md §6.7)
	}
	if doc.OwnerID == nil {
		doc.OwnerID = s.defaultOwner(ctx, rl)
	}
	grants := s.defaultGrants(ctx, rl)
	fields, err := s.givenFields(ctx, t, rl)
	if err != nil {
		return err
	}
	if res.Pages > 0 {
		doc.PageCount = &res.Pages
	}
	tagIDs := append([]int(nil), sug.inbox...)
	tagIDs = append(tagIDs, t.TagIDs()...)
	display := func() string { return s.display(doc, sug.names) }
	if doc.CorrespondentID == nil && len(sug.Correspondents) > 0 {
		doc.CorrespondentID = &sug.Correspondents[0]
		if len(sug.Correspondents) > 1 {
			rl.add(store.LevelDebug, "Detected %d potential correspondents, so we've opted for %s", len(sug.Correspondents), sug.names.corr[sug.Correspondents[0]])
		}
		rl.add(store.LevelDebug, "Assigning correspondent %s to %s", sug.names.corr[*doc.CorrespondentID], display())
	}
	if doc.DocumentTypeID == nil && len(sug.DocumentTypes) > 0 {
		doc.DocumentTypeID = &sug.DocumentTypes[0]
		if len(sug.DocumentTypes) > 1 {
			rl.add(store.LevelDebug, "Detected %d potential document types, so we've opted for %s", len(sug.DocumentTypes), sug.names.typ[sug.DocumentTypes[0]])
		}
		rl.add(store.LevelDebug, "Assigning document type %s to %s", sug.names.typ[*doc.DocumentTypeID], display())
	}
	if given := t.OverrideStoragePathID; given != nil && sug.names.path[*given] != "" {
		// Given with the upload (and not deleted since): it wins over matching.
		doc.StoragePathID = given
	} else if len(sug.StoragePaths) > 0 {
		doc.StoragePathID = &sug.StoragePaths[0]
		if len(sug.StoragePaths) > 1 {
			rl.add(store.LevelDebug, "Detected %d potential storage paths, so we've opted for %s", len(sug.StoragePaths), sug.names.path[sug.StoragePaths[0]])
		}
		rl.add(store.LevelDebug, "Assigning storage path %s to %s", sug.names.path[*doc.StoragePathID], display())
	}
	if len(sug.Tags) > 0 {
		var slugs []string
		for _, id := range sug.Tags {
			slugs = append(slugs, sug.names.tagSlug[id])
		}
		rl.add(store.LevelDebug, "Tagging \"%s\" with \"%s\"", display(), strings.Join(slugs, ","))
		tagIDs = append(tagIDs, sug.Tags...)
	}
	tagIDs = uniq(tagIDs)

	var archiveSum *string
	if res.Archive != "" {
		a, _, err := files.MD5File(res.Archive)
		if err != nil {
			return err
		}
		archiveSum = &a
	}
	var placed []string
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		placed = placed[:0]
		if err := s.store.CreateDocument(ctx, doc, tagIDs); err != nil {
			return err
		}
		if grants != nil {
			if err := s.store.SetPermissions(ctx, store.ModelDocument, []int{doc.ID}, *grants); err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			if err := s.store.SetDocumentCustomFields(ctx, doc.ID, fields); err != nil {
				return err
			}
		}
		fn := s.filename(doc, tagIDs, sug.names, parse.Extension(mime))
		dst, err := s.layout.OriginalPath(fn)
		if err != nil {
			return err
		}
		if err := files.Place(path, dst); err != nil {
			return err
		}
		placed = append(placed, dst)
		var archiveFn *string
		if res.Archive != "" {
			afn := strings.TrimSuffix(fn, filepath.Ext(fn)) + ".pdf"
			adst, err := s.layout.ArchivePath(afn)
			if err != nil {
				return err
			}
			if err := files.Place(res.Archive, adst); err != nil {
				return err
			}
			placed = append(placed, adst)
			archiveFn = &afn
		}
		thumb := s.layout.ThumbnailPath(doc.ID)
		if err := files.Place(res.Thumbnail, thumb); err != nil {
			return err
		}
		placed = append(placed, thumb)
		if err := s.store.SetDocumentFiles(ctx, doc.ID, &fn, archiveFn, archiveSum); err != nil {
			return err
		}
		doc.Filename, doc.ArchiveFilename, doc.ArchiveChecksum = &fn, archiveFn, archiveSum
		if s.hooks.DocumentAdded != nil {
			if err := s.hooks.DocumentAdded(ctx, doc); err != nil {
				return err
			}
		}
		rl.add(store.LevelInfo, "Document %s consumption finished", display())
		if err := s.store.AddLogEntries(ctx, rl.withDocument(doc.ID)...); err != nil {
			return err
		}
		return s.store.FinishConsumptionTask(ctx, t.ID, s.cfg.Owner, store.TaskOutcome{State: store.TaskSuccess, Code: "finished", DocumentID: &doc.ID})
	})
	if err != nil {
		for _, p := range placed {
			os.Remove(p)
		}
		if store.ErrorCode(err) == store.Conflict && len(store.ErrorFields(err)["checksum"]) > 0 {
			return permanent(CodeDuplicate, "Not consuming %s: It is a duplicate.", name)
		}
		return err
	}
	os.Remove(path)
	s.publish(Progress{Filename: &name, TaskID: &t.UUID, CurrentProgress: 100, Status: StatusSuccess, Message: ptr("finished"), DocumentID: &doc.ID})
	s.logger.Info("document consumed", "task_id", t.UUID, "document_id", doc.ID)
	return nil
}

// stage makes sure the task's file is in the staging folder (moving a
// consume-folder file there) and returns its path.
func (s *Service) stage(ctx context.Context, t *store.ConsumptionTask) (string, error) {
	dst, err := s.dataPath(t.FilePath)
	if err != nil {
		return "", permanent(CodeFileNotFound, "Not consuming %s: bad task path: %v", t.OriginalFilename, err)
	}
	if t.SourcePath != nil {
		if !exists(dst) {
			src, err := files.Within(s.cfg.ConsumeDir, *t.SourcePath)
			if err == nil {
				err = files.MoveAtomic(src, dst)
			}
			if err != nil && !exists(dst) {
				return "", permanent(CodeFileNotFound, "Not consuming %s: File not found.", t.OriginalFilename)
			}
		}
		if err := s.store.ReleaseConsumptionSource(ctx, t.ID, s.cfg.Owner); err != nil {
			return "", err
		}
	}
	if !exists(dst) {
		return "", permanent(CodeFileNotFound, "Not consuming %s: File not found.", t.OriginalFilename)
	}
	return dst, nil
}

// fail ends a task after an error: a transient one is retried with
// backoff while attempts remain; otherwise the task fails, its message is
// logged, and its file is kept in the failed folder.
func (s *Service) fail(ctx context.Context, t *store.ConsumptionTask, rl *runLog, err error) {
	var f *failure
	if !errors.As(err, &f) {
		f = &failure{code: CodeFailed, msg: fmt.Sprintf("Error while consuming document %s: %v", t.OriginalFilename, err), transient: true}
	}
	if f.transient && t.Attempts < t.MaxAttempts {
		delay := s.cfg.RetryBackoff << (t.Attempts - 1)
		rl.add(store.LevelWarning, "%s (attempt %d of %d; retrying in %s)", f.msg, t.Attempts, t.MaxAttempts, delay)
		err := s.store.InTx(ctx, func(ctx context.Context) error {
			if err := s.store.AddLogEntries(ctx, rl.entries...); err != nil {
				return err
			}
			return s.store.FinishConsumptionTask(ctx, t.ID, s.cfg.Owner, store.TaskOutcome{State: store.TaskQueued, Code: f.code, Message: f.msg, RunAfter: s.store.Now().Add(delay)})
		})
		if err != nil {
			s.logger.Error("schedule retry", "task_id", t.UUID, "error", err)
		}
		return
	}
	src, _ := s.dataPath(t.FilePath)
	var failedRel *string
	if exists(src) && !(f.code == CodeDuplicate && s.cfg.DeleteDuplicates) {
		rel := filepath.Join("failed", t.UUID+"-"+safeName(t.OriginalFilename))
		failedRel = &rel
	}
	rl.add(store.LevelError, "%s", f.msg)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.AddLogEntries(ctx, rl.entries...); err != nil {
			return err
		}
		return s.store.FinishConsumptionTask(ctx, t.ID, s.cfg.Owner, store.TaskOutcome{State: store.TaskFailed, Code: f.code, Message: f.msg, FailedPath: failedRel, DocumentID: f.duplicateOf})
	})
	if err != nil {
		s.logger.Error("record failed consumption", "task_id", t.UUID, "error", err)
		return
	}
	if failedRel != nil {
		dst, _ := s.dataPath(*failedRel)
		if err := files.MoveAtomic(src, dst); err != nil {
			s.logger.Error("keep failed file", "task_id", t.UUID, "error", err)
		}
	} else if exists(src) {
		os.Remove(src)
	}
	msg := f.msg
	if f.code != CodeFailed {
		msg = f.code
	}
	s.publish(Progress{Filename: &t.OriginalFilename, TaskID: &t.UUID, CurrentProgress: 100, Status: StatusFailed, Message: &msg})
}

// titleAndDate derives the title from the file name and the created date
// from the name, then the content, then the time the file was received.
func (s *Service) titleAndDate(name, content string, t *store.ConsumptionTask, rl *runLog) (string, time.Time) {
	base := s.titleFromFilename(name)
	title, date, ok := parse.FilenameTitleDate(base)
	if ok {
		return title, date
	}
	now := s.store.Now()
	if s.cfg.FilenameDateOrder != "" {
		if d, ok := parse.FindDate(base, s.cfg.FilenameDateOrder, now, s.cfg.Location); ok {
			rl.add(store.LevelInfo, "Detected document date %s based on string %s", d.Date.Format(time.RFC3339), d.String)
			return title, d.Date
		}
	}
	if d, ok := parse.FindDate(content, s.cfg.DateOrder, now, s.cfg.Location); ok {
		rl.add(store.LevelInfo, "Detected document date %s based on string %s", d.Date.Format(time.RFC3339), d.String)
		return title, d.Date
	}
	rl.add(store.LevelInfo, "Unable to detect date for document")
	return title, t.Received
}

func sniffFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, parse.SniffLen)
	n, err := f.Read(head)
	if err != nil && n == 0 {
		return "", err
	}
	return parse.Sniff(head[:n]), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func uniq(ids []int) []int {
	seen := map[int]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
