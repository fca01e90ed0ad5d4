package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// ngxData is what an import reads of paperless-ngx's models beyond
// paperless-ng's: kept whole while the documents stream past (notes,
// values and share links are small next to the documents).
type ngxData struct {
	contentTypes map[int]string // id → "app_label.model"
	permissions  map[int]string // id → codename
	permCT       map[int]int    // permission id → content type id
	groups       []record
	storagePaths []record
	customFields []record
	objectPerms  []record
	notes        map[int][]record // by document id
	values       map[int][]record
	shareLinks   map[int][]record
}

func newNGXData() *ngxData {
	return &ngxData{contentTypes: map[int]string{}, permissions: map[int]string{}, permCT: map[int]int{},
		notes: map[int][]record{}, values: map[int][]record{}, shareLinks: map[int][]record{}}
}

// add keeps r when it is one of the ngx models read; false otherwise.
func (x *ngxData) add(r *record) bool {
	docOf := func() int {
		var f struct {
			Document int `json:"document"`
		}
		json.Unmarshal(r.Fields, &f)
		return f.Document
	}
	switch r.Model {
	case modelContentType:
		var f struct {
			AppLabel string `json:"app_label"`
			Model    string `json:"model"`
		}
		json.Unmarshal(r.Fields, &f)
		x.contentTypes[r.PK] = f.AppLabel + "." + f.Model
	case modelPermission:
		var f struct {
			Codename    string `json:"codename"`
			ContentType int    `json:"content_type"`
		}
		json.Unmarshal(r.Fields, &f)
		x.permissions[r.PK], x.permCT[r.PK] = f.Codename, f.ContentType
	case modelGroup:
		x.groups = append(x.groups, *r)
	case modelStoragePath:
		x.storagePaths = append(x.storagePaths, *r)
	case modelCustomField:
		x.customFields = append(x.customFields, *r)
	case modelUserObjectPerm, modelGroupObjPerm:
		x.objectPerms = append(x.objectPerms, *r)
	case modelNote:
		d := docOf()
		x.notes[d] = append(x.notes[d], *r)
	case modelCustomFieldVal:
		d := docOf()
		x.values[d] = append(x.values[d], *r)
	case modelShareLink:
		d := docOf()
		x.shareLinks[d] = append(x.shareLinks[d], *r)
	default:
		return false
	}
	return true
}

// codenames maps permission ids to codenames; ids not in the export are
// counted as skipped under what.
func (im *importer) codenames(ids []int, what string) []string {
	var out []string
	for _, id := range ids {
		if c, ok := im.ngx.permissions[id]; ok {
			out = append(out, c)
		} else {
			im.skip(what+" (not in the export's auth.permission)", 1)
		}
	}
	return out
}

// ngxGroups imports the groups with their global permissions; it returns
// the conflicts.
func (im *importer) ngxGroups(ctx context.Context) ([]string, error) {
	var conflicts []string
	im.groupIDs = map[int]int{}
	for _, r := range im.ngx.groups {
		var in struct {
			Name        string `json:"name"`
			Permissions []int  `json:"permissions"`
		}
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("group %d", r.PK), "unreadable: %v", err)
			continue
		}
		created, unknown, err := im.st.ImportGroup(ctx, &store.Group{ID: r.PK, Name: in.Name}, im.codenames(in.Permissions, "auth.group.permissions"))
		switch {
		case store.ErrorCode(err) == store.Conflict:
			conflicts = append(conflicts, err.Error())
			continue
		case store.ErrorCode(err) == store.Validation:
			im.fail(fmt.Sprintf("group %d (%s)", r.PK, in.Name), "%v", err)
			continue
		case err != nil:
			return nil, err
		}
		if created {
			im.rep.Groups++
		}
		if len(unknown) > 0 {
			im.skip("auth.group.permissions (unknown to Quire)", len(unknown))
		}
		im.groupIDs[r.PK] = r.PK
	}
	return conflicts, nil
}

