package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/searchtest"
	"github.com/quirehq/quire/store/search/typesense"
	"github.com/quirehq/quire/store/storetest"
)

var aliasSeq atomic.Int64

// engines returns the search engines to test: bleve always, Typesense
// when TEST_TYPESENSE_URL is set (a failure under CI=true otherwise).
func engines(t *testing.T) []string {
	if os.Getenv("TEST_TYPESENSE_URL") != "" {
		return []string{"bleve", "typesense"}
	}
	if os.Getenv("CI") == "true" {
		t.Error("TEST_TYPESENSE_URL is not set: CI must test Typesense")
	} else {
		t.Log("Typesense skipped: TEST_TYPESENSE_URL is not set")
	}
	return []string{"bleve"}
}

func openEngine(t testing.TB, name string, st *store.Store) search.Engine {
	t.Helper()
	var e search.Engine
	var err error
	switch name {
	case "bleve":
		e, err = bleve.Open(t.TempDir(), bleve.Options{})
	case "typesense":
		alias := fmt.Sprintf("quire_transfer_%d_%d", time.Now().UnixNano(), aliasSeq.Add(1))
		e, err = typesense.Open(context.Background(), typesense.Config{URL: os.Getenv("TEST_TYPESENSE_URL"),
			APIKey: os.Getenv("TEST_TYPESENSE_API_KEY"), Alias: alias, StatsDir: t.TempDir(), Contents: st.DocumentContents})
	}
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() {
		e.Close()
		if ts, ok := e.(*typesense.Engine); ok { // the server outlives the test
			ts.DropAll(context.Background())
		}
	})
	return e
}

// quire is one Quire archive under test: store, media folder, index.
type quire struct {
	st     *store.Store
	media  files.Layout
	engine search.Engine
	ix     *index.Indexer
}

func newQuire(t testing.TB, dialect, engine string) *quire {
	t.Helper()
	st := storetest.Open(t, dialect)
	e := openEngine(t, engine, st)
	return &quire{st: st, media: files.Layout{Media: t.TempDir()}, engine: e, ix: index.New(st, e, nil)}
}

func (q *quire) opts() Options {
	return Options{Media: q.media, Indexer: q.ix, Location: time.UTC, BatchSize: 2}
}

func mustImport(t *testing.T, q *quire, dir string) *ImportReport {
	t.Helper()
	rep, err := Import(context.Background(), q.st, dir, q.opts())
	if err != nil {
		t.Fatalf("import %s: %v", dir, err)
	}
	return rep
}

func mustExport(t *testing.T, q *quire, dir string) *ExportReport {
	t.Helper()
	rep, err := Export(context.Background(), q.st, dir, q.opts())
	if err != nil {
		t.Fatalf("export to %s: %v", dir, err)
	}
	if len(rep.Failed) > 0 {
		t.Fatalf("export left out %v", rep.Failed)
	}
	return rep
}

// copyDir copies a fixture so a test may change it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o750)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o640)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// each runs fn for every database and search engine under test.
func each(t *testing.T, fn func(t *testing.T, dialect, engine string)) {
	for _, d := range storetest.Dialects(t) {
		for _, e := range engines(t) {
			t.Run(d+"/"+e, func(t *testing.T) { fn(t, d, e) })
		}
	}
}

