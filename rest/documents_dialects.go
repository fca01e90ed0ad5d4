package rest

import (
	"context"
	"strconv"
	"time"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// The document object in the paperless-ng 0.9 dialect (version 0, API
// §7.1) and in paperless-ngx's (versions 9 and 10, NGX §6.1). Version 1
// and 2's object is documentJSON.appendJSON itself.

// objectWriter appends the keys of an object selected by a mask.
type objectWriter struct {
	b     []byte
	mask  uint32
	keys  []string
	first bool
}

// key opens key i when the mask selects it and reports whether it did.
func (w *objectWriter) key(i int) bool {
	if w.mask&(1<<i) == 0 {
		return false
	}
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, w.keys[i]...)
	w.b = append(w.b, '"', ':')
	return true
}

func appendOptInt(b []byte, p *int) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*p), 10)
}

func appendInts(b []byte, ids []int) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return append(b, ']')
}

// appendMatching09 appends the fields 0.9 nests of a correspondent,
// document type or tag (its depth-1 serialiser: every model field, id
// first, no computed ones). match is as stored, as on the matching
// endpoints (0.9 lower-cased it on save, C10; Quire keeps it as entered).
func appendMatching09(b []byte, id int, name, slug string, m store.Matching) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"name":`...)
	b = appendString(b, name)
	b = append(b, `,"slug":`...)
	b = appendString(b, slug)
	b = append(b, `,"match":`...)
	b = appendString(b, m.Match)
	b = append(b, `,"matching_algorithm":`...)
	b = strconv.AppendInt(b, int64(m.MatchingAlgorithm), 10)
	b = append(b, `,"is_insensitive":`...)
	return strconv.AppendBool(b, m.IsInsensitive)
}

// append09 appends the 0.9 object: nested correspondent, document type
// and tags (ordered by name) beside the writable *_id keys.
func (j documentJSON) append09(b []byte) []byte {
	d, rel := j.d, j.rel
	if rel == nil {
		rel = &documentNested{}
	}
	w := objectWriter{b: append(b, '{'), mask: j.mask, keys: document09Fields, first: true}
	if w.key(0) {
		w.b = strconv.AppendInt(w.b, int64(d.ID), 10)
	}
	if w.key(1) {
		if c := rel.corr; c != nil {
			w.b = append(appendMatching09(w.b, c.ID, c.Name, c.Slug, c.Matching), '}')
		} else {
			w.b = append(w.b, "null"...)
		}
	}
	if w.key(2) {
		w.b = appendOptInt(w.b, d.CorrespondentID)
	}
	if w.key(3) {
		if t := rel.dtype; t != nil {
			w.b = append(appendMatching09(w.b, t.ID, t.Name, t.Slug, t.Matching), '}')
		} else {
			w.b = append(w.b, "null"...)
		}
	}
	if w.key(4) {
		w.b = appendOptInt(w.b, d.DocumentTypeID)
	}
	if w.key(5) {
		w.b = appendString(w.b, d.Title)
	}
	if w.key(6) {
		w.b = appendString(w.b, d.Content)
	}
	if w.key(7) {
		w.b = append(w.b, '[')
		for i, t := range rel.tags {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendMatching09(w.b, t.ID, t.Name, t.Slug, t.Matching)
			w.b = append(w.b, `,"colour":`...)
			w.b = strconv.AppendInt(w.b, int64(resolvers.PaletteIndex(t.Color)), 10)
			w.b = append(w.b, `,"is_inbox_tag":`...)
			w.b = strconv.AppendBool(w.b, t.IsInboxTag)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	if w.key(8) {
		w.b = append(w.b, '[')
		for i, t := range rel.tags {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = strconv.AppendInt(w.b, int64(t.ID), 10)
		}
		w.b = append(w.b, ']')
	}
	if w.key(9) {
		w.b = appendTime(w.b, d.Created.In(j.loc))
	}
	if w.key(10) {
		w.b = appendTime(w.b, d.Modified.In(j.loc))
	}
	if w.key(11) {
		w.b = appendTime(w.b, d.Added.In(j.loc))
	}
	if w.key(12) {
		w.b = appendOptInt(w.b, d.ArchiveSerialNumber)
	}
	return append(w.b, '}')
}

// ngxContentLimit is how much content ?truncate_content=true keeps.
const ngxContentLimit = 550

// appendDate appends t's calendar date as "YYYY-MM-DD".
func appendDate(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, "2006-01-02")
	return append(b, '"')
}

// appendNgx appends the paperless-ngx object: storage path, trash date,
// owner and permissions, notes and custom fields from their models; what
// Quire has no model for (file versions: root_document, versions) answers
// as paperless-ngx does for a document without them.
func (j documentJSON) appendNgx(b []byte) []byte {
	d := j.d
	w := objectWriter{b: append(b, '{'), mask: j.mask, keys: documentNgxFields, first: true}
	if w.key(0) {
		w.b = strconv.AppendInt(w.b, int64(d.ID), 10)
	}
	if w.key(1) {
		w.b = appendOptInt(w.b, d.CorrespondentID)
	}
	if w.key(2) {
		w.b = appendOptInt(w.b, d.DocumentTypeID)
	}
	if w.key(3) { // storage_path
		w.b = appendOptInt(w.b, d.StoragePathID)
	}
	if w.key(4) {
		w.b = appendString(w.b, d.Title)
	}
	if w.key(5) {
		content := d.Content
		if j.truncate {
			content = truncateRunes(content, ngxContentLimit)
		}
		w.b = appendString(w.b, content)
	}
	if w.key(6) {
		w.b = appendInts(w.b, j.tags)
	}
	created := d.Created.In(j.loc)
	if w.key(7) {
		w.b = appendDate(w.b, created)
	}
	if w.key(8) { // created_date
		w.b = appendDate(w.b, created)
	}
	if w.key(9) {
		w.b = appendTime(w.b, d.Modified.In(j.loc))
	}
	if w.key(10) {
		w.b = appendTime(w.b, d.Added.In(j.loc))
	}
	if w.key(11) { // deleted_at: set in the trash (rest/trash.go)
		if d.DeletedAt != nil {
			w.b = appendTime(w.b, d.DeletedAt.In(j.loc))
		} else {
			w.b = append(w.b, "null"...)
		}
	}
	if w.key(12) {
		w.b = appendOptInt(w.b, d.ArchiveSerialNumber)
	}
	if w.key(13) {
		w.b = appendString(w.b, d.OriginalFilename)
	}
	if w.key(14) {
		if name := j.archivedName(); name != nil {
			w.b = appendString(w.b, *name)
		} else {
			w.b = append(w.b, "null"...)
		}
	}
	if w.key(15) { // duplicate_documents: a checksum is stored once
		w.b = append(w.b, "[]"...)
	}
	p := j.perms // permissions_objects.go
	if p == nil {
		p = &docPerms{canChange: true}
	}
	if w.key(16) { // owner
		w.b = appendOptInt(w.b, d.OwnerID)
	}
	if w.key(17) { // permissions
		w.b = appendPerms(w.b, p.grants)
	}
	if w.key(18) { // user_can_change
		w.b = strconv.AppendBool(w.b, p.canChange)
	}
	if w.key(19) { // is_shared_by_requester
		w.b = strconv.AppendBool(w.b, p.shared)
	}
	if w.key(20) { // notes (notes.go)
		if j.notes != nil {
			w.b = append(w.b, j.notes...)
		} else {
			w.b = append(w.b, "[]"...)
		}
	}
	if w.key(21) { // custom_fields (custom_fields.go)
		if j.customFields != nil {
			w.b = append(w.b, j.customFields...)
		} else {
			w.b = append(w.b, "[]"...)
		}
	}
	if w.key(22) {
		w.b = appendOptInt(w.b, d.PageCount)
	}
	if w.key(23) {
		w.b = appendString(w.b, d.MimeType)
	}
	if w.key(24) { // root_document
		w.b = append(w.b, "null"...)
	}
	if w.key(25) { // versions: the document itself
		w.b = append(w.b, `[{"id":`...)
		w.b = strconv.AppendInt(w.b, int64(d.ID), 10)
		w.b = append(w.b, `,"added":`...)
		w.b = appendTime(w.b, d.Added.In(j.loc))
		w.b = append(w.b, `,"version_label":null,"checksum":`...)
		w.b = appendString(w.b, d.Checksum)
		w.b = append(w.b, `,"is_root":true}]`...)
	}
	return append(w.b, '}')
}

// truncateRunes keeps the first n characters of s (Python's s[0:n]).
func truncateRunes(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// replaceDocument is PUT on a document. paperless-ngx (versions 9 and 10)
// also needs `storage_path` on a PUT (NGX §6.2; null files the document
// nowhere); PATCH and the older versions do not know it. The missing
// fields are reported together, as the resolver reports the others.
func (a *API) replaceDocument(ctx context.Context, id int, u store.DocumentUpdate) (*store.Document, error) {
	if in, ok := ctx.Value(infoKey{}).(*reqInfo); ok && in.version >= 9 && !u.StoragePathID.IsSet() {
		fe := store.FieldErrors{}
		if !u.CorrespondentID.IsSet() {
			fe.Add("correspondentId", msgRequired)
		}
		if !u.DocumentTypeID.IsSet() {
			fe.Add("documentTypeId", msgRequired)
		}
		fe.Add("storagePathId", msgRequired)
		if !u.TagIDs.IsSet() {
			fe.Add("tagIds", msgRequired)
		}
		return nil, &store.Error{Code: store.Validation, Message: "invalid document", Fields: fe}
	}
	return a.res.ReplaceDocument(ctx, id, u)
}
