package parse

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
)

// MetadataEntry is one metadata value of a file, as 1.x's
// /api/documents/<pk>/metadata/ lists it.
type MetadataEntry struct {
	Namespace *string `json:"namespace"`
	Prefix    *string `json:"prefix"`
	Key       string  `json:"key"`
	Value     string  `json:"value"`
}

const (
	nsDC  = "http://purl.org/dc/elements/1.1/"
	nsXMP = "http://ns.adobe.com/xap/1.0/"
	nsPDF = "http://ns.adobe.com/pdf/1.3/"
	nsRDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
)

// docinfoXMP maps PDF information dictionary keys (as pdfinfo names them)
// to their XMP equivalents, used when a PDF has no XMP packet.
var docinfoXMP = map[string][3]string{
	"Title":        {nsDC, "dc", "title"},
	"Author":       {nsDC, "dc", "creator"},
	"Subject":      {nsDC, "dc", "description"},
	"Keywords":     {nsPDF, "pdf", "Keywords"},
	"Creator":      {nsXMP, "xmp", "CreatorTool"},
	"Producer":     {nsPDF, "pdf", "Producer"},
	"CreationDate": {nsXMP, "xmp", "CreateDate"},
	"ModDate":      {nsXMP, "xmp", "ModifyDate"},
}

// Metadata returns a file's metadata: for a PDF its XMP properties (or,
// without XMP, its information dictionary under the XMP names); for other
// types an empty list.
func Metadata(ctx context.Context, tools Inspector, path, mime string) ([]MetadataEntry, error) {
	out := []MetadataEntry{}
	if mime != MimePDF {
		return out, nil
	}
	info, xmpData, err := tools.PDFInfo(ctx, path)
	if err != nil {
		return nil, err
	}
	if len(xmpData) > 0 {
		if entries := parseXMP(xmpData); len(entries) > 0 {
			return entries, nil
		}
	}
	for _, k := range []string{"Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"} {
		if v, ok := info[k]; ok && v != "" {
			m := docinfoXMP[k]
			ns, prefix := m[0], m[1]
			out = append(out, MetadataEntry{Namespace: &ns, Prefix: &prefix, Key: m[2], Value: v})
		}
	}
	return out, nil
}

var xmlnsRE = regexp.MustCompile(`xmlns:([A-Za-z0-9_.-]+)\s*=\s*["']([^"']+)["']`)

// parseXMP lists the simple and array properties of the rdf:Description
// elements of an XMP packet; array items are joined with ", ".
func parseXMP(data []byte) []MetadataEntry {
	prefixes := map[string]string{}
	for _, m := range xmlnsRE.FindAllSubmatch(data, -1) {
		prefixes[string(m[2])] = string(m[1])
	}
	entry := func(space, local, value string) MetadataEntry {
		ns, prefix := space, prefixes[space]
		e := MetadataEntry{Key: local, Value: strings.TrimSpace(value)}
		if ns != "" {
			e.Namespace = &ns
		}
		if prefix != "" {
			e.Prefix = &prefix
		}
		return e
	}
	var out []MetadataEntry
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, descDepth := 0, -1
	var prop *xml.Name
	var values []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Space == nsRDF && t.Name.Local == "Description":
				descDepth = depth
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || a.Name.Space == "" || a.Name.Space == nsRDF || a.Name.Local == "xmlns" {
						continue
					}
					out = append(out, entry(a.Name.Space, a.Name.Local, a.Value))
				}
			case descDepth > 0 && depth == descDepth+1:
				n := t.Name
				prop, values = &n, nil
				text.Reset()
			case prop != nil && t.Name.Space == nsRDF && t.Name.Local == "li":
				text.Reset()
			}
		case xml.CharData:
			if prop != nil {
				text.Write(t)
			}
		case xml.EndElement:
			switch {
			case prop != nil && t.Name.Space == nsRDF && t.Name.Local == "li":
				values = append(values, strings.TrimSpace(text.String()))
				text.Reset()
			case prop != nil && depth == descDepth+1:
				v := strings.TrimSpace(text.String())
				if len(values) > 0 {
					v = strings.Join(values, ", ")
				}
				out = append(out, entry(prop.Space, prop.Local, v))
				prop = nil
			case depth == descDepth:
				descDepth = -1
			}
			depth--
		}
	}
	return out
}
