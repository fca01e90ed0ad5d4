package consume

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store/files"
)

// orphanEvery is how often the sweeper looks for unreferenced files.
const orphanEvery = time.Hour

// lostFoundDir is where unreferenced stored files are moved.
func (s *Service) lostFoundDir() string { return filepath.Join(s.cfg.DataDir, "lost+found") }

// sweepOrphansIfDue runs sweepOrphans at the first sweep and then once
// every orphanEvery (only the sweeper goroutine calls it).
func (s *Service) sweepOrphansIfDue(ctx context.Context) {
	if s.cfg.OrphanAge < 0 || (!s.lastOrphanSweep.IsZero() && time.Since(s.lastOrphanSweep) < orphanEvery) {
		return
	}
	s.lastOrphanSweep = time.Now()
	if err := s.sweepOrphans(ctx, s.cfg.OrphanAge); err != nil && ctx.Err() == nil {
		s.logger.Error("sweep unreferenced files", "error", err)
	}
}

// orphan is a stored file no document refers to.
type orphan struct {
	kind, root, rel string // kind: originals, archive or thumbnails
}

// sweepOrphans finds files in the originals, archive and thumbnail
// folders that no document refers to and that have not been created,
// linked or renamed for minAge, and moves them to <data>/lost+found/
// <kind>/<name> (each logged), removing the folders that left empty.
// Such files are left by crashes: a consumption whose transaction never
// committed (its file is still staged and the task is re-run), a rename
// or a deletion interrupted before it removed the old files.
// Temporary files of interrupted writes (".<name>.tmp-…", ".<name>.link-…")
// are removed instead.
//
// Age is the file's change time, which placing a file (a hard link or a
// rename) resets, so a file placed by a transaction still open is never
// taken while minAge exceeds the longest transaction. The folders are
// listed before the references are read, so a file committed meanwhile
// is seen as referenced.
//
// As a guard against a media folder that belongs to another database
// (a wrong QUIRE_DATABASE_URL), nothing is moved when the unreferenced
// files outnumber max(50, 10% of the documents); that is logged as an
// error instead.
func (s *Service) sweepOrphans(ctx context.Context, minAge time.Duration) error {
	now := time.Now()
	var candidates []orphan
	temps := 0
	for _, kind := range []struct{ name, root string }{
		{"originals", s.layout.Originals()}, {"archive", s.layout.Archive()}, {"thumbnails", s.layout.Thumbnails()},
	} {
		err := filepath.WalkDir(kind.root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil || now.Sub(changeTime(info)) < minAge {
				return nil
			}
			rel, _ := filepath.Rel(kind.root, path)
			if isTempName(d.Name()) {
				if err := os.Remove(path); err == nil {
					temps++
					files.RemoveEmptyDirs(kind.root, filepath.Dir(path))
				}
				return nil
			}
			candidates = append(candidates, orphan{kind: kind.name, root: kind.root, rel: rel})
			return nil
		})
		if err != nil {
			return fmt.Errorf("list %s: %w", kind.root, err)
		}
	}
	if temps > 0 {
		s.logger.Info("removed temporary files of interrupted writes", "count", temps)
	}
	if len(candidates) == 0 {
		return nil
	}
	docs, err := s.store.AllDocumentFiles(ctx)
	if err != nil {
		return err
	}
	refs := map[string]bool{}
	for _, d := range docs {
		if d.Filename != nil {
			refs["originals/"+filepath.Clean(*d.Filename)] = true
		}
		if d.ArchiveFilename != nil {
			refs["archive/"+filepath.Clean(*d.ArchiveFilename)] = true
		}
		refs["thumbnails/"+filepath.Base(s.layout.ThumbnailPath(d.ID))] = true
	}
	var orphans []orphan
	for _, c := range candidates {
		if !refs[c.kind+"/"+c.rel] {
			orphans = append(orphans, c)
		}
	}
	if len(orphans) == 0 {
		return nil
	}
	if limit := max(50, len(docs)/10); len(orphans) > limit {
		s.logger.Error("not moving unreferenced files: there are too many; does the media folder belong to this database?",
			"unreferenced", len(orphans), "documents", len(docs), "limit", limit, "media_dir", s.cfg.MediaDir)
		return nil
	}
	moved := 0
	for _, o := range orphans {
		src := filepath.Join(o.root, o.rel)
		// Placed again since it was listed (a rename reusing the name)?
		if info, err := os.Lstat(src); err != nil || time.Since(changeTime(info)) < minAge {
			continue
		}
		dst := freeName(filepath.Join(s.lostFoundDir(), o.kind, o.rel))
		if err := files.MoveAtomic(src, dst); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // another sweeper took it
			}
			s.logger.Error("move unreferenced file to lost+found", "file", filepath.Join(o.kind, o.rel), "error", err)
			continue
		}
		files.RemoveEmptyDirs(o.root, filepath.Dir(src))
		moved++
		s.logger.Warn("moved a stored file that no document refers to into lost+found",
			"file", filepath.Join(o.kind, o.rel), "to", dst)
	}
	if moved > 0 {
		s.logger.Warn("unreferenced stored files moved to lost+found", "count", moved, "lost_found_dir", s.lostFoundDir())
	}
	return nil
}

// isTempName reports the temporary names files.WriteAtomic and
// files.Place write under before renaming into place.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && (strings.Contains(name, ".tmp-") || strings.Contains(name, ".link-"))
}

// freeName returns path, or path with ".1", ".2", … appended when taken.
func freeName(path string) string {
	p := path
	for i := 1; ; i++ {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
		p = path + "." + strconv.Itoa(i)
	}
}
