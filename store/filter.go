package store

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Text input rules (README "Input rules"). Every string a client sends
// passes TextProblem where it enters (the GraphQL argument check, the
// REST query and body readers); substring lookups also pass
// PatternProblem, which the filters' Validate methods apply again here.

// MaxPatternLen bounds a text lookup's value in characters: SQLite
// refuses LIKE patterns over 50,000 bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH),
// and no title or name comes near this length.
const MaxPatternLen = 1000

// The text rules' messages (the first is Django's).
const (
	MsgNullCharacters = "Null characters are not allowed."
	MsgInvalidUTF8    = "Enter valid UTF-8 text."
)

// TextProblem says why s cannot be stored or compared ("" when it can):
// a NUL character (SQLite ends a statement's text at one, PostgreSQL
// refuses it in any text value) or bytes that are not UTF-8 (PostgreSQL
// refuses them; the statement writer would silently replace them).
func TextProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return MsgNullCharacters
	}
	if !utf8.ValidString(s) {
		return MsgInvalidUTF8
	}
	return ""
}

// PatternProblem is TextProblem for a text lookup's value, which must
// also be at most MaxPatternLen characters long.
func PatternProblem(s string) string {
	if p := TextProblem(s); p != "" {
		return p
	}
	if len(s) > MaxPatternLen {
		if n := utf8.RuneCountInString(s); n > MaxPatternLen {
			return fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", MaxPatternLen, n)
		}
	}
	return ""
}

// TextFilter holds the case-insensitive text lookups paperless offers on a
// text field. Empty strings disable a lookup (paperless ignores `?x=`).
// Several set lookups must all hold.
type TextFilter struct {
	Istartswith *string
	Iendswith   *string
	Icontains   *string
	Iexact      *string
}

// check adds t's bad lookups to fe as field.lookup.
func (t *TextFilter) check(fe FieldErrors, field string) {
	if t == nil {
		return
	}
	for _, l := range []struct {
		name string
		v    *string
	}{{"istartswith", t.Istartswith}, {"iendswith", t.Iendswith}, {"icontains", t.Icontains}, {"iexact", t.Iexact}} {
		checkPattern(fe, field+"."+l.name, l.v)
	}
}

func checkPattern(fe FieldErrors, field string, v *string) {
	if v != nil {
		if p := PatternProblem(*v); p != "" {
			fe.Add(field, p)
		}
	}
}

// IDFilter selects by a referenced object's id. Exact and In must hold
// when set; Isnull=true selects rows without a reference, false rows with one.
// None excludes rows referencing one of its ids (rows without a reference
// stay, as Django's exclude keeps them).
type IDFilter struct {
	Exact  *int
	In     []int
	None   []int
	Isnull *bool
}

// IntFilter compares an integer column.
type IntFilter struct {
	Exact  *int
	Gt     *int
	Gte    *int
	Lt     *int
	Lte    *int
	Isnull *bool
}

// DateFilter compares a timestamp column. Year, Month, Day and the Date*
// bounds compare the calendar date in the server's time zone; Gt and Lt
// compare the instant. DateGt/DateLt/DateGte/DateLte carry a date (time
// of day ignored).
type DateFilter struct {
	Year    *int
	Month   *int
	Day     *int
	DateGt  *time.Time
	DateLt  *time.Time
	DateGte *time.Time
	DateLte *time.Time
	Gt      *time.Time
	Lt      *time.Time
	Gte     *time.Time
	Lte     *time.Time
}

// TagsFilter selects documents by their tags: Any = at least one of these,
// All = every one of these, None = none of these.
type TagsFilter struct {
	Any  []int
	All  []int
	None []int
}

// DocumentFilter selects documents; every set field must hold.
type DocumentFilter struct {
	IDs                 []int
	Title               *TextFilter
	Content             *TextFilter
	TitleContent        *string // case-insensitive substring of title or content
	Search              *string // paperless `search`: every term in title, correspondent name or content
	ArchiveSerialNumber *IntFilter
	Created             *DateFilter
	Added               *DateFilter
	Modified            *DateFilter
	Correspondent       *IDFilter
	CorrespondentName   *TextFilter
	DocumentType        *IDFilter
	DocumentTypeName    *TextFilter
	Tags                *TagsFilter
	TagName             *TextFilter // at least one tag whose name matches
	IsTagged            *bool
	IsInInbox           *bool

	// The paperless-ngx filters (NGX.md §6.3).
	OriginalFilename *TextFilter // the name it was uploaded under
	Checksum         *TextFilter // MD5 hex of the original
	MimeType         *string     // the original's MIME type contains (case-insensitive)
	// StoragePath and StoragePathName select by the storage path (its id,
	// its name); Owner and SharedBy by the owner.
	StoragePath     *IDFilter
	StoragePathName *TextFilter
	Owner           *IDFilter
	SharedBy        *int // owned by this user and shared with someone
	// CustomFields selects by the fields attached (ids); HasCustomFields
	// by whether any is; CustomFieldsIcontains by a field's name or value.
	CustomFields          *TagsFilter
	HasCustomFields       *bool
	CustomFieldsIcontains *string
	// CustomFieldQuery is the JSON expression of NGX.md §8.3, decoded
	// (encoding/json with UseNumber); the store checks it against the
	// custom fields the caller may see and reports problems under
	// "customFieldQuery", nested by position as "customFieldQuery/1/0".
	CustomFieldQuery any
}

