package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

// The paperless-ngx additions: task pages and acknowledgement, UI
// settings, token regeneration, user deletion, fuller statistics.
func init() {
	tests = append(tests,
		test{"TasksQueryAndAcknowledge", testTasksQuery},
		test{"UISettingsPerUser", testUISettings},
		test{"RegenerateToken", testRegenerateToken},
		test{"DeleteUserTakesTokenAndSettings", testDeleteUser},
		test{"StatisticsNGX", testStatisticsNGX},
		test{"MigrationStatus", testMigrationStatus},
	)
}

func mustTask(t *testing.T, s *store.Store, name, source string, owner *int) *store.ConsumptionTask {
	t.Helper()
	task := &store.ConsumptionTask{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", checksumSeq.Add(1)), Source: source,
		FilePath: "tasks/" + name, OriginalFilename: name, OwnerID: owner}
	if err := s.CreateConsumptionTask(ctx, task); err != nil {
		t.Fatalf("create task %s: %v", name, err)
	}
	return task
}

func testTasksQuery(t *testing.T, s *store.Store) {
	anna, bob := mustUser(t, s, "anna"), mustUser(t, s, "bob")
	a1 := mustTask(t, s, "Scan_1.pdf", store.TaskSourceUpload, &anna)
	a2 := mustTask(t, s, "scan_2.pdf", store.TaskSourceUpload, &anna)
	b1 := mustTask(t, s, "bob.pdf", store.TaskSourceUpload, &bob)
	f1 := mustTask(t, s, "folder.pdf", store.TaskSourceConsume, nil)
	uuids := func(q store.TaskQuery) []string {
		t.Helper()
		tasks, total, _, err := s.Tasks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, x := range tasks {
			out = append(out, x.UUID)
		}
		if total != len(out) && q.Page.Size == 0 {
			t.Fatalf("total %d for %d rows", total, len(out))
		}
		return out
	}
	eq := func(what string, got []string, want ...*store.ConsumptionTask) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %d tasks", what, got, len(want))
		}
		for i, w := range want {
			if got[i] != w.UUID {
				t.Fatalf("%s: %v, want %s at %d", what, got, w.OriginalFilename, i)
			}
		}
	}
	eq("all, newest first", uuids(store.TaskQuery{}), f1, b1, a2, a1)
	eq("by uuid", uuids(store.TaskQuery{UUIDs: []string{a2.UUID}}), a2)
	eq("by id", uuids(store.TaskQuery{IDs: []int{a1.ID}}), a1)
	eq("visible to anna", uuids(store.TaskQuery{VisibleTo: &anna}), f1, a2, a1)
	eq("folder", uuids(store.TaskQuery{Sources: []string{store.TaskSourceConsume}}), f1)
	eq("name, any case", uuids(store.TaskQuery{Name: "SCAN_"}), a2, a1)
	eq("owner", uuids(store.TaskQuery{OwnerID: &bob}), b1)
	eq("incomplete", uuids(store.TaskQuery{Complete: ptr(false)}), f1, b1, a2, a1)
	eq("complete", uuids(store.TaskQuery{Complete: ptr(true)}))
	eq("oldest first", uuids(store.TaskQuery{Order: []store.TaskOrder{{Field: store.TaskOrderID}}}), a1, a2, b1, f1)
	future := time.Now().Add(time.Hour)
	eq("created after", uuids(store.TaskQuery{CreatedAfter: &future}))
	tasks, total, page, err := s.Tasks(ctx, store.TaskQuery{Page: store.Page{Number: 2, Size: 3}})
	if err != nil || total != 4 || page != 2 || len(tasks) != 1 || tasks[0].UUID != a1.UUID {
		t.Fatalf("page 2 of 3: %d %d %d %v", len(tasks), total, page, err)
	}
	if _, _, _, err := s.Tasks(ctx, store.TaskQuery{Order: []store.TaskOrder{{Field: "bogus"}}}); store.ErrorCode(err) != store.Validation {
		t.Fatalf("unknown order: %v", err)
	}

	// Bob cannot acknowledge anna's task; anna can, by id or uuid.
	if n, err := s.AcknowledgeTasks(ctx, []int{a1.ID}, nil, false, &bob); err != nil || n != 0 {
		t.Fatalf("bob acknowledges anna's: %d %v", n, err)
	}
	if n, err := s.AcknowledgeTasks(ctx, []int{a1.ID}, []string{a2.UUID}, false, &anna); err != nil || n != 2 {
		t.Fatalf("anna acknowledges hers: %d %v", n, err)
	}
	eq("unacknowledged", uuids(store.TaskQuery{Acknowledged: ptr(false)}), f1, b1)
	if n, err := s.AcknowledgeTasks(ctx, nil, nil, true, nil); err != nil || n != 4 {
		t.Fatalf("acknowledge all: %d %v", n, err)
	}
	eq("unacknowledged after all", uuids(store.TaskQuery{Acknowledged: ptr(false)}))
	if n, err := s.AcknowledgeTasks(ctx, nil, nil, false, nil); err != nil || n != 0 {
		t.Fatalf("acknowledge nothing: %d %v", n, err)
	}
}

