package rest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// clientAddr is the address of the client r came from, the key of
// per-client throttles: the peer's IP, or, when the peer is a trusted
// proxy (QUIRE_TRUSTED_PROXIES), the address X-Forwarded-For names last
// before the trusted proxies (a client cannot forge its way past them by
// prepending entries).
func (l *Links) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if h, _, err := net.SplitHostPort(peer); err == nil {
		peer = h
	}
	if l == nil || len(l.TrustedProxies) == 0 || !l.trusted(r.RemoteAddr) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !l.trusted(a.String()) {
			return a.String()
		}
		peer = a.String()
	}
	return peer
}

// ngxBulkMethods are the bulk edit methods paperless-ngx adds (NGX.md
// §6.8); the 0.9 and 1.x dialects refuse them as unknown choices.
var ngxBulkMethods = map[string]store.BulkEditMethod{
	"set_storage_path": store.BulkSetStoragePath, "modify_custom_fields": store.BulkModifyCustomFields,
	"set_permissions": store.BulkSetPermissions, "reprocess": store.BulkReprocess, "rotate": store.BulkRotate,
	"merge": store.BulkMerge, "split": store.BulkSplit, "delete_pages": store.BulkDeletePages,
	"edit_pdf": store.BulkEditPDF, "remove_password": store.BulkRemovePassword,
}

// bulkMethod looks up a bulk edit method name in the request's version.
func bulkMethod(version int, name string) (store.BulkEditMethod, bool) {
	if m, ok := bulkMethods[name]; ok {
		return m, true
	}
	m, ok := ngxBulkMethods[name]
	return m, ok && version >= 9
}

// bulkDocuments reads which documents a bulk edit is for: `documents`,
// or in the paperless-ngx versions `"all": true` with optional `filters`
// (the document list's query parameters as keys, read by its parser).
func (a *API) bulkDocuments(r *http.Request, b *body, edit *store.BulkEdit) {
	if all, _ := b.obj["all"].(bool); !all || info(r).version < 9 {
		edit.DocumentIDs = documentList(b)
		return
	}
	edit.All = true
	x, ok := b.obj["filters"]
	if !ok || x == nil {
		return
	}
	m, isDict := x.(map[string]any)
	if !isDict {
		b.fail("filters", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyType(x)))
		return
	}
	q := url.Values{}
	for k, v := range m {
		q.Set(k, filterValue(v))
	}
	f, bad := ngxDocumentFilters(a.loc).parse(q)
	for k, msgs := range bad {
		for _, msg := range msgs {
			b.fail("filters", k+": "+msg)
		}
	}
	edit.Filter = &f
}

// filterValue is a JSON filter value as the query string would carry
// it: lists comma-joined (id__in=1,2), booleans 1/0.
func filterValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = filterValue(it)
		}
		return strings.Join(parts, ",")
	}
	return pyStr(v)
}

// ngxBulkParameters reads the parameters of the paperless-ngx methods
// (the PDF operations take none Quire reads: it refuses them); "" when
// they are fine, else paperless-ngx's message.
func ngxBulkParameters(edit *store.BulkEdit, p map[string]any) string {
	var msg string
	switch edit.Method {
	case store.BulkSetStoragePath:
		x, ok := p["storage_path"]
		if !ok {
			return "storage_path not specified"
		}
		if x != nil {
			id, isInt := jsonInt(x)
			if !isInt {
				return "Storage path does not exist"
			}
			edit.StoragePathID = &id
		}
	case store.BulkModifyCustomFields:
		add, ok := p["add_custom_fields"]
		if !ok {
			return "add_custom_fields not specified"
		}
		if d, isDict := add.(map[string]any); isDict { // {"<id>": value}: values set
			for _, k := range slices.Sorted(maps.Keys(d)) {
				id, err := strconv.Atoi(k)
				if err != nil {
					return "add_custom_fields must be a list of integers or a dict of id to value"
				}
				edit.AddCustomFieldValues = append(edit.AddCustomFieldValues, store.CustomFieldValueInput{FieldID: id, Value: d[k]})
			}
		} else if edit.AddCustomFieldIDs, msg = paramInts(p, "add_custom_fields"); msg != "" {
			return msg
		}
		if _, ok := p["remove_custom_fields"]; !ok {
			return "remove_custom_fields not specified"
		}
		edit.RemoveCustomFieldIDs, msg = paramInts(p, "remove_custom_fields")
	case store.BulkSetPermissions:
		if x, ok := p["owner"]; ok && x != nil {
			id, isInt := jsonInt(x)
			if !isInt {
				return "Specified owner cannot be found"
			}
			edit.OwnerID = &id
		}
		edit.Merge, _ = p["merge"].(bool)
		edit.PermissionUserIDs, edit.PermissionGroupIDs, msg = permissionHolders(p["set_permissions"])
	}
	return msg
}