// userAccess gives an imported user the groups and global permissions
// the export gives it; paperless-ng (0.9, 1.x) had none, and let every
// user do everything: there a user gets Quire's default set (what users
// of the archive had when permissions arrived).
func (im *importer) userAccess(ctx context.Context, id int, in userIn) error {
	if im.format == FormatNG09 || im.format == FormatNG1 {
		if in.IsSuperuser {
			return nil
		}
		return im.st.SetUserPermissions(ctx, id, store.DefaultPermissions())
	}
	var groups []int
	for _, g := range in.Groups {
		if q, ok := im.groupIDs[g]; ok {
			groups = append(groups, q)
		} else {
			im.skip("auth.user.groups (group not imported)", 1)
		}
	}
	if len(groups) > 0 {
		if err := im.st.SetUserGroups(ctx, id, groups); err != nil {
			return err
		}
	}
	known, unknown := store.KnownPermissions(im.codenames(in.UserPermissions, "auth.user.user_permissions"))
	if len(unknown) > 0 {
		im.skip("auth.user.user_permissions (unknown to Quire)", len(unknown))
	}
	if in.UserPermissions != nil {
		return im.st.SetUserPermissions(ctx, id, known)
	}
	return nil
}

// ngxStoragePaths and ngxCustomFields import those models; they return
// the conflicts.
func (im *importer) ngxStoragePaths(ctx context.Context, owner func(r *record, name string, o *int) *int) ([]string, error) {
	var conflicts []string
	im.storagePaths, im.spFormats = map[int]bool{}, map[int]*files.Format{}
	for i := range im.ngx.storagePaths {
		r := &im.ngx.storagePaths[i]
		var in struct {
			matchingIn
			Path string `json:"path"`
		}
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("storage path %d", r.PK), "unreadable: %v", err)
			continue
		}
		path, err := files.CheckTemplate(in.Path)
		if err == nil {
			im.spFormats[r.PK], _ = files.ParseTemplate(path)
		} else {
			// Kept as written: the storage path and its documents stay
			// together, and the files are named by the filename format.
			path = in.Path
			im.warn(fmt.Sprintf("storage path %d (%s)", r.PK, in.Name), "template %q: %v; its documents' files are named by the filename format", in.Path, err)
		}
		sp := &store.StoragePath{ID: r.PK, Name: in.Name, Path: path, OwnerID: owner(r, in.Name, in.Owner)}
		sp.Match = in.Match
		sp.MatchingAlgorithm = store.MatchAny
		if in.MatchingAlgorithm != nil {
			sp.MatchingAlgorithm = store.MatchingAlgorithm(*in.MatchingAlgorithm)
		}
		sp.IsInsensitive = in.IsInsensitive == nil || *in.IsInsensitive
		created, err := im.st.ImportStoragePath(ctx, sp)
		switch {
		case store.ErrorCode(err) == store.Conflict:
			conflicts = append(conflicts, err.Error())
			continue
		case store.ErrorCode(err) == store.Validation:
			im.fail(fmt.Sprintf("storage path %d (%s)", r.PK, in.Name), "%v", err)
			continue
		case err != nil:
			return nil, err
		}
		if created {
			im.rep.StoragePaths++
		}
		im.storagePaths[r.PK] = true
	}
	return conflicts, nil
}

// customFieldIn is a documents.customfield entry. Select options are
// {"id", "label"} objects since paperless-ngx 2.15, plain labels before
// (values then name an option by its index).
type customFieldIn struct {
	Created   string `json:"created"`
	Name      string `json:"name"`
	DataType  string `json:"data_type"`
	ExtraData *struct {
		SelectOptions   []json.RawMessage `json:"select_options"`
		DefaultCurrency *string           `json:"default_currency"`
	} `json:"extra_data"`
}

