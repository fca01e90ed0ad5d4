package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// TaskState is where a consumption task stands.
type TaskState string

// Task states. A task is queued until a worker claims it (running, with a
// lease the worker keeps extending); it ends as success (a document was
// made) or failed (its file is kept in the failed folder). A running task
// whose lease ran out (its worker died) is claimable again.
const (
	TaskQueued  TaskState = "queued"
	TaskRunning TaskState = "running"
	TaskSuccess TaskState = "success"
	TaskFailed  TaskState = "failed"
)

// Task sources.
const (
	TaskSourceUpload  = "upload"
	TaskSourceConsume = "consume_folder"
)

// ConsumptionTask is one accepted file waiting for, undergoing or done
// with consumption. UUID is the task id clients see and the log group of
// its consumption. FilePath is the staged file, relative to the data
// folder; for a consume-folder file SourcePath is where it was found
// (relative to the consume folder) until a worker moves it to FilePath.
type ConsumptionTask struct {
	bun.BaseModel `bun:"table:consumption_tasks,alias:t"`

	ID               int        `bun:"id,pk,autoincrement"`
	UUID             string     `bun:"uuid,notnull"`
	State            TaskState  `bun:"state,notnull"`
	Source           string     `bun:"source,notnull"`
	ClaimKey         *string    `bun:"claim_key"`
	SourcePath       *string    `bun:"source_path"`
	FilePath         string     `bun:"file_path,notnull"`
	OriginalFilename string     `bun:"original_filename,notnull"`
	Title            *string    `bun:"title"`
	CorrespondentID  *int       `bun:"correspondent_id"`
	DocumentTypeID   *int       `bun:"document_type_id"`
	TagIDList        string     `bun:"tag_ids,notnull"` // comma-separated; use TagIDs
	Received         time.Time  `bun:"received,notnull"`
	Attempts         int        `bun:"attempts,notnull"`
	MaxAttempts      int        `bun:"max_attempts,notnull"`
	RunAfter         time.Time  `bun:"run_after,notnull"`
	LeaseOwner       *string    `bun:"lease_owner"`
	LeaseExpires     *time.Time `bun:"lease_expires"`
	Progress         int        `bun:"progress,notnull"`
	StatusCode       *string    `bun:"status_code"` // ng /ws/status/ message code of the last step
	Message          *string    `bun:"message"`     // why it failed (or the last retryable error)
	DocumentID       *int       `bun:"document_id"`
	FailedPath       *string    `bun:"failed_path"` // where the file was kept, relative to the data folder
	Created          time.Time  `bun:"created,notnull"`
	Updated          time.Time  `bun:"updated,notnull"`
	Finished         *time.Time `bun:"finished"`
	// Acknowledged hides a finished task from paperless-ngx's task list
	// once a client dismissed it.
	Acknowledged bool       `bun:"acknowledged,notnull"`
	OwnerID      *int       `bun:"owner_id"` // the uploader; nil for consume-folder files
	Started      *time.Time `bun:"started"`  // when a worker first claimed it
	// OverrideCreated and OverrideASN were given with the upload
	// (paperless-ngx's created and archive_serial_number); the consumer
	// applies them to the document it makes.
	OverrideCreated *time.Time `bun:"override_created"`
	OverrideASN     *int       `bun:"override_asn"`
	// OverrideStoragePathID is the storage path given with the upload; it
	// wins over the one matching would pick.
	OverrideStoragePathID *int `bun:"override_storage_path_id"`
	// OverrideCustomFields are the custom field values given with the
	// upload (a JSON list); the consumer sets them on the document.
	OverrideCustomFields []CustomFieldValueInput `bun:"override_custom_fields,type:text,nullzero"`
}

