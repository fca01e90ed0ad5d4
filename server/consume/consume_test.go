package consume

import (
	"bytes"
	"context"
	"fmt"
	"github.com/99designs/gqlgen/graphql"
	"image"
	"image/draw"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

func ptrTo[T any](v T) *T { return &v }

func TestConsumePDF(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, nil)
			ctx := context.Background()
			inbox, err := e.st.CreateTag(ctx, store.TagInput{Name: ptrTo("Inbox"), IsInboxTag: ptrTo(true)})
			if err != nil {
				t.Fatal(err)
			}
			invoice, _ := e.st.CreateTag(ctx, store.TagInput{Name: ptrTo("Invoices"), Match: ptrTo("invoice"), MatchingAlgorithm: ptrTo(store.MatchAny), IsInsensitive: ptrTo(true)})
			acme, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("ACME GmbH"), Match: ptrTo("acme"), MatchingAlgorithm: ptrTo(store.MatchAny), IsInsensitive: ptrTo(true)})
			e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("Other"), Match: ptrTo("nothing here"), MatchingAlgorithm: ptrTo(store.MatchAll), IsInsensitive: ptrTo(true)})
			bill, _ := e.st.CreateDocumentType(ctx, store.DocumentTypeInput{Name: ptrTo("Bill"), Match: ptrTo(`total:\s+\d+`), MatchingAlgorithm: ptrTo(store.MatchRegex), IsInsensitive: ptrTo(true)})
			e.run(t)

			pdf := fixture.PDF(12, "ACME GmbH, Hauptstrasse 1", "Invoice number 4711 dated 12.03.2021", "Total: 100 EUR", "Thank you for your business and have a nice day.")
			task := e.submit(t, "acme invoice.pdf", pdf)
			if !fileExists(t, filepath.Join(e.cfg.DataDir, task.FilePath)) {
				t.Fatal("Submit returned before the file was stored")
			}
			doc := mustSucceed(t, e, e.wait(t, task.UUID))
			if doc.Title != "acme invoice" || doc.MimeType != "application/pdf" || doc.OriginalFilename != "acme invoice.pdf" {
				t.Errorf("document %+v", doc)
			}
			if !strings.Contains(doc.Content, "Invoice number 4711") {
				t.Errorf("content %q", doc.Content)
			}
			if got := doc.Created.In(time.UTC).Format("2006-01-02"); got != "2021-03-12" {
				t.Errorf("created %s, want 2021-03-12", got)
			}
			if doc.CorrespondentID == nil || *doc.CorrespondentID != acme.ID || doc.DocumentTypeID == nil || *doc.DocumentTypeID != bill.ID {
				t.Errorf("correspondent %v type %v", doc.CorrespondentID, doc.DocumentTypeID)
			}
			tags, _ := e.st.TagIDsByDocuments(ctx, []int{doc.ID})
			if !slices.Contains(tags[doc.ID], inbox.ID) || !slices.Contains(tags[doc.ID], invoice.ID) {
				t.Errorf("tags %v", tags[doc.ID])
			}
			if doc.Filename == nil || *doc.Filename != fmt.Sprintf("%07d.pdf", doc.ID) || doc.ArchiveFilename != nil {
				t.Errorf("filename %v archive %v", deref(doc.Filename), deref(doc.ArchiveFilename))
			}
			orig, _ := e.svc.Layout().OriginalPath(*doc.Filename)
			if b, err := os.ReadFile(orig); err != nil || !bytes.Equal(b, pdf) {
				t.Errorf("stored original differs: %v", err)
			}
			if !fileExists(t, e.svc.Layout().ThumbnailPath(doc.ID)) {
				t.Error("no thumbnail")
			}
			if left := dirFiles(t, filepath.Join(e.cfg.DataDir, "tasks")); len(left) != 0 {
				t.Errorf("staging folder not empty: %v", left)
			}
			msgs := logMessages(t, e.st, task.UUID)
			for _, want := range []string{
				"Consuming acme invoice.pdf",
				"Parser: RasterisedDocumentParser based on mime type application/pdf",
				"Parsing acme invoice.pdf...",
				"Generating thumbnail for acme invoice.pdf...",
				"Detected document date 2021-03-12T00:00:00Z based on string 12.03.2021",
				"Saving record to database",
				"Assigning correspondent ACME GmbH to 20210312: ACME GmbH - acme invoice",
				"Assigning document type Bill to 20210312: ACME GmbH - acme invoice",
				`Tagging "20210312: ACME GmbH - acme invoice" with "invoices"`,
				"Document 20210312: ACME GmbH - acme invoice consumption finished",
			} {
				if !slices.Contains(msgs, want) {
					t.Errorf("log line %q missing from %q", want, msgs)
				}
			}

			// Download, metadata, suggestions.
			f, err := e.svc.Open(ctx, doc, false)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(f)
			f.Close()
			if !bytes.Equal(b, pdf) || f.Name != "2021-03-12 ACME GmbH acme invoice.pdf" || f.MimeType != "application/pdf" {
				t.Errorf("open: name %q mime %q", f.Name, f.MimeType)
			}
			md, err := e.svc.Metadata(ctx, doc)
			if err != nil || md.OriginalSize == nil || *md.OriginalSize != int64(len(pdf)) || md.HasArchiveVersion || md.OriginalMetadata == nil {
				t.Errorf("metadata %+v %v", md, err)
			}
			sug, err := e.svc.Suggestions(ctx, doc)
			if err != nil || !slices.Equal(sug.Correspondents, []int{acme.ID}) || !slices.Equal(sug.Tags, []int{invoice.ID}) || !slices.Equal(sug.DocumentTypes, []int{bill.ID}) {
				t.Errorf("suggestions %+v %v", sug, err)
			}

			// The same bytes again: a duplicate, rejected, stored nowhere.
			dup := e.wait(t, e.submit(t, "again.pdf", pdf).UUID)
			if dup.State != store.TaskFailed || deref(dup.StatusCode) != CodeDuplicate || deref(dup.Message) != "Not consuming again.pdf: It is a duplicate." {
				t.Errorf("duplicate: %s %s %s", dup.State, deref(dup.StatusCode), deref(dup.Message))
			}
			if dup.DocumentID == nil || *dup.DocumentID != doc.ID {
				t.Errorf("duplicate names document %v, want %d (the one it repeats)", dup.DocumentID, doc.ID)
			}
			if !slices.Contains(logMessages(t, e.st, dup.UUID), "Not consuming again.pdf: It is a duplicate.") {
				t.Error("duplicate not logged")
			}
			if n := len(dirFiles(t, e.svc.Layout().Originals())); n != 1 {
				t.Errorf("%d originals stored", n)
			}
		})
	}
}

