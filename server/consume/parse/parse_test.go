package parse

import (
	"testing"
	"time"
)

func TestFindDate(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		text, order, want, str string
	}{
		{"Invoice dated 12.03.2021 total", "DMY", "2021-03-12", "12.03.2021"},
		{"Invoice dated 03/12/2021 total", "MDY", "2021-03-12", "03/12/2021"},
		{"Date: 2021-03-12 here", "DMY", "2021-03-12", "2021-03-12"},
		{"ISO 2021-03-12 here", "DMY", "", ""}, // "ISO 2021" is a "Month YYYY" candidate the parser rejects; the search goes on after it, as finditer does
		{"Berlin, 5. März 2020", "DMY", "2020-03-05", "5. März 2020"},
		{"on 5 March 19", "DMY", "2019-03-05", "5 March 19"},
		{"Dated March 5, 2020.", "DMY", "2020-03-05", "March 5, 2020"},
		{"Statement for August 2019", "DMY", "2019-08-01", "August 2019"},
		{"first 1.1.1800 then 02.02.2002", "DMY", "2002-02-02", "02.02.2002"},
		{"far future 01.01.2099 then 03.03.2003", "DMY", "2003-03-03", "03.03.2003"},
		{"invalid 31.02.2020 then 01.03.2020", "DMY", "2020-03-01", "01.03.2020"},
		{"glued 12.03.2021x then 13.03.2021", "DMY", "2021-03-13", "13.03.2021"},
		{"underscore 12.03.2021_x", "DMY", "2021-03-12", "12.03.2021"},
	}
	for _, c := range cases {
		got, ok := FindDate(c.text, c.order, now, time.UTC)
		if c.want == "" {
			if ok {
				t.Errorf("FindDate(%q) = %v, want none", c.text, got.Date)
			}
			continue
		}
		if !ok || got.Date.Format("2006-01-02") != c.want || got.String != c.str {
			t.Errorf("FindDate(%q) = %v %q %v, want %s %q", c.text, got.Date, got.String, ok, c.want, c.str)
		}
	}
	if _, ok := FindDate("no date here, 12345", "DMY", now, time.UTC); ok {
		t.Error("found a date in text without one")
	}
}

func TestFilenameTitleDate(t *testing.T) {
	title, d, ok := FilenameTitleDate("20200102Z - Notes")
	if !ok || title != "Notes" || !d.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got %q %v %v", title, d, ok)
	}
	title, d, ok = FilenameTitleDate("20200102030405Z - A - B")
	if !ok || title != "A - B" || !d.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("got %q %v %v", title, d, ok)
	}
	if title, _, ok := FilenameTitleDate("Acme - Invoice"); ok || title != "Acme - Invoice" {
		t.Errorf("got %q %v", title, ok)
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]string{
		"%PDF-1.7\n":                      MimePDF,
		"\n\n%PDF-1.4 after junk":         MimePDF,
		"\x89PNG\r\n\x1a\nrest":           MimePNG,
		"\xff\xd8\xff\xe0JFIF":            MimeJPEG,
		"II*\x00rest":                     MimeTIFF,
		"MM\x00*rest":                     MimeTIFF,
		"GIF89a rest":                     MimeGIF,
		"RIFF\x00\x00\x00\x00WEBPVP8 ":    MimeWebP,
		"PK\x03\x04":                      "application/zip",
		"hello world\nsecond line\n":      MimeText,
		"a,b,c\n1,2,3\n4,5,6\n":           MimeCSV,
		"Grüße aus Köln":                  MimeText,
		"\x00\x01\x02binary":              "application/octet-stream",
		"name.pdf is not sniffed by name": MimeText,
	}
	for in, want := range cases {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPostProcess(t *testing.T) {
	if got := PostProcess("  a   b \n   c\t\td  \f\n"); got != "a b \nc d" /* like Python: only the last line loses trailing spaces */ {
		t.Errorf("got %q", got)
	}
}

func TestParseXMP(t *testing.T) {
	x := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Producer="Quire"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Hello</rdf:li></rdf:Alt></dc:title></rdf:Description>
</rdf:RDF></x:xmpmeta>`
	got := parseXMP([]byte(x))
	want := []string{"pdf:Producer=Quire", "dc:format=application/pdf", "dc:title=Hello"}
	if len(got) != len(want) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for i, e := range got {
		if s := *e.Prefix + ":" + e.Key + "=" + e.Value; s != want[i] {
			t.Errorf("entry %d = %s, want %s", i, s, want[i])
		}
	}
}