// TagIDs returns the tag ids given with the upload.
func (t *ConsumptionTask) TagIDs() []int {
	var ids []int
	for _, f := range strings.Split(t.TagIDList, ",") {
		if id, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// SetTagIDs sets the tag ids given with the upload.
func (t *ConsumptionTask) SetTagIDs(ids []int) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	t.TagIDList = strings.Join(parts, ",")
}

// TaskFilter selects consumption tasks; zero fields do not filter.
type TaskFilter struct {
	States []TaskState
	UUIDs  []string
	// Limit caps the number of rows (newest first); 0 means 100.
	Limit int
}

// CreateConsumptionTask records a queued task and sets its ID, UUID
// (unless given), Created and RunAfter. A ClaimKey already used by another
// task gives a Conflict error: that file was claimed before.
func (s *Store) CreateConsumptionTask(ctx context.Context, t *ConsumptionTask) error {
	now := s.Now()
	if t.UUID == "" {
		return Errorf(Validation, "consumption task without uuid")
	}
	t.State = TaskQueued
	t.Created, t.Updated = now, now
	if t.Received.IsZero() {
		t.Received = now
	}
	t.Received = t.Received.UTC()
	if t.RunAfter.IsZero() {
		t.RunAfter = now
	}
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = 3
	}
	if _, err := s.wdb(ctx).NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("create consumption task: %w", translate(err))
	}
	return nil
}

