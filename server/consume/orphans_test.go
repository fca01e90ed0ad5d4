package consume

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestSweepOrphans plants the leftovers of crashes beside the files of
// real documents and checks that the sweeper moves exactly the
// unreferenced, old enough files to lost+found, removes stale temporary
// files and emptied folders, and refuses to move anything when most
// files look unreferenced (a media folder of another database).
func TestSweepOrphans(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, func(c *Config) { c.FilenameFormat = "{title}" })
			ctx := context.Background()
			l := e.svc.Layout()
			write := func(path string) {
				t.Helper()
				if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(path), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			// Two documents with all their files.
			for i := 0; i < 2; i++ {
				d := &store.Document{Title: fmt.Sprint("kept", i), Checksum: fmt.Sprint("sum", i), MimeType: "application/pdf", Created: time.Now()}
				if err := e.st.CreateDocument(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
				fn := fmt.Sprintf("keep/kept%d-%07d.pdf", i, d.ID)
				if err := e.st.SetDocumentFiles(ctx, d.ID, &fn, &fn, &fn); err != nil {
					t.Fatal(err)
				}
				op, _ := l.OriginalPath(fn)
				ap, _ := l.ArchivePath(fn)
				write(op)
				write(ap)
				write(l.ThumbnailPath(d.ID))
			}
			// Leftovers: an original and an archive version of a
			// transaction that never committed, a thumbnail of a deleted
			// document, temporary files of interrupted writes.
			write(filepath.Join(l.Originals(), "lost", "deep", "gone-0000099.pdf"))
			write(filepath.Join(l.Originals(), "keep", "gone-0000098.pdf"))
			write(filepath.Join(l.Archive(), "gone-0000099.pdf"))
			write(filepath.Join(l.Thumbnails(), "0000099.png"))
			write(filepath.Join(l.Originals(), ".0000097.pdf.tmp-123"))
			write(filepath.Join(l.Thumbnails(), ".0000097.png.link-abc"))
			// A file of the same name already in lost+found.
			write(filepath.Join(e.cfg.DataDir, "lost+found", "thumbnails", "0000099.png"))
			before := map[string][]string{}
			for _, dir := range []string{l.Originals(), l.Archive(), l.Thumbnails()} {
				before[dir] = dirFiles(t, dir)
			}

			// Young files stay.
			if err := e.svc.sweepOrphans(ctx, time.Hour); err != nil {
				t.Fatal(err)
			}
			for dir, want := range before {
				if got := dirFiles(t, dir); !slices.Equal(got, want) {
					t.Errorf("young files touched in %s: %v, want %v", dir, got, want)
				}
			}

			if err := e.svc.sweepOrphans(ctx, 0); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				dir  string
				want []string
			}{
				{l.Originals(), []string{"keep/kept0-0000001.pdf", "keep/kept1-0000002.pdf"}},
				{l.Archive(), []string{"keep/kept0-0000001.pdf", "keep/kept1-0000002.pdf"}},
				{l.Thumbnails(), []string{"0000001.png", "0000002.png"}},
				{filepath.Join(e.cfg.DataDir, "lost+found"), []string{
					"archive/gone-0000099.pdf", "originals/keep/gone-0000098.pdf", "originals/lost/deep/gone-0000099.pdf",
					"thumbnails/0000099.png", "thumbnails/0000099.png.1"}},
			} {
				got := dirFiles(t, c.dir)
				slices.Sort(got)
				if !slices.Equal(got, c.want) {
					t.Errorf("%s holds %v, want %v", c.dir, got, c.want)
				}
			}
			if _, err := os.Stat(filepath.Join(l.Originals(), "lost")); err == nil {
				t.Error("emptied folder lost/ not removed")
			}
			if _, err := os.Stat(l.Originals()); err != nil {
				t.Errorf("originals root removed: %v", err)
			}

			// Many unreferenced files (another database's media folder?):
			// nothing is moved.
			for i := 0; i < 55; i++ {
				write(filepath.Join(l.Originals(), fmt.Sprintf("foreign-%07d.pdf", 1000+i)))
			}
			if err := e.svc.sweepOrphans(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if n := len(dirFiles(t, l.Originals())); n != 57 {
				t.Errorf("%d originals left, want all 57: the guard did not hold", n)
			}
		})
	}
}
