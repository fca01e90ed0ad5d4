package files

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// The storage path templates of paperless-ngx (NGX.md §7.2): Jinja's
// `{{ variable }}` placeholders over the variables of Format. Quire
// renders plain variables only; filters, tags (`{% … %}`) and expressions
// are refused, as an unknown variable is.

// ConvertTemplate turns paperless-ng's `{variable}` placeholders into
// `{{ variable }}`, leaving existing `{{ … }}` alone (paperless-ngx's
// convert_format_str_to_template_format): a single brace pair around a
// word, not next to another brace.
func ConvertTemplate(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '{' && (i == 0 || s[i-1] != '{') && (i+1 >= len(s) || s[i+1] != '{') {
			j := i + 1
			for j < len(s) && isWord(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '}' && (j+1 >= len(s) || s[j+1] != '}') {
				b.WriteString("{{ " + s[i+1:j] + " }}")
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ParseTemplate parses a storage path template in the `{{ variable }}`
// form (call ConvertTemplate first for the old form). Anything else
// between `{{` and `}}` than a known variable, and any `{%` or `{#`, is an
// error.
func ParseTemplate(s string) (*Format, error) {
	f := &Format{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.parts = append(f.parts, part{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "{%") || strings.HasPrefix(s[i:], "{#") {
			return nil, fmt.Errorf("template %q: only {{ variable }} placeholders are supported", s)
		}
		if !strings.HasPrefix(s[i:], "{{") {
			lit.WriteByte(s[i])
			continue
		}
		end := strings.Index(s[i+2:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("template %q: unclosed {{", s)
		}
		name := strings.TrimSpace(s[i+2 : i+2+end])
		p := part{field: name}
		if k := strings.IndexByte(name, '['); k >= 0 && strings.HasSuffix(name, "]") {
			p.field, p.key = name[:k], strings.Trim(name[k+1:len(name)-1], `"'`)
			if p.field != "tags" || p.key == "" {
				return nil, fmt.Errorf("template %q: unknown variable %q", s, name)
			}
		} else if !fields[name] || name == "tags" {
			return nil, fmt.Errorf("template %q: unknown variable %q", s, name)
		}
		flush()
		f.parts = append(f.parts, p)
		i += 2 + end + 1
	}
	flush()
	return f, nil
}

// Template errors of CheckTemplate.
var (
	ErrTemplateVariable = errors.New("Invalid variable detected.")
	ErrTemplateOutside  = errors.New("The path must stay inside the media folder (no absolute path, no \"..\").")
	ErrTemplateEmpty    = errors.New("The path must not be empty.")
)

// CheckTemplate converts a storage path template to the `{{ variable }}`
// form, parses it and renders it for a sample document. It returns the
// converted template, or ErrTemplateVariable (it does not parse),
// ErrTemplateOutside (it renders absolute or with a ".." segment, so it
// would leave the media folder) or ErrTemplateEmpty (it renders nothing).
func CheckTemplate(s string) (string, error) {
	conv := ConvertTemplate(s)
	f, err := ParseTemplate(conv)
	if err != nil {
		return "", ErrTemplateVariable
	}
	asn := 12345
	sample := FormatData{ID: 1, Title: "Sample Title", Correspondent: "Sample Correspondent", DocumentType: "Sample Type",
		Tags: []string{"Test Tag 1", "Another Test Tag"}, Created: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC),
		Added: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), Ext: ".pdf", ASN: &asn, OriginalName: "original_file.pdf"}
	out := strings.TrimSpace(f.render(sample))
	if out == "" || strings.Trim(out, "/ ") == "" {
		return "", ErrTemplateEmpty
	}
	if strings.HasPrefix(out, "/") || strings.HasPrefix(out, `\`) || filepath.IsAbs(out) || filepath.VolumeName(out) != "" {
		return "", ErrTemplateOutside
	}
	for _, seg := range strings.FieldsFunc(out, func(r rune) bool { return r == '/' || r == '\\' }) {
		if strings.TrimSpace(seg) == ".." {
			return "", ErrTemplateOutside
		}
	}
	return conv, nil
}