func (im *importer) ngxCustomFields(ctx context.Context) ([]string, error) {
	var conflicts []string
	im.fieldTypes = map[int]store.CustomFieldDataType{}
	im.indexedOptions = map[int]bool{}
	for i := range im.ngx.customFields {
		r := &im.ngx.customFields[i]
		var in customFieldIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("custom field %d", r.PK), "unreadable: %v", err)
			continue
		}
		f := &store.CustomField{ID: r.PK, Name: in.Name, DataType: store.CustomFieldDataType(in.DataType)}
		if t, err := parseTime(in.Created, im.opts.Location); err == nil {
			f.Created = t
		}
		if x := in.ExtraData; x != nil {
			extra := &store.CustomFieldExtra{DefaultCurrency: x.DefaultCurrency}
			for n, raw := range x.SelectOptions {
				var o store.SelectOption
				var label string
				if json.Unmarshal(raw, &o) == nil && o.ID != "" {
					extra.SelectOptions = append(extra.SelectOptions, o)
				} else if json.Unmarshal(raw, &label) == nil {
					extra.SelectOptions = append(extra.SelectOptions, store.SelectOption{ID: strconv.Itoa(n), Label: label})
					im.indexedOptions[r.PK] = true
				}
			}
			f.ExtraData = extra
		}
		created, err := im.st.ImportCustomField(ctx, f)
		switch {
		case store.ErrorCode(err) == store.Conflict:
			conflicts = append(conflicts, err.Error())
			continue
		case store.ErrorCode(err) == store.Validation:
			im.fail(fmt.Sprintf("custom field %d (%s)", r.PK, in.Name), "%v", err)
			continue
		case err != nil:
			return nil, err
		}
		if created {
			im.rep.CustomFields++
		}
		im.fieldTypes[r.PK] = f.DataType
	}
	return conflicts, nil
}

// valueColumn is the value_* field paperless-ngx keeps a type's value in.
var valueColumn = map[store.CustomFieldDataType]string{
	store.FieldString: "value_text", store.FieldLongText: "value_long_text", store.FieldURL: "value_url",
	store.FieldDate: "value_date", store.FieldBoolean: "value_bool", store.FieldInteger: "value_int",
	store.FieldFloat: "value_float", store.FieldMonetary: "value_monetary",
	store.FieldDocumentLink: "value_document_ids", store.FieldSelect: "value_select",
}

// extras gathers the notes, custom field values and share links of the
// documents of a batch.
func (im *importer) extras(ctx context.Context, docs []*store.Document) (*store.DocumentExtras, error) {
	if im.ngx == nil {
		return nil, nil
	}
	x := &store.DocumentExtras{}
	var vals []store.ImportedValue
	labels := map[int]string{}
	user := func(id *int) *int {
		if id == nil {
			return nil
		}
		if q, ok := im.userIDs[*id]; ok {
			return &q
		}
		return nil
	}
	for _, d := range docs {
		for _, r := range im.ngx.notes[d.ID] {
			var in struct {
				Note      string  `json:"note"`
				Created   string  `json:"created"`
				User      *int    `json:"user"`
				DeletedAt *string `json:"deleted_at"`
			}
			if err := json.Unmarshal(r.Fields, &in); err != nil {
				im.fail(fmt.Sprintf("note %d", r.PK), "unreadable: %v", err)
				continue
			}
			if in.DeletedAt != nil {
				im.skip("documents.note (deleted)", 1)
				continue
			}
			n := store.Note{ID: r.PK, DocumentID: d.ID, UserID: user(in.User), Note: in.Note, Created: d.Added}
			if t, err := parseTime(in.Created, im.opts.Location); err == nil {
				n.Created = t
			}
			x.Notes = append(x.Notes, n)
		}
		for _, r := range im.ngx.values[d.ID] {
			var in map[string]json.RawMessage
			var f struct {
				Field     int     `json:"field"`
				DeletedAt *string `json:"deleted_at"`
			}
			if json.Unmarshal(r.Fields, &in) != nil || json.Unmarshal(r.Fields, &f) != nil {
				im.fail(fmt.Sprintf("custom field value %d", r.PK), "unreadable")
				continue
			}
			if f.DeletedAt != nil {
				im.skip("documents.customfieldinstance (deleted)", 1)
				continue
			}
			t, ok := im.fieldTypes[f.Field]
			if !ok {
				im.fail(fmt.Sprintf("custom field value %d of document %d", r.PK, d.ID), "custom field %d was not imported", f.Field)
				continue
			}
			var v any
			if raw := in[valueColumn[t]]; len(raw) > 0 {
				dec := json.NewDecoder(strings.NewReader(string(raw)))
				dec.UseNumber()
				dec.Decode(&v)
			}
			if n, ok := v.(json.Number); ok && t == store.FieldSelect && im.indexedOptions[f.Field] {
				v = n.String() // an option by its index (before paperless-ngx 2.15)
			}
			if s, ok := v.(string); ok && t == store.FieldDate && len(s) > 10 {
				v = s[:10]
			}
			vals = append(vals, store.ImportedValue{ID: r.PK, DocumentID: d.ID, FieldID: f.Field, Value: v})
			labels[r.PK] = fmt.Sprintf("custom field value %d of document %d", r.PK, d.ID)
		}
		for _, r := range im.ngx.shareLinks[d.ID] {
			var in struct {
				Created     string  `json:"created"`
				Expiration  *string `json:"expiration"`
				Slug        string  `json:"slug"`
				FileVersion string  `json:"file_version"`
				Owner       *int    `json:"owner"`
				DeletedAt   *string `json:"deleted_at"`
			}
			if err := json.Unmarshal(r.Fields, &in); err != nil {
				im.fail(fmt.Sprintf("share link %d", r.PK), "unreadable: %v", err)
				continue
			}
			if in.DeletedAt != nil {
				im.skip("documents.sharelink (deleted)", 1)
				continue
			}
			l := store.ShareLink{ID: r.PK, Slug: in.Slug, DocumentID: d.ID, FileVersion: store.ShareLinkArchive, OwnerID: user(in.Owner), Created: d.Added}
			if in.FileVersion == string(store.ShareLinkOriginal) {
				l.FileVersion = store.ShareLinkOriginal
			}
			if t, err := parseTime(in.Created, im.opts.Location); err == nil {
				l.Created = t
			}
			if in.Expiration != nil {
				if t, err := parseTime(*in.Expiration, im.opts.Location); err == nil {
					l.Expiration = &t
				}
			}
			x.ShareLinks = append(x.ShareLinks, l)
		}
	}
	if len(vals) > 0 {
		rows, problems, err := im.st.CustomFieldRows(ctx, vals)
		if err != nil {
			return nil, err
		}
		for _, id := range slices.Sorted(mapKeys(problems)) {
			im.fail(labels[id], "%s", problems[id])
		}
		x.Values = rows
	}
	return x, nil
}

