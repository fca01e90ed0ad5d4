package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// HistoryAction is what a history entry records.
type HistoryAction string

// The history actions (django-auditlog's names).
const (
	HistoryCreate HistoryAction = "create"
	HistoryUpdate HistoryAction = "update"
	HistoryDelete HistoryAction = "delete"
)

// HistoryEntry is one record of a document's audit history (paperless-ngx's
// /api/documents/<id>/history/): who (ActorID; nil for the system or a
// deleted user) did what (Action) when, and the changes. ChangesJSON holds
// the changes as django-auditlog writes them: a JSON object whose keys are
// paperless-ngx's field names, each with ["old", "new"] as text ("None"
// for none), or for tags {"type": "m2m", "operation": "add"|"delete",
// "objects": [tag names]}.
type HistoryEntry struct {
	bun.BaseModel `bun:"table:document_history"`

	ID          int           `bun:"id,pk,autoincrement"`
	DocumentID  int           `bun:"document_id,notnull"`
	ActorID     *int          `bun:"actor_id"`
	Timestamp   time.Time     `bun:"timestamp,notnull"`
	Action      HistoryAction `bun:"action,notnull"`
	ChangesJSON string        `bun:"changes,notnull"`
}

// HistoryChange is one change of a history entry. A field change has Old
// and New (nil for none); a change of the tags has Operation ("add" or
// "delete") and Objects (the tags' names).
type HistoryChange struct {
	Field     string
	Old, New  *string
	Operation *string
	Objects   []string
	// CustomField is the custom field whose value a "custom_fields"
	// change sets (New; nil for none).
	CustomField *string
}

// Changes decodes the entry's changes, ordered by field name.
func (e *HistoryEntry) Changes() ([]HistoryChange, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.ChangesJSON), &raw); err != nil {
		return nil, fmt.Errorf("decode history entry %d: %w", e.ID, err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]HistoryChange, 0, len(keys))
	for _, k := range keys {
		c := HistoryChange{Field: k}
		var pair []any
		var obj struct {
			Type      string   `json:"type"`
			Operation string   `json:"operation"`
			Objects   []string `json:"objects"`
			Field     string   `json:"field"`
			Value     any      `json:"value"`
		}
		switch {
		case json.Unmarshal(raw[k], &pair) == nil && len(pair) == 2:
			c.Old, c.New = historyText(pair[0]), historyText(pair[1])
		case json.Unmarshal(raw[k], &obj) == nil && obj.Type == "custom_field":
			c.CustomField, c.New = &obj.Field, historyText(obj.Value)
		case obj.Type == "m2m":
			c.Operation, c.Objects = &obj.Operation, obj.Objects
		}
		out = append(out, c)
	}
	return out, nil
}

// historyText turns a stored value into text; "None" and null are nil.
func historyText(v any) *string {
	var s string
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		if v == "None" {
			return nil
		}
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	return &s
}

// ErrAuditLogDisabled is DocumentHistory's Validation error when the
// audit log is off.
var ErrAuditLogDisabled = &Error{Code: Validation, Message: "Audit log is disabled"}

// AuditLog reports whether the store records the history of documents
// (QUIRE_AUDIT_LOG_ENABLED).
func (s *Store) AuditLog() bool { return !s.noAudit }

// HistoryByDocuments returns each document's history, newest first, in
// one query; documents without entries are absent. It checks neither
// visibility nor whether the audit log is on: the resolvers do.
func (s *Store) HistoryByDocuments(ctx context.Context, docIDs []int) (map[int][]HistoryEntry, error) {
	out := make(map[int][]HistoryEntry, len(docIDs))
	if len(docIDs) == 0 {
		return out, nil
	}
	var rows []HistoryEntry
	err := s.db(ctx).NewSelect().Model(&rows).Where("document_id IN (?)", bun.List(uniqueInts(docIDs))).
		OrderExpr("document_id, timestamp DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load history of %d documents: %w", len(docIDs), err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r)
	}
	return out, nil
}

