package bleve

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockedError reports an index folder that another process has open: the
// embedded index belongs to one process at a time (bleve's files are not
// shared), so Open refuses at once instead of waiting for it.
type LockedError struct {
	Dir string // the index folder
	PID int    // the holder's process id as it recorded it; 0 if unknown
}

func (e *LockedError) Error() string {
	who := "another Quire process"
	if e.PID > 0 {
		who = fmt.Sprintf("another Quire process (pid %d)", e.PID)
	}
	return fmt.Sprintf("%s has the search index in %s open", who, e.Dir)
}

// lockName is the file in the index folder whose lock marks the folder as
// open; it holds the holder's process id.
const lockName = "LOCK"

// lockIndex takes the folder's lock without waiting and records this
// process's id in it; the returned file holds the lock until closed.
// Another process holding it yields a *LockedError.
func lockIndex(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open index lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if held {
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		f.Close()
		return nil, &LockedError{Dir: dir, PID: pid}
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