func TestSubmitRejects(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *Config) { c.MaxUploadSize = 1000 })
	ctx := context.Background()
	pdf := fixture.PDF(12, "hello")
	cases := []struct {
		name, filename string
		body           []byte
		field, msg     string
	}{
		{"Empty", "a.pdf", nil, "document", "The submitted file is empty."},
		{"Zip", "a.zip", []byte("PK\x03\x04rest of a zip"), "document", "File type application/zip not supported"},
		{"Binary", "a.bin", []byte{0, 1, 2, 3, 0xff}, "document", "File type application/octet-stream not supported"},
		{"Suspicious", "a:b.pdf", pdf, "document", "That filename is suspicious."},
		{"Reserved", "CON.pdf", pdf, "document", "That filename is suspicious."},
		{"TrailingDot", "a.pdf.", pdf, "document", "That filename is suspicious."},
		{"Control", "a\x01.pdf", pdf, "document", "That filename is suspicious."},
		{"TooLarge", "big.pdf", append(append([]byte{}, pdf...), make([]byte, 1000)...), "document", "The file is larger than the upload limit of 1000 bytes."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Submit(ctx, Upload{Filename: c.filename, Body: bytes.NewReader(c.body)})
			if store.ErrorCode(err) != store.Validation || !slices.Contains(store.ErrorFields(err)[c.field], c.msg) {
				t.Errorf("err = %v, want %s: %s", err, c.field, c.msg)
			}
		})
	}
	t.Run("UnknownRefs", func(t *testing.T) {
		_, err := e.svc.Submit(ctx, Upload{Filename: "a.pdf", Body: bytes.NewReader(pdf), CorrespondentID: ptrTo(3456), TagIDs: []int{734563}})
		f := store.ErrorFields(err)
		if store.ErrorCode(err) != store.Validation || f["correspondentId"][0] != `Invalid pk "3456" - object does not exist.` || f["tagIds"][0] != `Invalid pk "734563" - object does not exist.` {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("PathIsStripped", func(t *testing.T) {
		task, err := e.svc.Submit(ctx, Upload{Filename: `../../etc/C:\x\passwd.pdf`, Body: bytes.NewReader(pdf)})
		if err != nil || task.OriginalFilename != "passwd.pdf" {
			t.Fatalf("%v %+v", err, task)
		}
		if !strings.HasPrefix(task.FilePath, "tasks/") {
			t.Errorf("file path %s", task.FilePath)
		}
	})
	tasks, _ := e.svc.Tasks(ctx, TaskFilter{})
	if len(tasks) != 1 {
		t.Errorf("%d tasks recorded, want only the valid one", len(tasks))
	}
	if n := len(dirFiles(t, filepath.Join(e.cfg.DataDir, "tasks"))); n != 1 {
		t.Errorf("%d files staged, want 1", n)
	}
}

func TestConsumeFailures(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, nil)
			e.run(t)
			cases := []struct {
				name string
				body []byte
				want string
			}{
				{"corrupt.pdf", []byte("%PDF-1.4\nthis is not really a pdf at all\n%%EOF\n"), "The PDF could not be read"},
				{"secret.pdf", fixture.EncryptedPDF(t, fixture.PDF(12, "Secret content that nobody may read without the password.")), "password-protected"},
			}
			for _, c := range cases {
				task := e.wait(t, e.submit(t, c.name, c.body).UUID)
				if task.State != store.TaskFailed || !strings.Contains(deref(task.Message), c.want) {
					t.Errorf("%s: state %s message %q", c.name, task.State, deref(task.Message))
					continue
				}
				if task.FailedPath == nil {
					t.Errorf("%s: no failed path", c.name)
					continue
				}
				b, err := os.ReadFile(filepath.Join(e.cfg.DataDir, *task.FailedPath))
				if err != nil || !bytes.Equal(b, c.body) {
					t.Errorf("%s: failed file not kept: %v", c.name, err)
				}
				msgs := logMessages(t, e.st, task.UUID)
				if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1], c.want) {
					t.Errorf("%s: log %q", c.name, msgs)
				}
			}
		})
	}
}

