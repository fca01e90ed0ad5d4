package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// TaskQuery selects a page of consumption tasks (paperless-ngx's
// /api/tasks/ and GraphQL tasks); zero fields do not filter.
type TaskQuery struct {
	UUIDs   []string
	IDs     []int
	States  []TaskState
	Sources []string
	// Acknowledged and Complete (success or failed) filter on their flag.
	Acknowledged *bool
	Complete     *bool
	OwnerID      *int
	// VisibleTo limits the rows to the user's own uploads and the
	// unowned ones (consume folder); nil shows every task.
	VisibleTo *int
	// CreatedAfter and CreatedBefore bound the task's creation time
	// (inclusive).
	CreatedAfter, CreatedBefore *time.Time
	// Name matches tasks whose file name contains it (case-insensitive).
	Name string
	// DocumentID matches tasks that made (or were a duplicate of) it.
	DocumentID *int
	// Order lists sort keys; the default is newest first.
	Order []TaskOrder
	Page  Page
}

// TaskOrderField names a column tasks can be sorted by.
type TaskOrderField string

// Task sort fields (paperless-ngx's ordering names, mapped).
const (
	TaskOrderCreated  TaskOrderField = "created"
	TaskOrderFinished TaskOrderField = "finished"
	TaskOrderState    TaskOrderField = "state"
	TaskOrderID       TaskOrderField = "id"
)

// TaskOrder is one sort key for tasks.
type TaskOrder struct {
	Field     TaskOrderField
	Direction Direction
}

func (s *Store) taskConds(f TaskQuery) []cond {
	var cs []cond
	if len(f.UUIDs) > 0 {
		cs = append(cs, cond{"t.uuid IN (?)", []any{bun.In(f.UUIDs)}})
	}
	if len(f.IDs) > 0 {
		cs = append(cs, cond{"t.id IN (?)", []any{bun.In(f.IDs)}})
	}
	if len(f.States) > 0 {
		cs = append(cs, cond{"t.state IN (?)", []any{bun.In(f.States)}})
	}
	if len(f.Sources) > 0 {
		cs = append(cs, cond{"t.source IN (?)", []any{bun.In(f.Sources)}})
	}
	if f.Acknowledged != nil {
		cs = append(cs, cond{"t.acknowledged = ?", []any{*f.Acknowledged}})
	}
	if f.Complete != nil {
		op := "IN"
		if !*f.Complete {
			op = "NOT IN"
		}
		cs = append(cs, cond{"t.state " + op + " (?)", []any{bun.In([]TaskState{TaskSuccess, TaskFailed})}})
	}
	if f.OwnerID != nil {
		cs = append(cs, cond{"t.owner_id = ?", []any{*f.OwnerID}})
	}
	if f.VisibleTo != nil {
		cs = append(cs, cond{"(t.owner_id IS NULL OR t.owner_id = ?)", []any{*f.VisibleTo}})
	}
	if f.CreatedAfter != nil {
		cs = append(cs, cond{"t.created >= ?", []any{f.CreatedAfter.UTC()}})
	}
	if f.CreatedBefore != nil {
		cs = append(cs, cond{"t.created <= ?", []any{f.CreatedBefore.UTC()}})
	}
	if f.Name != "" {
		cs = append(cs, s.containsCond("t.original_filename", false, f.Name))
	}
	if f.DocumentID != nil {
		cs = append(cs, cond{"t.document_id = ?", []any{*f.DocumentID}})
	}
	return cs
}

// Validate checks the query's free text (Validation keyed name).
func (f TaskQuery) Validate() error {
	fe := FieldErrors{}
	if f.Name != "" {
		if msg := PatternProblem(f.Name); msg != "" {
			fe.Add("name", msg)
		}
	}
	return fe.Err()
}

// Tasks returns one page of the consumption tasks matching f and the
// number of all matching tasks, and the page number served.
func (s *Store) Tasks(ctx context.Context, f TaskQuery) (tasks []ConsumptionTask, total, page int, err error) {
	if err := f.Validate(); err != nil {
		return nil, 0, 0, err
	}
	cs := s.taskConds(f)
	n64, err := where(s.db(ctx).NewSelect().TableExpr("consumption_tasks AS t"), cs).Count(ctx)
	n := int(n64)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count consumption tasks: %w", translate(err))
	}
	page, limit, offset := f.Page.Limit(n)
	tasks = []ConsumptionTask{}
	q := where(s.db(ctx).NewSelect().Model(&tasks), cs)
	for _, o := range f.Order {
		dir, err := direction(o.Direction)
		if err != nil {
			return nil, 0, 0, err
		}
		switch o.Field {
		case TaskOrderCreated, TaskOrderFinished, TaskOrderState, TaskOrderID:
			q = q.OrderExpr("t." + string(o.Field) + " " + dir + nullsEdge(dir))
		default:
			return nil, 0, 0, Errorf(Validation, "unknown task order %q", o.Field)
		}
	}
	q = q.OrderExpr("t.created DESC, t.id DESC")
	if err := q.Limit(int64(limit)).Offset(int64(offset)).Scan(ctx); err != nil {
		return nil, 0, 0, fmt.Errorf("list consumption tasks: %w", translate(err))
	}
	return tasks, n, page, nil
}

// AcknowledgeTasks marks tasks acknowledged: those with the given ids
// or uuids, or every task when all is set; visibleTo (non-nil) limits it
// to that user's and unowned tasks. It returns how many rows it changed
// (tasks already acknowledged count too, as paperless-ngx counts them).
func (s *Store) AcknowledgeTasks(ctx context.Context, ids []int, uuids []string, all bool, visibleTo *int) (int, error) {
	if !all && len(ids) == 0 && len(uuids) == 0 {
		return 0, nil
	}
	q := s.wdb(ctx).NewUpdate().TableExpr("consumption_tasks AS t").
		Set("acknowledged = ?", true).Set("updated = ?", s.Now())
	if all {
		q = q.Where("TRUE") // bun refuses an UPDATE without WHERE
	} else {
		switch {
		case len(ids) > 0 && len(uuids) > 0:
			q = q.Where("(t.id IN (?) OR t.uuid IN (?))", bun.In(ids), bun.In(uuids))
		case len(ids) > 0:
			q = q.Where("t.id IN (?)", bun.In(ids))
		default:
			q = q.Where("t.uuid IN (?)", bun.In(uuids))
		}
	}
	if visibleTo != nil {
		q = q.Where("(t.owner_id IS NULL OR t.owner_id = ?)", *visibleTo)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("acknowledge tasks: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("acknowledge tasks: %w", err)
	}
	return int(n), nil
}