// permissionHolders reads a set_permissions object ({"view": {"users":
// [ids], "groups": [ids]}, "change": {…}}) into the users and groups it
// names.
func permissionHolders(x any) (users, groups []int, msg string) {
	if x == nil {
		return nil, nil, ""
	}
	perms, ok := x.(map[string]any)
	if !ok {
		return nil, nil, "set_permissions must be a dictionary"
	}
	for _, right := range []string{"view", "change"} {
		holders, ok := perms[right].(map[string]any)
		if !ok {
			continue
		}
		u, msg := paramInts(holders, "users")
		if msg != "" && holders["users"] != nil {
			return nil, nil, msg
		}
		g, msg := paramInts(holders, "groups")
		if msg != "" && holders["groups"] != nil {
			return nil, nil, msg
		}
		users, groups = append(users, u...), append(groups, g...)
	}
	return uniqueSorted(users), uniqueSorted(groups), ""
}

func uniqueSorted(ids []int) []int {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// jsonInt reads a JSON integer.
func jsonInt(x any) (int, bool) {
	n, ok := x.(json.Number)
	v, err := n.Int64()
	if !ok || err != nil {
		return 0, false
	}
	return int(v), true
}

// paramInts reads p[key] as a list of integers.
func paramInts(p map[string]any, key string) ([]int, string) {
	x, ok := p[key]
	if !ok {
		return nil, key + " not specified"
	}
	items, isList := x.([]any)
	if !isList {
		return nil, key + " must be a list"
	}
	out := []int{}
	for _, it := range items {
		v, isInt := jsonInt(it)
		if !isInt {
			return nil, key + " must be a list of integers"
		}
		out = append(out, v)
	}
	return out, ""
}

// bulkObjectTypes and bulkObjectOperations are bulk_edit_objects'
// choices.
var (
	bulkObjectTypes = map[string]store.ObjectType{"tags": store.ObjectTags, "correspondents": store.ObjectCorrespondents,
		"document_types": store.ObjectDocumentTypes, "storage_paths": store.ObjectStoragePaths}
	bulkObjectOperations = map[string]store.ObjectOperation{"set_permissions": store.ObjectSetPermissions, "delete": store.ObjectDelete}
	bulkObjectNames      = map[string]string{"objectIds": "objects", "objectType": "object_type"}
)

// bulkEditObjects is POST /api/bulk_edit_objects/ (paperless-ngx, JSON).
func (a *API) bulkEditObjects() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, true)
		if b == nil {
			return
		}
		in := store.BulkObjects{}
		choice := func(key string, ok bool) {
			if _, present := b.obj[key]; !present {
				b.fail(key, msgRequired)
			} else if !ok {
				b.fail(key, fmt.Sprintf("%q is not a valid choice.", pyStr(b.obj[key])))
			}
		}
		ts, _ := b.obj["object_type"].(string)
		in.ObjectType = bulkObjectTypes[ts]
		choice("object_type", in.ObjectType != "")
		os, _ := b.obj["operation"].(string)
		in.Operation = bulkObjectOperations[os]
		choice("operation", in.Operation != "")
		all, _ := b.obj["all"].(bool)
		if !all {
			ids, msg := paramInts(b.obj, "objects")
			switch {
			case msg == "objects not specified":
				b.fail("objects", msgRequired)
			case msg != "":
				b.fail("objects", msg)
			}
			in.ObjectIDs = ids
		}
		if x, ok := b.obj["owner"]; ok && x != nil {
			id, isInt := jsonInt(x)
			if !isInt {
				b.fail("owner", "A valid integer is required.")
			}
			in.OwnerID = &id
		}
		in.Merge, _ = b.obj["merge"].(bool)
		var msg string
		in.PermissionUserIDs, in.PermissionGroupIDs, msg = permissionHolders(b.obj["permissions"])
		if msg != "" {
			b.fail("permissions", msg)
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		var filter *store.NameFilter
		if all {
			if filter = objectFilter(b, in.ObjectType); b.errs != nil {
				a.fieldErrors(w, r, b.errs)
				return
			}
			ids, err := a.allObjectIDs(r, in.ObjectType, filter)
			if err != nil {
				a.writeError(w, r, err, bulkObjectNames)
				return
			}
			in.ObjectIDs = ids
		}
		_, ownerSent := b.obj["owner"]
		ctx := bulkPermissionArgs(r.Context(), b.obj["permissions"], ownerSent) // permissions_objects.go
		if _, err := a.res.Mutation().BulkEditObjects(ctx, in); err != nil {
			a.writeError(w, r, err, bulkObjectNames)
			return
		}
		a.writeJSON(w, r, http.StatusOK, map[string]string{"result": "OK"})
	}
}