// ClaimConsumptionTask takes the oldest runnable task for owner: a queued
// task due now, or a running one whose lease has expired (its worker
// died). It marks it running with a lease until now+lease, counts the
// attempt and returns it; ok is false when nothing is runnable. Several
// processes may claim concurrently: each task goes to one of them.
func (s *Store) ClaimConsumptionTask(ctx context.Context, owner string, lease time.Duration) (t *ConsumptionTask, ok bool, err error) {
	now := s.Now()
	lock := ""
	if s.IsPostgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE consumption_tasks SET state = ?, lease_owner = ?, lease_expires = ?, attempts = attempts + 1, updated = ?,
	started = COALESCE(started, ?)
WHERE id = (SELECT id FROM consumption_tasks
	WHERE (state = ? AND run_after <= ?) OR (state = ? AND lease_expires < ?)
	ORDER BY id LIMIT 1` + lock + `)
RETURNING *`
	var tasks []ConsumptionTask
	err = s.wdb(ctx).NewRaw(q, TaskRunning, owner, now.Add(lease), now, now, TaskQueued, now, TaskRunning, now).Scan(ctx, &tasks)
	if err != nil && !isNoRows(err) {
		return nil, false, fmt.Errorf("claim consumption task: %w", translate(err))
	}
	if len(tasks) == 0 {
		return nil, false, nil
	}
	return &tasks[0], true, nil
}

// HeartbeatConsumptionTask extends the lease of a task owner is running
// and records its progress. It returns a Conflict error when owner no
// longer holds the task (its lease expired and another worker took it).
func (s *Store) HeartbeatConsumptionTask(ctx context.Context, id int, owner string, lease time.Duration, progress int, code string) error {
	now := s.Now()
	res, err := s.wdb(ctx).NewUpdate().TableExpr("consumption_tasks").
		Set("lease_expires = ?", now.Add(lease)).Set("updated = ?", now).
		Set("progress = ?", progress).Set("status_code = ?", code).
		Where("id = ? AND state = ? AND lease_owner = ?", id, TaskRunning, owner).Exec(ctx)
	return leaseResult(res, err, id)
}

func leaseResult(res interface{ RowsAffected() (int64, error) }, err error, id int) error {
	if err != nil {
		return fmt.Errorf("update consumption task %d: %w", id, translate(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update consumption task %d: %w", id, err)
	} else if n == 0 {
		return Errorf(Conflict, "consumption task %d is no longer held by this worker", id)
	}
	return nil
}

// TaskOutcome is how a worker ends or postpones a task.
type TaskOutcome struct {
	State      TaskState // TaskSuccess, TaskFailed or TaskQueued (retry)
	Code       string    // ng status message code ("finished", "document_already_exists", …)
	Message    string
	DocumentID *int
	FailedPath *string
	RunAfter   time.Time // for a retry
	// SourcePath, when set, replaces the task's source path ("" clears it:
	// the file has been moved to FilePath).
	ClearSource bool
}

// FinishConsumptionTask records the outcome of a task owner holds. Call it
// inside the transaction that creates the document, so the document and
// the task's success commit together. It returns a Conflict error when
// owner no longer holds the task; the caller must then roll back.
func (s *Store) FinishConsumptionTask(ctx context.Context, id int, owner string, o TaskOutcome) error {
	now := s.Now()
	q := s.wdb(ctx).NewUpdate().TableExpr("consumption_tasks").
		Set("state = ?", o.State).Set("updated = ?", now).
		Set("status_code = ?", o.Code).Set("message = ?", nullString(o.Message)).
		Set("lease_owner = NULL").Set("lease_expires = NULL").
		Where("id = ? AND state = ? AND lease_owner = ?", id, TaskRunning, owner)
	switch o.State {
	case TaskQueued:
		q = q.Set("run_after = ?", o.RunAfter.UTC())
	case TaskSuccess, TaskFailed:
		q = q.Set("finished = ?", now).Set("progress = 100").
			Set("document_id = ?", o.DocumentID).Set("failed_path = ?", o.FailedPath)
	default:
		return Errorf(Validation, "consumption task outcome %q", o.State)
	}
	if o.ClearSource {
		q = q.Set("source_path = NULL")
	}
	res, err := q.Exec(ctx)
	return leaseResult(res, err, id)
}

// ReleaseConsumptionSource records that a claimed consume-folder file has
// been moved to the task's FilePath.
func (s *Store) ReleaseConsumptionSource(ctx context.Context, id int, owner string) error {
	res, err := s.wdb(ctx).NewUpdate().TableExpr("consumption_tasks").
		Set("source_path = NULL").Set("updated = ?", s.Now()).
		Where("id = ? AND state = ? AND lease_owner = ?", id, TaskRunning, owner).Exec(ctx)
	return leaseResult(res, err, id)
}

// ConsumptionTask returns the task with the given UUID, or a NotFound error.
func (s *Store) ConsumptionTask(ctx context.Context, uuid string) (*ConsumptionTask, error) {
	t := new(ConsumptionTask)
	err := s.db(ctx).NewSelect().Model(t).Where("?TableAlias.uuid = ?", uuid).Scan(ctx)
	if isNoRows(err) {
		return nil, &Error{Code: NotFound, Message: "consumption task " + uuid + " not found"}
	}
	if err != nil {
		return nil, fmt.Errorf("load consumption task %s: %w", uuid, err)
	}
	return t, nil
}

// ConsumptionTasks returns the tasks matching f, newest first.
func (s *Store) ConsumptionTasks(ctx context.Context, f TaskFilter) ([]ConsumptionTask, error) {
	tasks := []ConsumptionTask{}
	q := s.db(ctx).NewSelect().Model(&tasks)
	if len(f.States) > 0 {
		q = q.Where("?TableAlias.state IN (?)", bun.In(f.States))
	}
	if len(f.UUIDs) > 0 {
		q = q.Where("?TableAlias.uuid IN (?)", bun.In(f.UUIDs))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if err := q.OrderExpr("?TableAlias.id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list consumption tasks: %w", err)
	}
	return tasks, nil
}

// DocumentIDByChecksum returns the id of the document whose original or
// archive version has the given MD5 checksum, and whether there is one.
func (s *Store) DocumentIDByChecksum(ctx context.Context, checksum string) (int, bool, error) {
	var ids []int
	err := s.db(ctx).NewSelect().TableExpr("documents").Column("id").
		Where("checksum = ? OR archive_checksum = ?", checksum, checksum).Limit(1).Scan(ctx, &ids)
	if err != nil {
		return 0, false, fmt.Errorf("look up checksum: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// SetDocumentFiles records where a document's files are stored (paths
// relative to the originals and archive folders) and the archive checksum.
// It does not change modified.
func (s *Store) SetDocumentFiles(ctx context.Context, id int, filename *string, archiveFilename, archiveChecksum *string) error {
	res, err := s.wdb(ctx).NewUpdate().TableExpr("documents").
		Set("filename = ?", filename).Set("archive_filename = ?", archiveFilename).
		Set("archive_checksum = ?", archiveChecksum).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set files of document %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("document", id)
	}
	return nil
}

// DocumentFiles is what one document keeps on disk: its id (which names
// its thumbnail) and the names of its original and archive version.
type DocumentFiles struct {
	ID              int     `bun:"id"`
	Filename        *string `bun:"filename"`
	ArchiveFilename *string `bun:"archive_filename"`
}

// AllDocumentFiles returns the file names of every document, in id
// order, for the consumer's sweeper to tell which stored files no
// document refers to. Three short columns a row: cheap even for a large
// archive.
func (s *Store) AllDocumentFiles(ctx context.Context) ([]DocumentFiles, error) {
	var out []DocumentFiles
	err := s.db(ctx).NewSelect().TableExpr("documents").Column("id", "filename", "archive_filename").OrderExpr("id").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("read document file names: %w", err)
	}
	return out, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