func TestImport1x(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		q := newQuire(t, dialect, engine)
		rep := mustImport(t, q, "../../testdata/paperless-export-1.x")
		if len(rep.Failed) > 0 || rep.Documents != 3 || rep.Total != 3 || rep.Users != 2 || rep.Tags != 3 ||
			rep.Correspondents != 2 || rep.DocumentTypes != 1 || rep.SavedViews != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if len(rep.Warnings) != 0 || len(rep.Skipped) != 1 || rep.Skipped[0].Model != "paperless_mail.mailaccount" || rep.Skipped[0].Count != 1 {
			t.Errorf("warnings = %v, skipped = %v, want the mail account skipped", rep.Warnings, rep.Skipped)
		}
		if rep.Format != FormatNG1 {
			t.Errorf("format = %q, want %q", rep.Format, FormatNG1)
		}
		d, err := q.st.Document(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Title != "Invoice 2021-03" || *d.CorrespondentID != 1 || *d.DocumentTypeID != 3 || *d.ArchiveSerialNumber != 17 ||
			d.OriginalFilename != "scan_0001.pdf" || d.MimeType != "application/pdf" || *d.Filename != "0000001.pdf" ||
			*d.ArchiveFilename != "0000001.pdf" || d.ArchiveChecksum == nil {
			t.Errorf("document 1 = %+v", d)
		}
		if want := time.Date(2021, 3, 2, 10, 11, 12, 345e6, time.UTC); !d.Modified.Equal(want) {
			t.Errorf("modified = %v, want %v", d.Modified, want)
		}
		sum, _, err := files.MD5File(filepath.Join(q.media.Originals(), "0000001.pdf"))
		if err != nil || sum != d.Checksum {
			t.Errorf("stored original: %s %v, want %s", sum, err, d.Checksum)
		}
		for _, p := range []string{filepath.Join(q.media.Archive(), "0000001.pdf"), q.media.ThumbnailPath(1), filepath.Join(q.media.Originals(), "0000005.txt"), q.media.ThumbnailPath(5)} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("stored file: %v", err)
			}
		}
		tags, err := q.st.TagIDsByDocuments(ctx, []int{1, 2, 5})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tags[1], []int{2, 1}) || !slices.Equal(tags[2], []int{7}) || len(tags[5]) != 0 {
			t.Errorf("tags = %v", tags)
		}
		inbox, err := q.st.Tag(ctx, 1)
		if err != nil || inbox.Color != "#e31a1c" || !inbox.IsInboxTag || inbox.MatchingAlgorithm != store.MatchAuto {
			t.Errorf("tag 1 = %+v, %v", inbox, err)
		}
		c, err := q.st.Correspondent(ctx, 4)
		if err != nil || c.Match != `Stadtwerke \d+` || c.MatchingAlgorithm != store.MatchRegex || c.IsInsensitive {
			t.Errorf("correspondent 4 = %+v, %v", c, err)
		}
		// Users log in with their paperless passwords.
		u, err := q.st.UserByUsername(ctx, "jonas")
		if err != nil || u.ID != 3 || u.FirstName != "Jonas" {
			t.Fatalf("user jonas = %+v, %v", u, err)
		}
		if ok, rehash, err := auth.VerifyPassword("hunter22", u.Password); !ok || !rehash || err != nil {
			t.Errorf("verify imported password: ok=%v rehash=%v err=%v", ok, rehash, err)
		}
		// paperless-ng let every user do everything: Quire's default set.
		if acc, err := q.st.UsersAccess(ctx, []int{3}); err != nil || !slices.Equal(acc[3].Direct, slices.Sorted(slices.Values(store.DefaultPermissions()))) {
			t.Errorf("jonas's permissions = %+v, %v", acc[3], err)
		}
		v, err := q.st.SavedView(ctx, 1, 2)
		if err != nil || v.Name != "Inbox of ACME" || !v.ShowOnDashboard || !v.SortReverse || *v.SortField != "created" {
			t.Errorf("saved view 2 = %+v, %v", v, err)
		}
		rules, err := q.st.SavedViewRulesByViews(ctx, []int{2})
		if err != nil || len(rules[2]) != 2 || rules[2][0].RuleType != 3 || *rules[2][0].Value != "1" || rules[2][1].Value != nil {
			t.Errorf("rules = %+v, %v", rules, err)
		}
		// Searchable, and new objects get fresh ids after the imported ones.
		if got := searchtest.Hits(t, q.engine, "invoice"); !slices.Equal(got, []int{1}) {
			t.Errorf("search invoice = %v", got)
		}
		if got := searchtest.Hits(t, q.engine, "electricity"); !slices.Equal(got, []int{2}) {
			t.Errorf("search electricity = %v", got)
		}
		tag, err := q.st.CreateTag(ctx, store.TagInput{Name: ptr("New")})
		if err != nil || tag.ID != 8 {
			t.Errorf("new tag = %+v, %v; want id 8", tag, err)
		}
		nu := &store.User{Username: "new", Password: "!", IsActive: true}
		if err := q.st.CreateUser(ctx, nu); err != nil || nu.ID != 4 {
			t.Errorf("new user id %d, %v; want 4", nu.ID, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestImport09(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		q := newQuire(t, dialect, engine)
		rep := mustImport(t, q, "../../testdata/paperless-export-0.9")
		if len(rep.Failed) > 0 || len(rep.Warnings) > 0 || rep.Documents != 2 || rep.Correspondents != 1 || rep.Tags != 1 || rep.DocumentTypes != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if rep.Format != FormatNG09 {
			t.Errorf("format = %q, want %q", rep.Format, FormatNG09)
		}
		d, err := q.st.Document(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if d.Title != "Contract" || *d.CorrespondentID != 2 || *d.ArchiveSerialNumber != 4 || d.ArchiveFilename == nil || d.OriginalFilename != "" {
			t.Errorf("document 3 = %+v", d)
		}
		if want := time.Date(2020, 11, 1, 10, 0, 0, 250e6, time.UTC); !d.Added.Equal(want) {
			t.Errorf("added = %v, want %v", d.Added, want)
		}
		r, err := q.st.Document(ctx, 9)
		if err != nil || r.ArchiveFilename != nil || r.ArchiveChecksum != nil {
			t.Errorf("document 9 = %+v, %v", r, err)
		}
		tag, err := q.st.Tag(ctx, 1)
		if err != nil || tag.Color != "#33a02c" {
			t.Errorf("tag 1 = %+v, %v", tag, err)
		}
		if got := searchtest.Hits(t, q.engine, "landlord"); !slices.Equal(got, []int{3}) {
			t.Errorf("search landlord = %v", got)
		}
	})
}

// manifestSet reads a manifest as a set of canonical JSON entries.
func manifestSet(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		c, _ := json.Marshal(e) // map keys come out sorted
		out = append(out, string(c))
	}
	sort.Strings(out)
	return out
}

func TestRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		a := newQuire(t, dialect, engine)
		mustImport(t, a, "../../testdata/paperless-export-1.x")
		// Something Quire-made too: a document without archive version.
		dir1, dir2 := t.TempDir(), t.TempDir()
		rep := mustExport(t, a, dir1)
		if rep.Documents != 3 || rep.Total != 3 {
			t.Fatalf("export report = %+v", rep)
		}
		b := newQuire(t, dialect, engine)
		irep := mustImport(t, b, dir1)
		if len(irep.Failed) > 0 || len(irep.Warnings) > 0 || irep.Documents != 3 {
			t.Fatalf("import of the export: %+v", irep)
		}
		mustExport(t, b, dir2)
		m1, m2 := manifestSet(t, dir1), manifestSet(t, dir2)
		if !slices.Equal(m1, m2) {
			t.Errorf("manifests differ:\n%s\n---\n%s", strings.Join(m1, "\n"), strings.Join(m2, "\n"))
		}
		// The files are the same as well.
		for _, name := range []string{"2021-03-01 ACME GmbH Invoice 2021-03.pdf", "2021-03-01 ACME GmbH Invoice 2021-03.pdf-archive.pdf", "2020-12-24 notes.txt-thumbnail.png"} {
			x, err1 := os.ReadFile(filepath.Join(dir1, name))
			y, err2 := os.ReadFile(filepath.Join(dir2, name))
			if err1 != nil || err2 != nil || string(x) != string(y) {
				t.Errorf("%s: %v %v, equal=%v", name, err1, err2, string(x) == string(y))
			}
		}
		if got := searchtest.Hits(t, b.engine, "invoice"); !slices.Equal(got, []int{1}) {
			t.Errorf("search after round trip = %v", got)
		}
		// An export of 1.x keys: what paperless-ng's importer requires.
		var entries []map[string]any
		raw, _ := os.ReadFile(filepath.Join(dir1, ManifestName))
		json.Unmarshal(raw, &entries)
		for _, e := range entries {
			if e["model"] != modelDocument {
				continue
			}
			for _, k := range []string{keyFile, keyThumbnail} {
				if _, err := os.Stat(filepath.Join(dir1, e[k].(string))); err != nil {
					t.Errorf("%s: %v", k, err)
				}
			}
		}
		if n, _ := b.st.CountDocuments(ctx); n != 3 {
			t.Errorf("documents = %d", n)
		}
	})
}

