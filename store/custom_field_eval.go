package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// The operators of custom_field_query by category, and which categories
// each data type supports (paperless-ngx's CustomFieldQueryParser).
var (
	cfqBasic       = []string{"exact", "in", "isnull", "exists"}
	cfqString      = []string{"icontains", "istartswith", "iendswith"}
	cfqArithmetic  = []string{"gt", "gte", "lt", "lte", "range"}
	cfqContainment = []string{"contains"}
	cfqSupported   = map[CustomFieldDataType][][]string{
		FieldString:       {cfqBasic, cfqString},
		FieldURL:          {cfqBasic, cfqString},
		FieldDate:         {cfqBasic, cfqArithmetic},
		FieldBoolean:      {cfqBasic},
		FieldInteger:      {cfqBasic, cfqArithmetic},
		FieldFloat:        {cfqBasic, cfqArithmetic},
		FieldMonetary:     {cfqBasic, cfqString, cfqArithmetic},
		FieldDocumentLink: {cfqBasic, cfqContainment},
		FieldSelect:       {cfqBasic},
		FieldLongText:     {cfqBasic, cfqString},
	}
	cfqDateParts = map[string]bool{"year": true, "iso_year": true, "month": true, "day": true, "week": true,
		"week_day": true, "iso_week_day": true, "quarter": true}
)

// cfqCompiler translates a decoded custom_field_query into one SQL
// condition on "documents AS d". Each atom is a subquery on the field's
// values (so atoms on different fields, or on the same field under NOT,
// mean what paperless-ngx's per-atom annotations mean: "the document has
// this field with a value that satisfies the operator"); AND, OR and NOT
// combine them. The first problem found stops it, reported at its
// position as paperless-ngx reports it ("customFieldQuery/1/0/2").
//
// An atom is written one of two ways, for the planners' sake: as
// "d.id IN (SELECT document_id … value range)" — the matches read once
// from the (field_id, value_num) index, best when the query is the list's
// main restriction — or, when correlated is set because another filter
// (tags, ids) already narrows the documents to few, as "EXISTS (… WHERE
// ci.document_id = d.id …)": a probe of the (document_id, field_id) index
// per candidate, so SQLite keeps driving the page from the narrow set
// instead of walking the whole date index.
type cfqCompiler struct {
	s            *Store
	byID         map[int]*CustomField
	byName       map[string]*CustomField
	depth, atoms int
	correlated   bool
}

// cfqError is a problem at a position of the expression.
type cfqError struct{ path, msg string }

func (s *Store) newCFQCompiler(fields []CustomField) *cfqCompiler {
	c := &cfqCompiler{s: s, byID: map[int]*CustomField{}, byName: map[string]*CustomField{}}
	for i := range fields {
		c.byID[fields[i].ID] = &fields[i]
		c.byName[fields[i].Name] = &fields[i]
	}
	return c
}

// customFieldConds returns the conditions of f's custom field filters:
// the attached-field filters, the name-or-value substring and the query
// (Validation under "customFieldQuery/…" when it is not valid). narrowed
// says another restriction not in f (a tag intersection) narrows the
// documents to few (see cfqCompiler).
func (s *Store) customFieldConds(ctx context.Context, f DocumentFilter, narrowed bool) ([]cond, error) {
	var out []cond
	if cf := f.CustomFields; cf != nil {
		if ids := uniqueInts(cf.Any); len(ids) > 0 {
			out = append(out, cond{"d.id IN (SELECT ca.document_id FROM custom_field_instances AS ca WHERE ca.field_id IN (?))", []any{bun.In(ids)}})
		}
		for _, id := range uniqueInts(cf.All) {
			out = append(out, cond{"d.id IN (SELECT cl.document_id FROM custom_field_instances AS cl WHERE cl.field_id = ?)", []any{id}})
		}
		if ids := uniqueInts(cf.None); len(ids) > 0 {
			out = append(out, cond{"d.id NOT IN (SELECT cn.document_id FROM custom_field_instances AS cn WHERE cn.field_id IN (?))", []any{bun.In(ids)}})
		}
	}
	if f.HasCustomFields != nil {
		sql := "d.id IN (SELECT ch.document_id FROM custom_field_instances AS ch)"
		if !*f.HasCustomFields {
			sql = "d.id NOT IN (SELECT ch.document_id FROM custom_field_instances AS ch)"
		}
		out = append(out, cond{sql: sql})
	}
	if v := f.CustomFieldsIcontains; v != nil && *v != "" {
		name := s.containsCond("cif.name_key", true, *v)
		text := s.containsCond("cii.value_text", false, *v)
		// select values match by their option's label: the labels are in
		// the field's extra_data, which contains v then (checked in Go).
		out = append(out, cond{
			"d.id IN (SELECT cii.document_id FROM custom_field_instances AS cii JOIN custom_fields AS cif ON cif.id = cii.field_id WHERE " +
				name.sql + " OR (cif.data_type <> 'select' AND " + text.sql + ") OR (cif.data_type = 'select' AND cii.value_text IN (?)))",
			append(append(name.args, text.args...), bun.In(append(s.optionsLabelled(ctx, *v), ""))),
		})
	}
	if f.CustomFieldQuery == nil {
		return out, nil
	}
	fields, err := s.allCustomFields(ctx)
	if err != nil {
		return nil, err
	}
	comp := s.newCFQCompiler(fields)
	comp.correlated = !wideCustomFieldQuery(f, narrowed)
	c, e := comp.expr(f.CustomFieldQuery, "customFieldQuery")
	if e != nil {
		return nil, &Error{Code: Validation, Message: "invalid custom field query", Fields: map[string][]string{e.path: {e.msg}}}
	}
	return append(out, c), nil
}