// Validate checks the text rules (TextProblem, PatternProblem) on f's
// text: a Validation error names each bad value by its GraphQL input path
// ("title.icontains").
func (f DocumentFilter) Validate() error {
	fe := FieldErrors{}
	f.Title.check(fe, "title")
	f.Content.check(fe, "content")
	checkPattern(fe, "titleContent", f.TitleContent)
	if f.Search != nil {
		// Checked whole: its terms are lookups, and none is longer.
		checkPattern(fe, "search", f.Search)
	}
	f.CorrespondentName.check(fe, "correspondentName")
	f.DocumentTypeName.check(fe, "documentTypeName")
	f.TagName.check(fe, "tagName")
	f.OriginalFilename.check(fe, "originalFilename")
	f.Checksum.check(fe, "checksum")
	checkPattern(fe, "mimeType", f.MimeType)
	f.StoragePathName.check(fe, "storagePathName")
	checkPattern(fe, "customFieldsIcontains", f.CustomFieldsIcontains)
	return fe.Err()
}

// NameFilter selects correspondents, document types or tags.
type NameFilter struct {
	IDs  []int
	Name *TextFilter
	// IsRoot selects tags without (true) or with (false) a parent tag.
	IsRoot *bool
}

// Validate checks the text rules on f, like DocumentFilter.Validate.
func (f NameFilter) Validate() error {
	fe := FieldErrors{}
	f.Name.check(fe, "name")
	return fe.Err()
}

// LogFilter selects log entries.
type LogFilter struct {
	Level      *IntFilter
	Created    *DateFilter
	Group      *string
	GroupIn    []string
	Logger     *string
	DocumentID *int
}

// Validate checks the text rules on f, like DocumentFilter.Validate.
func (f LogFilter) Validate() error {
	fe := FieldErrors{}
	checkPattern(fe, "group", f.Group)
	for i := range f.GroupIn {
		checkPattern(fe, "groupIn", &f.GroupIn[i])
	}
	checkPattern(fe, "logger", f.Logger)
	return fe.Err()
}

// Direction is a sort direction.
type Direction string

// Sort directions.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// DocumentOrderField names a field documents can be ordered by.
type DocumentOrderField string

// Document order fields.
const (
	DocumentOrderID                  DocumentOrderField = "ID"
	DocumentOrderTitle               DocumentOrderField = "TITLE"
	DocumentOrderCorrespondentName   DocumentOrderField = "CORRESPONDENT_NAME"
	DocumentOrderDocumentTypeName    DocumentOrderField = "DOCUMENT_TYPE_NAME"
	DocumentOrderCreated             DocumentOrderField = "CREATED"
	DocumentOrderModified            DocumentOrderField = "MODIFIED"
	DocumentOrderAdded               DocumentOrderField = "ADDED"
	DocumentOrderArchiveSerialNumber DocumentOrderField = "ARCHIVE_SERIAL_NUMBER"
	DocumentOrderPageCount           DocumentOrderField = "PAGE_COUNT"
	// DocumentOrderCustomField orders by the value of custom field
	// DocumentOrder.CustomField (numbers by number, text by code point;
	// documents without a value first ascending); an unknown field is a
	// Validation error on "custom_field_<id>".
	DocumentOrderCustomField DocumentOrderField = "CUSTOM_FIELD"
)

// DocumentOrder is one sort key. A list of them sorts lexicographically;
// the store always appends id as the final tie-break.
type DocumentOrder struct {
	Field       DocumentOrderField
	Direction   Direction
	CustomField int // the field's id, for DocumentOrderCustomField
}

// NameOrderField names a field correspondents, types and tags can be
// ordered by. LAST_CORRESPONDENCE applies to correspondents only.
type NameOrderField string

// Order fields of correspondents, document types and tags.
const (
	NameOrderID                 NameOrderField = "ID"
	NameOrderName               NameOrderField = "NAME"
	NameOrderMatch              NameOrderField = "MATCH"
	NameOrderMatchingAlgorithm  NameOrderField = "MATCHING_ALGORITHM"
	NameOrderDocumentCount      NameOrderField = "DOCUMENT_COUNT"
	NameOrderLastCorrespondence NameOrderField = "LAST_CORRESPONDENCE"
)

// NameOrder is one sort key for correspondents, document types and tags.
type NameOrder struct {
	Field     NameOrderField
	Direction Direction
}

// Page asks for one page of a list. Number is 1-based; a negative Number
// counts from the end (-1 is the last page). Size ≤ 0 means the default
// (25); sizes above MaxPageSize are clamped.
type Page struct {
	Number int
	Size   int
}

// Page size limits, as paperless's paginator has them.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100000
)

// Limit resolves the page against a total row count, returning the page
// number actually served (0 when total is 0), LIMIT and OFFSET.
func (p Page) Limit(total int) (number, limit, offset int) {
	size := p.Size
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	last := (total + size - 1) / size
	n := p.Number
	if n == 0 {
		n = 1
	}
	if n < 0 {
		n = last + 1 + n
		if n < 1 {
			n = 1
		}
	}
	return n, size, (n - 1) * size
}
