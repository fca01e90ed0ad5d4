package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/storetest"
)

// The migration benchmarks (docs/benchmarks.md, "Migration"):
//
//	go test -run '^$' -bench 'Benchmark(Import|Export)$' -benchtime 1x ./server/transfer/
//	go test -run '^$' -bench 'Benchmark(Import|Export)NGX$' -benchtime 1x ./server/transfer/
//
// Each import or export runs in a child process (this test binary, run
// again with QUIRE_TRANSFER_CHILD set), so its peak RSS is the child's
// alone (the child's own VmHWM): what the
// `quire import` process would need. QUIRE_TRANSFER_NOINDEX=1 leaves the
// search index out of the import, to see what the index costs.

const benchDocs = 10000

var words = strings.Fields(`invoice contract insurance bank account transfer amount due date payment
	tax office electricity water rent landlord tenant salary employer pension health doctor receipt
	order delivery customer number reference period total net gross vat fee interest loan credit
	statement balance quarter annual report meeting notice letter policy claim premium deposit`)

// benchPDF is a small one-page PDF, different per n.
func benchPDF(n int, what string) []byte {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (Document %d %s) Tj ET", n, what)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// benchExport writes a paperless-ng 1.x export of n documents into dir.
func benchExport(tb testing.TB, dir string, n int) { benchExportAs(tb, dir, n, false) }

// benchExportAs writes a paperless-ng 1.x export, or with ngx a
// paperless-ngx 3.x one: metadata.json, SHA-256 checksums, created as a
// date, owners, a tag tree, WebP-named thumbnails, and per document a
// note and a custom field value (which Quire counts as skipped until it
// has them), plus content types and permissions.
func benchExportAs(tb testing.TB, dir string, n int, ngx bool) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 40, 56))
	for y := range 56 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 4), 200, 255})
		}
	}
	var thumb bytes.Buffer
	png.Encode(&thumb, img)
	f, err := os.Create(filepath.Join(dir, ManifestName))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	f.WriteString("[\n")
	write := func(v any) {
		if err := enc.Encode(v); err != nil {
			tb.Fatal(err)
		}
		f.WriteString(",\n")
	}
	owner := 1
	if ngx {
		os.WriteFile(filepath.Join(dir, metadataName), []byte(`{"version": "3.0.5"}`), 0o640)
		for i, ct := range ngxContentTypes {
			write(recordOut{Model: modelContentType, PK: i + 1, Fields: ngxContentType{AppLabel: ct[0], Model: ct[1]}})
		}
		write(recordOut{Model: modelUser, PK: 1, Fields: userOut{Username: "admin", Password: "!", IsActive: true, IsSuperuser: true, DateJoined: "2020-01-01T00:00:00Z", Groups: []int{}, UserPermissions: []int{}}})
		write(recordOut{Model: modelCustomField, PK: 1, Fields: map[string]any{"name": "Amount", "data_type": "monetary", "created": "2020-01-01T00:00:00Z", "extra_data": map[string]any{}}})
	}
	for i := 1; i <= 20; i++ {
		if ngx {
			var parent *int
			if i > 10 {
				p := i - 10
				parent = &p
			}
			write(recordOut{Model: modelCorrespondent, PK: i, Fields: ngxMatching{Name: fmt.Sprintf("Correspondent %d", i), MatchingAlgorithm: 1, IsInsensitive: true}})
			write(recordOut{Model: modelTag, PK: i, Fields: ngxTag{ngxMatching: ngxMatching{Owner: &owner, Name: fmt.Sprintf("Tag %d", i), MatchingAlgorithm: 1, IsInsensitive: true}, Color: "#a6cee3", TNParent: parent}})
			write(recordOut{Model: modelDocumentType, PK: i, Fields: ngxMatching{Name: fmt.Sprintf("Type %d", i), MatchingAlgorithm: 1, IsInsensitive: true}})
			continue
		}
		write(recordOut{Model: modelCorrespondent, PK: i, Fields: matchingOut{Name: fmt.Sprintf("Correspondent %d", i), MatchingAlgorithm: 1, IsInsensitive: true}})
		write(recordOut{Model: modelTag, PK: i, Fields: tagOut{Name: fmt.Sprintf("Tag %d", i), MatchingAlgorithm: 1, IsInsensitive: true, Colour: 1 + i%13}})
		write(recordOut{Model: modelDocumentType, PK: i, Fields: matchingOut{Name: fmt.Sprintf("Type %d", i), MatchingAlgorithm: 1, IsInsensitive: true}})
	}
	md5hex := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
	if ngx {
		md5hex = func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	}
	for i := 1; i <= n; i++ {
		var content strings.Builder
		for content.Len() < 2000 {
			content.WriteString(words[rng.IntN(len(words))])
			content.WriteByte(' ')
		}
		orig, arch := benchPDF(i, "original"), benchPDF(i, "archive")
		base := fmt.Sprintf("2021-01-01 Document %d.pdf", i)
		thumbName := base + "-thumbnail.png"
		if ngx {
			thumbName = fmt.Sprintf("2021-01-01 Document %d-thumbnail.webp", i)
		}
		for name, data := range map[string][]byte{base: orig, base + "-archive.pdf": arch, thumbName: thumb.Bytes()} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o640); err != nil {
				tb.Fatal(err)
			}
		}
		corr, typ := 1+i%20, 1+i%20
		as := md5hex(arch)
		created := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 6 * time.Hour)
		if ngx {
			write(recordOut{Model: modelDocument, PK: i, File: base, Archive: base + "-archive.pdf", Thumbnail: thumbName,
				Fields: ngxDocument{Owner: &owner, Correspondent: &corr, DocumentType: &typ, Title: fmt.Sprintf("Document %d", i), Content: content.String(),
					MimeType: "application/pdf", Checksum: md5hex(orig), ArchiveChecksum: &as, Created: created.Format(time.DateOnly),
					Modified: formatTime(created), Added: formatTime(created), Tags: []int{1 + i%20, 1 + (i/20)%20}}})
			write(recordOut{Model: modelNote, PK: i, Fields: map[string]any{"note": "checked", "created": formatTime(created), "document": i, "user": 1}})
			write(recordOut{Model: modelCustomFieldVal, PK: i, Fields: map[string]any{"document": i, "field": 1, "value_monetary": "EUR10.00", "created": formatTime(created)}})
			continue
		}
		write(recordOut{Model: modelDocument, PK: i, File: base, Archive: base + "-archive.pdf", Thumbnail: thumbName,
			Fields: documentOut{Correspondent: &corr, DocumentType: &typ, Title: fmt.Sprintf("Document %d", i), Content: content.String(),
				MimeType: "application/pdf", Checksum: md5hex(orig), ArchiveChecksum: &as, Created: formatTime(created),
				Modified: formatTime(created), Added: formatTime(created), StorageType: "unencrypted", Tags: []int{1 + i%20, 1 + (i/20)%20}}})
	}
	if ngx {
		enc.Encode(recordOut{Model: modelUISettings, PK: 1, Fields: map[string]any{"user": 1, "settings": map[string]any{}}})
		f.WriteString("]\n")
		return
	}
	enc.Encode(recordOut{Model: modelUser, PK: 1, Fields: userOut{Username: "admin", Password: "!", IsActive: true, DateJoined: "2020-01-01T00:00:00Z", Groups: []int{}, UserPermissions: []int{}}})
	f.WriteString("]\n")
}