func TestToolHangsAndCrashes(t *testing.T) {
	requireOCR(t)
	scanned := scannedPDF(t, "Scanned letter from the tax office")
	for _, c := range []struct {
		name, script, want string
	}{
		{"Hang", "sleep 60", "ocrmypdf timed out"},
		{"Crash", "kill -SEGV $$", "ocrmypdf failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "sqlite", func(cfg *Config) {
				cfg.Tools.OCRMyPDF = fixture.Script(t, c.script)
				cfg.Tools.OCRTimeout = 500 * time.Millisecond
				cfg.MaxAttempts = 2
			})
			e.run(t)
			start := time.Now()
			task := e.wait(t, e.submit(t, "scan.pdf", scanned).UUID)
			if task.State != store.TaskFailed || task.Attempts != 2 || !strings.Contains(deref(task.Message), c.want) {
				t.Errorf("state %s attempts %d message %q", task.State, task.Attempts, deref(task.Message))
			}
			if time.Since(start) > 30*time.Second {
				t.Errorf("took %s: the hanging tool was not killed", time.Since(start))
			}
			if task.FailedPath == nil || !fileExists(t, filepath.Join(e.cfg.DataDir, *task.FailedPath)) {
				t.Error("failed file not kept")
			}
			msgs := logMessages(t, e.st, task.UUID)
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, "attempt 1 of 2; retrying") }) {
				t.Errorf("no retry logged: %q", msgs)
			}
		})
	}
}

// scannedPDF renders text into an image-only PDF (no text layer).
func scannedPDF(t testing.TB, lines ...string) []byte {
	img := fixture.Gray(fixture.Render(t, fixture.PDF(28, lines...), 150))
	b := img.Bounds()
	return fixture.ImagePDF(fixture.Encode(t, img, "jpeg"), b.Dx(), b.Dy())
}