// objectFilter reads bulk_edit_objects' `filters` with the type's list
// filters (tags also is_root); nil without filters.
func objectFilter(b *body, t store.ObjectType) *store.NameFilter {
	x, ok := b.obj["filters"]
	if !ok || x == nil {
		return nil
	}
	m, isDict := x.(map[string]any)
	if !isDict {
		b.fail("filters", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyType(x)))
		return nil
	}
	q := url.Values{}
	for k, v := range m {
		q.Set(k, filterValue(v))
	}
	f, bad := ngxNameFilters(t == store.ObjectTags).parse(q)
	for k, msgs := range bad {
		for _, msg := range msgs {
			b.fail("filters", k+": "+msg)
		}
	}
	return &f
}

// allObjectIDs is every object of a type f matches (bulk_edit_objects'
// `all`; nil f: all of them).
func (a *API) allObjectIDs(r *http.Request, t store.ObjectType, f *store.NameFilter) ([]int, error) {
	switch t {
	case store.ObjectTags:
		return a.res.TagIDs(r.Context(), f, nil)
	case store.ObjectCorrespondents:
		return a.res.CorrespondentIDs(r.Context(), f, nil)
	case store.ObjectDocumentTypes:
		return a.res.DocumentTypeIDs(r.Context(), f, nil)
	}
	return []int{}, nil
}

// globalSearchJSON is GET /api/search/ in the paperless-ngx versions
// (NGX.md §13.4): each list in its resource's shape.
type globalSearchJSON struct {
	Total          int   `json:"total"`
	Documents      any   `json:"documents"`
	SavedViews     any   `json:"saved_views"`
	Tags           any   `json:"tags"`
	Correspondents any   `json:"correspondents"`
	DocumentTypes  any   `json:"document_types"`
	StoragePaths   any   `json:"storage_paths"`
	Users          []any `json:"users"`
	Groups         []any `json:"groups"`
	MailRules      []any `json:"mail_rules"`
	MailAccounts   []any `json:"mail_accounts"`
	Workflows      []any `json:"workflows"`
	CustomFields   any   `json:"custom_fields"`
}

