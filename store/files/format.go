package files

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
)

// FormatData is what a filename format can refer to.
type FormatData struct {
	ID            int
	Title         string
	Correspondent string // "" when none
	DocumentType  string // "" when none
	Tags          []string
	Created       time.Time
	Added         time.Time
	Ext           string // with the dot: ".pdf"
	ASN           *int   // archive serial number
	OriginalName  string // the name it was uploaded under
}

// Format is a parsed file-name template: PAPERLESS_FILENAME_FORMAT's
// Python str.format syntax (ParseFormat) or a paperless-ngx storage path's
// `{{ variable }}` syntax (ParseTemplate), both rendered by Filename. The
// placeholders: {title}, {correspondent}, {document_type}, {created},
// {created_year}, {created_year_short}, {created_month},
// {created_month_name}, {created_month_name_short}, {created_day}, the
// same six for {added…}, {asn}, {doc_pk}, {original_name},
// {tags[<index>]}, {tags[<key>]} and {tag_list}. In the str.format
// syntax {{ and }} are literal braces. A "/" creates sub-folders.
type Format struct {
	parts []part
}

type part struct {
	literal string
	field   string // "" for a literal
	key     string // tags[key]
}

var fields = map[string]bool{
	"title": true, "correspondent": true, "document_type": true, "tag_list": true, "tags": true,
	"created": true, "created_year": true, "created_month": true, "created_day": true,
	"added": true, "added_year": true, "added_month": true, "added_day": true,
	"created_year_short": true, "created_month_name": true, "created_month_name_short": true,
	"added_year_short": true, "added_month_name": true, "added_month_name_short": true,
	"asn": true, "doc_pk": true, "original_name": true,
}

// ParseFormat parses a filename format. An error (unknown placeholder,
// unbalanced brace, format spec) means: warn and use the default names.
func ParseFormat(s string) (*Format, error) {
	f := &Format{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, fmt.Errorf("filename format %q: single '}'", s)
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("filename format %q: unclosed '{'", s)
			}
			spec := s[i+1 : i+end]
			i += end
			p := part{field: spec}
			if k := strings.IndexByte(spec, '['); k >= 0 && strings.HasSuffix(spec, "]") {
				p.field, p.key = spec[:k], spec[k+1:len(spec)-1]
				if p.field != "tags" || p.key == "" {
					return nil, fmt.Errorf("filename format %q: bad placeholder {%s}", s, spec)
				}
			} else if !fields[spec] || spec == "tags" {
				return nil, fmt.Errorf("filename format %q: unknown placeholder {%s}", s, spec)
			}
			if lit.Len() > 0 {
				f.parts = append(f.parts, part{literal: lit.String()})
				lit.Reset()
			}
			f.parts = append(f.parts, p)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		f.parts = append(f.parts, part{literal: lit.String()})
	}
	return f, nil
}

// DefaultFilename is a document's file name without a format: its id in
// seven digits plus the extension (0000042.pdf).
func DefaultFilename(id int, ext string) string { return fmt.Sprintf("%07d%s", id, ext) }

// Filename returns the storage file name of d, relative to the originals
// (or archive) folder: "<formatted>-<id 7 digits><ext>", each path
// segment cleaned so the name stays inside its folder. A nil format, or
// one that formats to nothing, gives DefaultFilename.
func (f *Format) Filename(d FormatData) string {
	if f == nil {
		return DefaultFilename(d.ID, d.Ext)
	}
	var segs []string
	for _, seg := range strings.Split(f.render(d), "/") {
		seg = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\\' || r == 0 || r < 0x20 {
				return '-'
			}
			return r
		}, seg))
		if seg == "" || seg == "." || seg == ".." {
			continue
		}
		segs = append(segs, seg)
	}
	if len(segs) == 0 {
		return DefaultFilename(d.ID, d.Ext)
	}
	name := filepath.Join(segs...)
	return fmt.Sprintf("%s-%07d%s", name, d.ID, d.Ext)
}

// render fills the placeholders in, without any cleaning.
func (f *Format) render(d FormatData) string {
	var b strings.Builder
	for _, p := range f.parts {
		if p.field == "" {
			b.WriteString(p.literal)
			continue
		}
		b.WriteString(d.value(p))
	}
	return b.String()
}

func (d FormatData) value(p part) string {
	none := "none"
	text := func(s string) string {
		if s == "" {
			return none
		}
		if v := store.Slugify(s); v != "" {
			return v
		}
		return none
	}
	date := func(t time.Time, layout string) string {
		if t.IsZero() {
			return none
		}
		return t.Format(layout)
	}
	switch p.field {
	case "title":
		return text(d.Title)
	case "correspondent":
		return text(d.Correspondent)
	case "document_type":
		return text(d.DocumentType)
	case "tag_list":
		var out []string
		for _, t := range d.Tags {
			out = append(out, store.Slugify(t))
		}
		return strings.Join(out, ",")
	case "created":
		return date(d.Created, "2006-01-02")
	case "created_year":
		return date(d.Created, "2006")
	case "created_month":
		return date(d.Created, "01")
	case "created_day":
		return date(d.Created, "02")
	case "added":
		return date(d.Added, "2006-01-02")
	case "added_year":
		return date(d.Added, "2006")
	case "added_month":
		return date(d.Added, "01")
	case "added_day":
		return date(d.Added, "02")
	case "created_year_short":
		return date(d.Created, "06")
	case "created_month_name":
		return date(d.Created, "January")
	case "created_month_name_short":
		return date(d.Created, "Jan")
	case "added_year_short":
		return date(d.Added, "06")
	case "added_month_name":
		return date(d.Added, "January")
	case "added_month_name_short":
		return date(d.Added, "Jan")
	case "asn":
		if d.ASN == nil {
			return none
		}
		return strconv.Itoa(*d.ASN)
	case "doc_pk":
		return fmt.Sprintf("%07d", d.ID)
	case "original_name":
		return text(strings.TrimSuffix(d.OriginalName, filepath.Ext(d.OriginalName)))
	case "tags":
		return tagValue(d.Tags, p.key)
	}
	return none
}

// tagValue is paperless's many_to_dictionary lookup: by index, or by the
// part of a tag name before its first "_" (else "-"), giving the part after.
func tagValue(tags []string, key string) string {
	if i, err := strconv.Atoi(key); err == nil {
		if i >= 0 && i < len(tags) {
			return store.Slugify(tags[i])
		}
		return "none"
	}
	for _, t := range tags {
		d := strings.IndexByte(t, '_')
		if d < 0 {
			d = strings.IndexByte(t, '-')
		}
		if d < 0 {
			continue
		}
		if store.Slugify(t[:d]) == key {
			return store.Slugify(t[d+1:])
		}
	}
	return "none"
}
