package consume

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/storetest"
)

// crashChildEnv switches the test binary into a consumer process for
// TestKill9 (see crashChild).
const crashChildEnv = "QUIRE_CRASH_CHILD"

func crashConfig(data string) Config {
	return Config{DataDir: data, Workers: 2, Lease: time.Second, Poll: 20 * time.Millisecond,
		RetryBackoff: 20 * time.Millisecond, StableFor: 100 * time.Millisecond, WatchPoll: 100 * time.Millisecond,
		ClassifierInterval: -1, Parse: parseConfig()}
}

// crashDoc is the i-th document of round r: a born-digital PDF, every
// fifth one a text file, all with distinct content.
func crashDoc(r, i int) (string, []byte) {
	if i%5 == 4 {
		return fmt.Sprintf("note-%d-%d.txt", r, i), []byte(fmt.Sprintf("Note %d of round %d, written 03.04.2021.\n", i, r))
	}
	return fmt.Sprintf("doc-%d-%d.pdf", r, i), fixture.PDF(12, fmt.Sprintf("Document %d of round %d", i, r), "Invoice from ACME dated 12.03.2021", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
}

// TestCrashChild is not a test: with QUIRE_CRASH_CHILD set it is the
// consumer process TestKill9 starts and kills. It consumes, and submits
// documents one after another, printing "ACCEPTED <task uuid> <name>"
// once Submit has returned.
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) == "" {
		t.Skip("helper process for TestKill9")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{URL: os.Getenv("QUIRE_CRASH_DB")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	svc, err := New(st, crashConfig(os.Getenv("QUIRE_CRASH_DATA")), nil)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	go svc.Run(ctx)
	round, _ := strconv.Atoi(os.Getenv("QUIRE_CRASH_ROUND"))
	for i := 0; ; i++ {
		name, body := crashDoc(round, i)
		task, err := svc.Submit(ctx, Upload{Filename: name, Body: bytes.NewReader(body)})
		if err != nil {
			fmt.Println("ERROR", err)
			continue
		}
		fmt.Println("ACCEPTED", task.UUID, name)
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
	}
}

// TestKill9 kills a consuming, accepting Quire process with SIGKILL at
// random moments, again and again, while files also arrive in the consume
// folder; then it lets a fresh consumer finish and checks that every
// accepted upload and every dropped file became exactly one document (or
// one clearly failed task), with its files in place, and that the
// sweeper moves the files of killed transactions, which no document
// refers to, into lost+found.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("long test")
	}
	requireOCR(t)
	rounds := 10
	if v, _ := strconv.Atoi(os.Getenv("QUIRE_CRASH_ROUNDS")); v > 0 {
		rounds = v
	}
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			url := storetest.DatabaseURL(t, dialect)
			data := t.TempDir()
			accepted := map[string]string{} // uuid -> name
			dropped := map[string]bool{}    // consume-folder names
			consumeDir := filepath.Join(data, "consume")
			os.MkdirAll(consumeDir, 0o750)
			for r := 0; r < rounds; r++ {
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), crashChildEnv+"=1", "QUIRE_CRASH_DB="+url, "QUIRE_CRASH_DATA="+data, fmt.Sprint("QUIRE_CRASH_ROUND=", r))
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				lines := make(chan string)
				go func() {
					sc := bufio.NewScanner(out)
					for sc.Scan() {
						lines <- sc.Text()
					}
					close(lines)
				}()
				// Drop a few files into the consume folder meanwhile.
				for i := 0; i < 3; i++ {
					name := fmt.Sprintf("dropped-%d-%d.txt", r, i)
					tmp := filepath.Join(consumeDir, "."+name+".tmp")
					os.WriteFile(tmp, []byte("dropped file "+name), 0o600)
					os.Rename(tmp, filepath.Join(consumeDir, name))
					dropped[name] = true
				}
				kill := time.After(time.Duration(400+rand.IntN(1600)) * time.Millisecond)
			read:
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							break read
						}
						if f := strings.Fields(l); len(f) == 3 && f[0] == "ACCEPTED" {
							accepted[f[1]] = f[2]
						} else if strings.HasPrefix(l, "ERROR") {
							t.Errorf("child: %s", l)
						}
					case <-kill:
						cmd.Process.Signal(syscall.SIGKILL)
						kill = nil
					}
				}
				cmd.Wait()
			}
			t.Logf("%d rounds: %d uploads accepted, %d files dropped", rounds, len(accepted), len(dropped))

			// A fresh consumer finishes the work.
			st, err := store.Open(context.Background(), store.Config{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc, err := New(st, crashConfig(data), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- svc.Run(ctx) }()
			deadline := time.Now().Add(3 * time.Minute)
			for {
				open, _ := st.ConsumptionTasks(ctx, store.TaskFilter{States: []store.TaskState{store.TaskQueued, store.TaskRunning}})
				left, _ := os.ReadDir(consumeDir)
				if len(open) == 0 && len(left) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not finished: %d open tasks, %d files in the consume folder", len(open), len(left))
				}
				time.Sleep(100 * time.Millisecond)
			}
			cancel()
			<-done
			svc.sweep(context.Background())

			tasks, err := st.ConsumptionTasks(context.Background(), store.TaskFilter{Limit: 100000})
			if err != nil {
				t.Fatal(err)
			}
			byUUID := map[string]store.ConsumptionTask{}
			byName := map[string]int{}
			docTasks := map[int]string{}
			failed := 0
			for _, task := range tasks {
				byUUID[task.UUID] = task
				byName[task.OriginalFilename]++
				switch task.State {
				case store.TaskSuccess:
					if prev, dup := docTasks[*task.DocumentID]; dup {
						t.Errorf("document %d made by tasks %s and %s", *task.DocumentID, prev, task.UUID)
					}
					docTasks[*task.DocumentID] = task.UUID
				case store.TaskFailed:
					failed++
					if deref(task.Message) == "" || task.FailedPath == nil || !fileExists(t, filepath.Join(data, *task.FailedPath)) {
						t.Errorf("failed task %s without message or kept file: %q", task.OriginalFilename, deref(task.Message))
					}
					t.Logf("failed task %s: %s", task.OriginalFilename, deref(task.Message))
				default:
					t.Errorf("task %s left %s", task.UUID, task.State)
				}
			}
			for id, name := range accepted {
				if _, ok := byUUID[id]; !ok {
					t.Errorf("accepted upload %s (%s) has no task", name, id)
				}
			}
			for name := range dropped {
				if byName[name] != 1 {
					t.Errorf("dropped file %s became %d tasks", name, byName[name])
				}
			}
			for name, n := range byName {
				if n != 1 {
					t.Errorf("%s consumed %d times", name, n)
				}
			}
			// Files no document refers to (left by transactions that were
			// killed before they committed) go to lost+found; the sweeper
			// waits an hour for them, this check does not.
			layout := files.Layout{Media: filepath.Join(data, "media")}
			referenced := map[string]bool{}
			for id := range docTasks {
				doc, err := st.Document(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				referenced[filepath.Join("originals", *doc.Filename)] = true
				if doc.ArchiveFilename != nil {
					referenced[filepath.Join("archive", *doc.ArchiveFilename)] = true
				}
				referenced[filepath.Join("thumbnails", fmt.Sprintf("%07d.png", id))] = true
			}
			unreferenced := func() []string {
				var out []string
				for _, kind := range []string{"originals", "archive", "thumbnails"} {
					for _, f := range dirFiles(t, filepath.Join(layout.Media, "documents", kind)) {
						if !referenced[filepath.Join(kind, f)] {
							out = append(out, filepath.Join(kind, f))
						}
					}
				}
				return out
			}
			orphans := unreferenced()
			if err := svc.sweepOrphans(context.Background(), 0); err != nil {
				t.Fatal(err)
			}
			if left := unreferenced(); len(left) != 0 {
				t.Errorf("unreferenced files left after the sweep: %v", left)
			}
			lost := dirFiles(t, filepath.Join(data, "lost+found"))
			var moved int
			for _, o := range orphans {
				if filepath.Base(o)[0] != '.' { // temporary files are removed, not kept
					moved++
				}
			}
			if len(lost) != moved {
				t.Errorf("lost+found holds %v, want the %d unreferenced files of %v", lost, moved, orphans)
			}
			// Every document's files are complete and in place.
			for id := range docTasks {
				doc, err := st.Document(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				p, _ := layout.OriginalPath(*doc.Filename)
				sum, _, err := files.MD5File(p)
				if err != nil || sum != doc.Checksum {
					t.Errorf("document %d: original %s damaged or missing: %v", id, *doc.Filename, err)
				}
				if !fileExists(t, layout.ThumbnailPath(id)) {
					t.Errorf("document %d: no thumbnail", id)
				}
			}
			// Left in staging may only be files of uploads that were never
			// accepted (killed between writing and recording); the sweeper
			// removes those after an hour.
			unaccepted := 0
			for _, f := range dirFiles(t, filepath.Join(data, "tasks")) {
				id, _, _ := strings.Cut(strings.TrimPrefix(f, "."), ".")
				if _, ok := byUUID[id]; ok {
					t.Errorf("staging folder still holds %s of a finished task", f)
				}
				unaccepted++
			}
			t.Logf("%d files of never-accepted uploads in staging", unaccepted)
			t.Logf("%d tasks: %d documents, %d failed; %d unreferenced files left by interrupted transactions, moved to lost+found: %v", len(tasks), len(docTasks), failed, len(orphans), lost)
		})
	}
}