// wideCustomFieldQuery reports whether f's custom_field_query is the
// list's main restriction: no ids or tags (nor, per narrowed, a tag
// intersection) narrow the documents first. Its atoms then read their
// matches from the value index, and on SQLite the page walks the date
// index (the matches are many; see docMatch.many).
func wideCustomFieldQuery(f DocumentFilter, narrowed bool) bool {
	return f.CustomFieldQuery != nil && !narrowed && len(f.IDs) == 0 &&
		(f.Tags == nil || (len(f.Tags.All) == 0 && len(f.Tags.Any) == 0))
}

// optionsLabelled returns the ids of the select options whose label
// contains v (case-insensitive).
func (s *Store) optionsLabelled(ctx context.Context, v string) []string {
	fields, err := s.allCustomFields(ctx)
	if err != nil {
		return nil
	}
	var out []string
	key := foldKey(v)
	for _, f := range fields {
		if f.DataType != FieldSelect || f.ExtraData == nil {
			continue
		}
		for _, o := range f.ExtraData.SelectOptions {
			if strings.Contains(foldKey(o.Label), key) {
				out = append(out, o.ID)
			}
		}
	}
	return out
}

func (c *cfqCompiler) expr(e any, path string) (cond, *cfqError) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxCustomFieldQueryDepth {
		return cond{}, &cfqError{path, "Maximum nesting depth exceeded."}
	}
	list, ok := e.([]any)
	switch {
	case ok && len(list) == 2:
		return c.logical(list[0], list[1], path)
	case ok && len(list) == 3:
		return c.atom(list[0], list[1], list[2], path)
	}
	return cond{}, &cfqError{path, "Invalid custom field query expression"}
}

// logical compiles ["NOT", expr], ["AND", [expr, …]] and ["OR", [expr, …]].
func (c *cfqCompiler) logical(op, args any, path string) (cond, *cfqError) {
	name, _ := op.(string)
	join := ""
	switch strings.ToLower(name) {
	case "not":
		inner, e := c.expr(args, path+"/1")
		if e != nil {
			return cond{}, e
		}
		return cond{"NOT (" + inner.sql + ")", inner.args}, nil
	case "and":
		join = " AND "
	case "or":
		join = " OR "
	default:
		return cond{}, &cfqError{path + "/0", fmt.Sprintf("Invalid logical operator %s", pyRepr(op))}
	}
	list, ok := args.([]any)
	if !ok || len(list) == 0 {
		return cond{}, &cfqError{path + "/1", "Invalid expression list. Must be nonempty."}
	}
	var sqls []string
	var all []any
	for i, e := range list {
		sub, err := c.expr(e, path+"/1/"+strconv.Itoa(i))
		if err != nil {
			return cond{}, err
		}
		sqls = append(sqls, "("+sub.sql+")")
		all = append(all, sub.args...)
	}
	return cond{"(" + strings.Join(sqls, join) + ")", all}, nil
}

// field finds the atom's field: an integer is an id, anything else a name.
func (c *cfqCompiler) field(v any) *CustomField {
	if n, ok := v.(json.Number); ok {
		if id, err := n.Int64(); err == nil {
			return c.byID[int(id)]
		}
		return nil
	}
	if f, ok := v.(float64); ok && f == float64(int(f)) {
		return c.byID[int(f)]
	}
	if s, ok := v.(string); ok {
		return c.byName[s]
	}
	return nil
}

