package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// documentFields are the keys of paperless-ng 1.5.0's document object, in
// order; ?fields= selects among them.
var documentFields = []string{
	"id", "correspondent", "document_type", "title", "content", "tags", "created", "modified", "added",
	"archive_serial_number", "original_file_name", "archived_file_name",
}

const (
	fieldTags   = 1 << 5
	allDocument = 1<<12 - 1
)

// documentMask reads ?fields= (paperless's DynamicFieldsModelSerializer):
// a comma list of keys; unknown keys are ignored; empty means all.
func documentMask(r *http.Request) uint16 {
	v, ok := last(r.URL.Query(), "fields")
	if !ok || v == "" {
		return allDocument
	}
	var mask uint16
	for _, name := range strings.Split(v, ",") {
		for i, f := range documentFields {
			if f == name {
				mask |= 1 << i
			}
		}
	}
	return mask
}

// documentJSON writes a document with the keys in mask.
type documentJSON struct {
	d    *store.Document
	tags []int
	mask uint16
	loc  *time.Location
}

// MarshalJSON implements json.Marshaler.
func (j documentJSON) MarshalJSON() ([]byte, error) {
	return j.appendJSON(make([]byte, 0, 256+len(j.d.Content)+len(j.d.Title))), nil
}

// documentPage is a page of documents; it writes itself (see jsonAppender).
type documentPage []documentJSON

func (l documentPage) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, j := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = j.appendJSON(b)
	}
	return append(b, ']')
}

// appendJSON appends the document object to b.
func (j documentJSON) appendJSON(b []byte) []byte {
	d := j.d
	b = append(b, '{')
	first := true
	key := func(i int) bool {
		if j.mask&(1<<i) == 0 {
			return false
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, documentFields[i]...)
		b = append(b, '"', ':')
		return true
	}
	optInt := func(p *int) {
		if p == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, int64(*p), 10)
		}
	}
	optStr := func(p *string) {
		if p == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *p)
		}
	}
	if key(0) {
		b = strconv.AppendInt(b, int64(d.ID), 10)
	}
	if key(1) {
		optInt(d.CorrespondentID)
	}
	if key(2) {
		optInt(d.DocumentTypeID)
	}
	if key(3) {
		b = appendString(b, d.Title)
	}
	if key(4) {
		b = appendString(b, d.Content)
	}
	if key(5) {
		b = append(b, '[')
		for i, t := range j.tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(t), 10)
		}
		b = append(b, ']')
	}
	if key(6) {
		b = appendTime(b, d.Created.In(j.loc))
	}
	if key(7) {
		b = appendTime(b, d.Modified.In(j.loc))
	}
	if key(8) {
		b = appendTime(b, d.Added.In(j.loc))
	}
	if key(9) {
		optInt(d.ArchiveSerialNumber)
	}
	if key(10) {
		b = appendString(b, d.OriginalFilename)
	}
	if key(11) {
		optStr(resolvers.ArchivedFileName(d))
	}
	return append(b, '}')
}

// appendString appends s as a JSON string the way Python's json.dumps
// (ensure_ascii=False) writes it: only quotes, backslashes and control
// characters are escaped; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// documentNames maps resolver fields to the document's wire names.
var documentNames = map[string]string{
	"correspondentId": "correspondent", "documentTypeId": "document_type", "tagIds": "tags",
	"archiveSerialNumber": "archive_serial_number",
}

