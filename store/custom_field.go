package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/uptrace/bun"
)

// CustomFieldDataType is the type of a custom field's values (NGX.md §8.1);
// the values are paperless-ngx's.
type CustomFieldDataType string

// The ten custom field data types.
const (
	FieldString       CustomFieldDataType = "string"
	FieldLongText     CustomFieldDataType = "longtext"
	FieldURL          CustomFieldDataType = "url"
	FieldDate         CustomFieldDataType = "date"
	FieldBoolean      CustomFieldDataType = "boolean"
	FieldInteger      CustomFieldDataType = "integer"
	FieldFloat        CustomFieldDataType = "float"
	FieldMonetary     CustomFieldDataType = "monetary"
	FieldDocumentLink CustomFieldDataType = "documentlink"
	FieldSelect       CustomFieldDataType = "select"
)

// CustomFieldDataTypes lists the data types in paperless-ngx's order.
var CustomFieldDataTypes = []CustomFieldDataType{FieldString, FieldURL, FieldDate, FieldBoolean, FieldInteger,
	FieldFloat, FieldMonetary, FieldDocumentLink, FieldSelect, FieldLongText}

// Valid reports whether t is one of the ten data types.
func (t CustomFieldDataType) Valid() bool {
	for _, x := range CustomFieldDataTypes {
		if t == x {
			return true
		}
	}
	return false
}

// numeric reports whether t's values compare as numbers (value_num).
func (t CustomFieldDataType) numeric() bool {
	switch t {
	case FieldInteger, FieldFloat, FieldMonetary, FieldBoolean, FieldDate:
		return true
	}
	return false
}

// SelectOption is one choice of a select field. ID is stable: values
// refer to it, so relabelling an option keeps them.
type SelectOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// CustomFieldExtra is a field's extra_data: the options of a select
// field, the default currency of a monetary one.
type CustomFieldExtra struct {
	SelectOptions   []SelectOption `json:"select_options"`
	DefaultCurrency *string        `json:"default_currency"`
}

// CustomField is a typed field documents may carry (NGX.md §8). Like
// paperless-ngx's, names are unique; OwnerID is kept for the owner model
// (NULL: everyone's).
type CustomField struct {
	bun.BaseModel `bun:"table:custom_fields,alias:cf"`

	ID        int                 `bun:"id,pk,autoincrement"`
	Name      string              `bun:"name,notnull"`
	NameKey   string              `bun:"name_key,notnull"`
	DataType  CustomFieldDataType `bun:"data_type,notnull"`
	ExtraData *CustomFieldExtra   `bun:"extra_data,type:text"` // JSON
	OwnerID   *int                `bun:"owner_id"`
	Created   time.Time           `bun:"created,notnull"`
}

// option returns the select option with the given id.
func (f *CustomField) option(id string) (SelectOption, bool) {
	if f.ExtraData != nil {
		for _, o := range f.ExtraData.SelectOptions {
			if o.ID == id {
				return o, true
			}
		}
	}
	return SelectOption{}, false
}

// CustomFieldInput creates or changes a custom field; nil fields are left
// alone. Name and DataType are required on create; DataType cannot change.
// ExtraData, when set, replaces the select options (options without an
// id get a new random one) and the default currency.
//
// SelectOptions (when not nil) and DefaultCurrency (when set) are the
// GraphQL form of ExtraData: each replaces its part and keeps the other.
type CustomFieldInput struct {
	Name            *string
	DataType        *CustomFieldDataType
	ExtraData       *CustomFieldExtra
	SelectOptions   []SelectOption
	DefaultCurrency graphql.Omittable[*string]
	OwnerID         *int
}

// extra folds SelectOptions and DefaultCurrency into ExtraData over the
// field's present extra data cur (nil: nothing to change).
func (in CustomFieldInput) extra(cur *CustomFieldExtra) *CustomFieldExtra {
	if in.ExtraData != nil || (in.SelectOptions == nil && !in.DefaultCurrency.IsSet()) {
		return in.ExtraData
	}
	out := &CustomFieldExtra{}
	if cur != nil {
		out.SelectOptions, out.DefaultCurrency = cur.SelectOptions, cur.DefaultCurrency
	}
	if in.SelectOptions != nil {
		out.SelectOptions = in.SelectOptions
	}
	if v, ok := in.DefaultCurrency.ValueOK(); ok {
		out.DefaultCurrency = v
	}
	return out
}

