package parse_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/server/consume/parse"
)

// TestParsePageCount: a PDF's page count comes from its text layer (one
// form feed per page, empty pages included); a PNG is one page; text has
// none. Needs pdftotext and pdftoppm.
func TestParsePageCount(t *testing.T) {
	dir := t.TempDir()
	p := &parse.Parser{Tools: parse.NewExec(parse.ToolConfig{}), Config: parse.Config{OCRMode: parse.ModeSkipNoArchive}}
	words := []string{"This page has plenty of words on it, enough for the text layer to count as text."}
	for _, c := range []struct {
		name, mime string
		data       []byte
		want       int
	}{
		{"three.pdf", parse.MimePDF, fixture.Pages(12, words, words, words), 3},
		{"one.pdf", parse.MimePDF, fixture.Pages(12, words), 1},
		{"a.txt", parse.MimeText, []byte("just text"), 0},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		scratch := t.TempDir()
		res, err := p.Parse(context.Background(), path, c.mime, scratch)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Pages != c.want {
			t.Errorf("%s: %d pages, want %d", c.name, res.Pages, c.want)
		}
	}
}