// atom compiles [field, op, value].
func (c *cfqCompiler) atom(fieldRef, rawOp, value any, path string) (cond, *cfqError) {
	c.atoms++
	if c.atoms > maxCustomFieldQueryAtoms {
		return cond{}, &cfqError{path, "Maximum number of query conditions exceeded."}
	}
	f := c.field(fieldRef)
	if f == nil {
		return cond{}, &cfqError{path + "/0", fmt.Sprintf("%s is not a valid custom field.", pyRepr(fieldRef))}
	}
	opStr, _ := rawOp.(string)
	part, op := "", strings.ToLower(opStr)
	if i := strings.LastIndex(op, "__"); i >= 0 {
		part, op = op[:i], op[i+2:]
	}
	supported := false
	for _, cat := range cfqSupported[f.DataType] {
		for _, o := range cat {
			supported = supported || o == op
		}
	}
	if part != "" && !(f.DataType == FieldDate && cfqDateParts[part]) {
		supported = false
	}
	if _, isString := rawOp.(string); !supported || !isString {
		return cond{}, &cfqError{path + "/1", fmt.Sprintf("%s does not support query expr %s.", f.DataType, pyRepr(rawOp))}
	}
	vpath := path + "/2"
	in := func(pred string, args ...any) cond {
		args = append([]any{f.ID}, args...)
		if c.correlated {
			probe := "EXISTS (SELECT 1 FROM custom_field_instances AS ci WHERE ci.document_id = d.id AND ci.field_id = ? AND " + pred
			if c.s.IsPostgres() {
				// OFFSET 0 keeps PostgreSQL from turning the probe into a
				// semi-join that reads every match of the range.
				probe += " OFFSET 0"
			}
			return cond{probe + ")", args}
		}
		return cond{"d.id IN (SELECT ci.document_id FROM custom_field_instances AS ci WHERE ci.field_id = ? AND " + pred + ")", args}
	}
	switch op {
	case "exists":
		b, ok := value.(bool)
		if !ok {
			return cond{}, &cfqError{vpath, msgValidBoolean}
		}
		has := cond{"d.id IN (SELECT ci.document_id FROM custom_field_instances AS ci WHERE ci.field_id = ?)", []any{f.ID}}
		if !b {
			has.sql = "NOT " + has.sql
		}
		return has, nil
	case "isnull":
		b, ok := value.(bool)
		if !ok {
			return cond{}, &cfqError{vpath, msgValidBoolean}
		}
		if b {
			return in("ci.value_num IS NULL AND ci.value_text IS NULL"), nil
		}
		return in("(ci.value_num IS NOT NULL OR ci.value_text IS NOT NULL)"), nil
	case "icontains", "istartswith", "iendswith":
		s, msg := charValue(value)
		if msg != "" {
			return cond{}, &cfqError{vpath, msg}
		}
		tf := &TextFilter{}
		switch op {
		case "icontains":
			tf.Icontains = &s
		case "istartswith":
			tf.Istartswith = &s
		default:
			tf.Iendswith = &s
		}
		if s == "" { // matches every value, as LIKE '%%' does
			return in("ci.value_text IS NOT NULL"), nil
		}
		tc := c.s.textConds("ci.value_text", false, tf)[0]
		return in(tc.sql, tc.args...), nil
	case "contains":
		ids, e := listOf(value, vpath, 0, func(v any) (any, string) {
			i, ok := integer(v)
			if !ok {
				return nil, msgValidInteger
			}
			return i, ""
		})
		if e != nil {
			return cond{}, e
		}
		if len(ids) == 0 {
			return in("ci.value_text IS NOT NULL"), nil
		}
		if c.s.IsPostgres() {
			list := make([]int, len(ids))
			for i, v := range ids {
				list[i] = int(v.(int64))
			}
			return in("ci.value_text::jsonb @> ?::jsonb", idsJSON(list)), nil
		}
		var preds []string
		for range ids {
			preds = append(preds, "EXISTS (SELECT 1 FROM json_each(ci.value_text) AS je WHERE je.value = ?)")
		}
		return in("ci.value_text IS NOT NULL AND "+strings.Join(preds, " AND "), ids...), nil
	}
	// exact, in, gt, gte, lt, lte, range: on the number or the text.
	col, conv := c.comparable(f, part, op)
	var args []any
	var e *cfqError
	switch op {
	case "in":
		args, e = listOf(value, vpath, 1, conv)
	case "range":
		args, e = listOf(value, vpath, 2, conv)
	default:
		var v any
		var msg string
		if v, msg = conv(value); msg != "" {
			e = &cfqError{vpath, msg}
		}
		args = []any{v}
	}
	if e != nil {
		return cond{}, e
	}
	switch op {
	case "in":
		return in(col+" IN (?)", bun.In(args)), nil
	case "range":
		return in(col+" BETWEEN ? AND ?", args...), nil
	}
	sqlOp := map[string]string{"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
	return in(col+" "+sqlOp+" ?", args...), nil
}

// comparable returns the SQL expression an exact/in/gt/… compares for
// field f (with a date part, the part) and the converter of query values
// to its arguments.
func (c *cfqCompiler) comparable(f *CustomField, part, op string) (string, func(any) (any, string)) {
	if part != "" {
		return c.s.datePartSQL(part, "ci.value_text"), func(v any) (any, string) {
			i, ok := integer(v)
			if !ok {
				return nil, msgValidInteger
			}
			return i, ""
		}
	}
	switch f.DataType {
	case FieldInteger:
		return "ci.value_num", func(v any) (any, string) {
			i, ok := integer(v)
			if !ok {
				return nil, msgValidInteger
			}
			return float64(i), ""
		}
	case FieldFloat:
		return "ci.value_num", func(v any) (any, string) {
			if _, isBool := v.(bool); isBool {
				return nil, msgValidNumber
			}
			n, ok := number(v)
			if !ok {
				return nil, msgValidNumber
			}
			return n, ""
		}
	case FieldMonetary:
		return "ci.value_num", func(v any) (any, string) {
			var s string
			switch x := v.(type) {
			case string:
				s = x
			case json.Number:
				s = x.String()
			case float64:
				s = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				return nil, msgValidNumber
			}
			n, ok := monetaryAmount(s)
			if !ok {
				return nil, msgValidNumber
			}
			return n, ""
		}
	case FieldBoolean:
		return "ci.value_num", func(v any) (any, string) {
			b, ok := v.(bool)
			if !ok {
				return nil, msgValidBoolean
			}
			if b {
				return 1.0, ""
			}
			return 0.0, ""
		}
	case FieldDate:
		return "ci.value_num", func(v any) (any, string) {
			s, _ := v.(string)
			t, ok := parseDateValue(s)
			if !ok {
				return nil, msgDateFormat
			}
			return dayNumber(t), ""
		}
	case FieldDocumentLink:
		return "ci.value_text", func(v any) (any, string) {
			ids, e := listOf(v, "", 0, func(x any) (any, string) {
				i, ok := integer(x)
				if !ok {
					return nil, msgValidInteger
				}
				return i, ""
			})
			if e != nil {
				return nil, e.msg
			}
			list := make([]int, len(ids))
			for i, x := range ids {
				list[i] = int(x.(int64))
			}
			return idsJSON(list), ""
		}
	case FieldSelect:
		return "ci.value_text", func(v any) (any, string) {
			s, msg := charValue(v)
			if msg != "" {
				return nil, msg
			}
			if f.ExtraData != nil {
				for _, o := range f.ExtraData.SelectOptions {
					if o.Label == s {
						s = o.ID
						break
					}
				}
			}
			if len([]rune(s)) > 16 {
				return nil, "Ensure this field has no more than 16 characters."
			}
			return s, ""
		}
	}
	return "ci.value_text", func(v any) (any, string) { return charValue(v) }
}

// charValue is DRF's CharField input: a string, or a number as text.
func charValue(v any) (string, string) {
	switch x := v.(type) {
	case string:
		return x, TextProblem(x)
	case json.Number:
		return x.String(), ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), ""
	}
	return "", msgNotString
}