// CustomFieldFilter selects custom fields.
type CustomFieldFilter struct {
	IDs  []int
	Name *TextFilter
}

// CustomFieldOrderField names what custom fields can be ordered by.
type CustomFieldOrderField string

// Custom field order fields.
const (
	CustomFieldOrderID            CustomFieldOrderField = "ID"
	CustomFieldOrderName          CustomFieldOrderField = "NAME"
	CustomFieldOrderDataType      CustomFieldOrderField = "DATA_TYPE"
	CustomFieldOrderDocumentCount CustomFieldOrderField = "DOCUMENT_COUNT"
)

// CustomFieldOrder is one sort key of a custom field list.
type CustomFieldOrder struct {
	Field     CustomFieldOrderField
	Direction Direction
}

// Messages of custom field definitions (paperless-ngx's).
const (
	msgSelectOptions   = "extra_data.select_options must be a valid list"
	msgDefaultCurrency = "extra_data.default_currency must be a 3-character string"
	msgNameUnique      = "Object violates name unique constraint"
	msgDataTypeFixed   = "The data type of a custom field cannot be changed."
	maxFieldNameLen    = 128
)

// CustomField returns the custom field with the given id (NotFound when it
// does not exist or the caller may not see it).
func (s *Store) CustomField(ctx context.Context, id int) (*CustomField, error) {
	f := new(CustomField)
	q := s.db(ctx).NewSelect().Model(f).Where("cf.id = ?", id)
	err := where(q, s.fieldVisible(ctx, "cf")).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("custom field", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load custom field %d: %w", id, err)
	}
	return f, nil
}

// fieldVisible is the visibility condition on custom fields aliased alias.
func (s *Store) fieldVisible(ctx context.Context, alias string) []cond {
	if c := visibleCond(PrincipalFrom(ctx), ModelCustomField, alias); c.sql != "" {
		return []cond{c}
	}
	return nil
}

// documentVisible keeps, of documents aliased alias, those the caller may
// see and that are not in the trash.
func (s *Store) documentVisible(ctx context.Context, alias string) []cond {
	out := []cond{{sql: alias + ".deleted_at IS NULL"}}
	if c := docVisible(ctx, alias); c.sql != "" {
		out = append(out, c)
	}
	return out
}

// CustomFieldsByIDs returns the visible custom fields among ids, keyed by id.
func (s *Store) CustomFieldsByIDs(ctx context.Context, ids []int) (map[int]*CustomField, error) {
	out := map[int]*CustomField{}
	if len(ids) == 0 {
		return out, nil
	}
	var fields []CustomField
	q := s.db(ctx).NewSelect().Model(&fields).Where("cf.id IN (?)", bun.In(uniqueInts(ids)))
	if err := where(q, s.fieldVisible(ctx, "cf")).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load custom fields: %w", err)
	}
	for i := range fields {
		out[fields[i].ID] = &fields[i]
	}
	return out, nil
}

// allCustomFields returns every custom field the caller may see, by id:
// a query or value naming another fails as for an unknown field.
func (s *Store) allCustomFields(ctx context.Context) ([]CustomField, error) {
	var fields []CustomField
	q := s.db(ctx).NewSelect().Model(&fields)
	if err := where(q, s.fieldVisible(ctx, "cf")).OrderExpr("cf.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load custom fields: %w", err)
	}
	return fields, nil
}

