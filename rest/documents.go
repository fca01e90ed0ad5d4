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

// documentFields are the keys of paperless-ng 1.5.0's document object
// (versions 1 and 2), in order; ?fields= selects among them.
var documentFields = []string{
	"id", "correspondent", "document_type", "title", "content", "tags", "created", "modified", "added",
	"archive_serial_number", "original_file_name", "archived_file_name",
}

// document09Fields are the keys of paperless-ng 0.9's document object
// (version 0, API §7.1): nested relations beside their writable ids.
var document09Fields = []string{
	"id", "correspondent", "correspondent_id", "document_type", "document_type_id", "title", "content",
	"tags", "tags_id", "created", "modified", "added", "archive_serial_number",
}

// documentNgxFields are the keys of paperless-ngx's document object
// (versions 9 and 10, NGX §6.1). `permissions` and the pair
// `user_can_change`, `is_shared_by_requester` exclude each other.
var documentNgxFields = []string{
	"id", "correspondent", "document_type", "storage_path", "title", "content", "tags", "created",
	"created_date", "modified", "added", "deleted_at", "archive_serial_number", "original_file_name",
	"archived_file_name", "duplicate_documents", "owner", "permissions", "user_can_change",
	"is_shared_by_requester", "notes", "custom_fields", "page_count", "mime_type", "root_document", "versions",
}

const (
	fieldTags   = 1 << 5 // tags in documentFields
	allDocument = 1<<12 - 1

	ngxTags          = 1 << 6
	ngxArchivedName  = 1 << 14
	ngxPermissions   = 1 << 17
	ngxUserCanChange = 1<<18 | 1<<19
	allNgxDocument   = 1<<26 - 1

	field09Tags   = 1<<7 | 1<<8
	field09Nested = 1<<1 | 1<<3 | field09Tags
	all09Document = 1<<13 - 1
)

// documentKeys are the document object's keys in API version v.
func documentKeys(v int) []string {
	switch {
	case v == 0:
		return document09Fields
	case v >= 9:
		return documentNgxFields
	}
	return documentFields
}

// documentMask reads ?fields= (paperless's DynamicFieldsModelSerializer):
// a comma list of keys; unknown keys are ignored; empty means all. 0.9
// had no ?fields=. paperless-ngx answers PUT, PATCH and ?full_perms=true
// with `permissions`, everything else with `user_can_change` and
// `is_shared_by_requester`.
func documentMask(r *http.Request) uint32 {
	v := info(r).version
	var all uint32 = allDocument
	switch {
	case v == 0:
		return all09Document
	case v >= 9:
		all = allNgxDocument &^ ngxPermissions
		if fp, _ := last(r.URL.Query(), "full_perms"); fp == "true" || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			all = allNgxDocument &^ ngxUserCanChange
		}
	}
	names, ok := last(r.URL.Query(), "fields")
	if !ok || names == "" {
		return all
	}
	keys := documentKeys(v)
	var mask uint32
	for _, name := range strings.Split(names, ",") {
		for i, f := range keys {
			if f == name {
				mask |= 1 << i
			}
		}
	}
	return mask & all
}

// documentAll selects every key of the document object in version v
// (ngx: the `user_can_change` form).
func documentAll(v int) uint32 {
	switch {
	case v == 0:
		return all09Document
	case v >= 9:
		return allNgxDocument &^ ngxPermissions
	}
	return allDocument
}

// documentNeeds says which relations a document object in version v
// with the keys in mask reads: tag ids, or (0.9) the related objects.
func documentNeeds(v int, mask uint32) (tagIDs, nested bool) {
	switch {
	case v == 0:
		return false, mask&field09Nested != 0
	case v >= 9:
		return mask&ngxTags != 0, false
	}
	return mask&fieldTags != 0, false
}

// documentJSON writes a document with the keys in mask, in the shape of
// API version v.
type documentJSON struct {
	d        *store.Document
	tags     []int
	mask     uint32
	loc      *time.Location
	v        int
	truncate bool            // ngx ?truncate_content=true
	rel      *documentNested // version 0
	names    *publicNames    // versions 1 and 2 (filenames.go)
	notes    []byte          // ngx: the notes as JSON (notes.go); nil: none
	// customFields is ngx's custom_fields as JSON (custom_fields.go); nil: none.
	customFields []byte
	perms        *docPerms // ngx: user_can_change, is_shared_by_requester, permissions (permissions_objects.go)
}