// documentFilters are the document list's filters (API §7.2, §13.10):
// django-filter's lookups plus paperless's custom filters.
func documentFilters(loc *time.Location) filterSet[store.DocumentFilter] {
	type F = store.DocumentFilter
	var s filterSet[F]
	add := func(defs ...filterDef[F]) { s = append(s, defs...) }
	add(filterDef[F]{param{"id", "integer", "document id"}, func(f *F, v string) string {
		n, err := strconv.Atoi(v)
		if err != nil {
			return msgEnterNumber
		}
		f.IDs = intersect(f.IDs, []int{n})
		return ""
	}}, filterDef[F]{param{"id__in", "integers", "document id is one of (comma-separated)"}, func(f *F, v string) string {
		ids, ok := intList(v, true)
		if !ok {
			return msgEnterNumber
		}
		if len(ids) > 0 {
			f.IDs = intersect(f.IDs, ids)
		}
		return ""
	}})
	add(textFilters("title", "title", func(f *F) **store.TextFilter { return &f.Title })...)
	add(textFilters("content", "content", func(f *F) **store.TextFilter { return &f.Content })...)
	add(intFilters("archive_serial_number", "archive serial number", func(f *F) **store.IntFilter { return &f.ArchiveSerialNumber })...)
	add(dateFilters("created", "created", loc, func(f *F) **store.DateFilter { return &f.Created })...)
	add(dateFilters("added", "added", loc, func(f *F) **store.DateFilter { return &f.Added })...)
	add(dateFilters("modified", "modified", loc, func(f *F) **store.DateFilter { return &f.Modified })...)
	add(isnullFilter("correspondent__isnull", "correspondent", func(f *F, b bool) { ensure(&f.Correspondent).Isnull = &b }))
	add(idFilters("correspondent__id", "correspondent", func(f *F) **store.IDFilter { return &f.Correspondent })...)
	add(textFilters("correspondent__name", "correspondent name", func(f *F) **store.TextFilter { return &f.CorrespondentName })...)
	add(isnullFilter("document_type__isnull", "document type", func(f *F, b bool) { ensure(&f.DocumentType).Isnull = &b }))
	add(idFilters("document_type__id", "document type", func(f *F) **store.IDFilter { return &f.DocumentType })...)
	add(textFilters("document_type__name", "document type name", func(f *F) **store.TextFilter { return &f.DocumentTypeName })...)
	add(filterDef[F]{param{"tags__id", "integer", "has this tag"}, func(f *F, v string) string {
		n, err := strconv.Atoi(v)
		if err != nil {
			return msgEnterNumber
		}
		t := ensure(&f.Tags)
		t.All = append(t.All, n)
		return ""
	}}, filterDef[F]{param{"tags__id__in", "integers", "has at least one of these tags (comma-separated)"}, func(f *F, v string) string {
		ids, ok := intList(v, true)
		if !ok {
			return msgEnterNumber
		}
		if len(ids) > 0 {
			ensure(&f.Tags).Any = ids
		}
		return ""
	}}, filterDef[F]{param{"tags__id__all", "integers", "has every one of these tags (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			t := ensure(&f.Tags)
			t.All = append(t.All, ids...)
		}
		return ""
	}}, filterDef[F]{param{"tags__id__none", "integers", "has none of these tags (comma-separated; a non-number disables the filter)"}, func(f *F, v string) string {
		if ids, ok := intList(v, false); ok {
			ensure(&f.Tags).None = ids
		}
		return ""
	}})
	add(textFilters("tags__name", "a tag's name", func(f *F) **store.TextFilter { return &f.TagName })...)
	add(filterDef[F]{param{"is_tagged", "boolean", "has at least one tag (true) or none (false)"}, func(f *F, v string) string {
		if b, ok := boolStyle(v); ok {
			f.IsTagged = &b
		}
		return ""
	}}, filterDef[F]{param{"is_in_inbox", "boolean", "has an inbox tag (exactly `true`) or none (exactly `false`)"}, func(f *F, v string) string {
		switch v {
		case "true":
			f.IsInInbox = ptr(true)
		case "false":
			f.IsInInbox = ptr(false)
		}
		return ""
	}}, filterDef[F]{param{"title_content", "string", "title or content contains (case-insensitive)"}, func(f *F, v string) string {
		f.TitleContent = &v
		return ""
	}}, filterDef[F]{param{"search", "string", "every term (split on spaces and commas) occurs in title, correspondent name or content"}, func(f *F, v string) string {
		f.Search = &v
		return ""
	}})
	return s
}

