package consume

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/google/uuid"

	"github.com/quirehq/quire/store"
)

// seen is what the watcher knows of one consume-folder file.
type seen struct {
	size    int64
	mtime   time.Time
	since   time.Time // when size and mtime were first seen unchanged
	claimed bool
}

// watch watches the consume folder: fsnotify events trigger a scan soon,
// and a scan runs every WatchPoll anyway (network folders and full
// inotify tables send no events). A file is claimed once its size and
// modification time have not changed for StableFor.
func (s *Service) watch(ctx context.Context) {
	files := map[string]*seen{}
	trigger := make(chan struct{}, 1)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		s.logger.Warn("consume folder: fsnotify unavailable, polling only", "error", err)
	} else {
		defer w.Close()
		if err := w.Add(s.cfg.ConsumeDir); err != nil {
			s.logger.Warn("consume folder: cannot watch, polling only", "dir", s.cfg.ConsumeDir, "error", err)
		}
		go func() {
			for {
				select {
				case ev, ok := <-w.Events:
					if !ok {
						return
					}
					if ev.Has(fsnotify.Create) {
						if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
							w.Add(ev.Name)
						}
					}
					select {
					case trigger <- struct{}{}:
					default:
					}
				case _, ok := <-w.Errors:
					if !ok {
						return
					}
				}
			}
		}()
	}
	poll := time.NewTicker(s.cfg.WatchPoll)
	defer poll.Stop()
	// While files are settling, rescan often enough to notice stability.
	settle := time.NewTicker(max(s.cfg.StableFor/2, 100*time.Millisecond))
	defer settle.Stop()
	for {
		pending := s.scan(ctx, files, w)
		select {
		case <-ctx.Done():
			return
		case <-trigger:
		case <-poll.C:
		case <-settle.C:
			if !pending {
				continue
			}
		}
	}
}

// scan walks the consume folder once, claiming stable files; it reports
// whether some file is still settling.
func (s *Service) scan(ctx context.Context, known map[string]*seen, w *fsnotify.Watcher) bool {
	now := time.Now()
	present := map[string]bool{}
	pending := false
	root := s.cfg.ConsumeDir
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil {
			return nil
		}
		if path == root {
			return nil
		}
		if ignoredFile(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if w != nil {
				w.Add(path)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil
		}
		present[rel] = true
		k := known[rel]
		if k == nil || k.size != info.Size() || !k.mtime.Equal(info.ModTime()) {
			known[rel] = &seen{size: info.Size(), mtime: info.ModTime(), since: now}
			pending = true
			return nil
		}
		if k.claimed {
			return nil
		}
		if now.Sub(k.since) < s.cfg.StableFor || now.Sub(info.ModTime()) < s.cfg.StableFor {
			pending = true
			return nil
		}
		if err := s.claimFile(ctx, rel, path, info); err != nil {
			s.logger.Error("consume folder: claim file", "file", rel, "error", err)
			return nil
		}
		k.claimed = true
		return nil
	})
	for rel := range known {
		if !present[rel] {
			delete(known, rel)
		}
	}
	return pending
}

// claimFile records a task for a consume-folder file. The claim key
// (path, size, modification time, inode) is unique in the database, so
// with several processes watching one folder exactly one of them records
// the task; the others get a Conflict and leave the file alone. The
// claimer then moves the file into the staging folder (a worker does it
// if the claimer dies first).
func (s *Service) claimFile(ctx context.Context, rel, path string, info fs.FileInfo) error {
	var ino uint64
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	key := fmt.Sprintf("%s|%d|%d|%d", rel, info.Size(), info.ModTime().UnixNano(), ino)
	if len(key) > 1000 {
		return errors.New("path too long")
	}
	id := uuid.NewString()
	staged := filepath.Join("tasks", id+filepath.Ext(safeName(rel)))
	name := filepath.Base(rel)
	t := &store.ConsumptionTask{
		UUID: id, Source: store.TaskSourceConsume, ClaimKey: &key, SourcePath: &rel,
		FilePath: staged, OriginalFilename: name, Received: info.ModTime(), MaxAttempts: s.cfg.MaxAttempts,
	}
	if err := s.store.CreateConsumptionTask(ctx, t); err != nil {
		if store.ErrorCode(err) == store.Conflict {
			return nil // another process (or an earlier scan) claimed it
		}
		return err
	}
	s.logger.Info("consume folder: file claimed", "task_id", id, "file", rel)
	if dst, err := s.dataPath(staged); err == nil {
		if err := os.Rename(path, dst); err == nil {
			// Durable in both folders; a crash before this leaves the
			// move to the worker.
			syncDirs(filepath.Dir(dst), filepath.Dir(path))
		}
	}
	s.wake()
	return nil
}

func syncDirs(dirs ...string) {
	for _, d := range dirs {
		if f, err := os.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
}