// DocumentHistory returns a document's history, newest first, following
// paperless-ngx's rule: Validation when the audit log is off, NotFound
// when the caller cannot see the document, Forbidden unless the caller
// holds view_logentry and is a superuser, the owner, or the document has
// no owner.
func (s *Store) DocumentHistory(ctx context.Context, docID int) ([]HistoryEntry, error) {
	if s.noAudit {
		return nil, ErrAuditLogDisabled
	}
	d, err := s.documentAccess(ctx, docID, false)
	if err != nil {
		return nil, err
	}
	if err := MayReadHistory(PrincipalFrom(ctx), d); err != nil {
		return nil, err
	}
	m, err := s.HistoryByDocuments(ctx, []int{docID})
	if err != nil {
		return nil, err
	}
	if m[docID] == nil {
		return []HistoryEntry{}, nil
	}
	return m[docID], nil
}

// MayReadHistory applies paperless-ngx's rule for reading the history of
// a document p can see: view_logentry, and superuser, owner, or no owner
// (Forbidden otherwise).
func MayReadHistory(p *Principal, d *Document) error {
	if !p.Has("view_logentry") || (p != nil && !p.Superuser && d.OwnerID != nil && *d.OwnerID != p.UserID) {
		return Errorf(Forbidden, "Insufficient permissions")
	}
	return nil
}

// historyChange is one change as it is written: Old → New, or an m2m
// operation (Op "add"/"delete") on Objects.
type historyChange struct {
	Field    string
	Old, New string
	Op       string
	Objects  []string
	// CustomField names the custom field of a "custom_fields" change
	// (paperless-ngx's {"type": "custom_field", "field", "value"}: New).
	CustomField string
}

// historyRow is one entry to write.
type historyRow struct {
	docID   int
	action  HistoryAction
	changes []historyChange
}

// encodeChanges writes changes as django-auditlog's JSON object, keys in
// the order given.
func encodeChanges(cs []historyChange) string {
	b := []byte{'{'}
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(c.Field)
		b = append(b, k...)
		b = append(b, ':')
		if c.CustomField != "" {
			v, _ := json.Marshal(struct {
				Type  string `json:"type"`
				Field string `json:"field"`
				Value string `json:"value"`
			}{"custom_field", c.CustomField, c.New})
			b = append(b, v...)
			continue
		}
		if c.Op != "" {
			v, _ := json.Marshal(struct {
				Type      string   `json:"type"`
				Operation string   `json:"operation"`
				Objects   []string `json:"objects"`
			}{"m2m", c.Op, c.Objects})
			b = append(b, v...)
			continue
		}
		v, _ := json.Marshal([2]string{c.Old, c.New})
		b = append(b, v...)
	}
	return string(append(b, '}'))
}

// writeHistory records rows (those with changes) in one statement, as the
// context's principal at the store clock's now. It does nothing when the
// audit log is off.
func (s *Store) writeHistory(ctx context.Context, rows []historyRow) error {
	if s.noAudit {
		return nil
	}
	var actor *int
	if p := PrincipalFrom(ctx); p != nil && p.UserID != 0 {
		id := p.UserID
		actor = &id
	}
	now := s.Now()
	entries := make([]HistoryEntry, 0, len(rows))
	for _, r := range rows {
		if len(r.changes) == 0 && r.action == HistoryUpdate {
			continue
		}
		entries = append(entries, HistoryEntry{DocumentID: r.docID, ActorID: actor, Timestamp: now, Action: r.action, ChangesJSON: encodeChanges(r.changes)})
	}
	for chunk := range chunks(entries, 1000) {
		if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return fmt.Errorf("record document history: %w", err)
		}
	}
	return nil
}

// historyField is one audited column of Document.
type historyField struct {
	name  string // paperless-ngx's field name
	index int    // in Document
}

var (
	historyFieldsOnce sync.Once
	historyFields     []historyField
)

// auditedFields lists Document's columns as paperless-ngx names them
// (correspondent_id → correspondent), without what auditlog leaves out
// (modified) and Quire's derived columns (title_key).
func auditedFields() []historyField {
	historyFieldsOnce.Do(func() {
		t := reflect.TypeFor[Document]()
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("bun")
			col, _, _ := strings.Cut(tag, ",")
			switch col {
			case "", "id", "modified", "title_key":
				continue
			}
			if strings.HasPrefix(tag, "table:") {
				continue
			}
			switch {
			case col == "filename", col == "archive_filename", col == "original_filename":
			case strings.HasSuffix(col, "_id"):
				col = strings.TrimSuffix(col, "_id")
			}
			historyFields = append(historyFields, historyField{name: col, index: i})
		}
	})
	return historyFields
}

