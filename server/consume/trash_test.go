package consume

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestPurgeTrash: the sweeper's emptying deletes the documents that went
// to the trash more than EmptyTrashDelay ago, with their files, and
// leaves younger ones and documents not in the trash alone (files too);
// the orphan sweep does not take the files of documents in the trash.
func TestPurgeTrash(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, func(c *Config) { c.EmptyTrashDelay = 2 * 24 * time.Hour })
			ctx := context.Background()
			l := e.svc.Layout()
			var ids []int
			paths := map[int][]string{}
			for i := 0; i < 3; i++ {
				d := &store.Document{Title: fmt.Sprint("doc", i), Checksum: fmt.Sprint("sum", i), MimeType: "application/pdf", Created: time.Now()}
				if err := e.st.CreateDocument(ctx, d, nil); err != nil {
					t.Fatal(err)
				}
				fn := fmt.Sprintf("doc%d-%07d.pdf", i, d.ID)
				if err := e.st.SetDocumentFiles(ctx, d.ID, &fn, &fn, &fn); err != nil {
					t.Fatal(err)
				}
				op, _ := l.OriginalPath(fn)
				ap, _ := l.ArchivePath(fn)
				paths[d.ID] = []string{op, ap, l.ThumbnailPath(d.ID)}
				for _, p := range paths[d.ID] {
					if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(p), 0o640); err != nil {
						t.Fatal(err)
					}
				}
				ids = append(ids, d.ID)
			}
			if _, err := e.st.TrashDocuments(ctx, ids[:2]); err != nil {
				t.Fatal(err)
			}
			exist := func(id int, want bool) {
				t.Helper()
				for _, p := range paths[id] {
					if _, err := os.Stat(p); (err == nil) != want {
						t.Errorf("document %d: %s exists=%v, want %v", id, p, err == nil, want)
					}
				}
			}
			// The orphan sweep keeps the trashed documents' files.
			if err := e.svc.sweepOrphans(ctx, 0); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				exist(id, true)
			}
			// A day later nothing is due; three days later both are.
			if n, err := e.svc.purgeTrash(ctx, time.Now().Add(24*time.Hour)); err != nil || n != 0 {
				t.Fatalf("purge after a day: %d %v", n, err)
			}
			exist(ids[0], true)
			if n, err := e.svc.purgeTrash(ctx, time.Now().Add(3*24*time.Hour)); err != nil || n != 2 {
				t.Fatalf("purge after three days: %d %v", n, err)
			}
			exist(ids[0], false)
			exist(ids[1], false)
			exist(ids[2], true)
			if docs, err := e.st.DocumentsByIDs(ctx, ids); err != nil || len(docs) != 1 || docs[0].ID != ids[2] {
				t.Errorf("left: %+v %v", docs, err)
			}
		})
	}
}

func TestEmptyTrashDelayConfig(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want time.Duration
		bad  bool
	}{
		{map[string]string{}, 30 * 24 * time.Hour, false},
		{map[string]string{"PAPERLESS_EMPTY_TRASH_DELAY": "7"}, 7 * 24 * time.Hour, false},
		{map[string]string{"QUIRE_EMPTY_TRASH_DELAY": "3", "PAPERLESS_EMPTY_TRASH_DELAY": "7"}, 3 * 24 * time.Hour, false},
		{map[string]string{"QUIRE_EMPTY_TRASH_DELAY": "0"}, 0, true},
		{map[string]string{"QUIRE_EMPTY_TRASH_DELAY": "soon"}, 0, true},
	} {
		cfg, err := ConfigFromEnv(t.TempDir(), func(k string) string { return c.env[k] })
		if c.bad {
			if err == nil {
				t.Errorf("%v: no error", c.env)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.env, err)
		}
		if err := cfg.defaults(); err != nil {
			t.Fatal(err)
		}
		if cfg.EmptyTrashDelay != c.want {
			t.Errorf("%v: delay %v, want %v", c.env, cfg.EmptyTrashDelay, c.want)
		}
	}
}