func TestConsumeOCR(t *testing.T) {
	requireOCR(t)
	e := newEnv(t, "sqlite", nil)
	e.run(t)
	page := fixture.Gray(fixture.Render(t, fixture.PDF(28, "Quarterly report", "Lighthouse keeper"), 300))
	withAlpha := image.NewNRGBA(page.Bounds())
	draw.Draw(withAlpha, withAlpha.Bounds(), page, image.Point{}, draw.Src)
	inputs := []struct {
		name string
		body []byte
		mime string
	}{
		{"scan.pdf", scannedPDF(t, "Quarterly report", "Lighthouse keeper"), "application/pdf"},
		{"page.png", fixture.Encode(t, page, "png"), "image/png"},
		{"page.jpg", fixture.Encode(t, page, "jpeg"), "image/jpeg"},
		{"page.tiff", fixture.Encode(t, page, "tiff"), "image/tiff"},
		{"alpha.tiff", fixture.Encode(t, withAlpha, "tiff"), "image/tiff"},
		{"alpha.png", fixture.Encode(t, withAlpha, "png"), "image/png"},
		{"page.gif", fixture.Encode(t, page, "gif"), "image/gif"},
	}
	var ids []string
	for _, in := range inputs {
		ids = append(ids, e.submit(t, in.name, in.body).UUID)
	}
	for i, in := range inputs {
		doc := mustSucceed(t, e, e.wait(t, ids[i]))
		if !strings.Contains(strings.ToLower(doc.Content), "lighthouse keeper") {
			t.Errorf("%s: OCR content %q", in.name, doc.Content)
		}
		if doc.MimeType != in.mime || doc.ArchiveFilename == nil || doc.ArchiveChecksum == nil {
			t.Errorf("%s: mime %s archive %v", in.name, doc.MimeType, doc.ArchiveFilename)
			continue
		}
		ap, _ := e.svc.Layout().ArchivePath(*doc.ArchiveFilename)
		b, err := os.ReadFile(ap)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("%s: archive: %v", in.name, err)
		}
		if !bytes.Contains(b, []byte("pdfaid")) {
			t.Errorf("%s: archive is not PDF/A", in.name)
		}
		if !fileExists(t, e.svc.Layout().ThumbnailPath(doc.ID)) {
			t.Errorf("%s: no thumbnail", in.name)
		}
		md, _ := e.svc.Metadata(context.Background(), doc)
		if !md.HasArchiveVersion || md.ArchiveMetadata == nil || len(md.ArchiveMetadata) == 0 || (in.mime != "application/pdf" && len(md.OriginalMetadata) != 0) {
			t.Errorf("%s: metadata %+v", in.name, md)
		}
		f, err := e.svc.Open(context.Background(), doc, false)
		if err == nil {
			if f.MimeType != "application/pdf" || !strings.HasSuffix(f.Name, ".pdf") {
				t.Errorf("%s: download of archive %s %s", in.name, f.Name, f.MimeType)
			}
			f.Close()
		}
	}
}

func TestOCRModes(t *testing.T) {
	requireOCR(t)
	born := fixture.PDF(14, "Born digital document with enough text to skip OCR entirely, really.", "Second line here.")
	for _, c := range []struct {
		mode    string
		archive bool
	}{
		{"skip_noarchive", false}, {"skip", true}, {"redo", true}, {"force", true},
	} {
		t.Run(c.mode, func(t *testing.T) {
			e := newEnv(t, "sqlite", func(cfg *Config) { cfg.Parse.OCRMode = c.mode })
			e.run(t)
			doc := mustSucceed(t, e, e.wait(t, e.submit(t, "born.pdf", born).UUID))
			if (doc.ArchiveFilename != nil) != c.archive {
				t.Errorf("archive %v, want %v", doc.ArchiveFilename, c.archive)
			}
			if !strings.Contains(strings.ToLower(doc.Content), "born digital document") {
				t.Errorf("content %q", doc.Content)
			}
		})
	}
}

func TestConsumeText(t *testing.T) {
	requireOCR(t)
	e := newEnv(t, "sqlite", func(cfg *Config) { cfg.Location = time.FixedZone("X", 3600) })
	e.run(t)
	doc := mustSucceed(t, e, e.wait(t, e.submit(t, "20200102Z - Notes.txt", []byte("some notes\nwritten on 5 March 2019\n")).UUID))
	if doc.Title != "Notes" || doc.MimeType != "text/plain" || doc.Content != "some notes\nwritten on 5 March 2019" {
		t.Errorf("doc %q %q %q", doc.Title, doc.MimeType, doc.Content)
	}
	if !doc.Created.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("created %s from the file name", doc.Created)
	}
	if !fileExists(t, e.svc.Layout().ThumbnailPath(doc.ID)) {
		t.Error("no thumbnail")
	}
}