// historyValue renders a Document field as django-auditlog does: "None"
// for none, numbers and text as they are, the created date as a date (in
// the server zone), other times as UTC "YYYY-MM-DD hh:mm:ss.ffffff".
func (s *Store) historyValue(name string, v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "None"
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if name == "created" {
			return x.In(s.loc).Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	default:
		return fmt.Sprint(x)
	}
}

// documentChanges lists what differs between old and new (old nil: a
// creation, every field set; new nil: a deletion). The content is left
// out of creations and deletions: the document holds it.
func (s *Store) documentChanges(old, new *Document) []historyChange {
	var ov, nv reflect.Value
	if old != nil {
		ov = reflect.ValueOf(old).Elem()
	}
	if new != nil {
		nv = reflect.ValueOf(new).Elem()
	}
	var out []historyChange
	for _, f := range auditedFields() {
		if (old == nil || new == nil) && f.name == "content" {
			continue
		}
		o, n := "None", "None"
		if old != nil {
			o = s.historyValue(f.name, ov.Field(f.index))
		}
		if new != nil {
			n = s.historyValue(f.name, nv.Field(f.index))
		}
		if o != n {
			out = append(out, historyChange{Field: f.name, Old: o, New: n})
		}
	}
	return out
}

// tagChanges returns the m2m changes from the tag set before to after
// (id → name), names sorted.
func tagChanges(before, after map[int]string) []historyChange {
	var added, removed []string
	for id, name := range after {
		if _, ok := before[id]; !ok {
			added = append(added, name)
		}
	}
	for id, name := range before {
		if _, ok := after[id]; !ok {
			removed = append(removed, name)
		}
	}
	var out []historyChange
	if len(added) > 0 {
		slices.Sort(added)
		out = append(out, historyChange{Field: "tags", Op: "add", Objects: added})
	}
	if len(removed) > 0 {
		slices.Sort(removed)
		out = append(out, historyChange{Field: "tags", Op: "delete", Objects: removed})
	}
	return out
}

// documentSnapshot is a document as an update found it, for its history.
type documentSnapshot struct {
	doc   Document
	tags  map[int]string // id → name; nil: the update leaves the tags alone
	names map[int]string // names of those tags and of the tags the update asked for
	// fields are the custom field values before the update; nil: the
	// update leaves them alone.
	fields []CustomFieldInstance
}

// snapshotDocument keeps d before update u changes it: when u sets the
// tags, its tag names and those of the requested tags (one statement), so
// that recording the update needs no second read; when u sets custom
// field values, the current ones (one statement).
func (s *Store) snapshotDocument(ctx context.Context, d *Document, u DocumentUpdate) (*documentSnapshot, error) {
	snap := &documentSnapshot{doc: *d}
	if s.noAudit {
		return snap, nil
	}
	if u.CustomFields.IsSet() {
		cur, err := s.CustomFieldValuesByDocuments(ctx, []int{d.ID})
		if err != nil {
			return nil, err
		}
		snap.fields = cur[d.ID]
		if snap.fields == nil {
			snap.fields = []CustomFieldInstance{}
		}
	}
	requested, set := u.TagIDs.ValueOK()
	if !set {
		return snap, nil
	}
	var rows []struct {
		ID   int    `bun:"id"`
		Name string `bun:"name"`
		Has  bool   `bun:"has"`
	}
	q := s.db(ctx).NewSelect().TableExpr("tags AS t").ColumnExpr("t.id, t.name").
		ColumnExpr("EXISTS (SELECT 1 FROM document_tags AS dt WHERE dt.document_id = ? AND dt.tag_id = t.id) AS has", d.ID).
		Where("t.id IN (SELECT tag_id FROM document_tags WHERE document_id = ?)", d.ID)
	if len(requested) > 0 {
		q = q.WhereOr("t.id IN (?)", bun.List(uniqueInts(requested)))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("load tags of document %d: %w", d.ID, err)
	}
	snap.tags, snap.names = map[int]string{}, map[int]string{}
	for _, r := range rows {
		snap.names[r.ID] = r.Name
		if r.Has {
			snap.tags[r.ID] = r.Name
		}
	}
	return snap, nil
}

