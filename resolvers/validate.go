package resolvers

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/match"
)

// Field limits, as paperless's models have them.
const (
	maxNameLen  = 128
	maxMatchLen = 256
	maxTitleLen = 128
	minASN      = -2147483648
	maxASN      = 2147483647
)

// Messages clients see; they are paperless's (Django REST framework's) texts.
const (
	msgRequired = "This field is required."
	msgBlank    = "This field may not be blank."
)

func msgTooLong(n int) string {
	return fmt.Sprintf("Ensure this field has no more than %d characters.", n)
}

// matchingInput is what correspondents, document types and tags share.
type matchingInput struct {
	Name              *string
	Match             *string
	MatchingAlgorithm *store.MatchingAlgorithm
}

// validateMatching checks name and match. create requires a name. A regular
// expression is compiled when the request sets the algorithm to REGEX
// (paperless 1.x validates only then), by match.ValidateRegex: the dialect
// the matcher uses, so what is accepted here is what matching runs.
func validateMatching(fe store.FieldErrors, in matchingInput, create bool) {
	if in.Name == nil {
		if create {
			fe.Add("name", msgRequired)
		}
	} else {
		n := strings.TrimSpace(*in.Name)
		switch {
		case n == "":
			fe.Add("name", msgBlank)
		case utf8.RuneCountInString(n) > maxNameLen:
			fe.Add("name", msgTooLong(maxNameLen))
		}
	}
	if in.Match != nil && utf8.RuneCountInString(*in.Match) > maxMatchLen {
		fe.Add("match", msgTooLong(maxMatchLen))
	}
	if in.MatchingAlgorithm != nil {
		a := *in.MatchingAlgorithm
		if a < store.MatchNone || a > store.MatchAuto {
			fe.Add("matchingAlgorithm", fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(int(a))))
		}
		if a == store.MatchRegex && in.Match != nil {
			if err := match.ValidateRegex(*in.Match); err != nil {
				fe.Add("match", "Invalid regular expression: "+regexErrorText(err))
			}
		}
	}
}

// regexErrorText strips the compiler's "error parsing regexp: " prefix.
func regexErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// trimName trims surrounding white space from a name in place.
func trimName(name *string) {
	if name != nil {
		*name = strings.TrimSpace(*name)
	}
}

func validateColor(fe store.FieldErrors, color *string) {
	if color == nil {
		return
	}
	if !hexColor.MatchString(*color) {
		fe.Add("color", "Enter a valid colour: # and six hex digits.")
	}
}

func validateDocumentUpdate(fe store.FieldErrors, u store.DocumentUpdate) {
	if u.Title != nil && utf8.RuneCountInString(*u.Title) > maxTitleLen {
		fe.Add("title", msgTooLong(maxTitleLen))
	}
	if asn, ok := u.ArchiveSerialNumber.ValueOK(); ok && asn != nil {
		if *asn > maxASN {
			fe.Add("archiveSerialNumber", fmt.Sprintf("Ensure this value is less than or equal to %d.", maxASN))
		} else if *asn < minASN {
			fe.Add("archiveSerialNumber", fmt.Sprintf("Ensure this value is greater than or equal to %d.", minASN))
		}
	}
}

func validateSavedView(fe store.FieldErrors, in store.SavedViewInput, create bool) {
	if create {
		if in.Name == nil {
			fe.Add("name", msgRequired)
		}
		if in.ShowOnDashboard == nil {
			fe.Add("showOnDashboard", msgRequired)
		}
		if in.ShowInSidebar == nil {
			fe.Add("showInSidebar", msgRequired)
		}
		if !in.FilterRules.IsSet() {
			fe.Add("filterRules", msgRequired)
		}
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" {
			fe.Add("name", msgBlank)
		} else if utf8.RuneCountInString(n) > maxNameLen {
			fe.Add("name", msgTooLong(maxNameLen))
		}
	}
	if in.FilterRules.IsSet() && in.FilterRules.Value() == nil && !create {
		// An explicit null is read as "no rules".
		return
	}
	for _, r := range in.FilterRules.Value() {
		if r.RuleType < 0 || r.RuleType > maxRuleType {
			fe.Add("filterRules", fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(r.RuleType)))
		}
	}
}

