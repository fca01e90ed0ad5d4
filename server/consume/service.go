package consume

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/match"
)

// Service is the consumer: intake (Submit, the consume-folder watcher),
// the task workers, progress notifications, and access to stored files.
// Create it with New and start its background work with Run. It is safe
// for concurrent use.
type Service struct {
	store  *store.Store
	cfg    Config
	logger *slog.Logger
	tools  parse.Tools
	layout files.Layout
	format *files.Format

	hub hub

	classifierMu sync.RWMutex
	classifier   *match.Classifier
	retrain      chan struct{}
	wakeC        chan struct{}

	// Hooks, set before Run.
	hooks Hooks

	// lastOrphanSweep is when sweep last looked for unreferenced files
	// (only the sweeper touches it).
	lastOrphanSweep time.Time
	// lastTrashPurge is when sweep last emptied the trash of what stayed
	// there EmptyTrashDelay (trash.go; only the sweeper touches it).
	lastTrashPurge time.Time
}

// Hooks let the server react to consumption without the consumer
// importing it.
type Hooks struct {
	// DocumentAdded runs inside the transaction that creates a document
	// (e.g. to queue it for the search index); an error rolls it back.
	DocumentAdded func(ctx context.Context, doc *store.Document) error
	// DocumentFilesChanged runs after Rename moved a document's files.
	DocumentFilesChanged func(ctx context.Context, docID int)
}

// Option changes how New builds the service.
type Option func(*Service)

// WithTools replaces the exec-based external tools (tests inject fakes).
func WithTools(t parse.Tools) Option { return func(s *Service) { s.tools = t } }

// WithHooks sets the hooks.
func WithHooks(h Hooks) Option { return func(s *Service) { s.hooks = h } }

// New checks the configuration, creates the folders and loads the stored
// classifier. logger may be nil.
func New(st *store.Store, cfg Config, logger *slog.Logger, opts ...Option) (*Service, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: st, cfg: cfg, logger: logger, layout: files.Layout{Media: cfg.MediaDir}, retrain: make(chan struct{}, 1), wakeC: make(chan struct{}, 64)}
	for _, o := range opts {
		o(s)
	}
	if s.tools == nil {
		s.tools = parse.NewExec(cfg.Tools)
	}
	if cfg.FilenameFormat != "" {
		f, err := files.ParseFormat(cfg.FilenameFormat)
		if err != nil {
			logger.Warn("invalid filename format, using default names", "error", err)
		} else {
			s.format = f
		}
	}
	for _, d := range []string{s.stagingDir(), s.failedDir(), s.scratchDir(), cfg.ConsumeDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("consume: create %s: %w", d, err)
		}
	}
	if err := s.layout.Init(); err != nil {
		return nil, fmt.Errorf("consume: %w", err)
	}
	s.loadClassifier()
	return s, nil
}

// Layout returns the storage layout of documents.
func (s *Service) Layout() files.Layout { return s.layout }

// MaxUploadSize is the upload limit in bytes (QUIRE_MAX_UPLOAD_SIZE, its
// default applied); negative means none.
func (s *Service) MaxUploadSize() int64 { return s.cfg.MaxUploadSize }

func (s *Service) stagingDir() string { return filepath.Join(s.cfg.DataDir, "tasks") }
func (s *Service) failedDir() string  { return filepath.Join(s.cfg.DataDir, "failed") }
func (s *Service) scratchDir() string { return filepath.Join(s.cfg.DataDir, "scratch") }

// dataPath resolves a path relative to the data folder (as tasks store
// them), refusing anything outside it.
func (s *Service) dataPath(rel string) (string, error) { return files.Within(s.cfg.DataDir, rel) }

