package consume

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/quirehq/quire/store"
)

// TestScratchSweptAtStart: what an earlier run's tools left in the
// scratch folder goes at start, except the folder of a task another
// process holds a live lease on and a tool's fresh temporary folder.
func TestScratchSweptAtStart(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "sqlite", nil)
	scratch := filepath.Join(e.cfg.DataDir, "scratch")
	mk := func(name string, age time.Duration) {
		t.Helper()
		p := filepath.Join(scratch, name)
		if err := os.MkdirAll(p, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "archive.pdf"), []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		os.Chtimes(p, old, old)
	}
	// A task another process runs under a live lease, and one whose
	// lease ran out (its process died).
	claim := func(owner string, lease time.Duration) string {
		t.Helper()
		task := &store.ConsumptionTask{UUID: uuid.NewString(), Source: "api", FilePath: "tasks/x", OriginalFilename: "x.pdf"}
		if err := e.st.CreateConsumptionTask(ctx, task); err != nil {
			t.Fatal(err)
		}
		got, ok, err := e.st.ClaimConsumptionTask(ctx, owner, lease)
		if err != nil || !ok || got.UUID != task.UUID {
			t.Fatalf("claim: %v %v %+v", ok, err, got)
		}
		return task.UUID
	}
	host, _ := os.Hostname()
	// A process of this host that has ended: the test binary's parent
	// lives; a pid beyond the kernel's pid_max (4194304) never ran.
	leased := claim("other-replica", time.Hour)
	alive := claim(fmt.Sprintf("%s-%d-abcdefgh", host, os.Getppid()), time.Hour)
	killed := claim(fmt.Sprintf("%s-%d-abcdefgh", host, 1<<23), time.Hour)
	restarted := claim(fmt.Sprintf("%s-%d-abcdefgh", host, os.Getpid()), time.Hour) // same pid, earlier run
	expired := claim("dead-replica", -time.Second)
	unknown := uuid.NewString()
	for _, id := range []string{leased, alive, killed, restarted, expired, unknown} {
		mk(id, 0)
	}
	mk("ocrmypdf.io.fresh", 0)
	mk("ocrmypdf.io.old", time.Hour)

	e.svc.sweepScratch(ctx) // what Run does first
	var got []string
	ents, _ := os.ReadDir(scratch)
	for _, ent := range ents {
		got = append(got, ent.Name())
	}
	want := []string{leased, alive, "ocrmypdf.io.fresh"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("scratch after start = %q, want %q (ended %s, restarted %s, expired %s, unknown %s)", got, want, killed, restarted, expired, unknown)
	}
}