// TestBenchChild is the child process of the benchmarks; it does nothing
// in an ordinary test run.
func TestBenchChild(t *testing.T) {
	mode := os.Getenv("QUIRE_TRANSFER_CHILD")
	if mode == "" {
		t.Skip("benchmark child only")
	}
	ctx := context.Background()
	data := os.Getenv("QUIRE_TRANSFER_DATA")
	st, err := store.Open(ctx, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	layout := files.Layout{Media: filepath.Join(data, "media")}
	start := time.Now()
	n := 0
	switch mode {
	case "import":
		eng, err := bleve.Open(filepath.Join(data, "index"), bleve.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		opt := Options{Media: layout, Indexer: index.New(st, eng, nil)}
		if os.Getenv("QUIRE_TRANSFER_NOINDEX") != "" {
			opt.Indexer = nil
		}
		rep, err := Import(ctx, st, os.Getenv("QUIRE_TRANSFER_DIR"), opt)
		if err != nil || len(rep.Failed) > 0 {
			t.Fatalf("import: %v %v", err, rep.Failed)
		}
		if c, _ := eng.Count(ctx); c != rep.Documents && opt.Indexer != nil {
			t.Fatalf("indexed %d of %d", c, rep.Documents)
		}
		n = rep.Documents
	case "export":
		rep, err := Export(ctx, st, os.Getenv("QUIRE_TRANSFER_DIR"), Options{Media: layout, NGX: os.Getenv("QUIRE_TRANSFER_NGX") != ""})
		if err != nil || len(rep.Failed) > 0 {
			t.Fatalf("export: %v %v", err, rep.Failed)
		}
		n = rep.Documents
	}
	fmt.Printf("CHILD docs=%d seconds=%f hwm_mb=%f\n", n, time.Since(start).Seconds(), storetest.PeakRSSMB())
}

// childRun is what runChild measured of one child.
type childRun struct {
	rate, rssMiB float64
	cpu          time.Duration // user + system time of the whole child
}

// runChild runs one import or export in a child process and returns the
// documents per second, its peak RSS in MiB and its CPU time (steadier
// than the rate on a shared machine).
func runChild(b *testing.B, mode, data, dir string) childRun {
	args := []string{"-test.run=^TestBenchChild$", "-test.v"}
	if prof := os.Getenv("QUIRE_TRANSFER_CPUPROFILE"); prof != "" {
		// A CPU profile of the child (the import or export itself).
		args = append(args, "-test.cpuprofile="+prof+"."+mode)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "QUIRE_TRANSFER_CHILD="+mode, "QUIRE_TRANSFER_DATA="+data, "QUIRE_TRANSFER_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s child: %v\n%s", mode, err, out)
	}
	rep := storetest.ChildReport(out)
	docs, secs, hwm := int(rep["docs"]), rep["seconds"], rep["hwm_mb"]
	if docs != benchDocs {
		b.Fatalf("%s child handled %d documents:\n%s", mode, docs, out)
	}
	return childRun{rate: float64(docs) / secs, rssMiB: hwm, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// BenchmarkImport imports an export of 10,000 documents (2 KB of text,
// a one-page PDF original and archive version and a thumbnail each) into
// SQLite and the embedded index.
func BenchmarkImport(b *testing.B) {
	export := b.TempDir()
	benchExport(b, export, benchDocs)
	b.ResetTimer()
	reportChild(b, func() childRun { return runChild(b, "import", b.TempDir(), export) })
}

// BenchmarkImportNGX imports a paperless-ngx 3.x export of 10,000
// documents (as BenchmarkImport's, with SHA-256 checksums, owners, a tag
// tree, a note and a custom field value each).
func BenchmarkImportNGX(b *testing.B) {
	export := b.TempDir()
	benchExportAs(b, export, benchDocs, true)
	b.ResetTimer()
	reportChild(b, func() childRun { return runChild(b, "import", b.TempDir(), export) })
}

// BenchmarkExportNGX exports that archive in paperless-ngx 3.x's format
// (SHA-256 computed on the way).
func BenchmarkExportNGX(b *testing.B) {
	export := b.TempDir()
	benchExportAs(b, export, benchDocs, true)
	data := b.TempDir()
	runChild(b, "import", data, export)
	b.Setenv("QUIRE_TRANSFER_NGX", "1")
	b.ResetTimer()
	reportChild(b, func() childRun { return runChild(b, "export", data, b.TempDir()) })
}

// BenchmarkExport exports the same archive (imported first, untimed).
func BenchmarkExport(b *testing.B) {
	export := b.TempDir()
	benchExport(b, export, benchDocs)
	data := b.TempDir()
	runChild(b, "import", data, export)
	b.ResetTimer()
	reportChild(b, func() childRun { return runChild(b, "export", data, b.TempDir()) })
}

// reportChild runs b.N children and reports the last one's rate and CPU
// per document, and the highest peak RSS.
func reportChild(b *testing.B, run func() childRun) {
	var last childRun
	rss := 0.0
	for range b.N {
		last = run()
		rss = max(rss, last.rssMiB)
	}
	b.ReportMetric(last.rate, "docs/s")
	b.ReportMetric(rss, "peak-RSS-MiB")
	b.ReportMetric(float64(last.cpu.Microseconds())/1000/benchDocs, "cpu-ms/doc")
}