// listOf validates a list value (DRF's ListField): each element through
// conv; size 2 requires exactly two (range), 1 at least one, 0 any.
func listOf(v any, path string, size int, conv func(any) (any, string)) ([]any, *cfqError) {
	list, ok := v.([]any)
	if !ok {
		return nil, &cfqError{path, fmt.Sprintf("Expected a list of items but got type %q.", pyType(v))}
	}
	switch {
	case size == 2 && len(list) < 2:
		return nil, &cfqError{path, "Ensure this field has at least 2 elements."}
	case size == 2 && len(list) > 2:
		return nil, &cfqError{path, "Ensure this field has no more than 2 elements."}
	case size == 1 && len(list) == 0:
		return nil, &cfqError{path, "This list may not be empty."}
	}
	out := make([]any, len(list))
	for i, e := range list {
		x, msg := conv(e)
		if msg != "" {
			p := strconv.Itoa(i)
			if path != "" {
				p = path + "/" + p
			}
			return nil, &cfqError{p, msg}
		}
		out[i] = x
	}
	return out, nil
}

// pyType is Python's type name of a decoded JSON value.
func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "float"
		}
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case map[string]any:
		return "dict"
	}
	return "list"
}

// datePartSQL extracts a part of a "YYYY-MM-DD" text as an integer, as
// Django's date lookups define it: week and iso_year are ISO-8601's,
// week_day counts 1 (Sunday) … 7, iso_week_day 1 (Monday) … 7.
func (s *Store) datePartSQL(part, col string) string {
	if s.IsPostgres() {
		field := map[string]string{"year": "YEAR", "iso_year": "ISOYEAR", "month": "MONTH", "day": "DAY",
			"week": "WEEK", "week_day": "DOW", "iso_week_day": "ISODOW", "quarter": "QUARTER"}[part]
		expr := "CAST(EXTRACT(" + field + " FROM CAST(" + col + " AS date)) AS integer)"
		if part == "week_day" {
			expr = "(" + expr + " + 1)"
		}
		return expr
	}
	// The Thursday of the ISO week decides its year and number.
	thu := "date(" + col + ", '-3 days', 'weekday 4')"
	switch part {
	case "year":
		return "CAST(strftime('%Y', " + col + ") AS INTEGER)"
	case "month":
		return "CAST(strftime('%m', " + col + ") AS INTEGER)"
	case "day":
		return "CAST(strftime('%d', " + col + ") AS INTEGER)"
	case "quarter":
		return "((CAST(strftime('%m', " + col + ") AS INTEGER) + 2) / 3)"
	case "week_day":
		return "(CAST(strftime('%w', " + col + ") AS INTEGER) + 1)"
	case "iso_week_day":
		return "(((CAST(strftime('%w', " + col + ") AS INTEGER) + 6) % 7) + 1)"
	case "iso_year":
		return "CAST(strftime('%Y', " + thu + ") AS INTEGER)"
	}
	return "((CAST(strftime('%j', " + thu + ") AS INTEGER) - 1) / 7 + 1)" // week
}

