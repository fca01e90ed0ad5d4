package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// CustomFieldInstance is a custom field attached to a document, with its
// value (see the migration for the two value columns). DataType, FieldName
// and ExtraData come from the field when loaded by CustomFieldValuesByDocuments.
type CustomFieldInstance struct {
	bun.BaseModel `bun:"table:custom_field_instances,alias:ci"`

	ID         int      `bun:"id,pk,autoincrement"`
	DocumentID int      `bun:"document_id,notnull"`
	FieldID    int      `bun:"field_id,notnull"`
	ValueNum   *float64 `bun:"value_num"`
	ValueText  *string  `bun:"value_text"`

	DataType  CustomFieldDataType `bun:"data_type,scanonly"`
	FieldName string              `bun:"field_name,scanonly"`
	ExtraData *CustomFieldExtra   `bun:"extra_data,scanonly,type:text"`
	// The rest of the field's definition, as CustomFieldValuesByDocuments
	// reads it (see Field).
	FieldNameKey string    `bun:"field_name_key,scanonly"`
	FieldOwnerID *int      `bun:"field_owner_id,scanonly"`
	FieldCreated time.Time `bun:"field_created,scanonly"`
}

// Field returns the definition of the instance's field as read with it by
// CustomFieldValuesByDocuments.
func (ci *CustomFieldInstance) Field() *CustomField {
	return &CustomField{ID: ci.FieldID, Name: ci.FieldName, NameKey: ci.FieldNameKey, DataType: ci.DataType,
		ExtraData: ci.ExtraData, OwnerID: ci.FieldOwnerID, Created: ci.FieldCreated}
}

// Value returns the typed value as JSON would carry it: nil, a string
// (string, long text, url, date "YYYY-MM-DD", monetary, select option id),
// bool, int, float64 or []int (document links).
func (ci *CustomFieldInstance) Value() any {
	if ci.ValueNum == nil && ci.ValueText == nil {
		return nil
	}
	switch ci.DataType {
	case FieldBoolean:
		return ci.ValueNum != nil && *ci.ValueNum != 0
	case FieldInteger:
		if ci.ValueNum == nil {
			return nil
		}
		return int(*ci.ValueNum)
	case FieldFloat:
		if ci.ValueNum == nil {
			return nil
		}
		return *ci.ValueNum
	case FieldDocumentLink:
		ids := []int{}
		if ci.ValueText != nil {
			_ = json.Unmarshal([]byte(*ci.ValueText), &ids)
		}
		return ids
	}
	if ci.ValueText == nil {
		return nil
	}
	return *ci.ValueText
}

