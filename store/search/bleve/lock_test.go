package bleve

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestOpenLocked: a folder another Engine has open is refused at once,
// naming the holder's process id; it opens again once that Engine closes.
func TestOpenLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	first, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	second, err := Open(dir, Options{})
	var locked *LockedError
	if !errors.As(err, &locked) {
		if second != nil {
			second.Close()
		}
		t.Fatalf("second Open = %v, want a *LockedError", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("second Open took %s to refuse", took)
	}
	if locked.PID != os.Getpid() || locked.Dir != dir {
		t.Fatalf("LockedError = %+v, want pid %d and dir %s", locked, os.Getpid(), dir)
	}
	want := "another Quire process (pid " + strconv.Itoa(os.Getpid()) + ") has the search index in " + dir + " open"
	if err.Error() != want {
		t.Fatalf("message = %q, want %q", err, want)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

// TestOpenBoltHeld: a process that holds the index's bolt file without
// the folder's LOCK (an earlier Quire) is reported as a holder too, after
// bolt_timeout rather than never.
func TestOpenBoltHeld(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	e, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := readName(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	db, err := bolt.Open(filepath.Join(dir, gen, "bleve", "store", "root.bolt"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	e, err = Open(dir, Options{})
	var locked *LockedError
	if !errors.As(err, &locked) {
		if e != nil {
			e.Close()
		}
		t.Fatalf("Open with the bolt file held = %v, want a *LockedError", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("took %s", took)
	}
	if !strings.HasPrefix(err.Error(), "another Quire process has the search index in ") {
		t.Fatalf("message = %q", err)
	}
}
