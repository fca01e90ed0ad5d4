package consume

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ParseTransforms reads PAPERLESS_FILENAME_PARSE_TRANSFORMS: a JSON list
// of {"pattern": <Python regex>, "repl": <replacement with \1 or \g<1>>}.
func ParseTransforms(s string) ([]Transform, error) {
	var raw []struct {
		Pattern string `json:"pattern"`
		Repl    string `json:"repl"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON list of {\"pattern\", \"repl\"}: %w", err)
	}
	var out []Transform
	for _, r := range raw {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", r.Pattern, err)
		}
		repl := regexp.MustCompile(`\\g<(\w+)>|\\(\d+)`).ReplaceAllString(strings.ReplaceAll(r.Repl, "$", "$$"), "$${$1$2}")
		out = append(out, Transform{Pattern: re, Repl: repl})
	}
	return out, nil
}

// CleanFilename reduces a client-supplied file name to its base name the
// way Django's upload handling does (everything up to the last / or \
// dropped, HTML entities unescaped, spaces trimmed, at most 255
// characters keeping the extension) and validates it (§10.1): it returns
// false for a name that is empty, contains \ / : * ? " < > | or a control
// character, ends with a space or dot, or is a reserved device name.
func CleanFilename(name string) (string, bool) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(html.UnescapeString(name))
	if utf8.RuneCountInString(name) > 255 {
		ext := filepath.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:255-utf8.RuneCountInString(ext)]) + ext
	}
	if !utf8.ValidString(name) || name == "" || strings.HasSuffix(name, " ") || strings.HasSuffix(name, ".") {
		return name, false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			return name, false
		}
	}
	base := strings.ToUpper(strings.TrimSpace(strings.SplitN(name, ".", 2)[0]))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return name, false
	}
	return name, true
}

// safeName turns any name into one safe for a single path segment.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '_'
		}
		return r
	}, filepath.Base(name))
	name = strings.Trim(name, ". ")
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	if name == "" {
		name = "file"
	}
	return name
}

// ignoredFile reports whether a consume-folder entry is hidden or
// temporary (editors, browsers, sync tools) and must not be taken.
func ignoredFile(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasSuffix(name, "~") {
		return true
	}
	for _, suf := range []string{".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".swx", ".filepart", ".!sync", ".ds_store"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	return lower == "thumbs.db" || lower == "desktop.ini" || strings.HasPrefix(lower, "@eadir")
}

// titleFromFilename applies the parse transforms and the "<DATE> - title"
// convention to a file name without its extension.
func (s *Service) titleFromFilename(name string) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	for _, t := range s.cfg.FilenameParseTransforms {
		if t.Pattern.MatchString(base) {
			base = t.Pattern.ReplaceAllString(base, t.Repl)
			break
		}
	}
	return base
}

// truncateTitle keeps at most 127 characters (1.x truncation).
func truncateTitle(t string) string {
	if r := []rune(t); len(r) > 127 {
		return string(r[:127])
	}
	return t
}

func randomID() string { return strings.ToLower(rand.Text()) }
