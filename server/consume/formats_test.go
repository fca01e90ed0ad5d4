package consume

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/quirehq/quire/server/consume/fixture"
)

// pdfPages returns the page count pdfinfo reports.
func pdfPages(t testing.TB, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v: %s", path, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo: pages %q", v)
			}
			return n
		}
	}
	t.Fatalf("pdfinfo printed no page count: %s", out)
	return 0
}

// checkThumbnail asserts a document's thumbnail is a PNG of the first
// page, 500 px wide.
func checkThumbnail(t testing.TB, e *env, id int) {
	t.Helper()
	b, err := os.ReadFile(e.svc.Layout().ThumbnailPath(id))
	if err != nil {
		t.Fatalf("thumbnail: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 500 || cfg.Height <= cfg.Width {
		t.Errorf("thumbnail is not a 500 px wide portrait PNG: %+v %v", cfg, err)
	}
}

// TestConsumeMultiPageTIFF consumes a three-page TIFF (Ghostscript's
// tiffg4 output of a three-page PDF): the archive version has every page
// and the content the text of each.
func TestConsumeMultiPageTIFF(t *testing.T) {
	requireOCR(t)
	fixture.RequireTools(t, "gs")
	words := []string{"Lighthouse keeper", "Harbour master", "Ferry captain"}
	var pages [][]string
	for i, w := range words {
		pages = append(pages, []string{"Page " + strconv.Itoa(i+1) + " of the logbook", w})
	}
	tif := fixture.TIFF(t, fixture.Pages(28, pages...), 200)
	e := newEnv(t, "sqlite", nil)
	e.run(t)
	task := e.wait(t, e.submit(t, "logbook.tif", tif).UUID)
	doc := mustSucceed(t, e, task)
	if doc.MimeType != "image/tiff" || doc.ArchiveFilename == nil {
		t.Fatalf("mime %s archive %v", doc.MimeType, deref(doc.ArchiveFilename))
	}
	ap, _ := e.svc.Layout().ArchivePath(*doc.ArchiveFilename)
	if n := pdfPages(t, ap); n != len(words) {
		t.Errorf("archive has %d pages, want %d", n, len(words))
	}
	content := strings.ToLower(doc.Content)
	for _, w := range words {
		if !strings.Contains(content, strings.ToLower(w)) {
			t.Errorf("content lacks %q: %q", w, doc.Content)
		}
	}
	checkThumbnail(t, e, doc.ID)
}

// TestConsumeWebP consumes a WebP (cwebp's encoding of a rendered page):
// OCR'd text, a PDF/A archive version and a PNG thumbnail.
func TestConsumeWebP(t *testing.T) {
	requireOCR(t)
	fixture.RequireTools(t, "cwebp")
	page := fixture.Gray(fixture.Render(t, fixture.PDF(28, "Quarterly report", "Lighthouse keeper"), 300))
	webp := fixture.WebP(t, page)
	e := newEnv(t, "sqlite", nil)
	e.run(t)
	doc := mustSucceed(t, e, e.wait(t, e.submit(t, "page.webp", webp).UUID))
	if doc.MimeType != "image/webp" || deref(doc.Filename) != "0000001.webp" || doc.ArchiveFilename == nil || doc.ArchiveChecksum == nil {
		t.Fatalf("mime %s filename %s archive %v", doc.MimeType, deref(doc.Filename), deref(doc.ArchiveFilename))
	}
	if !strings.Contains(strings.ToLower(doc.Content), "lighthouse keeper") {
		t.Errorf("OCR content %q", doc.Content)
	}
	ap, _ := e.svc.Layout().ArchivePath(*doc.ArchiveFilename)
	b, err := os.ReadFile(ap)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) || !bytes.Contains(b, []byte("pdfaid")) {
		t.Errorf("archive is not a PDF/A: %v", err)
	}
	if n := pdfPages(t, ap); n != 1 {
		t.Errorf("archive has %d pages", n)
	}
	orig, _ := e.svc.Layout().OriginalPath(*doc.Filename)
	if b, err := os.ReadFile(orig); err != nil || !bytes.Equal(b, webp) {
		t.Errorf("original not kept as uploaded: %v", err)
	}
	checkThumbnail(t, e, doc.ID)
	f, err := e.svc.Open(context.Background(), doc, true)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if f.MimeType != "image/webp" || !strings.HasSuffix(f.Name, ".webp") {
		t.Errorf("original download %s %s", f.Name, f.MimeType)
	}
}