// TestExportOfMissingFiles checks that an export leaves out a document
// whose stored file is missing, with none of its files, and that an
// export into the folder of an earlier one copies only what changed.
func TestExportOfMissingFiles(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		q := newQuire(t, dialect, engine)
		mustImport(t, q, "../../testdata/paperless-export-1.x")
		d, err := q.st.Document(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		archive, _ := q.media.ArchivePath(*d.ArchiveFilename)
		if err := os.Rename(archive, archive+".away"); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		rep, err := Export(ctx, q.st, dir, q.opts())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Documents != 2 || len(rep.Failed) != 1 || !strings.HasPrefix(rep.Failed[0].Object, "document 2 ") ||
			!strings.Contains(rep.Failed[0].Reason, "missing") {
			t.Fatalf("report = %+v", rep)
		}
		names, _ := filepath.Glob(filepath.Join(dir, "*Stadtwerke*"))
		if len(names) > 0 {
			t.Errorf("files of the document left out: %v", names)
		}
		if m := strings.Join(manifestSet(t, dir), "\n"); strings.Contains(m, "Electricity bill") || !strings.Contains(m, "ACME GmbH Invoice") {
			t.Errorf("manifest:\n%s", m)
		}
		// Again, with the file back: the files already there are not
		// copied again (one stands in with other bytes, of the same size
		// and time), the missing ones are.
		if err := os.Rename(archive+".away", archive); err != nil {
			t.Fatal(err)
		}
		kept := filepath.Join(dir, "2021-03-01 ACME GmbH Invoice 2021-03.pdf")
		fi, err := os.Stat(kept)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(kept, bytes.Repeat([]byte("x"), int(fi.Size())), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(kept, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		if rep := mustExport(t, q, dir); rep.Documents != 3 {
			t.Errorf("second export = %+v", rep)
		}
		if b, _ := os.ReadFile(kept); !bytes.Equal(b, bytes.Repeat([]byte("x"), int(fi.Size()))) {
			t.Errorf("a file of the earlier export was copied again")
		}
		if _, err := os.Stat(filepath.Join(dir, "2021-01-15 Stadtwerke Electricity bill.pdf-archive.pdf")); err != nil {
			t.Errorf("the archive version back in storage: %v", err)
		}
	})
}

func TestCorruptAndMissingFiles(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		dir := copyDir(t, "../../testdata/paperless-export-1.x")
		// Document 1's original is corrupt; document 2's archive is missing.
		if err := os.WriteFile(filepath.Join(dir, "2021-03-01 ACME GmbH Invoice 2021-03.pdf"), []byte("%PDF-1.4 broken"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, "2021-01-15 Stadtwerke Electricity bill.pdf-archive.pdf")); err != nil {
			t.Fatal(err)
		}
		q := newQuire(t, dialect, engine)
		rep, err := Import(ctx, q.st, dir, q.opts())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Documents != 1 || len(rep.Failed) != 2 {
			t.Fatalf("report = %+v", rep)
		}
		if f := rep.Failed[0]; !strings.HasPrefix(f.Object, "document 1 ") || !strings.Contains(f.Reason, "corrupt") {
			t.Errorf("failure 0 = %v", f)
		}
		if f := rep.Failed[1]; !strings.HasPrefix(f.Object, "document 2 ") || !strings.Contains(f.Reason, "missing") {
			t.Errorf("failure 1 = %v", f)
		}
		for _, id := range []int{1, 2} {
			if _, err := q.st.Document(ctx, id); store.ErrorCode(err) != store.NotFound {
				t.Errorf("document %d: %v, want NotFound", id, err)
			}
			if _, err := os.Stat(q.media.ThumbnailPath(id)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("thumbnail of the failed document %d left in storage: %v", id, err)
			}
		}
		if got := searchtest.Hits(t, q.engine, "notes"); !slices.Equal(got, []int{5}) {
			t.Errorf("search = %v", got)
		}
		// Repaired, the import is run again and takes just the two.
		fix := copyDir(t, "../../testdata/paperless-export-1.x")
		rep = mustImport(t, q, fix)
		if rep.Documents != 2 || rep.AlreadyPresent != 1 || len(rep.Failed) > 0 {
			t.Errorf("second run = %+v", rep)
		}
	})
}

func TestUnknownFields(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		dir := copyDir(t, "../../testdata/paperless-export-0.9")
		var entries []map[string]any
		raw, _ := os.ReadFile(filepath.Join(dir, ManifestName))
		if err := json.Unmarshal(raw, &entries); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			e["__exported_something_new__"] = "x"
			e["fields"].(map[string]any)["owner"] = 1
			e["fields"].(map[string]any)["custom_fields"] = []any{map[string]any{"a": 1}}
		}
		entries = append(entries, map[string]any{"model": "documents.storagepath", "pk": 1, "fields": map[string]any{"name": "x", "path": "{title}"}})
		raw, _ = json.Marshal(entries)
		os.WriteFile(filepath.Join(dir, ManifestName), raw, 0o640)
		q := newQuire(t, dialect, engine)
		rep := mustImport(t, q, dir)
		// An owner makes it an ngx export: user 1 is not in it.
		if rep.Documents != 2 || len(rep.Failed) > 0 || len(rep.Warnings) != 5 || !strings.Contains(rep.Warnings[0].Reason, "user 1") {
			t.Errorf("report = %+v", rep)
		}
		if rep.StoragePaths != 1 || len(rep.Skipped) != 0 {
			t.Errorf("storage paths %d, skipped %v: want the storage path imported", rep.StoragePaths, rep.Skipped)
		}
	})
}