func TestFilenameFormatAndRename(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, func(c *Config) { c.FilenameFormat = "{correspondent}/{created_year}/{title}" })
			ctx := context.Background()
			acme, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("ACME"), Match: ptrTo("acme"), MatchingAlgorithm: ptrTo(store.MatchAny), IsInsensitive: ptrTo(true)})
			other, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("Other Co")})
			e.run(t)
			doc := mustSucceed(t, e, e.wait(t, e.submit(t, "My Letter.txt", []byte("letter from acme, 06.05.2021")).UUID))
			want := fmt.Sprintf("acme/2021/my-letter-%07d.txt", doc.ID)
			if deref(doc.Filename) != want {
				t.Fatalf("filename %s, want %s", deref(doc.Filename), want)
			}
			if _, err := e.st.UpdateDocument(ctx, doc.ID, store.DocumentUpdate{CorrespondentID: omit(&other.ID), Title: ptrTo("Reply")}); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Rename(ctx, doc.ID); err != nil {
				t.Fatal(err)
			}
			doc, _ = e.st.Document(ctx, doc.ID)
			want = fmt.Sprintf("other-co/2021/reply-%07d.txt", doc.ID)
			if deref(doc.Filename) != want {
				t.Errorf("renamed to %s, want %s", deref(doc.Filename), want)
			}
			got := dirFiles(t, e.svc.Layout().Originals())
			if !slices.Equal(got, []string{want}) {
				t.Errorf("originals folder %v", got)
			}
			if fileExists(t, filepath.Join(e.svc.Layout().Originals(), "acme")) {
				t.Error("emptied folder not removed")
			}
			_ = acme
		})
	}
}