// stored counts extras as stored.
func (im *importer) stored(x *store.DocumentExtras) {
	if x != nil {
		im.rep.Notes += len(x.Notes)
		im.rep.CustomFieldValues += len(x.Values)
		im.rep.ShareLinks += len(x.ShareLinks)
	}
}

// ngxObjectPermissions applies django-guardian's per-object permissions
// (view and change of documents, tags, correspondents, document types,
// storage paths, saved views and custom fields) once everything is in.
func (im *importer) ngxObjectPermissions(ctx context.Context) error {
	type key struct {
		model store.Model
		id    int
	}
	type holders struct{ viewU, viewG, changeU, changeG []int }
	grants := map[key]*holders{}
	for _, r := range im.ngx.objectPerms {
		var in struct {
			Permission  int    `json:"permission"`
			ContentType int    `json:"content_type"`
			ObjectPK    string `json:"object_pk"`
			User        *int   `json:"user"`
			Group       *int   `json:"group"`
		}
		if json.Unmarshal(r.Fields, &in) != nil {
			im.fail(fmt.Sprintf("%s %d", r.Model, r.PK), "unreadable")
			continue
		}
		code := im.ngx.permissions[in.Permission]
		action, model, _ := strings.Cut(code, "_")
		ct := im.ngx.contentTypes[in.ContentType]
		id, err := strconv.Atoi(in.ObjectPK)
		m := store.Model(model)
		switch m {
		case store.ModelDocument, store.ModelTag, store.ModelCorrespondent, store.ModelDocumentType,
			store.ModelStoragePath, store.ModelSavedView, store.ModelCustomField:
		default:
			im.skip(r.Model+" ("+ct+")", 1)
			continue
		}
		if err != nil || "documents."+model != ct || (action != "view" && action != "change") {
			im.skip(r.Model+" ("+code+")", 1)
			continue
		}
		h := grants[key{m, id}]
		if h == nil {
			h = &holders{}
			grants[key{m, id}] = h
		}
		switch {
		case in.User != nil:
			u, ok := im.userIDs[*in.User]
			if !ok {
				im.skip(r.Model+" (user not imported)", 1)
				continue
			}
			if action == "view" {
				h.viewU = append(h.viewU, u)
			} else {
				h.changeU = append(h.changeU, u)
			}
		case in.Group != nil:
			g, ok := im.groupIDs[*in.Group]
			if !ok {
				im.skip(r.Model+" (group not imported)", 1)
				continue
			}
			if action == "view" {
				h.viewG = append(h.viewG, g)
			} else {
				h.changeG = append(h.changeG, g)
			}
		}
	}
	uniq := func(ids []int) *[]int {
		s := slices.Clone(ids)
		slices.Sort(s)
		s = slices.Compact(s)
		if s == nil {
			s = []int{}
		}
		return &s
	}
	keys := slices.SortedFunc(mapKeys(grants), func(a, b key) int {
		if c := strings.Compare(string(a.model), string(b.model)); c != 0 {
			return c
		}
		return a.id - b.id
	})
	for _, k := range keys {
		h := grants[k]
		err := im.st.SetPermissions(ctx, k.model, []int{k.id}, store.PermissionsUpdate{
			View:   &store.HoldersUpdate{Users: uniq(h.viewU), Groups: uniq(h.viewG)},
			Change: &store.HoldersUpdate{Users: uniq(h.changeU), Groups: uniq(h.changeG)},
		})
		switch store.ErrorCode(err) {
		case "":
			im.rep.ObjectPermissions++
		case store.NotFound:
			im.skip("per-object permissions (object not imported)", 1)
		case store.Validation:
			im.fail(fmt.Sprintf("permissions of %s %d", k.model, k.id), "%v", err)
		default:
			return err
		}
	}
	return nil
}