func testUISettings(t *testing.T, s *store.Store) {
	anna, bob := mustUser(t, s, "anna"), mustUser(t, s, "bob")
	got, err := s.UISettings(ctx, anna)
	if err != nil || len(got) != 0 {
		t.Fatalf("none stored: %v %v", got, err)
	}
	if err := s.SetUISettings(ctx, anna, map[string]any{"language": "de-de", "dark_mode": map[string]any{"enabled": true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUISettings(ctx, anna, map[string]any{"language": "fr-fr"}); err != nil { // replaces
		t.Fatal(err)
	}
	got, _ = s.UISettings(ctx, anna)
	if len(got) != 1 || got["language"] != "fr-fr" {
		t.Fatalf("anna's settings %v", got)
	}
	if got, _ := s.UISettings(ctx, bob); len(got) != 0 {
		t.Fatalf("bob sees %v", got)
	}
	if err := s.SetUISettings(ctx, 999999, map[string]any{}); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("unknown user: %v", err)
	}
}

func testRegenerateToken(t *testing.T, s *store.Store) {
	anna := mustUser(t, s, "anna")
	if k, err := s.UserToken(ctx, anna); err != nil || k != nil {
		t.Fatalf("no token yet: %v %v", k, err)
	}
	old, err := s.TokenForUser(ctx, anna)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.RegenerateToken(ctx, anna)
	if err != nil || fresh.Key == old.Key || len(fresh.Key) != 40 {
		t.Fatalf("regenerate: %v %v", fresh, err)
	}
	if _, err := s.UserByToken(ctx, old.Key); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("old key still works: %v", err)
	}
	if u, err := s.UserByToken(ctx, fresh.Key); err != nil || u.ID != anna {
		t.Fatalf("new key: %v %v", u, err)
	}
	if k, _ := s.UserToken(ctx, anna); k == nil || *k != fresh.Key {
		t.Fatalf("UserToken %v", k)
	}
	if _, err := s.RegenerateToken(ctx, 999999); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("unknown user: %v", err)
	}
}

func testDeleteUser(t *testing.T, s *store.Store) {
	anna := mustUser(t, s, "anna")
	tok, err := s.TokenForUser(ctx, anna)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetUISettings(ctx, anna, map[string]any{"x": 1.0}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, anna); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, tok.Key); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("token survived: %v", err)
	}
	if err := s.DeleteUser(ctx, anna); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("second delete: %v", err)
	}
	// The same name can be taken again, with no settings left behind.
	again := mustUser(t, s, "anna")
	if got, _ := s.UISettings(ctx, again); len(got) != 0 {
		t.Fatalf("settings of the new anna: %v", got)
	}
}

func testStatisticsNGX(t *testing.T, s *store.Store) {
	st, err := s.Statistics(ctx)
	if err != nil || st.CurrentASN != 0 || st.CharacterCount != 0 || len(st.FileTypes) != 0 || len(st.InboxTagIDs) != 0 {
		t.Fatalf("empty archive: %+v %v", st, err)
	}
	inbox := mustTag(t, s, "Inbox", true)
	mustTag(t, s, "Other", false)
	mustCorrespondent(t, s, "ACME")
	mustDocument(t, s, doc{title: "a", content: "äbc", asn: ptr(7)})
	mustDocument(t, s, doc{title: "b", content: "de", asn: ptr(31), tags: []int{inbox.ID}})
	st, err = s.Statistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.CurrentASN != 31 || st.CharacterCount != 5 || st.TagCount != 2 || st.CorrespondentCount != 1 || st.DocumentTypeCount != 0 ||
		len(st.FileTypes) != 1 || st.FileTypes[0] != (store.MimeTypeCount{MimeType: "application/pdf", Count: 2}) ||
		len(st.InboxTagIDs) != 1 || st.InboxTagIDs[0] != inbox.ID || st.DocumentsInbox == nil || *st.DocumentsInbox != 1 {
		t.Fatalf("statistics %+v", st)
	}
}

func testMigrationStatus(t *testing.T, s *store.Store) {
	latest, unapplied, err := s.MigrationStatus(ctx)
	if err != nil || latest == "" || len(unapplied) != 0 {
		t.Fatalf("migration status %q %v %v", latest, unapplied, err)
	}
}