// Upload is one uploaded file and its optional overrides (§10.5).
type Upload struct {
	Filename        string // as the client sent it
	Body            io.Reader
	Title           *string
	CorrespondentID *int
	DocumentTypeID  *int
	TagIDs          []int
	// OwnerID is the uploader. Created and ASN, when set, become the
	// document's created date and archive serial number.
	OwnerID *int
	Created *time.Time
	ASN     *int
	// StoragePathID, when set, files the document under that storage path
	// (it must be one the uploader may see).
	StoragePathID *int
	// CustomFields are set on the document (fields the uploader may see,
	// values their types take).
	CustomFields []store.CustomFieldValueInput
	// Received is when the upload arrived; zero means now. It becomes the
	// created date when neither the name nor the content has one.
	Received time.Time
}

// Submit accepts an upload: it validates it (file name, emptiness, size
// limit, sniffed type, referenced objects), writes the bytes under the
// data folder (fsync'd, renamed into place) and records a queued task.
// It returns only once both are durable, so an accepted upload survives a
// crash. Validation errors are *store.Error with code Validation and
// Fields keyed "document", "correspondentId", "documentTypeId", "tagIds"
// with paperless's messages.
func (s *Service) Submit(ctx context.Context, u Upload) (*store.ConsumptionTask, error) {
	invalid := func(field, msg string) error {
		return &store.Error{Code: store.Validation, Message: msg, Fields: map[string][]string{field: {msg}}}
	}
	if u.Body == nil {
		return nil, invalid("document", "No file was submitted.")
	}
	name, ok := CleanFilename(u.Filename)
	if !ok {
		return nil, invalid("document", "That filename is suspicious.")
	}
	if err := s.checkRefs(ctx, u); err != nil {
		return nil, err
	}
	head := make([]byte, parse.SniffLen)
	n, err := io.ReadFull(u.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return nil, invalid("document", "The submitted file is empty.")
	}
	mime := parse.Sniff(head)
	if !parse.Supported(mime) {
		return nil, invalid("document", fmt.Sprintf("File type %s not supported", mime))
	}
	id := uuid.NewString()
	rel := filepath.Join("tasks", id+parse.Extension(mime))
	path, _ := s.dataPath(rel)
	limit := s.cfg.MaxUploadSize
	if limit < 0 {
		limit = 0
	}
	if _, err := files.WriteAtomic(path, io.MultiReader(bytes.NewReader(head), u.Body), limit); err != nil {
		if errors.Is(err, files.ErrTooLarge) {
			return nil, invalid("document", fmt.Sprintf("The file is larger than the upload limit of %d bytes.", s.cfg.MaxUploadSize))
		}
		return nil, fmt.Errorf("store upload: %w", err)
	}
	t := &store.ConsumptionTask{
		UUID: id, Source: store.TaskSourceUpload, FilePath: rel, OriginalFilename: name,
		CorrespondentID: u.CorrespondentID, DocumentTypeID: u.DocumentTypeID,
		Received: u.Received, MaxAttempts: s.cfg.MaxAttempts,
		OwnerID: u.OwnerID, OverrideCreated: u.Created, OverrideASN: u.ASN,
		OverrideStoragePathID: u.StoragePathID, OverrideCustomFields: u.CustomFields,
	}
	if u.Title != nil && strings.TrimSpace(*u.Title) != "" {
		title := truncateTitle(*u.Title)
		t.Title = &title
	}
	t.SetTagIDs(u.TagIDs)
	if err := s.store.CreateConsumptionTask(ctx, t); err != nil {
		os.Remove(path)
		return nil, err
	}
	s.logger.Info("upload accepted", "task_id", id, "filename", name, "mime_type", mime)
	s.publish(Progress{Filename: &name, TaskID: &id, MaxProgress: 100, Status: StatusStarting, Message: ptr("new_file")})
	s.wake()
	return t, nil
}

