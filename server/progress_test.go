package server

import (
	"strings"
	"testing"
)

// TestProgressBar checks the bar written to a file or pipe: a line each
// tenth, an estimate while it runs and the time taken at the end.
func TestProgressBar(t *testing.T) {
	var out strings.Builder
	p := newProgressBar(&out, "indexing")
	for done := 0; done <= 1000; done += 50 {
		p.update(done, 1000)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want one a tenth:\n%s", len(lines), out.String())
	}
	if !strings.Contains(lines[4], "500/1000 documents ( 50%)") || !strings.Contains(lines[4], "ETA ") {
		t.Errorf("halfway: %q", lines[4])
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "1000/1000 documents (100%)") || !strings.Contains(last, "done in ") || strings.Contains(last, "ETA") {
		t.Errorf("at the end: %q", last)
	}
	if got := counted(1, "saved view") + ", " + counted(0, "tag") + ", " + counted(3, "document type"); got != "1 saved view, 0 tags, 3 document types" {
		t.Errorf("counted: %q", got)
	}
}
