package files

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	d := FormatData{ID: 42, Title: "Invoice 11/2020", Correspondent: "ACME GmbH", Tags: []string{"Bank", "type_Invoice"},
		Created: time.Date(2020, 11, 30, 0, 0, 0, 0, time.UTC), Added: time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC), Ext: ".pdf"}
	cases := []struct{ format, want string }{
		{"{correspondent}/{title}", "acme-gmbh/invoice-112020-0000042.pdf"},
		{"{created_year}/{created_month}/{created_day} {added}", "2020/11/30 2021-01-02-0000042.pdf"},
		{"{tags[0]}-{tags[type]}-{tags[5]}-{document_type}", "bank-invoice-none-none-0000042.pdf"},
		{"{{literal}} {tag_list}", "{literal} bank,type_invoice-0000042.pdf"},
		{"../../{title}", "invoice-112020-0000042.pdf"},
		{"/abs/{title}", "abs/invoice-112020-0000042.pdf"},
	}
	for _, c := range cases {
		f, err := ParseFormat(c.format)
		if err != nil {
			t.Errorf("%s: %v", c.format, err)
			continue
		}
		if got := f.Filename(d); got != c.want {
			t.Errorf("%s: got %s, want %s", c.format, got, c.want)
		}
	}
	for _, bad := range []string{"{unknown}", "{title", "title}", "{tags}", "{created:%Y}"} {
		if _, err := ParseFormat(bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
	var none *Format
	if got := none.Filename(d); got != "0000042.pdf" {
		t.Errorf("default %s", got)
	}
}

func TestWithin(t *testing.T) {
	for _, bad := range []string{"", "../x", "/etc/passwd", "a/../../x"} {
		if _, err := Within("/root", bad); !errors.Is(err, ErrOutside) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if p, err := Within("/root", "a/b.pdf"); err != nil || p != "/root/a/b.pdf" {
		t.Errorf("%s %v", p, err)
	}
}

func TestWriteAtomicAndPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "f.bin")
	w, err := WriteAtomic(p, bytes.NewReader([]byte("hello")), 0)
	if err != nil || w.Size != 5 || w.MD5 != "5d41402abc4b2a76b9719d911017c592" {
		t.Fatalf("%+v %v", w, err)
	}
	if _, err := WriteAtomic(filepath.Join(dir, "big"), bytes.NewReader(make([]byte, 11)), 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	dst := filepath.Join(dir, "placed", "g.bin")
	if err := Place(p, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "hello" {
		t.Error("placed copy differs")
	}
	if err := MoveAtomic(dst, filepath.Join(dir, "moved", "h.bin")); err != nil {
		t.Fatal(err)
	}
	RemoveEmptyDirs(dir, filepath.Join(dir, "placed"))
	if _, err := os.Stat(filepath.Join(dir, "placed")); !os.IsNotExist(err) {
		t.Error("empty folder kept")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Error("root removed")
	}
}