// customFieldOrder returns the ORDER BY term and join for ordering by
// custom field id: by the number, then the text, documents without the
// field (or a value) first ascending and last descending.
func customFieldOrder(id int, dir string) (string, string) {
	alias := "ocf" + strconv.Itoa(id)
	join := "LEFT JOIN custom_field_instances AS " + alias + " ON " + alias + ".document_id = d.id AND " + alias + ".field_id = " + strconv.Itoa(id)
	return alias + ".value_num " + dir + nullsEdge(dir) + ", " + alias + ".value_text " + dir + nullsEdge(dir), join
}

// checkOrderFields is a Validation error on custom_field_<id> when an
// ordering names a custom field the caller cannot see.
func (s *Store) checkOrderFields(ctx context.Context, order []DocumentOrder) error {
	var ids []int
	for _, o := range order {
		if o.Field == DocumentOrderCustomField {
			ids = append(ids, o.CustomField)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	fields, err := s.CustomFieldsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if fields[id] == nil {
			name := fmt.Sprintf("custom_field_%d", id)
			return &Error{Code: Validation, Message: "custom field not found",
				Fields: map[string][]string{name: {"Custom field not found"}}}
		}
	}
	return nil
}

// CheckCustomFieldQuery checks a custom_field_query given as JSON text
// (a saved view's rule) against the custom fields the caller may see:
// nil, or a Validation error as a document list filter would give.
func (s *Store) CheckCustomFieldQuery(ctx context.Context, text string) error {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var expr any
	if err := d.Decode(&expr); err != nil || d.More() {
		return &Error{Code: Validation, Message: "invalid custom field query",
			Fields: map[string][]string{"customFieldQuery": {"Value must be valid JSON."}}}
	}
	_, err := s.customFieldConds(ctx, DocumentFilter{CustomFieldQuery: expr}, false)
	return err
}

// displayCustomField reads a saved view's display field custom_field_<id>.
func displayCustomField(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "custom_field_")
	if !ok {
		return 0, false
	}
	id, err := strconv.Atoi(rest)
	return id, err == nil && id > 0 && strconv.Itoa(id) == rest
}

// CustomFieldDisplayProblems returns the saved view display fields among
// names that name a custom field the caller cannot see
// ("Invalid field: custom_field_<id>" each).
func (s *Store) CustomFieldDisplayProblems(ctx context.Context, names []string) ([]string, error) {
	var ids []int
	for _, n := range names {
		if id, ok := displayCustomField(n); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	fields, err := s.CustomFieldsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if id, ok := displayCustomField(n); ok && fields[id] == nil {
			out = append(out, "Invalid field: "+n)
		}
	}
	return out, nil
}