func (s *Service) checkRefs(ctx context.Context, u Upload) error {
	fe := store.FieldErrors{}
	invalidPK := func(id int) string { return fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", id) }
	if u.CorrespondentID != nil {
		if _, err := s.store.Correspondent(ctx, *u.CorrespondentID); store.ErrorCode(err) == store.NotFound {
			fe.Add("correspondentId", invalidPK(*u.CorrespondentID))
		} else if err != nil {
			return err
		}
	}
	if u.DocumentTypeID != nil {
		if _, err := s.store.DocumentType(ctx, *u.DocumentTypeID); store.ErrorCode(err) == store.NotFound {
			fe.Add("documentTypeId", invalidPK(*u.DocumentTypeID))
		} else if err != nil {
			return err
		}
	}
	if len(u.CustomFields) > 0 {
		if err := s.store.CheckCustomFieldValues(ctx, u.CustomFields, "customFields"); err != nil {
			if store.ErrorCode(err) != store.Validation {
				return err
			}
			for path, msgs := range store.ErrorFields(err) {
				for _, m := range msgs {
					fe.Add("customFields", strings.TrimPrefix(path, "customFields/")+": "+m)
				}
			}
		}
	}
	if u.StoragePathID != nil {
		if _, err := s.store.StoragePath(ctx, *u.StoragePathID); store.ErrorCode(err) == store.NotFound {
			fe.Add("storagePathId", invalidPK(*u.StoragePathID))
		} else if err != nil {
			return err
		}
	}
	if len(u.TagIDs) > 0 {
		tags, err := s.store.TagsByIDs(ctx, u.TagIDs)
		if err != nil {
			return err
		}
		have := map[int]bool{}
		for _, t := range tags {
			have[t.ID] = true
		}
		for _, id := range u.TagIDs {
			if !have[id] {
				fe.Add("tagIds", invalidPK(id))
				break
			}
		}
	}
	if len(fe) > 0 {
		return &store.Error{Code: store.Validation, Message: "invalid upload", Fields: fe}
	}
	return nil
}

// TaskFilter selects tasks for Tasks.
type TaskFilter = store.TaskFilter

// Tasks lists consumption tasks, newest first (for the consumptionTasks
// query and task status pages).
func (s *Service) Tasks(ctx context.Context, f TaskFilter) ([]store.ConsumptionTask, error) {
	return s.store.ConsumptionTasks(ctx, f)
}

// Task returns one task by its UUID (NotFound if unknown).
func (s *Service) Task(ctx context.Context, id string) (*store.ConsumptionTask, error) {
	return s.store.ConsumptionTask(ctx, id)
}

// Run starts the workers, the consume-folder watcher, the sweeper and the
// classifier trainer, and blocks until ctx ends (then returns nil after
// they stopped) or one of them fails.
func (s *Service) Run(ctx context.Context) error {
	s.sweepScratch(ctx)
	s.sweep(ctx)
	g, ctx := errgroup.WithContext(ctx)
	for i := 0; i < s.cfg.Workers; i++ {
		g.Go(func() error { s.work(ctx); return nil })
	}
	if !s.cfg.DisableWatcher {
		g.Go(func() error { s.watch(ctx); return nil })
	}
	g.Go(func() error {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				s.sweep(ctx)
			}
		}
	})
	if s.cfg.ClassifierInterval > 0 {
		g.Go(func() error { s.trainLoop(ctx); return nil })
	}
	return g.Wait()
}