func TestResume(t *testing.T) {
	each(t, func(t *testing.T, dialect, engine string) {
		ctx := context.Background()
		q := newQuire(t, dialect, engine)
		// The import dies after the first batch's files are placed in the
		// second batch, before its rows are committed.
		o := q.opts()
		o.BatchSize = 1
		stop := errors.New("power cut")
		o.beforeCommit = func(n int) error {
			if n == 1 {
				return stop
			}
			return nil
		}
		if _, err := Import(ctx, q.st, "../../testdata/paperless-export-1.x", o); !errors.Is(err, stop) {
			t.Fatalf("interrupted import: %v", err)
		}
		if n, _ := q.st.CountDocuments(ctx); n != 1 {
			t.Fatalf("documents after the interruption = %d, want 1", n)
		}
		// Cancelled from outside (SIGINT), between batches, too: after
		// skipping document 1 and importing document 2.
		cctx, cancel := context.WithCancel(ctx)
		o = q.opts()
		o.BatchSize = 1
		o.Progress = func(done, total int) {
			if done == 2 {
				cancel()
			}
		}
		if _, err := Import(cctx, q.st, "../../testdata/paperless-export-1.x", o); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled import: %v", err)
		}
		if n, _ := q.st.CountDocuments(ctx); n != 2 {
			t.Fatalf("documents after the cancellation = %d, want 2", n)
		}
		rep := mustImport(t, q, "../../testdata/paperless-export-1.x")
		if rep.Documents != 1 || rep.AlreadyPresent != 2 || len(rep.Failed) > 0 || rep.Users != 0 || rep.Tags != 0 {
			t.Errorf("resumed report = %+v", rep)
		}
		if n, _ := q.st.CountDocuments(ctx); n != 3 {
			t.Errorf("documents = %d, want 3", n)
		}
		users, _ := q.st.AllUsers(ctx)
		views, _ := q.st.AllSavedViews(ctx)
		rules, _ := q.st.AllSavedViewRules(ctx)
		if len(users) != 2 || len(views) != 1 || len(rules) != 2 {
			t.Errorf("users %d, views %d, rules %d: duplicates", len(users), len(views), len(rules))
		}
		for _, w := range []string{"invoice", "electricity", "notes"} {
			if got := searchtest.Hits(t, q.engine, w); len(got) != 1 {
				t.Errorf("search %s = %v", w, got)
			}
		}
		// No temporary files are left in storage.
		filepath.WalkDir(q.media.Media, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".import-") {
				t.Errorf("left over: %s", p)
			}
			return nil
		})
	})
}

func TestConflict(t *testing.T) {
	ctx := context.Background()
	q := newQuire(t, "sqlite", "bleve")
	if _, err := q.st.CreateTag(ctx, store.TagInput{Name: ptr("Bank")}); err != nil {
		t.Fatal(err)
	}
	_, err := Import(ctx, q.st, "../../testdata/paperless-export-1.x", q.opts())
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "Bank") {
		t.Errorf("import into a used archive: %v", err)
	}
	if n, _ := q.st.CountDocuments(ctx); n != 0 {
		t.Errorf("documents = %d", n)
	}
}

func TestExistingAdminKept(t *testing.T) {
	ctx := context.Background()
	q := newQuire(t, "sqlite", "bleve")
	admin := &store.User{Username: "Admin", Password: auth.HashPassword("new"), IsActive: true, IsSuperuser: true}
	if err := q.st.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	rep := mustImport(t, q, "../../testdata/paperless-export-1.x")
	if rep.Users != 1 || len(rep.Failed) > 0 {
		t.Fatalf("report = %+v", rep)
	}
	// jonas (export id 3) keeps his id; the view of export user 1 goes to the existing admin.
	if _, err := q.st.SavedView(ctx, admin.ID, 2); err != nil {
		t.Errorf("saved view of admin: %v", err)
	}
	u, err := q.st.UserByUsername(ctx, "admin")
	if err != nil || u.ID != admin.ID {
		t.Errorf("admin = %+v, %v", u, err)
	}
	if ok, _, _ := auth.VerifyPassword("new", u.Password); !ok {
		t.Error("the existing admin's password was replaced")
	}
}