// CustomFields returns one page of the visible custom fields matching f
// (default order: name, ignoring case) and how many match.
func (s *Store) CustomFields(ctx context.Context, f CustomFieldFilter, order []CustomFieldOrder, p Page) ([]CustomField, int, error) {
	fe := FieldErrors{}
	f.Name.check(fe, "name")
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	conds := s.fieldVisible(ctx, "cf")
	if len(f.IDs) > 0 {
		conds = append(conds, cond{"cf.id IN (?)", []any{bun.In(f.IDs)}})
	}
	conds = append(conds, s.textConds("cf.name_key", true, f.Name)...)
	n, err := where(s.db(ctx).NewSelect().TableExpr("custom_fields AS cf"), conds).Count(ctx)
	total := int(n)
	if err != nil {
		return nil, 0, fmt.Errorf("count custom fields: %w", err)
	}
	if len(order) == 0 {
		order = []CustomFieldOrder{{Field: CustomFieldOrderName, Direction: Asc}}
	}
	var parts []string
	q := s.db(ctx).NewSelect()
	for _, o := range order {
		dir, err := direction(o.Direction)
		if err != nil {
			return nil, 0, err
		}
		switch o.Field {
		case CustomFieldOrderID:
			parts = append(parts, "cf.id "+dir)
		case CustomFieldOrderName:
			parts = append(parts, "cf.name_key "+dir, "cf.name "+dir)
		case CustomFieldOrderDataType:
			parts = append(parts, "cf.data_type "+dir)
		case CustomFieldOrderDocumentCount:
			dq := s.db(ctx).NewSelect().TableExpr("custom_field_instances AS ci").ColumnExpr("count(*)").
				Where("ci.field_id = cf.id")
			dq = where(dq.Join("JOIN documents AS cd ON cd.id = ci.document_id"), s.documentVisible(ctx, "cd"))
			parts = append(parts, "("+dq.String()+") "+dir)
		default:
			return nil, 0, &Error{Code: Validation, Message: fmt.Sprintf("unknown order field %q", o.Field),
				Fields: map[string][]string{"orderBy": {fmt.Sprintf("%q is not a valid choice.", o.Field)}}}
		}
	}
	parts = append(parts, "cf.id ASC")
	_, limit, offset := p.Limit(total)
	var fields []CustomField
	q = where(q.Model(&fields), conds).OrderExpr(strings.Join(parts, ", ")).Limit(int64(limit)).Offset(int64(offset))
	if err := q.Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list custom fields: %w", err)
	}
	if fields == nil {
		fields = []CustomField{}
	}
	return fields, total, nil
}

// CustomFieldDocumentCounts returns, for each field id, how many documents
// the caller may see carry it. Every id has an entry.
func (s *Store) CustomFieldDocumentCounts(ctx context.Context, ids []int) (map[int]int, error) {
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		out[id] = 0
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		FieldID int `bun:"field_id"`
		N       int `bun:"n"`
	}
	q := s.db(ctx).NewSelect().TableExpr("custom_field_instances AS ci").ColumnExpr("ci.field_id, count(*) AS n").
		Where("ci.field_id IN (?)", bun.In(uniqueInts(ids))).GroupExpr("ci.field_id")
	q = where(q.Join("JOIN documents AS cd ON cd.id = ci.document_id"), s.documentVisible(ctx, "cd"))
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count documents per custom field: %w", err)
	}
	for _, r := range rows {
		out[r.FieldID] = r.N
	}
	return out, nil
}

// CreateCustomField creates a custom field. Validation: name required,
// ≤128 characters and unused ("error": paperless-ngx's message); a known
// data type; select fields need at least one option, each with a label;
// a monetary default currency has 3 letters.
func (s *Store) CreateCustomField(ctx context.Context, in CustomFieldInput) (*CustomField, error) {
	f := &CustomField{Created: s.Now(), OwnerID: in.OwnerID}
	fe := FieldErrors{}
	if in.Name == nil {
		fe.Add("name", "This field is required.")
	}
	if in.DataType == nil {
		fe.Add("dataType", "This field is required.")
	} else if !in.DataType.Valid() {
		fe.Add("dataType", fmt.Sprintf("%q is not a valid choice.", string(*in.DataType)))
	} else {
		f.DataType = *in.DataType
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.applyCustomFieldInput(ctx, f, in, true); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewInsert().Model(f).Returning("id").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create custom field: %w", err)
	}
	return f, nil
}