// Text is the value as search indexes it and the icontains filter sees
// it: select options by label, document links as ids; "" for no value.
func (ci *CustomFieldInstance) Text() string {
	v := ci.Value()
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if ci.DataType == FieldSelect && ci.ExtraData != nil {
			for _, o := range ci.ExtraData.SelectOptions {
				if o.ID == x {
					return o.Label
				}
			}
		}
		return x
	case []int:
		parts := make([]string, len(x))
		for i, id := range x {
			parts[i] = strconv.Itoa(id)
		}
		return strings.Join(parts, " ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// SearchText is the "name: value" line search indexes for ci.
func (ci *CustomFieldInstance) SearchText() string {
	return ci.FieldName + ": " + ci.Text()
}

// CustomFieldValuesByDocuments returns the custom fields attached to each
// document (ordered by field id), with the field's type, name and extra
// data, in one statement. Documents without any have no entry. The
// documents' visibility is the caller's business (it loads values for
// documents it may see); values of fields the caller may not see are
// left out.
func (s *Store) CustomFieldValuesByDocuments(ctx context.Context, docIDs []int) (map[int][]CustomFieldInstance, error) {
	out := map[int][]CustomFieldInstance{}
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []CustomFieldInstance
	q := s.db(ctx).NewSelect().Model(&rows).
		ColumnExpr("ci.*, cf.data_type, cf.name AS field_name, cf.extra_data").
		ColumnExpr("cf.name_key AS field_name_key, cf.owner_id AS field_owner_id, cf.created AS field_created").
		Join("JOIN custom_fields AS cf ON cf.id = ci.field_id").
		Where("ci.document_id IN (?)", bun.In(uniqueInts(docIDs)))
	err := where(q, s.fieldVisible(ctx, "cf")).OrderExpr("ci.document_id, ci.field_id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load custom field values: %w", err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r)
	}
	return out, nil
}

// CustomFieldValueInput sets one custom field on a document. Value is a
// decoded JSON value (nil: attached without a value); see NGX.md §8.1 for
// what each type takes.
type CustomFieldValueInput struct {
	FieldID int
	Value   any
}

// fieldValue is a validated value in its two columns.
type fieldValue struct {
	num  *float64
	text *string
	ids  []int // document links
}

var (
	monetaryRE = regexp.MustCompile(`^[A-Z]{3}-?\d+(\.\d{1,2})$`)
	decimalRE  = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
)

// Messages of value validation (paperless-ngx's).
const (
	msgValueList      = "Value must be a list"
	msgLinkTargets    = "Some documents in value don't exist or were specified twice."
	msgMonetary       = "Must be a two-decimal number with optional currency code e.g. GBP123.45"
	msgDateFormat     = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
	msgValidInteger   = "A valid integer is required."
	msgValidNumber    = "A valid number is required."
	msgValidBoolean   = "Must be a valid boolean."
	msgNotString      = "Not a valid string."
	msgInsufficient   = "Insufficient permissions."
	msgFieldsNotExist = "Some custom fields don't exist or were specified twice."
)

// number reads a decoded JSON number (json.Number, float64, int kinds) or
// a numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}

// integer reads a whole number (see number).
func integer(v any) (int64, bool) {
	if n, ok := v.(json.Number); ok {
		i, err := n.Int64()
		return i, err == nil
	}
	if s, ok := v.(string); ok {
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return i, err == nil
	}
	f, ok := number(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// epoch is day 0 of date values' value_num.
var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// parseDateValue reads "YYYY-MM-DD" (a datetime's date part is kept, as
// DRF's DateField does with ISO datetimes).
func parseDateValue(s string) (time.Time, bool) {
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

func dayNumber(t time.Time) float64 { return float64(t.Sub(epoch) / (24 * time.Hour)) }

// monetaryAmount is the amount of a monetary value ("EUR84.20" → 84.2),
// as paperless-ngx's value_monetary_amount: a leading non-digit starts a
// 3-letter currency code.
func monetaryAmount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s != "" && !(s[0] >= '0' && s[0] <= '9') && s[0] != '-' {
		if len(s) < 3 {
			return 0, false
		}
		s = s[3:]
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// checkValue validates v for field f and returns its columns, or the
// message of its problem.
func checkValue(f *CustomField, v any) (fieldValue, string) {
	var out fieldValue
	if v == nil {
		return out, ""
	}
	str := func() (string, string) {
		s, ok := v.(string)
		if !ok {
			return "", msgNotString
		}
		return s, TextProblem(s)
	}
	setText := func(s string) { out.text = &s }
	setNum := func(n float64) { out.num = &n }
	switch f.DataType {
	case FieldString, FieldLongText:
		s, msg := str()
		if msg != "" {
			return out, msg
		}
		if f.DataType == FieldString && utf8.RuneCountInString(s) > 128 {
			return out, "Ensure this field has no more than 128 characters."
		}
		setText(s)
	case FieldURL:
		s, msg := str()
		if msg != "" {
			return out, msg
		}
		if s != "" {
			u, err := url.Parse(s)
			if err != nil || u.Scheme == "" || (u.Host == "" && u.Path == "" && u.Opaque == "") {
				return out, "Enter a valid URL."
			}
		}
		setText(s)
	case FieldDate:
		s, ok := v.(string)
		t, good := parseDateValue(s)
		if !ok || !good {
			return out, msgDateFormat
		}
		setText(t.Format("2006-01-02"))
		setNum(dayNumber(t))
	case FieldBoolean:
		b, ok := v.(bool)
		if !ok {
			return out, msgValidBoolean
		}
		if b {
			setNum(1)
		} else {
			setNum(0)
		}
	case FieldInteger:
		i, ok := integer(v)
		if !ok {
			return out, msgValidInteger
		}
		if i < math.MinInt32 {
			return out, "Ensure this value is greater than or equal to -2147483648."
		}
		if i > math.MaxInt32 {
			return out, "Ensure this value is less than or equal to 2147483647."
		}
		setNum(float64(i))
	case FieldFloat:
		n, ok := number(v)
		if !ok {
			return out, msgValidNumber
		}
		setNum(n)
	case FieldMonetary:
		var s string
		switch x := v.(type) {
		case string:
			s = strings.TrimSpace(x)
		case json.Number:
			s = x.String()
		default:
			n, ok := number(v)
			if !ok {
				return out, msgMonetary
			}
			s = strconv.FormatFloat(n, 'f', -1, 64)
		}
		if s == "" {
			setText("")
			break
		}
		if !plainDecimal(s) && !monetaryRE.MatchString(s) {
			return out, msgMonetary
		}
		amount, ok := monetaryAmount(s)
		if !ok {
			return out, msgMonetary
		}
		setText(s)
		setNum(amount)
	case FieldSelect:
		s, ok := v.(string)
		if !ok {
			return out, msgNotString
		}
		if _, ok := f.option(s); !ok {
			opts := []any{}
			if f.ExtraData != nil {
				for _, o := range f.ExtraData.SelectOptions {
					opts = append(opts, map[string]any{"id": o.ID, "label": o.Label})
				}
			}
			return out, "Value must be an id of an element in " + pyRepr(opts)
		}
		setText(s)
	case FieldDocumentLink:
		list, ok := v.([]any)
		if ints, isInts := v.([]int); isInts {
			ok = true
			for _, i := range ints {
				list = append(list, i)
			}
		}
		if !ok {
			return out, msgValueList
		}
		out.ids = []int{}
		for _, e := range list {
			i, ok := integer(e)
			if !ok || i < 1 || i > math.MaxInt32 {
				return out, msgLinkTargets
			}
			out.ids = append(out.ids, int(i))
		}
		if len(uniqueInts(out.ids)) != len(out.ids) {
			return out, msgLinkTargets
		}
		setText(idsJSON(out.ids))
	}
	return out, ""
}

// plainDecimal is a number with at most 12 digits, 2 of them decimals
// (Django's DecimalValidator(12, 2)).
func plainDecimal(s string) bool {
	if !decimalRE.MatchString(s) {
		return false
	}
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	return len(frac) <= 2 && len(whole)+len(frac) <= 12 && len(whole) <= 10
}

func idsJSON(ids []int) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// SetDocumentCustomFields replaces the custom fields of document docID
// with values (NGX.md §6.2): listed fields are attached or updated,
// unlisted ones removed. Problems are Validation errors per item:
// "customFields/<i>/field" for a missing or repeated field,
// "customFields/<i>/value" for a value its type refuses; a document link
// to a document the caller may not change is Forbidden. Document links
// are mirrored onto the targets (see setLinks).
func (s *Store) SetDocumentCustomFields(ctx context.Context, docID int, values []CustomFieldValueInput) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		vals, err := s.checkValues(ctx, values, "customFields")
		if err != nil {
			return err
		}
		current, err := s.CustomFieldValuesByDocuments(ctx, []int{docID})
		if err != nil {
			return err
		}
		keep := map[int]bool{}
		for _, v := range values {
			keep[v.FieldID] = true
		}
		for _, ci := range current[docID] {
			if !keep[ci.FieldID] {
				if err := s.removeFieldFromDocuments(ctx, ci.FieldID, []int{docID}); err != nil {
					return err
				}
			}
		}
		for i := range values {
			if err := s.upsertValue(ctx, []int{docID}, vals[i], true); err != nil {
				return err
			}
		}
		return nil
	})
}

// CheckCustomFieldValues validates values as SetDocumentCustomFields would
// (fields the caller may see, values their types take), writing nothing;
// problems are reported under prefix/<i>/field and prefix/<i>/value.
func (s *Store) CheckCustomFieldValues(ctx context.Context, values []CustomFieldValueInput, prefix string) error {
	_, err := s.checkValues(ctx, values, prefix)
	return err
}

// checkedValue is a validated input with its field.
type checkedValue struct {
	field *CustomField
	val   fieldValue
}

// checkValues validates inputs against the fields the caller may see,
// reporting under prefix/<i>/field and prefix/<i>/value.
func (s *Store) checkValues(ctx context.Context, values []CustomFieldValueInput, prefix string) ([]checkedValue, error) {
	ids := make([]int, len(values))
	for i, v := range values {
		ids[i] = v.FieldID
	}
	fields, err := s.CustomFieldsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	fe := FieldErrors{}
	out := make([]checkedValue, len(values))
	seen := map[int]bool{}
	var links []int
	for i, v := range values {
		at := fmt.Sprintf("%s/%d/", prefix, i)
		f := fields[v.FieldID]
		switch {
		case f == nil:
			fe.Add(at+"field", invalidPK(v.FieldID))
			continue
		case seen[v.FieldID]:
			fe.Add(at+"field", "This field is listed twice.")
			continue
		}
		seen[v.FieldID] = true
		val, msg := checkValue(f, v.Value)
		if msg != "" {
			fe.Add(at+"value", msg)
			continue
		}
		out[i] = checkedValue{field: f, val: val}
		if len(val.ids) > 0 {
			missing, err := s.missingIDs(ctx, "documents", val.ids)
			if err != nil {
				return nil, err
			}
			if len(missing) > 0 {
				fe.Add(at+"value", msgLinkTargets)
			}
			links = append(links, val.ids...)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := s.checkDocumentsChangeable(ctx, links); err != nil {
		return nil, err
	}
	return out, nil
}

// checkDocumentsChangeable is Forbidden unless the caller may change every
// document in ids.
func (s *Store) checkDocumentsChangeable(ctx context.Context, ids []int) error {
	c := changeableCond(PrincipalFrom(ctx), ModelDocument, "d")
	ids = uniqueInts(ids)
	if c.sql == "" || len(ids) == 0 {
		return nil
	}
	n, err := s.db(ctx).NewSelect().TableExpr("documents AS d").Where("d.id IN (?)", bun.In(ids)).Where(c.sql, c.args...).Count(ctx)
	if err != nil {
		return err
	}
	if int(n) != len(ids) {
		return Errorf(Forbidden, msgInsufficient)
	}
	return nil
}

// upsertValue attaches cv's field to docs; with setValue it also writes
// the value (else an existing value stays). Document links are mirrored.
func (s *Store) upsertValue(ctx context.Context, docs []int, cv checkedValue, setValue bool) error {
	if len(docs) == 0 {
		return nil
	}
	fid := cv.field.ID
	if !setValue {
		rows := make([]CustomFieldInstance, len(docs))
		for i, d := range docs {
			rows[i] = CustomFieldInstance{DocumentID: d, FieldID: fid}
		}
		_, err := s.wdb(ctx).NewInsert().Model(&rows).On("CONFLICT (document_id, field_id) DO NOTHING").Exec(ctx)
		return err
	}
	for _, d := range docs {
		if cv.field.DataType == FieldDocumentLink {
			if err := s.setLinks(ctx, d, fid, cv.val.ids); err != nil {
				return err
			}
		}
		row := CustomFieldInstance{DocumentID: d, FieldID: fid, ValueNum: cv.val.num, ValueText: cv.val.text}
		_, err := s.wdb(ctx).NewInsert().Model(&row).
			On("CONFLICT (document_id, field_id) DO UPDATE").
			Set("value_num = EXCLUDED.value_num").Set("value_text = EXCLUDED.value_text").Exec(ctx)
		if err != nil {
			return fmt.Errorf("set custom field %d on document %d: %w", fid, d, err)
		}
	}
	return nil
}

// setLinks keeps document links symmetric, as paperless-ngx does: before
// doc's links in field become targets, doc is removed from the links of
// the documents it no longer points to and added to those of every
// target (attaching the field to a target that lacks it). Changed
// targets get modified = now.
func (s *Store) setLinks(ctx context.Context, doc, field int, targets []int) error {
	var old []int
	var cur struct {
		Text *string `bun:"value_text"`
	}
	err := s.db(ctx).NewSelect().TableExpr("custom_field_instances").Column("value_text").
		Where("document_id = ? AND field_id = ?", doc, field).Scan(ctx, &cur)
	if err != nil && !isNoRows(err) {
		return err
	}
	if cur.Text != nil {
		_ = json.Unmarshal([]byte(*cur.Text), &old)
	}
	var touched []int
	for _, t := range old {
		if !slices.Contains(targets, t) && t != doc {
			if err := s.editLinks(ctx, t, field, func(ids []int) []int {
				return slices.DeleteFunc(ids, func(x int) bool { return x == doc })
			}); err != nil {
				return err
			}
			touched = append(touched, t)
		}
	}
	for _, t := range targets {
		if t == doc {
			continue
		}
		if err := s.editLinks(ctx, t, field, func(ids []int) []int {
			if !slices.Contains(ids, doc) {
				ids = append(ids, doc)
			}
			return ids
		}); err != nil {
			return err
		}
		touched = append(touched, t)
	}
	if len(touched) == 0 {
		return nil
	}
	_, err = s.wdb(ctx).NewUpdate().TableExpr("documents").Set("modified = ?", s.Now()).
		Where("id IN (?)", bun.In(uniqueInts(touched))).Exec(ctx)
	return err
}

// editLinks rewrites the links of document doc in field with edit
// (attaching the field when it is missing; a target without the field
// that edit leaves empty is not attached).
func (s *Store) editLinks(ctx context.Context, doc, field int, edit func([]int) []int) error {
	var cur []struct {
		ID   int     `bun:"id"`
		Text *string `bun:"value_text"`
	}
	if err := s.db(ctx).NewSelect().TableExpr("custom_field_instances").Column("id", "value_text").
		Where("document_id = ? AND field_id = ?", doc, field).Scan(ctx, &cur); err != nil {
		return err
	}
	ids := []int{}
	if len(cur) > 0 && cur[0].Text != nil {
		_ = json.Unmarshal([]byte(*cur[0].Text), &ids)
	}
	before := len(ids)
	ids = edit(ids)
	text := idsJSON(ids)
	if len(cur) == 0 {
		if len(ids) == 0 {
			return nil
		}
		_, err := s.wdb(ctx).NewInsert().Model(&CustomFieldInstance{DocumentID: doc, FieldID: field, ValueText: &text}).Exec(ctx)
		return err
	}
	if len(ids) == before && cur[0].Text != nil {
		return nil
	}
	_, err := s.wdb(ctx).NewUpdate().TableExpr("custom_field_instances").Set("value_text = ?", text).
		Where("id = ?", cur[0].ID).Exec(ctx)
	return err
}

// removeFieldFromDocuments detaches field from docs, removing the mirror
// links of a document link field first.
func (s *Store) removeFieldFromDocuments(ctx context.Context, field int, docs []int) error {
	if len(docs) == 0 {
		return nil
	}
	var dt CustomFieldDataType
	if err := s.db(ctx).NewSelect().TableExpr("custom_fields").Column("data_type").Where("id = ?", field).Scan(ctx, &dt); err != nil {
		return err
	}
	if dt == FieldDocumentLink {
		for _, d := range docs {
			if err := s.setLinks(ctx, d, field, nil); err != nil {
				return err
			}
		}
	}
	_, err := s.wdb(ctx).NewDelete().TableExpr("custom_field_instances").
		Where("field_id = ?", field).Where("document_id IN (?)", bun.In(docs)).Exec(ctx)
	return err
}

// bulkModifyCustomFields is BulkEdit's MODIFY_CUSTOM_FIELDS: attach
// AddCustomFieldIDs (values kept) and AddCustomFieldValues (values set),
// then detach RemoveCustomFieldIDs. Unknown or repeated fields are the
// object-level paperless-ngx message; values are checked as on a
// document ("customFieldValues/<i>/value").
func (s *Store) bulkModifyCustomFields(ctx context.Context, b BulkEdit) ([]int, error) {
	all := append(append([]int{}, b.AddCustomFieldIDs...), b.RemoveCustomFieldIDs...)
	for _, v := range b.AddCustomFieldValues {
		all = append(all, v.FieldID)
	}
	fields, err := s.CustomFieldsByIDs(ctx, all)
	if err != nil {
		return nil, err
	}
	add := append([]int{}, b.AddCustomFieldIDs...)
	for _, v := range b.AddCustomFieldValues {
		add = append(add, v.FieldID)
	}
	if len(uniqueInts(add)) != len(add) || len(uniqueInts(b.RemoveCustomFieldIDs)) != len(b.RemoveCustomFieldIDs) {
		return nil, objectError(msgFieldsNotExist)
	}
	for _, id := range all {
		if fields[id] == nil {
			return nil, objectError(msgFieldsNotExist)
		}
	}
	vals, err := s.checkValues(ctx, b.AddCustomFieldValues, "customFieldValues")
	if err != nil {
		return nil, err
	}
	for _, id := range b.AddCustomFieldIDs {
		if err := s.upsertValue(ctx, b.DocumentIDs, checkedValue{field: fields[id]}, false); err != nil {
			return nil, err
		}
	}
	for i := range vals {
		if err := s.upsertValue(ctx, b.DocumentIDs, vals[i], true); err != nil {
			return nil, err
		}
	}
	for _, id := range b.RemoveCustomFieldIDs {
		if err := s.removeFieldFromDocuments(ctx, id, b.DocumentIDs); err != nil {
			return nil, err
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	return b.DocumentIDs, nil
}

// CustomFieldSearchText returns, per document, the "name: value" lines of
// its custom fields and their ids, for the search index.
func (s *Store) CustomFieldSearchText(ctx context.Context, docIDs []int) (map[int][]string, map[int][]int, error) {
	vals, err := s.CustomFieldValuesByDocuments(ctx, docIDs)
	if err != nil {
		return nil, nil, err
	}
	texts, ids := map[int][]string{}, map[int][]int{}
	for doc, list := range vals {
		for i := range list {
			texts[doc] = append(texts[doc], list[i].SearchText())
			ids[doc] = append(ids[doc], list[i].FieldID)
		}
	}
	return texts, ids, nil
}