// recordUpdate writes the history of an update from snap to d, whose tag
// set is now tagIDs (when the update set it): the field changes in one
// entry, tags added and tags removed in one each (as django-auditlog logs
// an m2m change apart). It reads only the names of tags the update added
// without asking for them (ancestors of nested tags).
func (s *Store) recordUpdate(ctx context.Context, snap *documentSnapshot, d *Document, tagIDs []int) error {
	if s.noAudit {
		return nil
	}
	rows := []historyRow{{docID: d.ID, action: HistoryUpdate, changes: s.documentChanges(&snap.doc, d)}}
	if snap.tags != nil {
		after := make(map[int]string, len(tagIDs))
		var unnamed []int
		for _, id := range tagIDs {
			name, ok := snap.names[id]
			if !ok {
				unnamed = append(unnamed, id)
			}
			after[id] = name
		}
		if len(unnamed) > 0 {
			names, err := s.tagNames(ctx, unnamed)
			if err != nil {
				return err
			}
			for _, id := range unnamed {
				after[id] = names[id]
			}
		}
		for _, c := range tagChanges(snap.tags, after) {
			rows = append(rows, historyRow{docID: d.ID, action: HistoryUpdate, changes: []historyChange{c}})
		}
	}
	if snap.fields != nil {
		cur, err := s.CustomFieldValuesByDocuments(ctx, []int{d.ID})
		if err != nil {
			return err
		}
		rows = append(rows, customFieldChanges(d.ID, snap.fields, cur[d.ID])...)
	}
	return s.writeHistory(ctx, rows)
}

// customFieldChanges lists, as paperless-ngx logs its custom field
// instances, one entry per value attached (create), changed (update) or
// removed (delete): {"custom_fields": {"type": "custom_field", "field":
// name, "value": text}}, ordered by field name.
func customFieldChanges(docID int, before, after []CustomFieldInstance) []historyRow {
	text := func(ci CustomFieldInstance) string {
		if ci.Value() == nil {
			return "None"
		}
		return ci.Text()
	}
	old := make(map[int]CustomFieldInstance, len(before))
	for _, ci := range before {
		old[ci.FieldID] = ci
	}
	type change struct {
		name string
		row  historyRow
	}
	var out []change
	add := func(action HistoryAction, ci CustomFieldInstance) {
		out = append(out, change{ci.FieldName, historyRow{docID: docID, action: action,
			changes: []historyChange{{Field: "custom_fields", CustomField: ci.FieldName, New: text(ci)}}}})
	}
	for _, ci := range after {
		prev, ok := old[ci.FieldID]
		delete(old, ci.FieldID)
		switch {
		case !ok:
			add(HistoryCreate, ci)
		case text(prev) != text(ci):
			add(HistoryUpdate, ci)
		}
	}
	for _, ci := range old {
		add(HistoryDelete, ci)
	}
	slices.SortFunc(out, func(a, b change) int { return strings.Compare(a.name, b.name) })
	rows := make([]historyRow, len(out))
	for i, c := range out {
		rows[i] = c.row
	}
	return rows
}

// recordCreate writes the "create" entries of new documents: every field
// set, and their tags (tagIDs[i] belong to docs[i]) as one m2m "add".
func (s *Store) recordCreate(ctx context.Context, docs []*Document, tagIDs [][]int) error {
	if s.noAudit || len(docs) == 0 {
		return nil
	}
	var all []int
	for _, ids := range tagIDs {
		all = append(all, ids...)
	}
	names, err := s.tagNames(ctx, all)
	if err != nil {
		return err
	}
	rows := make([]historyRow, 0, len(docs))
	for i, d := range docs {
		changes := s.documentChanges(nil, d)
		if i < len(tagIDs) && len(tagIDs[i]) > 0 {
			after := make(map[int]string, len(tagIDs[i]))
			for _, id := range tagIDs[i] {
				after[id] = names[id]
			}
			changes = append(changes, tagChanges(nil, after)...)
		}
		rows = append(rows, historyRow{docID: d.ID, action: HistoryCreate, changes: changes})
	}
	return s.writeHistory(ctx, rows)
}

// recordDelete writes the "delete" entries of deleted documents.
func (s *Store) recordDelete(ctx context.Context, docs []Document) error {
	if s.noAudit || len(docs) == 0 {
		return nil
	}
	rows := make([]historyRow, len(docs))
	for i := range docs {
		rows[i] = historyRow{docID: docs[i].ID, action: HistoryDelete, changes: s.documentChanges(&docs[i], nil)}
	}
	return s.writeHistory(ctx, rows)
}