func TestWatcher(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			// Two consumers share one database and one data folder.
			url := storetest.DatabaseURL(t, dialect)
			data := t.TempDir()
			var envs []*env
			for i := 0; i < 2; i++ {
				st, err := store.Open(context.Background(), store.Config{URL: url})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				svc, err := New(st, Config{DataDir: data, Poll: 50 * time.Millisecond, StableFor: 300 * time.Millisecond,
					WatchPoll: 100 * time.Millisecond, ClassifierInterval: -1, Parse: parseConfig(), Owner: fmt.Sprint("p", i)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				e := &env{st: st, svc: svc, cfg: svc.cfg}
				e.run(t)
				envs = append(envs, e)
			}
			consume := envs[0].cfg.ConsumeDir
			os.WriteFile(filepath.Join(consume, ".hidden.txt"), []byte("hidden file"), 0o600)
			os.WriteFile(filepath.Join(consume, "download.pdf.part"), []byte("partial"), 0o600)
			for i := 0; i < 6; i++ {
				os.WriteFile(filepath.Join(consume, fmt.Sprintf("note%d.txt", i)), []byte(fmt.Sprintf("note number %d", i)), 0o600)
			}
			// A file still being written is not taken until it settles.
			slow := filepath.Join(consume, "slow.txt")
			f, _ := os.Create(slow)
			for i := 0; i < 5; i++ {
				fmt.Fprintf(f, "part %d\n", i)
				time.Sleep(100 * time.Millisecond)
			}
			f.Close()
			deadline := time.Now().Add(time.Minute)
			var tasks []store.ConsumptionTask
			for time.Now().Before(deadline) {
				tasks, _ = envs[0].svc.Tasks(context.Background(), TaskFilter{States: []store.TaskState{store.TaskSuccess}})
				if len(tasks) >= 7 {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(time.Second) // a double claim would show up now
			tasks, _ = envs[0].svc.Tasks(context.Background(), TaskFilter{})
			if len(tasks) != 7 {
				t.Fatalf("%d tasks, want 7", len(tasks))
			}
			for _, task := range tasks {
				if task.State != store.TaskSuccess {
					t.Errorf("%s: %s %s", task.OriginalFilename, task.State, deref(task.Message))
				}
				if task.OriginalFilename == "slow.txt" {
					doc, _ := envs[0].st.Document(context.Background(), *task.DocumentID)
					if !strings.Contains(doc.Content, "part 4") {
						t.Errorf("slow file taken before it was complete: %q", doc.Content)
					}
				}
			}
			left := dirFiles(t, consume)
			slices.Sort(left)
			if !slices.Equal(left, []string{".hidden.txt", "download.pdf.part"}) {
				t.Errorf("consume folder holds %v", left)
			}
		})
	}
}

func TestSubscribe(t *testing.T) {
	requireOCR(t)
	e := newEnv(t, "sqlite", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := e.svc.Subscribe(ctx)
	e.run(t)
	task := e.submit(t, "a.txt", []byte("hello world"))
	var got []string
	timeout := time.After(time.Minute)
	for {
		select {
		case p := <-ch:
			if p.TaskID == nil || *p.TaskID != task.UUID {
				continue
			}
			got = append(got, fmt.Sprintf("%s %d %s", p.Status, p.CurrentProgress, deref(p.Message)))
			if p.Status == StatusSuccess {
				if p.DocumentID == nil || p.MaxProgress != 100 {
					t.Errorf("success frame %+v", p)
				}
				want := []string{"STARTING 0 new_file", "STARTING 0 new_file", "WORKING 20 parsing_document", "WORKING 90 parse_date", "WORKING 95 save_document", "SUCCESS 100 finished"}
				if !slices.Equal(got, want) {
					t.Errorf("frames %q, want %q", got, want)
				}
				return
			}
		case <-timeout:
			t.Fatalf("no success frame; got %q", got)
		}
	}
}

func omit[T any](v T) graphql.Omittable[T] { return graphql.OmittableOf(v) }

func TestClassifierAssigns(t *testing.T) {
	requireOCR(t)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, nil)
			ctx := context.Background()
			auto := ptrTo(store.MatchAuto)
			power, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("Power Co"), MatchingAlgorithm: auto})
			bank, _ := e.st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: ptrTo("Bank"), MatchingAlgorithm: auto})
			utility, _ := e.st.CreateTag(ctx, store.TagInput{Name: ptrTo("utility"), MatchingAlgorithm: auto})
			e.st.CreateTag(ctx, store.TagInput{Name: ptrTo("Inbox"), IsInboxTag: ptrTo(true)})
			for i := 0; i < 8; i++ {
				d1 := &store.Document{Title: "p", Content: fmt.Sprintf("electricity kilowatt meter reading %d", i), Checksum: fmt.Sprintf("p%d", i), CorrespondentID: &power.ID}
				d2 := &store.Document{Title: "b", Content: fmt.Sprintf("account balance statement interest %d", i), Checksum: fmt.Sprintf("b%d", i), CorrespondentID: &bank.ID}
				if err := e.st.CreateDocument(ctx, d1, []int{utility.ID}); err != nil {
					t.Fatal(err)
				}
				if err := e.st.CreateDocument(ctx, d2, nil); err != nil {
					t.Fatal(err)
				}
			}
			if ok, err := e.svc.TrainClassifier(ctx); err != nil || !ok {
				t.Fatalf("train: %v %v", ok, err)
			}
			if ok, _ := e.svc.TrainClassifier(ctx); ok {
				t.Error("retrained unchanged data")
			}
			if !fileExists(t, filepath.Join(e.cfg.DataDir, "classifier.json")) {
				t.Error("classifier not persisted")
			}
			e.run(t)
			doc := mustSucceed(t, e, e.wait(t, e.submit(t, "reading.txt", []byte("your meter reading: 1234 kilowatt")).UUID))
			if doc.CorrespondentID == nil || *doc.CorrespondentID != power.ID {
				t.Errorf("correspondent %v, want %d", doc.CorrespondentID, power.ID)
			}
			tags, _ := e.st.TagIDsByDocuments(ctx, []int{doc.ID})
			if !slices.Contains(tags[doc.ID], utility.ID) {
				t.Errorf("tags %v", tags[doc.ID])
			}
			// A restarted service loads the persisted model.
			svc2, err := New(e.st, e.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			sug, _ := svc2.Suggestions(ctx, &store.Document{Content: "interest on your account balance"})
			if !slices.Equal(sug.Correspondents, []int{bank.ID}) {
				t.Errorf("suggestions after reload %v", sug.Correspondents)
			}
		})
	}
}