// globalSearch answers /api/search/ for versions 9 and 10; a missing or
// short query is 400 text/plain, as paperless-ngx answers.
func (a *API) globalSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query, _ := last(q, "query")
	dbOnly := q.Get("db_only") != ""
	ctx := resolvers.WithDocumentRelations(r.Context(), resolvers.DocumentRelations{TagIDs: true})
	res, err := a.res.Query().GlobalSearch(ctx, query, &dbOnly)
	if store.ErrorCode(err) == store.Validation {
		a.textError(w, r, store.ErrorMessage(err))
		return
	}
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	out := globalSearchJSON{Total: res.Total, Users: []any{}, Groups: []any{},
		MailRules: []any{}, MailAccounts: []any{}, Workflows: []any{}}
	for _, step := range []func() error{
		func() (err error) { out.Documents, err = a.documents().render(ctx, r, res.Documents, true); return },
		func() (err error) { out.SavedViews, err = a.savedViews().render(ctx, r, res.SavedViews, true); return },
		func() (err error) { out.Tags, err = a.tags().render(ctx, r, res.Tags, true); return },
		func() (err error) {
			out.Correspondents, err = a.correspondents().render(ctx, r, res.Correspondents, true)
			return
		},
		func() (err error) {
			out.DocumentTypes, err = a.documentTypes().render(ctx, r, res.DocumentTypes, true)
			return
		},
		func() (err error) {
			out.StoragePaths, err = a.storagePaths().render(ctx, r, res.StoragePaths, true)
			return
		},
		func() (err error) {
			out.CustomFields, err = a.customFields().render(ctx, r, res.CustomFields, true)
			return
		},
	} {
		if err := step(); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
	}
	for i := range res.Users {
		u, err := a.oneUserJSON(ctx, &res.Users[i])
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out.Users = append(out.Users, u)
	}
	if len(res.Groups) > 0 {
		ids := make([]int, len(res.Groups))
		for i, g := range res.Groups {
			ids[i] = g.ID
		}
		perms, err := a.res.GroupsPermissions(ctx, ids)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		for i := range res.Groups {
			out.Groups = append(out.Groups, groupOut(&res.Groups[i], perms[res.Groups[i].ID]))
		}
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// ngxOpsRoutes are paperless-ngx's object operations beyond the
// document's (NGX.md §12). routes() appends them.
func (a *API) ngxOpsRoutes() []*endpoint {
	return []*endpoint{
		{Path: "/bulk_edit_objects/", Name: "Bulk Edit Objects", Tag: "bulk_edit_objects", Dialects: dialectNGX,
			Ops: []op{{Method: "POST", Summary: `{"objects":[ids],"object_type":"tags|correspondents|document_types|storage_paths","operation":"delete|set_permissions"} (JSON only)`,
				Handler: a.bulkEditObjects(), Status: 200, Body: "BulkEditObjects", Result: "Result"}}},
	}
}

// metadataNgxJSON is …/metadata/ in the paperless-ngx versions: no
// paperless__* keys, plus the consumed file's name and the language.
type metadataNgxJSON struct {
	OriginalChecksum     string          `json:"original_checksum"`
	OriginalSize         *int            `json:"original_size"`
	OriginalMimeType     string          `json:"original_mime_type"`
	MediaFilename        *string         `json:"media_filename"`
	HasArchiveVersion    bool            `json:"has_archive_version"`
	OriginalMetadata     []metadataEntry `json:"original_metadata"`
	ArchiveChecksum      *string         `json:"archive_checksum"`
	ArchiveMediaFilename *string         `json:"archive_media_filename"`
	OriginalFilename     string          `json:"original_filename"`
	ArchiveSize          *int            `json:"archive_size"`
	ArchiveMetadata      []metadataEntry `json:"archive_metadata"`
	Lang                 string          `json:"lang"`
}

func ngxMetadata(m *model.DocumentMetadata) metadataNgxJSON {
	return metadataNgxJSON{OriginalChecksum: m.OriginalChecksum, OriginalSize: m.OriginalSize, OriginalMimeType: m.OriginalMimeType,
		MediaFilename: m.MediaFilename, HasArchiveVersion: m.HasArchiveVersion, OriginalMetadata: metadataEntries(m.OriginalMetadata),
		ArchiveChecksum: m.ArchiveChecksum, ArchiveMediaFilename: m.ArchiveMediaFilename, OriginalFilename: m.OriginalFilename,
		ArchiveSize: m.ArchiveSize, ArchiveMetadata: metadataEntries(m.ArchiveMetadata), Lang: m.Lang}
}

// suggestionsNgxJSON is …/suggestions/ in the paperless-ngx versions:
// storage paths and the dates found in the content (YYYY-MM-DD) too.
type suggestionsNgxJSON struct {
	Correspondents []int    `json:"correspondents"`
	Tags           []int    `json:"tags"`
	DocumentTypes  []int    `json:"document_types"`
	StoragePaths   []int    `json:"storage_paths"`
	Dates          []string `json:"dates"`
}

func ngxSuggestions(s *model.DocumentSuggestions, nonNil func([]int) []int) suggestionsNgxJSON {
	dates := make([]string, len(s.Dates))
	for i, d := range s.Dates {
		dates[i] = d.Format(time.DateOnly)
	}
	return suggestionsNgxJSON{nonNil(s.CorrespondentIds), nonNil(s.TagIds), nonNil(s.DocumentTypeIds), nonNil(s.StoragePathIds), dates}
}
