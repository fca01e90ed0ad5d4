package parse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParseTextDropsNUL: a text file with NUL characters past the sniffed
// head is text/plain; its content keeps the words but not the NULs, which
// neither database stores.
func TestParseTextDropsNUL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	text := strings.Repeat("plain words\n", 1000) + "tail\x00end \xff"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	head := []byte(text[:SniffLen])
	if m := Sniff(head); m != MimeText {
		t.Fatalf("sniffed %s", m)
	}
	res, err := (&Parser{}).Parse(context.Background(), path, MimeText, dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Content, "\x00") || !utf8.ValidString(res.Content) || !strings.HasSuffix(res.Content, "tailend \uFFFD") {
		t.Errorf("content ends %q", res.Content[len(res.Content)-20:])
	}
}