// validPage rejects nonsensical page arguments.
func pageArgs(page, pageSize *int) (store.Page, error) {
	p := store.Page{Number: 1, Size: store.DefaultPageSize}
	if page != nil {
		p.Number = *page
	}
	if pageSize != nil {
		p.Size = *pageSize
	}
	fe := store.FieldErrors{}
	if p.Number == 0 {
		fe.Add("page", "Pages count from 1 (negative pages count from the end).")
	}
	if p.Size < 1 {
		fe.Add("pageSize", "Ensure this value is greater than or equal to 1.")
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	p.Size = min(p.Size, store.MaxPageSize)
	return p, nil
}

// CheckTextArgs is a field middleware (handler.AroundFields) applying the
// text rules (store.TextProblem: no NUL, valid UTF-8) to every string in
// a field's arguments, however deep in input objects and lists, before
// the resolver runs: a VALIDATION error names each bad one by its input
// path, without the argument's name when that is an input object
// (createTag(input: {name}) → "name", documents(filter: {title:
// {icontains}}) → "title.icontains", search(query) → "query").
func CheckTextArgs(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && len(fc.Args) > 0 {
		var w textWalker
		for name, v := range fc.Args {
			rv := reflect.ValueOf(v)
			if !rv.IsValid() || !holdsText(rv.Type()) {
				continue
			}
			w.path = w.path[:0]
			if k := derefKind(rv); k != reflect.Struct && k != reflect.Map {
				w.path = append(w.path, name)
			}
			w.walk(rv, 0)
		}
		if err := w.fe.Err(); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}

// derefKind is the kind of v behind its pointers and interfaces.
func derefKind(v reflect.Value) reflect.Kind {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && !v.IsNil() {
		v = v.Elem()
	}
	return v.Kind()
}

var uploadType = reflect.TypeFor[graphql.Upload]()

// textWalker walks an argument value (gqlgen's Go types: strings,
// pointers, slices, maps, input structs, graphql.Omittable,
// graphql.Upload), visiting only what can hold text; path is the input
// path of the value being walked, joined only for an error.
type textWalker struct {
	fe   store.FieldErrors
	path []string
}

func (w *textWalker) walk(v reflect.Value, depth int) {
	if depth > 32 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if p := store.TextProblem(v.String()); p != "" {
			if w.fe == nil {
				w.fe = store.FieldErrors{}
			}
			if key := strings.Join(w.path, "."); len(w.fe[key]) == 0 {
				w.fe.Add(key, p)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		if !holdsText(v.Type().Elem()) {
			return
		}
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i), depth+1)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if k.Kind() == reflect.String {
				w.path = append(w.path, k.String())
				w.walk(k, depth+1)
			}
			w.walk(it.Value(), depth+1)
			if k.Kind() == reflect.String {
				w.path = w.path[:len(w.path)-1]
			}
		}
	case reflect.Struct:
		t := v.Type()
		if t == uploadType { // the file's name; its bytes are no text
			w.walk(v.FieldByName("Filename"), depth+1)
			return
		}
		if isOmittable(t) {
			w.walk(v.MethodByName("Value").Call(nil)[0], depth+1)
			return
		}
		for _, f := range textFields(t) {
			w.path = append(w.path, f.name)
			w.walk(v.Field(f.index), depth+1)
			w.path = w.path[:len(w.path)-1]
		}
	}
}

func isOmittable(t reflect.Type) bool {
	return t.PkgPath() == uploadType.PkgPath() && strings.HasPrefix(t.Name(), "Omittable[")
}

// textField is an exported struct field that can hold text.
type textField struct {
	index int
	name  string // its GraphQL input name
}

var (
	textFieldCache sync.Map // reflect.Type → []textField
	holdsTextCache sync.Map // reflect.Type → bool
)

// textFields lists t's exported fields that can hold text.
func textFields(t reflect.Type) []textField {
	if fs, ok := textFieldCache.Load(t); ok {
		return fs.([]textField)
	}
	var fs []textField
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && holdsText(f.Type) {
			fs = append(fs, textField{i, inputName(f)})
		}
	}
	textFieldCache.Store(t, fs)
	return fs
}

// holdsText reports whether a value of type t can contain a string.
func holdsText(t reflect.Type) bool {
	if b, ok := holdsTextCache.Load(t); ok {
		return b.(bool)
	}
	holdsTextCache.Store(t, true) // for now: a recursive type holds text if anything does
	b := computeHoldsText(t)
	holdsTextCache.Store(t, b)
	return b
}

func computeHoldsText(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsText(t.Elem())
	case reflect.Map:
		return holdsText(t.Key()) || holdsText(t.Elem())
	case reflect.Struct:
		if t == uploadType {
			return true
		}
		if isOmittable(t) {
			m, _ := t.MethodByName("Value")
			return holdsText(m.Type.Out(0))
		}
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && holdsText(f.Type) {
				return true
			}
		}
	}
	return false
}

// inputName is a struct field's GraphQL input name: its json tag (gqlgen's
// models), else the Go name with a lower-case start (gqlgen binds
// titleContent to TitleContent).
func inputName(f reflect.StructField) string {
	if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
		return tag
	}
	if strings.ToUpper(f.Name) == f.Name {
		return strings.ToLower(f.Name)
	}
	r, n := utf8.DecodeRuneInString(f.Name)
	return string(unicode.ToLower(r)) + f.Name[n:]
}