// documentNested are the related objects 0.9 nests in a document.
type documentNested struct {
	corr  *store.Correspondent
	dtype *store.DocumentType
	tags  []store.Tag
}

// newDocumentJSON prepares d for the request's version and ?fields=.
func (a *API) newDocumentJSON(r *http.Request, d *store.Document, mask uint32) documentJSON {
	j := documentJSON{d: d, mask: mask, loc: a.loc, v: info(r).version}
	if j.v >= 9 {
		t, _ := last(r.URL.Query(), "truncate_content")
		j.truncate = t == "true"
	}
	return j
}

// fillDocuments loads what the objects read (tag ids, or 0.9's nested
// relations) through the resolvers' loaders, all of a page at once.
func (a *API) fillDocuments(ctx context.Context, out []documentJSON) error {
	if len(out) == 0 {
		return nil
	}
	if err := a.fillPublicNames(ctx, out); err != nil {
		return err
	}
	if err := a.fillNgxArchivedNames(ctx, out); err != nil {
		return err
	}
	if err := a.fillNotes(ctx, out); err != nil {
		return err
	}
	if err := a.fillCustomFields(ctx, out); err != nil {
		return err
	}
	if err := a.fillPermissions(ctx, out); err != nil {
		return err
	}
	tagIDs, nested := documentNeeds(out[0].v, out[0].mask)
	if !tagIDs && !nested {
		return nil
	}
	dr := a.res.Document()
	return each(len(out), func(i int) error {
		j := &out[i]
		if tagIDs {
			ids, err := dr.TagIds(ctx, j.d)
			if ids == nil {
				ids = []int{}
			}
			j.tags = ids
			return err
		}
		rel := &documentNested{}
		var err error
		if rel.corr, err = dr.Correspondent(ctx, j.d); err != nil {
			return err
		}
		if rel.dtype, err = dr.DocumentType(ctx, j.d); err != nil {
			return err
		}
		if rel.tags, err = dr.Tags(ctx, j.d); err != nil {
			return err
		}
		j.rel = rel
		return nil
	})
}