// tagNames returns the names of the tags among ids, by id.
func (s *Store) tagNames(ctx context.Context, ids []int) (map[int]string, error) {
	out := map[int]string{}
	ids = uniqueInts(ids)
	for chunk := range chunks(ids, 1000) {
		var rows []struct {
			ID   int    `bun:"id"`
			Name string `bun:"name"`
		}
		if err := s.db(ctx).NewSelect().TableExpr("tags").Column("id", "name").Where("id IN (?)", bun.List(chunk)).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("load tag names: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}

// bulkAudited are the bulk methods whose changes the history records
// (paperless-ngx records none of its bulk edits; Quire records what the
// document update would). Deletion is the trash's; custom fields and
// permissions are not recorded yet.
var bulkAudited = map[BulkEditMethod]bool{
	BulkSetCorrespondent: true, BulkSetDocumentType: true, BulkSetStoragePath: true,
	BulkAddTag: true, BulkRemoveTag: true, BulkModifyTags: true,
}

// snapshotBulk keeps the documents of a bulk edit (and, for the tag
// methods, their tag names) before it changes them: two statements
// whatever the number of documents; nil when nothing is recorded.
func (s *Store) snapshotBulk(ctx context.Context, b BulkEdit) (map[int]*documentSnapshot, error) {
	if s.noAudit || !bulkAudited[b.Method] || len(b.DocumentIDs) == 0 {
		return nil, nil
	}
	tags := b.Method == BulkAddTag || b.Method == BulkRemoveTag || b.Method == BulkModifyTags
	return s.snapshotDocuments(ctx, b.DocumentIDs, tags)
}

// snapshotDocuments reads the documents among ids (and with tags their
// tag names) as they are now.
func (s *Store) snapshotDocuments(ctx context.Context, ids []int, tags bool) (map[int]*documentSnapshot, error) {
	out := make(map[int]*documentSnapshot, len(ids))
	for chunk := range chunks(uniqueInts(ids), 1000) {
		var docs []Document
		if err := s.db(ctx).NewSelect().Model(&docs).Where("id IN (?)", bun.List(chunk)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("read documents for their history: %w", err)
		}
		for _, d := range docs {
			out[d.ID] = &documentSnapshot{doc: d}
		}
		if !tags {
			continue
		}
		for _, id := range chunk {
			if sn := out[id]; sn != nil {
				sn.tags = map[int]string{}
			}
		}
		var rows []struct {
			DocumentID int    `bun:"document_id"`
			ID         int    `bun:"id"`
			Name       string `bun:"name"`
		}
		err := s.db(ctx).NewSelect().TableExpr("document_tags AS dt").Join("JOIN tags AS t ON t.id = dt.tag_id").
			ColumnExpr("dt.document_id, t.id, t.name").Where("dt.document_id IN (?)", bun.List(chunk)).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("read tags for the history: %w", err)
		}
		for _, r := range rows {
			if sn := out[r.DocumentID]; sn != nil {
				sn.tags[r.ID] = r.Name
			}
		}
	}
	return out, nil
}

// recordBulk writes the history of the changed documents of a bulk edit
// from their snapshots: like recordUpdate, with every document read again
// at once.
func (s *Store) recordBulk(ctx context.Context, before map[int]*documentSnapshot, changed []int) error {
	if before == nil || len(changed) == 0 {
		return nil
	}
	tags := false
	for _, sn := range before {
		tags = sn.tags != nil
		break
	}
	after, err := s.snapshotDocuments(ctx, changed, tags)
	if err != nil {
		return err
	}
	var rows []historyRow
	for _, id := range sortedInts(changed) {
		b, a := before[id], after[id]
		if b == nil || a == nil {
			continue
		}
		rows = append(rows, historyRow{docID: id, action: HistoryUpdate, changes: s.documentChanges(&b.doc, &a.doc)})
		if tags {
			for _, c := range tagChanges(b.tags, a.tags) {
				rows = append(rows, historyRow{docID: id, action: HistoryUpdate, changes: []historyChange{c}})
			}
		}
	}
	return s.writeHistory(ctx, rows)
}
