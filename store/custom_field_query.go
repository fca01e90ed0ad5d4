package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The limits paperless-ngx puts on a custom_field_query (NGX.md §8.3).
const (
	maxCustomFieldQueryDepth = 10
	maxCustomFieldQueryAtoms = 20
)

// checkCustomFieldQuery walks a decoded custom_field_query expression the
// way paperless-ngx's parser does and adds its first problem to fe under
// "customFieldQuery", nested by position ("customFieldQuery/1/0" is the
// first expression of an AND's list). Atoms name a custom field by id or
// name; no custom field exists yet, so every atom names an unknown one.
func checkCustomFieldQuery(fe FieldErrors, expr any) {
	w := cfqWalker{}
	if path, msg := w.expr(expr, "customFieldQuery"); msg != "" {
		fe.Add(path, msg)
	}
}

type cfqWalker struct{ depth, atoms int }

// expr checks one expression: [op, args] or [field, op, value]. It
// returns where the first problem is and what it is ("" when none).
func (w *cfqWalker) expr(e any, path string) (string, string) {
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > maxCustomFieldQueryDepth {
		return path, "Maximum nesting depth exceeded."
	}
	list, ok := e.([]any)
	switch {
	case ok && len(list) == 2:
		return w.logical(list[0], list[1], path)
	case ok && len(list) == 3:
		return w.atom(list[0], path)
	}
	return path, "Invalid custom field query expression"
}

// logical checks ["NOT", expr], ["AND", [expr, …]] and ["OR", [expr, …]].
func (w *cfqWalker) logical(op, args any, path string) (string, string) {
	name, _ := op.(string)
	switch strings.ToLower(name) {
	case "not":
		return w.expr(args, path+"/1")
	case "and", "or":
	default:
		return path + "/0", fmt.Sprintf("Invalid logical operator %s", pyRepr(op))
	}
	list, ok := args.([]any)
	if !ok || len(list) == 0 {
		return path + "/1", "Invalid expression list. Must be nonempty."
	}
	for i, e := range list {
		if p, msg := w.expr(e, path+"/1/"+strconv.Itoa(i)); msg != "" {
			return p, msg
		}
	}
	return "", ""
}

// atom checks [field, op, value]: the field must exist.
func (w *cfqWalker) atom(field any, path string) (string, string) {
	w.atoms++
	if w.atoms > maxCustomFieldQueryAtoms {
		return path, "Maximum number of query conditions exceeded."
	}
	return path + "/0", fmt.Sprintf("%s is not a valid custom field.", pyRepr(field))
}

// pyRepr writes a decoded JSON value as Python's repr() shows it in
// paperless's messages: 'name', 12, True, None, […].
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return pyStringRepr(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// pyStringRepr quotes s as Python's repr of a str: single quotes unless s
// holds a single quote and no double quote.
func pyStringRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case !unicode.IsPrint(r):
			switch {
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