// fillNgxArchivedNames sets paperless-ngx's archived_file_name, the
// public name of the archive version ("<created> <correspondent>
// <title>.pdf"), for the documents that have one.
func (a *API) fillNgxArchivedNames(ctx context.Context, out []documentJSON) error {
	if out[0].v < 9 || out[0].mask&ngxArchivedName == 0 {
		return nil
	}
	return each(len(out), func(i int) error {
		j := &out[i]
		if j.d.ArchiveFilename == nil {
			return nil
		}
		arch, err := a.res.ArchivedFileName(ctx, j.d)
		if err != nil {
			return err
		}
		j.names = &publicNames{original: j.d.OriginalFilename, archived: arch}
		return nil
	})
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
	switch {
	case j.v == 0:
		return j.append09(b)
	case j.v >= 9:
		return j.appendNgx(b)
	}
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
		b = appendString(b, j.originalName())
	}
	if key(11) {
		optStr(j.archivedName())
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
	"archiveSerialNumber": "archive_serial_number", "storagePathId": "storage_path",
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
	q, m := a.res.Query(), a.res.Mutation()
	return &resource[store.Document, store.DocumentFilter, store.DocumentOrder, store.DocumentUpdate]{
		filters: documentFilters(a.loc),
		orders:  documentOrders(),
		names:   documentWireNames,
		// paperless-ngx: its filters, and the v9 `all` ids
		ngxFilters: ngxDocumentFilters(a.loc),
		ngxOrders:  ngxDocumentOrders(),
		ids:        q.DocumentIds,
		selection:  a.documentSelection,
		list: func(ctx context.Context, f *store.DocumentFilter, o []store.DocumentOrder, page, size *int) ([]store.Document, int, int, error) {
			// The paperless document object holds tag ids, not the
			// correspondent or type objects; 0.9's nests all three.
			rel := resolvers.DocumentRelations{TagIDs: true}
			if in, ok := ctx.Value(infoKey{}).(*reqInfo); ok && in.version == 0 {
				rel = resolvers.DocumentRelations{Tags: true, TagIDs: true, Correspondents: true, DocumentTypes: true}
				if len(o) == 0 {
					o = document09Order // C8
				}
			}
			ctx = resolvers.WithDocumentRelations(ctx, rel)
			l, err := q.Documents(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get:     q.Document,
		input:   a.documentInput,
		replace: a.replaceDocument,
		patch:   m.UpdateDocument,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteDocument(ctx, id); return err },
		render: func(ctx context.Context, r *http.Request, items []store.Document, _ bool) (any, error) {
			mask := documentMask(r)
			out := make(documentPage, len(items))
			for i := range items {
				out[i] = a.newDocumentJSON(r, &items[i], mask)
			}
			return out, a.fillDocuments(ctx, out)
		},
	}
}

// document09Order is 0.9's default document order: correspondent name,
// then title (Quire adds the id as the last tie-break).
var document09Order = []store.DocumentOrder{
	{Field: store.DocumentOrderCorrespondentName, Direction: store.Asc},
	{Field: store.DocumentOrderTitle, Direction: store.Asc},
	{Field: store.DocumentOrderID, Direction: store.Asc},
}

// documentWireNames maps resolver fields to the document's wire names in
// the request's version: 0.9 writes relations through the *_id keys.
func documentWireNames(in *reqInfo) map[string]string {
	if in != nil && in.version == 0 {
		return document09Names
	}
	return documentNames
}

var document09Names = map[string]string{
	"correspondentId": "correspondent_id", "documentTypeId": "document_type_id", "tagIds": "tags_id",
	"archiveSerialNumber": "archive_serial_number",
}

// documentInput reads a document write. The relations come as
// `correspondent`, `document_type`, `tags` (ids) in versions 1, 2 and
// ngx; 0.9 wrote them as `correspondent_id`, `document_type_id`,
// `tags_id` and sent its nested read-only objects back under the plain
// keys (ignored). Versions 1 and 2 accept the *_id keys too when the
// plain key is absent. paperless-ngx takes `created` as a date (a
// datetime is cut to its date in the server zone) or, when `created` is
// absent, its deprecated alias `created_date`; storage_path and
// custom_fields are read here, owner and set_permissions by the
// permission layer, and what Quire has no model for is ignored.
func (a *API) documentInput(b *body, in *reqInfo) store.DocumentUpdate {
	var u store.DocumentUpdate
	u.Title, _ = b.str("title", false, true)
	u.Content, _ = b.str("content", false, true)
	corr, dtype, tags := "correspondent", "document_type", "tags"
	switch {
	case in.version == 0:
		corr, dtype, tags = "correspondent_id", "document_type_id", "tags_id"
	case in.version < 9:
		if !b.has(corr) && b.has("correspondent_id") {
			corr = "correspondent_id"
		}
		if !b.has(dtype) && b.has("document_type_id") {
			dtype = "document_type_id"
		}
		if !b.has(tags) && b.has("tags_id") {
			tags = "tags_id"
		}
	}
	if v, ok := b.pk(corr, true); ok {
		u.CorrespondentID = graphql.OmittableOf(v)
	}
	if v, ok := b.pk(dtype, true); ok {
		u.DocumentTypeID = graphql.OmittableOf(v)
	}
	if v, ok := b.pkList(tags); ok {
		u.TagIDs = graphql.OmittableOf(v)
	}
	if in.version >= 9 {
		if v, ok := b.pk("storage_path", true); ok {
			u.StoragePathID = graphql.OmittableOf(v)
		}
		if v, ok := customFieldValues(b); ok {
			u.CustomFields = graphql.OmittableOf(v)
		}
		switch {
		case b.has("created"):
			u.Created, _ = b.ngxDate("created", a.loc)
		case b.has("created_date"):
			u.Created, _ = b.ngxDate("created_date", a.loc)
		}
	} else {
		u.Created, _ = b.datetime("created", a.loc)
	}
	if v, ok := b.integer("archive_serial_number", true); ok {
		u.ArchiveSerialNumber = graphql.OmittableOf(v)
	}
	return u
}

const msgDateForm = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."

// ngxDate reads paperless-ngx's document date: "YYYY-MM-DD", or (an
// older client's) ISO datetime, whose date in loc is kept. The result is
// the start of that day in loc.
func (b *body) ngxDate(name string, loc *time.Location) (v *time.Time, set bool) {
	x, ok := b.raw(name)
	if !ok {
		return nil, false
	}
	if x == nil {
		b.fail(name, msgNotNull)
		return nil, false
	}
	s, isStr := x.(string)
	if !isStr {
		b.fail(name, msgDateForm)
		return nil, false
	}
	if strings.Contains(s, ":") {
		t, good := parseDateTime(s, loc)
		if !good {
			b.fail(name, msgDateTimeForm)
			return nil, false
		}
		t = t.In(loc)
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		return &d, true
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	if err != nil {
		b.fail(name, msgDateForm)
		return nil, false
	}
	return &d, true
}
