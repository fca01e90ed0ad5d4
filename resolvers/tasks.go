package resolvers

import (
	"context"
	"fmt"
	"time"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
)

// seesAllTasks says whether u sees every consumption task (staff and
// superusers) or only their own uploads and the consume-folder tasks
// (paperless-ngx's task visibility).
func seesAllTasks(u *store.User) bool { return u.IsStaff || u.IsSuperuser }

// taskVisibility is the store filter for u's task visibility.
func taskVisibility(u *store.User) *int {
	if seesAllTasks(u) {
		return nil
	}
	id := u.ID
	return &id
}

// tasks lists consumption tasks for the caller (paperless-ngx's
// /api/tasks/). Errors: Unauthenticated; Validation on name.
func (r *Resolver) tasks(ctx context.Context, f *model.ConsumptionTaskFilter, order []store.TaskOrder, page, pageSize *int) (*model.ConsumptionTaskList, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	q := store.TaskQuery{VisibleTo: taskVisibility(u), Order: order, Page: store.Page{Number: 1, Size: store.DefaultPageSize}}
	if page != nil {
		q.Page.Number = *page
	}
	if pageSize != nil {
		q.Page.Size = *pageSize
	}
	if f != nil {
		q.UUIDs, q.IDs, q.States, q.Sources = f.Ids, f.Numbers, f.States, f.Sources
		q.Acknowledged, q.Complete, q.OwnerID = f.Acknowledged, f.Complete, f.OwnerID
		q.CreatedAfter, q.CreatedBefore, q.DocumentID = f.CreatedAfter, f.CreatedBefore, f.DocumentID
		if f.Name != nil {
			q.Name = *f.Name
		}
	}
	items, total, served, err := r.Store.Tasks(ctx, q)
	if err != nil {
		return nil, err
	}
	size := q.Page.Size
	if size <= 0 {
		size = store.DefaultPageSize
	}
	return &model.ConsumptionTaskList{TotalCount: total, Page: max(served, 1), PageSize: min(size, store.MaxPageSize), Items: items}, nil
}

// acknowledgeTasks marks tasks acknowledged by UUID, by number, or all
// the caller sees. Exactly one of the three must be given (Validation
// keyed tasks otherwise). Errors: Unauthenticated.
func (r *Resolver) acknowledgeTasks(ctx context.Context, ids []string, numbers []int, all bool) (int, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return 0, err
	}
	given := 0
	for _, b := range []bool{ids != nil, numbers != nil, all} {
		if b {
			given++
		}
	}
	if given != 1 {
		return 0, store.FieldErrors{"": {"Either tasks or all must be set, not both."}}.Err()
	}
	return r.Store.AcknowledgeTasks(ctx, numbers, ids, all, taskVisibility(u))
}

// ValidUploadASN checks an archive serial number given with an upload
// (paperless-ngx: 0 … 4294967295); "" when fine.
func ValidUploadASN(n int64) string {
	if n < 0 {
		return "Ensure this value is greater than or equal to 0."
	}
	if n > 4294967295 {
		return "Ensure this value is less than or equal to 4294967295."
	}
	return ""
}

// uploadOverrides checks created and archiveSerialNumber of an upload.
func uploadOverrides(created *time.Time, asn *int) (*time.Time, *int, error) {
	if asn != nil {
		if msg := ValidUploadASN(int64(*asn)); msg != "" {
			return nil, nil, store.FieldErrors{"archiveSerialNumber": {msg}}.Err()
		}
	}
	if created != nil {
		c := created.UTC()
		if c.Year() < 1 || c.Year() > 9999 {
			return nil, nil, store.FieldErrors{"created": {fmt.Sprintf("Date %s out of range.", c.Format(time.DateOnly))}}.Err()
		}
		created = &c
	}
	return created, asn, nil
}
