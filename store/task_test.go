package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

func TestConsumptionTaskQueue(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, dialect)
			const n = 40
			for i := 0; i < n; i++ {
				task := &store.ConsumptionTask{UUID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Source: store.TaskSourceUpload,
					FilePath: fmt.Sprintf("tasks/%d.pdf", i), OriginalFilename: "a.pdf"}
				task.SetTagIDs([]int{3, 1})
				if err := s.CreateConsumptionTask(ctx, task); err != nil {
					t.Fatal(err)
				}
			}
			// Concurrent claimers take each task exactly once.
			var mu sync.Mutex
			claimed := map[int]string{}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				owner := fmt.Sprint("w", w)
				wg.Go(func() {
					for {
						task, ok, err := s.ClaimConsumptionTask(ctx, owner, time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if !ok {
							return
						}
						mu.Lock()
						if prev, dup := claimed[task.ID]; dup {
							t.Errorf("task %d claimed by %s and %s", task.ID, prev, owner)
						}
						claimed[task.ID] = owner
						mu.Unlock()
						if task.State != store.TaskRunning || task.Attempts != 1 || len(task.TagIDs()) != 2 {
							t.Errorf("claimed task %+v", task)
						}
						if err := s.FinishConsumptionTask(ctx, task.ID, owner, store.TaskOutcome{State: store.TaskSuccess, Code: "finished"}); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if len(claimed) != n {
				t.Fatalf("%d of %d tasks claimed", len(claimed), n)
			}

			// An expired lease is taken over; the old owner is locked out.
			task := &store.ConsumptionTask{UUID: "11111111-0000-0000-0000-000000000000", Source: store.TaskSourceConsume, FilePath: "tasks/x.pdf", OriginalFilename: "x.pdf", ClaimKey: taskPtr("x|1|2|3")}
			if err := s.CreateConsumptionTask(ctx, task); err != nil {
				t.Fatal(err)
			}
			again := &store.ConsumptionTask{UUID: "22222222-0000-0000-0000-000000000000", Source: store.TaskSourceConsume, FilePath: "tasks/y.pdf", OriginalFilename: "x.pdf", ClaimKey: taskPtr("x|1|2|3")}
			if err := s.CreateConsumptionTask(ctx, again); store.ErrorCode(err) != store.Conflict {
				t.Errorf("second claim of one file: %v", err)
			}
			a, ok, err := s.ClaimConsumptionTask(ctx, "dead", -time.Second)
			if err != nil || !ok || a.UUID != task.UUID {
				t.Fatalf("claim: %v %v", ok, err)
			}
			b, ok, err := s.ClaimConsumptionTask(ctx, "alive", time.Minute)
			if err != nil || !ok || b.ID != a.ID || b.Attempts != 2 {
				t.Fatalf("takeover: %+v %v %v", b, ok, err)
			}
			if err := s.HeartbeatConsumptionTask(ctx, a.ID, "dead", time.Minute, 50, "x"); store.ErrorCode(err) != store.Conflict {
				t.Errorf("heartbeat of the old owner: %v", err)
			}
			if err := s.FinishConsumptionTask(ctx, a.ID, "dead", store.TaskOutcome{State: store.TaskSuccess}); store.ErrorCode(err) != store.Conflict {
				t.Errorf("finish by the old owner: %v", err)
			}
			if err := s.HeartbeatConsumptionTask(ctx, a.ID, "alive", time.Minute, 50, "parsing_document"); err != nil {
				t.Error(err)
			}
			// A retry is not claimable before its time.
			if err := s.FinishConsumptionTask(ctx, a.ID, "alive", store.TaskOutcome{State: store.TaskQueued, Message: "later", RunAfter: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.ClaimConsumptionTask(ctx, "alive", time.Minute); ok {
				t.Error("claimed a task before its retry time")
			}
			got, err := s.ConsumptionTask(ctx, task.UUID)
			if err != nil || got.State != store.TaskQueued || got.Message == nil || *got.Message != "later" || got.LeaseOwner != nil {
				t.Errorf("retried task %+v %v", got, err)
			}
			list, err := s.ConsumptionTasks(ctx, store.TaskFilter{States: []store.TaskState{store.TaskSuccess}, Limit: 1000})
			if err != nil || len(list) != n {
				t.Errorf("%d successful tasks listed, %v", len(list), err)
			}
			if _, err := s.ConsumptionTask(ctx, "nope"); store.ErrorCode(err) != store.NotFound {
				t.Errorf("unknown task: %v", err)
			}
		})
	}
}

func taskPtr[T any](v T) *T { return &v }