// trashTime reads a document's deleted_at (nil: not in the trash).
func (im *importer) trashTime(label string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, err := parseTime(*s, im.opts.Location)
	if err != nil {
		im.warn(label, "deleted_at %q is not a date and time; put in the trash now", *s)
		t = im.st.Now()
	}
	return &t
}

// ngxHistory imports django-auditlog's entries about documents
// (auditlog.logentry, paperless-ngx's document history) into Quire's
// history, in a second pass over the manifests (they can be many);
// entries about other models are counted as skipped.
func (im *importer) ngxHistory(ctx context.Context) error {
	docCT := map[int]bool{}
	for id, ct := range im.ngx.contentTypes {
		if ct == modelDocument {
			docCT[id] = true
		}
	}
	var batch []store.HistoryEntry
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := im.st.ImportHistory(ctx, batch)
		if err != nil {
			return err
		}
		im.rep.History += n
		batch = batch[:0]
		return nil
	}
	err := readManifest(im.dir, func(_ int, r *record) error {
		if r.Model != modelLogEntry {
			return nil
		}
		var in struct {
			ContentType int             `json:"content_type"`
			ObjectPK    string          `json:"object_pk"`
			Action      int             `json:"action"`
			Changes     json.RawMessage `json:"changes"`
			Timestamp   string          `json:"timestamp"`
			Actor       *int            `json:"actor"`
		}
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("%s %d", r.Model, r.PK), "unreadable: %v", err)
			return nil
		}
		action, ok := map[int]store.HistoryAction{0: store.HistoryCreate, 1: store.HistoryUpdate, 2: store.HistoryDelete}[in.Action]
		doc, err := strconv.Atoi(in.ObjectPK)
		if !docCT[in.ContentType] || !ok || err != nil {
			im.skip(r.Model+" (not a document's create, update or delete)", 1)
			return nil
		}
		// auditlog 2 keeps the changes as a JSON string, 3 as JSON.
		changes := string(in.Changes)
		var text string
		if json.Unmarshal(in.Changes, &text) == nil {
			changes = text
		}
		if changes == "" || changes == "null" {
			changes = "{}"
		}
		e := store.HistoryEntry{ID: r.PK, DocumentID: doc, Action: action, ChangesJSON: changes}
		if t, err := parseTime(in.Timestamp, im.opts.Location); err == nil {
			e.Timestamp = t
		} else {
			e.Timestamp = im.st.Now()
		}
		if in.Actor != nil {
			if id, ok := im.userIDs[*in.Actor]; ok {
				e.ActorID = &id
			}
		}
		batch = append(batch, e)
		if len(batch) >= 1000 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