// intersect narrows an id selection (nil: none yet). An empty
// intersection selects id 0, which no row has.
func intersect(have, ids []int) []int {
	if have == nil {
		return ids
	}
	var out []int
	for _, h := range have {
		for _, n := range ids {
			if h == n {
				out = append(out, h)
				break
			}
		}
	}
	if len(out) == 0 {
		return []int{0}
	}
	return out
}

// documentOrders are the document list's orderings (API §7.3).
func documentOrders() orderSet[store.DocumentOrder] {
	def := func(name string, field store.DocumentOrderField) orderDef[store.DocumentOrder] {
		return orderDef[store.DocumentOrder]{name, func(desc bool) store.DocumentOrder {
			return store.DocumentOrder{Field: field, Direction: dir(desc)}
		}}
	}
	return orderSet[store.DocumentOrder]{
		def("id", store.DocumentOrderID),
		def("title", store.DocumentOrderTitle),
		def("correspondent__name", store.DocumentOrderCorrespondentName),
		def("document_type__name", store.DocumentOrderDocumentTypeName),
		def("created", store.DocumentOrderCreated),
		def("modified", store.DocumentOrderModified),
		def("added", store.DocumentOrderAdded),
		def("archive_serial_number", store.DocumentOrderArchiveSerialNumber),
	}
}

// fieldsParam documents ?fields=.
var fieldsParam = param{Name: "fields", Type: "string", Help: "comma-separated keys to return: " + strings.Join(documentFields, ", ")}

func (a *API) documents() *resource[store.Document, store.DocumentFilter, store.DocumentOrder, store.DocumentUpdate] {
	q, m, dr := a.res.Query(), a.res.Mutation(), a.res.Document()
	return &resource[store.Document, store.DocumentFilter, store.DocumentOrder, store.DocumentUpdate]{
		filters: documentFilters(a.loc),
		orders:  documentOrders(),
		names:   staticNames(documentNames),
		list: func(ctx context.Context, f *store.DocumentFilter, o []store.DocumentOrder, page, size *int) ([]store.Document, int, int, error) {
			// The paperless document object holds tag ids, not the
			// correspondent or type objects.
			ctx = resolvers.WithDocumentRelations(ctx, resolvers.DocumentRelations{TagIDs: true})
			l, err := q.Documents(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.Document,
		input: func(b *body, _ *reqInfo) store.DocumentUpdate {
			var u store.DocumentUpdate
			u.Title, _ = b.str("title", false, true)
			u.Content, _ = b.str("content", false, true)
			if v, ok := b.pk("correspondent", true); ok {
				u.CorrespondentID = graphql.OmittableOf(v)
			}
			if v, ok := b.pk("document_type", true); ok {
				u.DocumentTypeID = graphql.OmittableOf(v)
			}
			if v, ok := b.pkList("tags"); ok {
				u.TagIDs = graphql.OmittableOf(v)
			}
			u.Created, _ = b.datetime("created", a.loc)
			if v, ok := b.integer("archive_serial_number", true); ok {
				u.ArchiveSerialNumber = graphql.OmittableOf(v)
			}
			return u
		},
		replace: a.res.ReplaceDocument,
		patch:   m.UpdateDocument,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteDocument(ctx, id); return err },
		render: func(ctx context.Context, r *http.Request, items []store.Document, _ bool) (any, error) {
			mask := documentMask(r)
			out := make(documentPage, len(items))
			for i := range items {
				out[i] = documentJSON{d: &items[i], mask: mask, loc: a.loc}
			}
			if mask&fieldTags == 0 {
				return out, nil
			}
			return out, each(len(items), func(i int) error {
				ids, err := dr.TagIds(ctx, &items[i])
				if ids == nil {
					ids = []int{}
				}
				out[i].tags = ids
				return err
			})
		},
	}
}
