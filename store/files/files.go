package files

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Layout is the storage layout under the media folder (paperless's
// MEDIA_ROOT): documents/originals, documents/archive and
// documents/thumbnails.
type Layout struct {
	Media string
}

// Originals is the folder of original files.
func (l Layout) Originals() string { return filepath.Join(l.Media, "documents", "originals") }

// Archive is the folder of archive (OCR'd PDF/A) versions.
func (l Layout) Archive() string { return filepath.Join(l.Media, "documents", "archive") }

// Thumbnails is the folder of thumbnails.
func (l Layout) Thumbnails() string { return filepath.Join(l.Media, "documents", "thumbnails") }

// Init creates the folders.
func (l Layout) Init() error {
	for _, d := range []string{l.Originals(), l.Archive(), l.Thumbnails()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}

// OriginalPath returns the absolute path of a stored original (rel as in
// Document.Filename); an error if rel would leave the originals folder.
func (l Layout) OriginalPath(rel string) (string, error) { return Within(l.Originals(), rel) }

// ArchivePath returns the absolute path of a stored archive version.
func (l Layout) ArchivePath(rel string) (string, error) { return Within(l.Archive(), rel) }

// ThumbnailPath returns the thumbnail path of document id (<id 7 digits>.png).
func (l Layout) ThumbnailPath(id int) string {
	return filepath.Join(l.Thumbnails(), fmt.Sprintf("%07d.png", id))
}

// ErrOutside is returned for a relative path that leaves its folder.
var ErrOutside = errors.New("path leaves its folder")

// Within joins root and the relative path rel, refusing absolute paths and
// paths that climb out of root.
func Within(root, rel string) (string, error) {
	if rel == "" || filepath.IsAbs(rel) || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%q: %w", rel, ErrOutside)
	}
	return filepath.Join(root, rel), nil
}

// SyncDir fsyncs a folder, making renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// Written is what WriteAtomic wrote.
type Written struct {
	Size int64
	MD5  string
}

// ErrTooLarge is returned by WriteAtomic when the data exceeds the limit.
var ErrTooLarge = errors.New("file too large")

// WriteAtomic writes r to path: under a temporary name in path's folder,
// fsync'd, renamed into place, and the folder fsync'd, so path is either
// absent or complete even after a crash. limit > 0 caps the size
// (ErrTooLarge, nothing left behind). It returns the size and MD5.
func WriteAtomic(path string, r io.Reader, limit int64) (Written, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Written{}, fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return Written{}, fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (Written, error) {
		f.Close()
		os.Remove(tmp)
		return Written{}, err
	}
	h := md5.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err != nil {
		return fail(fmt.Errorf("write %s: %w", path, err))
	}
	if limit > 0 && n > limit {
		return fail(ErrTooLarge)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("sync %s: %w", path, err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return Written{}, fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return Written{}, fmt.Errorf("rename into %s: %w", path, err)
	}
	if err := SyncDir(dir); err != nil {
		return Written{}, err
	}
	return Written{Size: n, MD5: hex.EncodeToString(h.Sum(nil))}, nil
}

// Place makes dst a durable copy of src without touching src: a hard link
// when both are on one file system, else a copy; either way under a
// temporary name first, then renamed into place, and dst's folder
// fsync'd. An existing dst is replaced.
func Place(src, dst string) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dst)+".link-"+randomSuffix())
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("rename into %s: %w", dst, err)
		}
		return SyncDir(dir)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer in.Close()
	_, err = WriteAtomic(dst, in, 0)
	return err
}

// MoveAtomic moves src to dst durably (rename when possible, else Place
// then remove src), fsyncing both folders.
func MoveAtomic(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(dst), err)
	}
	if err := os.Rename(src, dst); err != nil {
		if err := Place(src, dst); err != nil {
			return err
		}
		if err := os.Remove(src); err != nil {
			return fmt.Errorf("remove %s: %w", src, err)
		}
	}
	if err := SyncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(src))
}

// MD5File returns the MD5 hex digest and size of a file.
func MD5File(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// RemoveEmptyDirs removes dir and its parents while they are empty,
// stopping at root (never removed) or at anything outside it.
func RemoveEmptyDirs(root, dir string) {
	root = filepath.Clean(root)
	for {
		dir = filepath.Clean(dir)
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." || !filepath.IsLocal(rel) {
			return
		}
		if err := os.Remove(dir); err != nil { // fails when not empty
			return
		}
		dir = filepath.Dir(dir)
	}
}

func randomSuffix() string { return rand.Text()[:12] }