// sweep finishes what crashes interrupted: files in the staging folder
// of finished tasks (removed, or moved to the failed folder), staged files
// no task row refers to (an upload that was never accepted; removed after
// an hour), old scratch folders, and — at start, then hourly — stored
// files no document refers to (moved to lost+found, see sweepOrphans).
func (s *Service) sweep(ctx context.Context) {
	defer s.sweepOrphansIfDue(ctx)
	defer s.purgeTrashIfDue(ctx)
	entries, err := os.ReadDir(s.stagingDir())
	if err != nil {
		s.logger.Error("sweep staging folder", "error", err)
		return
	}
	byUUID := map[string][]os.DirEntry{}
	var ids []string
	for _, e := range entries {
		id, _, _ := strings.Cut(strings.TrimPrefix(e.Name(), "."), ".")
		if _, err := uuid.Parse(id); err != nil {
			continue
		}
		if byUUID[id] == nil {
			ids = append(ids, id)
		}
		byUUID[id] = append(byUUID[id], e)
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		tasks, err := s.store.ConsumptionTasks(ctx, store.TaskFilter{UUIDs: batch, Limit: len(batch)})
		if err != nil {
			s.logger.Error("sweep: load tasks", "error", err)
			return
		}
		known := map[string]*store.ConsumptionTask{}
		for i := range tasks {
			known[tasks[i].UUID] = &tasks[i]
		}
		for _, id := range batch {
			t := known[id]
			for _, e := range byUUID[id] {
				path := filepath.Join(s.stagingDir(), e.Name())
				switch {
				case t == nil:
					if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
						os.Remove(path)
					}
				case t.State == store.TaskSuccess:
					os.Remove(path)
				case t.State == store.TaskFailed:
					if t.FailedPath != nil && filepath.Join("tasks", e.Name()) == t.FilePath {
						if dst, err := s.dataPath(*t.FailedPath); err == nil {
							if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
								if err := files.MoveAtomic(path, dst); err != nil {
									s.logger.Error("sweep: keep failed file", "task_id", id, "error", err)
								}
								continue
							}
						}
					}
					os.Remove(path)
				}
			}
		}
	}
	if dirs, err := os.ReadDir(s.scratchDir()); err == nil {
		for _, d := range dirs {
			if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > s.cfg.Lease+time.Hour {
				os.RemoveAll(filepath.Join(s.scratchDir(), d.Name()))
			}
		}
	}
}

// sweepScratch removes, at start, what the tools of an earlier run left in
// the scratch folder (a run killed mid-task; its tools died with it):
// every task's folder except those of tasks that another live process
// sharing this data folder runs under a live lease, and other entries
// (temporary files of tools pointed outside a task's folder) untouched for
// a lease. A lease owner on this host whose process id is gone, or is this
// process's (a restarted container), is dead: its lease still runs, but
// its tools died with it. A task this process resumes starts in a fresh
// folder anyway.
func (s *Service) sweepScratch(ctx context.Context) {
	entries, err := os.ReadDir(s.scratchDir())
	if err != nil {
		s.logger.Error("sweep scratch folder", "error", err)
		return
	}
	var ids []string
	for _, e := range entries {
		if _, err := uuid.Parse(e.Name()); err == nil && e.IsDir() {
			ids = append(ids, e.Name())
		} else if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > s.cfg.Lease {
			os.RemoveAll(filepath.Join(s.scratchDir(), e.Name()))
		}
	}
	removed := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		tasks, err := s.store.ConsumptionTasks(ctx, store.TaskFilter{UUIDs: batch, Limit: len(batch)})
		if err != nil {
			s.logger.Error("sweep scratch folder: load tasks", "error", err)
			return
		}
		now := s.store.Now()
		live := map[string]bool{}
		for _, t := range tasks {
			if t.State == store.TaskRunning && t.LeaseOwner != nil && *t.LeaseOwner != s.cfg.Owner &&
				t.LeaseExpires != nil && t.LeaseExpires.After(now) && !deadOwner(*t.LeaseOwner) {
				live[t.UUID] = true
			}
		}
		for _, id := range batch {
			if !live[id] {
				if err := os.RemoveAll(filepath.Join(s.scratchDir(), id)); err == nil {
					removed++
				}
			}
		}
	}
	if removed > 0 {
		s.logger.Info("removed scratch folders left by an earlier run", "count", removed)
	}
}

// deadOwner reports whether a lease owner named as Config.Owner's default
// ("host-pid-random") is a process of this host that no longer runs:
// its pid is gone, or is this process's own.
func deadOwner(owner string) bool {
	i := strings.LastIndexByte(owner, '-') // before "-random"
	if i < 0 {
		return false
	}
	j := strings.LastIndexByte(owner[:i], '-')
	if j < 0 {
		return false
	}
	host, pidText := owner[:j], owner[j+1:i]
	pid, err := strconv.Atoi(pidText)
	me, _ := os.Hostname()
	if err != nil || pid <= 0 || host != me {
		return false
	}
	return pid == os.Getpid() || errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func ptr[T any](v T) *T { return &v }
