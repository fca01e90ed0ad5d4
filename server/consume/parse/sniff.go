package parse

import (
	"bytes"
	"unicode/utf8"
)

// MIME types Quire consumes.
const (
	MimePDF  = "application/pdf"
	MimePNG  = "image/png"
	MimeJPEG = "image/jpeg"
	MimeTIFF = "image/tiff"
	MimeGIF  = "image/gif"
	MimeWebP = "image/webp"
	MimeBMP  = "image/bmp"
	MimeText = "text/plain"
	MimeCSV  = "text/csv"
)

// SniffLen is how many leading bytes Sniff needs.
const SniffLen = 8192

// Sniff returns the MIME type of a file from its first bytes (up to
// SniffLen), like libmagic for the types Quire knows: PDF (the %PDF-
// marker within the first 1024 bytes), PNG, JPEG, TIFF, GIF, WebP, BMP,
// and text (valid UTF-8 without control characters other than
// whitespace; "text/csv" when every line has the same number of commas,
// at least one). Anything else is "application/octet-stream", or a few
// well-known container types (zip, gzip) by name.
func Sniff(head []byte) string {
	switch {
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		return MimePDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return MimePNG
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return MimeJPEG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return MimeTIFF
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return MimeGIF
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return MimeWebP
	case bytes.HasPrefix(head, []byte("BM")) && len(head) > 14 && head[6] == 0 && head[7] == 0 && head[8] == 0 && head[9] == 0:
		return MimeBMP
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "application/zip"
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		return "application/gzip"
	}
	if isText(head) {
		if isCSV(head) {
			return MimeCSV
		}
		return MimeText
	}
	return "application/octet-stream"
}

// Supported reports whether Quire can consume files of this MIME type.
func Supported(mime string) bool {
	switch mime {
	case MimePDF, MimePNG, MimeJPEG, MimeTIFF, MimeGIF, MimeWebP, MimeBMP, MimeText, MimeCSV:
		return true
	}
	return false
}

// Extension is the default file extension of a MIME type ("" if unknown).
func Extension(mime string) string {
	return map[string]string{
		MimePDF: ".pdf", MimePNG: ".png", MimeJPEG: ".jpg", MimeTIFF: ".tiff", MimeGIF: ".gif",
		MimeWebP: ".webp", MimeBMP: ".bmp", MimeText: ".txt", MimeCSV: ".csv",
	}[mime]
}

func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	// A multi-byte rune may be cut at the end of the sniffed window.
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

func isCSV(b []byte) bool {
	lines := bytes.Split(bytes.TrimRight(b, "\r\n"), []byte("\n"))
	if len(lines) < 2 {
		return false
	}
	if len(b) == SniffLen { // the last line may be cut
		lines = lines[:len(lines)-1]
	}
	n := bytes.Count(lines[0], []byte(","))
	if n == 0 {
		return false
	}
	for _, l := range lines[1:] {
		if bytes.Count(l, []byte(",")) != n {
			return false
		}
	}
	return true
}