// UpdateCustomField changes a custom field (NotFound when the caller may
// not see it, Forbidden when it may not change it). Its data type cannot
// change (Validation on dataType). Removing a select option clears the
// values that chose it, as paperless-ngx does.
func (s *Store) UpdateCustomField(ctx context.Context, id int, in CustomFieldInput) (*CustomField, error) {
	var f *CustomField
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if f, err = s.CustomField(ctx, id); err != nil {
			return err
		}
		if err := s.checkFieldChangeable(ctx, id); err != nil {
			return err
		}
		if in.DataType != nil && *in.DataType != f.DataType {
			return &Error{Code: Validation, Message: "invalid custom field", Fields: map[string][]string{"dataType": {msgDataTypeFixed}}}
		}
		if in.OwnerID != nil {
			f.OwnerID = in.OwnerID
		}
		if err := s.applyCustomFieldInput(ctx, f, in, false); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewUpdate().Model(f).WherePK().Exec(ctx); err != nil {
			return err
		}
		if f.DataType == FieldSelect && in.extra(nil) != nil {
			keep := make([]string, 0, len(f.ExtraData.SelectOptions))
			for _, o := range f.ExtraData.SelectOptions {
				keep = append(keep, o.ID)
			}
			q := s.wdb(ctx).NewUpdate().Table("custom_field_instances").Set("value_text = NULL").
				Where("field_id = ?", id).Where("value_text IS NOT NULL")
			if len(keep) > 0 {
				q = q.Where("value_text NOT IN (?)", bun.In(keep))
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("clear removed select options: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update custom field %d: %w", id, err)
	}
	return f, nil
}

// DeleteCustomField deletes a custom field and its values (NotFound,
// Forbidden as UpdateCustomField). Document links pointing at the field's
// documents go with it.
func (s *Store) DeleteCustomField(ctx context.Context, id int) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.CustomField(ctx, id); err != nil {
			return err
		}
		if err := s.checkFieldChangeable(ctx, id); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("custom_field_instances").Where("field_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		_, err := s.wdb(ctx).NewDelete().TableExpr("custom_fields").Where("id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete custom field %d: %w", id, err)
	}
	return nil
}

// checkFieldChangeable is Forbidden unless the caller may change field id.
func (s *Store) checkFieldChangeable(ctx context.Context, id int) error {
	c := changeableCond(PrincipalFrom(ctx), ModelCustomField, "cf")
	if c.sql == "" {
		return nil
	}
	ok, err := s.db(ctx).NewSelect().TableExpr("custom_fields AS cf").Where("cf.id = ?", id).Where(c.sql, c.args...).Exists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(Forbidden, "You do not have permission to perform this action.")
	}
	return nil
}

// applyCustomFieldInput validates in and copies it onto f.
func (s *Store) applyCustomFieldInput(ctx context.Context, f *CustomField, in CustomFieldInput, create bool) error {
	fe := FieldErrors{}
	in.ExtraData = in.extra(f.ExtraData)
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		switch {
		case n == "":
			fe.Add("name", "This field may not be blank.")
		case utf8.RuneCountInString(n) > maxFieldNameLen:
			fe.Add("name", fmt.Sprintf("Ensure this field has no more than %d characters.", maxFieldNameLen))
		case TextProblem(n) != "":
			fe.Add("name", TextProblem(n))
		default:
			taken, err := s.db(ctx).NewSelect().TableExpr("custom_fields").Where("name = ?", n).Where("id <> ?", f.ID).Exists(ctx)
			if err != nil {
				return err
			}
			if taken {
				fe.Add("error", msgNameUnique)
			}
			f.Name, f.NameKey = n, foldKey(n)
		}
	}
	if in.ExtraData != nil || (create && f.DataType == FieldSelect) {
		extra, msg := normalizeExtra(f.DataType, in.ExtraData)
		if msg != "" {
			fe.Add("error", msg)
		} else {
			f.ExtraData = extra
		}
	}
	return fe.Err()
}

// normalizeExtra checks a field's extra_data and gives missing option ids
// a random one.
func normalizeExtra(t CustomFieldDataType, in *CustomFieldExtra) (*CustomFieldExtra, string) {
	out := &CustomFieldExtra{SelectOptions: []SelectOption{}}
	if in != nil {
		out.DefaultCurrency = in.DefaultCurrency
		out.SelectOptions = append(out.SelectOptions, in.SelectOptions...)
	}
	switch t {
	case FieldSelect:
		if len(out.SelectOptions) == 0 {
			return nil, msgSelectOptions
		}
		seen := map[string]bool{}
		for i, o := range out.SelectOptions {
			if o.Label == "" || TextProblem(o.Label) != "" || TextProblem(o.ID) != "" {
				return nil, msgSelectOptions
			}
			if o.ID == "" {
				out.SelectOptions[i].ID = randomOptionID()
			}
			if seen[out.SelectOptions[i].ID] || utf8.RuneCountInString(out.SelectOptions[i].ID) > 16 {
				return nil, msgSelectOptions
			}
			seen[out.SelectOptions[i].ID] = true
		}
	case FieldMonetary:
		if c := out.DefaultCurrency; c != nil && *c != "" && utf8.RuneCountInString(*c) != 3 {
			return nil, msgDefaultCurrency
		}
	}
	return out, ""
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// randomOptionID returns 16 random letters and digits, as paperless-ngx's
// get_random_string does.
func randomOptionID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
