package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Saved views, logs, statistics, token, bulk edit and selection data.

type savedViewJSON struct {
	ID              int        `json:"id"`
	Name            string     `json:"name"`
	ShowOnDashboard bool       `json:"show_on_dashboard"`
	ShowInSidebar   bool       `json:"show_in_sidebar"`
	SortField       *string    `json:"sort_field"`
	SortReverse     bool       `json:"sort_reverse"`
	FilterRules     []ruleJSON `json:"filter_rules"`
}

// savedViewNgxJSON is a saved view in the paperless-ngx versions (NGX.md
// §9.1). Views belong to their user, its owner; page_size, display_mode
// and display_fields are kept (null when never set). Version 9 appends
// show_on_dashboard and show_in_sidebar.
type savedViewNgxJSON struct {
	ID            int        `json:"id"`
	Name          string     `json:"name"`
	SortField     *string    `json:"sort_field"`
	SortReverse   bool       `json:"sort_reverse"`
	FilterRules   []ruleJSON `json:"filter_rules"`
	PageSize      *int       `json:"page_size"`
	DisplayMode   *string    `json:"display_mode"`
	DisplayFields *[]string  `json:"display_fields"`
	ngxOwnership
	ShowOnDashboard *bool `json:"show_on_dashboard,omitempty"`
	ShowInSidebar   *bool `json:"show_in_sidebar,omitempty"`
}

type ruleJSON struct {
	RuleType int     `json:"rule_type"`
	Value    *string `json:"value"`
}

var savedViewNames = map[string]string{
	"showOnDashboard": "show_on_dashboard", "showInSidebar": "show_in_sidebar", "sortField": "sort_field",
	"sortReverse": "sort_reverse", "filterRules": "filter_rules",
	"pageSize": "page_size", "displayMode": "display_mode", "displayFields": "non_field_errors",
}

// none is the filter and order type of endpoints without either.
type none struct{}

func (a *API) savedViews() *resource[store.SavedView, none, none, store.SavedViewInput] {
	q, m, vr := a.res.Query(), a.res.Mutation(), a.res.SavedView()
	return &resource[store.SavedView, none, none, store.SavedViewInput]{
		names: staticNames(savedViewNames),
		list: func(ctx context.Context, _ *none, _ []none, page, size *int) ([]store.SavedView, int, int, error) {
			l, err := q.SavedViews(ctx, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.SavedView,
		input: func(b *body, ri *reqInfo) store.SavedViewInput {
			var in store.SavedViewInput
			in.Name, _ = b.str("name", false, true)
			in.ShowOnDashboard, _ = b.boolean("show_on_dashboard")
			in.ShowInSidebar, _ = b.boolean("show_in_sidebar")
			if v, ok := b.str("sort_field", true, true); ok {
				in.SortField = graphql.OmittableOf(v)
			}
			in.SortReverse, _ = b.boolean("sort_reverse")
			maxRule := ngRuleTypes // paperless-ng's rule types
			if ri.ngx() {
				maxRule = -1 // the resolvers check paperless-ngx's
			}
			if rules, ok := filterRules(b, maxRule); ok {
				in.FilterRules = graphql.OmittableOf(rules)
			}
			if ri.version >= 9 {
				savedViewDisplay(b, &in)
			}
			if ri.version >= 10 && ri.ep != nil && ri.ep.Path == "/saved_views/" {
				// Version 10 has no show_on_dashboard/show_in_sidebar (the
				// dashboard and sidebar lists live in the UI settings):
				// a view it creates is on neither.
				no := false
				if in.ShowOnDashboard == nil {
					in.ShowOnDashboard = &no
				}
				if in.ShowInSidebar == nil {
					in.ShowInSidebar = &no
				}
			}
			return in
		},
		create: m.CreateSavedView,
		replace: func(ctx context.Context, id int, in store.SavedViewInput) (*store.SavedView, error) {
			if ri, ok := ctx.Value(infoKey{}).(*reqInfo); ok && ri.version >= 10 {
				// Version 10 views carry no placement: a PUT keeps it.
				return a.res.ReplaceSavedViewKeepingPlacement(ctx, id, in)
			}
			return a.res.ReplaceSavedView(ctx, id, in)
		},
		patch: m.UpdateSavedView,
		del:   func(ctx context.Context, id int) error { _, err := m.DeleteSavedView(ctx, id); return err },
		ids:   func(ctx context.Context, _ *none, _ []none) ([]int, error) { return a.res.SavedViewIDs(ctx) },
		render: func(ctx context.Context, r *http.Request, items []store.SavedView, _ bool) (any, error) {
			if v := info(r).version; v >= 9 {
				owned, err := a.ownedOf(ctx, r, store.ModelSavedView, len(items), func(i int) (int, *int) {
					owner := items[i].UserID
					return items[i].ID, &owner
				})
				if err != nil {
					return nil, err
				}
				return savedViewsNgx(ctx, r, v, items, vr.FilterRules, owned)
			}
			out := make([]savedViewJSON, len(items))
			err := each(len(items), func(i int) error {
				v := items[i]
				rules, err := vr.FilterRules(ctx, &items[i])
				if err != nil {
					return err
				}
				rj := make([]ruleJSON, len(rules))
				for k, r := range rules {
					rj[k] = ruleJSON{RuleType: r.RuleType, Value: r.Value}
				}
				out[i] = savedViewJSON{ID: v.ID, Name: v.Name, ShowOnDashboard: v.ShowOnDashboard,
					ShowInSidebar: v.ShowInSidebar, SortField: v.SortField, SortReverse: v.SortReverse, FilterRules: rj}
				return nil
			})
			return out, err
		},
	}
}

// savedViewsNgx serialises saved views in the paperless-ngx versions.
func savedViewsNgx(ctx context.Context, r *http.Request, version int, items []store.SavedView,
	rulesOf func(context.Context, *store.SavedView) ([]store.SavedViewRule, error), owned []ngxOwnership) (any, error) {
	out := make([]savedViewNgxJSON, len(items))
	err := each(len(items), func(i int) error {
		v := items[i]
		rules, err := rulesOf(ctx, &items[i])
		if err != nil {
			return err
		}
		rj := make([]ruleJSON, len(rules))
		for k, r := range rules {
			rj[k] = ruleJSON{RuleType: r.RuleType, Value: r.Value}
		}
		o := owned[i]
		out[i] = savedViewNgxJSON{ID: v.ID, Name: v.Name, SortField: v.SortField, SortReverse: v.SortReverse,
			FilterRules: rj, PageSize: v.PageSize, DisplayMode: (*string)(v.DisplayMode), ngxOwnership: o}
		if v.DisplayFields != nil {
			out[i].DisplayFields = &v.DisplayFields
		}
		if version == 9 {
			out[i].ShowOnDashboard, out[i].ShowInSidebar = &v.ShowOnDashboard, &v.ShowInSidebar
		}
		return nil
	})
	return out, err
}

// savedViewDisplay reads the paperless-ngx display keys: page_size,
// display_mode and display_fields (each nullable).
func savedViewDisplay(b *body, in *store.SavedViewInput) {
	if n, ok := b.integer("page_size", true); ok {
		in.PageSize = graphql.OmittableOf(n)
	}
	if m, ok := b.str("display_mode", true, false); ok {
		in.DisplayMode = graphql.OmittableOf((*store.SavedViewDisplayMode)(m))
	}
	x, ok := b.raw("display_fields")
	if !ok {
		return
	}
	if x == nil {
		in.DisplayFields = graphql.OmittableOf[[]string](nil)
		return
	}
	list, isList := x.([]any)
	if !isList {
		b.fail("display_fields", fmt.Sprintf("Expected a list of items but got type %q.", pyType(x)))
		return
	}
	fields := make([]string, 0, len(list))
	for _, item := range list {
		s, isStr := item.(string)
		if !isStr {
			b.fail("display_fields", "Not a valid string.")
			return
		}
		fields = append(fields, s)
	}
	in.DisplayFields = graphql.OmittableOf(fields)
}

// ngRuleTypes is the highest rule type of paperless-ng (API.md): its
// serializer refuses any other as not a valid choice.
const ngRuleTypes = 21

// filterRules reads filter_rules: a JSON list of {rule_type, value}, whose
// rule types may not exceed maxRule (when ≥ 0).
func filterRules(b *body, maxRule int) ([]store.SavedViewRuleInput, bool) {
	x, ok := b.raw("filter_rules")
	if !ok {
		return nil, false
	}
	list, isList := x.([]any)
	if !isList {
		b.fail("filter_rules", fmt.Sprintf("Expected a list of items but got type %q.", pyType(x)))
		return nil, false
	}
	out := make([]store.SavedViewRuleInput, 0, len(list))
	for _, item := range list {
		obj, isObj := item.(map[string]any)
		if !isObj {
			b.fail("filter_rules", "Invalid data. Expected a dictionary, but got "+pyType(item)+".")
			return nil, false
		}
		rb := &body{obj: obj}
		rt, set := rb.integer("rule_type", false)
		if !set && rb.errs == nil {
			rb.fail("rule_type", msgRequired)
		}
		if set && maxRule >= 0 && (*rt < 0 || *rt > maxRule) {
			rb.fail("rule_type", fmt.Sprintf("\"%d\" is not a valid choice.", *rt))
		}
		v, _ := rb.str("value", true, false)
		for k, msgs := range rb.errs {
			for _, m := range msgs {
				b.fail("filter_rules", k+": "+m)
			}
		}
		if rb.errs != nil {
			return nil, false
		}
		out = append(out, store.SavedViewRuleInput{RuleType: *rt, Value: v})
	}
	return out, true
}

// logNames is GET /api/logs/: the names of the logs (1.x form); in
// version 0 a page of log records (0.9's form, logs.go).
func (a *API) logNames() http.HandlerFunc {
	records := a.logRecords().handleList(a)
	return func(w http.ResponseWriter, r *http.Request) {
		if info(r).version == 0 {
			records(w, r)
			return
		}
		if v := info(r).version; v == 1 || v == 2 {
			// paperless-ng 1.x names both logs, whether their files exist
			// yet or not (a missing one 404s on its own URL).
			a.writeJSON(w, r, http.StatusOK, []string{"paperless", "mail"})
			return
		}
		names, err := a.res.Query().LogNames(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, names)
	}
}

// logLines is GET /api/logs/<name>/: the log's lines, oldest first; in
// version 0 a numeric name is a log record's id.
func (a *API) logLines() http.HandlerFunc {
	records := a.logRecords()
	return func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.Atoi(chi.URLParam(r, "name")); err == nil && info(r).version == 0 {
			e, err := records.get(r.Context(), id)
			records.respond(a, w, r, http.StatusOK, e, err, true)
			return
		}
		lines, err := a.res.Query().LogLines(r.Context(), chi.URLParam(r, "name"))
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, lines)
	}
}

type statisticsJSON struct {
	DocumentsTotal int  `json:"documents_total"`
	DocumentsInbox *int `json:"documents_inbox"`
}

// statistics is GET /api/statistics/.
func (a *API) statistics() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := a.res.Query().Statistics(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		if info(r).version >= 9 {
			out := statisticsV9(st)
			if out.StoragePathCount, err = a.res.Statistics().StoragePathCount(r.Context(), st); err != nil {
				a.writeError(w, r, err, nil)
				return
			}
			a.writeJSON(w, r, http.StatusOK, out)
			return
		}
		inbox := st.DocumentsInbox
		if inbox == nil && info(r).version == 0 {
			inbox = ptr(0) // 0.9 counted 0 without an inbox tag (C6)
		}
		a.writeJSON(w, r, http.StatusOK, statisticsJSON{DocumentsTotal: st.DocumentsTotal, DocumentsInbox: inbox})
	}
}

// token is POST /api/token/: username and password for the user's token.
func (a *API) token() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		username, _ := b.str("username", false, true)
		password, _ := b.str("password", false, false)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		ctx := resolvers.WithClient(r.Context(), info(r).links.clientAddr(r))
		key, err := a.res.TokenForCredentials(ctx, username, password)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, map[string]string{"token": key})
	}
}

// bulkMethods maps paperless's bulk edit method names to the resolver's.
var bulkMethods = map[string]store.BulkEditMethod{
	"set_correspondent": store.BulkSetCorrespondent, "set_document_type": store.BulkSetDocumentType,
	"add_tag": store.BulkAddTag, "remove_tag": store.BulkRemoveTag, "modify_tags": store.BulkModifyTags,
	"delete": store.BulkDelete,
}

var bulkNames = map[string]string{"documentIds": "documents"}

// documentList reads the `documents` id list of bulk_edit and
// selection_data.
func documentList(b *body) []int {
	if b.obj == nil {
		ids, ok := b.pkList("documents")
		if !ok && b.errs == nil {
			b.fail("documents", msgRequired)
		}
		return ids
	}
	x, ok := b.obj["documents"]
	if !ok {
		b.fail("documents", msgRequired)
		return nil
	}
	list, isList := x.([]any)
	if !isList {
		b.fail("documents", fmt.Sprintf("Expected a list of items but got type %q.", pyType(x)))
		return nil
	}
	ids := make([]int, 0, len(list))
	for _, it := range list {
		n, isNum := it.(json.Number)
		v, err := n.Int64()
		if !isNum || err != nil {
			b.fail("documents", "documents must be a list of integers")
			return nil
		}
		ids = append(ids, int(v))
	}
	return ids
}

// bulkEdit is POST /api/documents/bulk_edit/ (JSON only).
func (a *API) bulkEdit() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, true)
		if b == nil {
			return
		}
		edit := store.BulkEdit{}
		a.bulkDocuments(r, b, &edit) // documents, or ngx's all + filters
		if m, ok := b.obj["method"]; !ok {
			b.fail("method", msgRequired)
		} else if s, isStr := m.(string); !isStr {
			b.fail("method", fmt.Sprintf("%q is not a valid choice.", pyStr(m)))
		} else if method, known := bulkMethod(info(r).version, s); !known {
			b.fail("method", fmt.Sprintf("%q is not a valid choice.", pyStr(m)))
		} else {
			edit.Method = method
		}
		params, isDict := b.obj["parameters"].(map[string]any)
		switch x, ok := b.obj["parameters"]; {
		case !ok:
			b.fail("parameters", msgRequired)
		case !isDict:
			b.fail("parameters", fmt.Sprintf("Expected a dictionary of items but got type %q.", pyType(x)))
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		msg := bulkParameters(&edit, params)
		if msg == "" {
			msg = ngxBulkParameters(&edit, params)
		}
		if msg != "" {
			a.fieldErrors(w, r, map[string][]string{"non_field_errors": {msg}})
			return
		}
		ctx := r.Context()
		if edit.Method == store.BulkSetPermissions {
			ctx = bulkPermissionArgs(ctx, params["set_permissions"], false) // permissions_objects.go
		}
		if _, err := a.res.Mutation().BulkEditDocuments(ctx, edit); err != nil {
			a.writeError(w, r, err, bulkNames)
			return
		}
		a.writeJSON(w, r, http.StatusOK, map[string]string{"result": "OK"})
	}
}

// bulkParameters reads the method's parameters into edit, returning
// paperless's message when a key is missing or not of the right type
// (whether the objects exist is the resolver's question).
func bulkParameters(edit *store.BulkEdit, p map[string]any) string {
	ref := func(key, label string) (*int, string) {
		x, ok := p[key]
		if !ok {
			return nil, key + " not specified"
		}
		if x == nil {
			return nil, ""
		}
		n, isNum := x.(json.Number)
		v, err := n.Int64()
		if !isNum || err != nil {
			return nil, label + " does not exist"
		}
		return ptr(int(v)), ""
	}
	list := func(key string) ([]int, string) {
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
			n, isNum := it.(json.Number)
			v, err := n.Int64()
			if !isNum || err != nil {
				return nil, key + " must be a list of integers"
			}
			out = append(out, int(v))
		}
		return out, ""
	}
	var msg string
	switch edit.Method {
	case store.BulkSetCorrespondent:
		edit.CorrespondentID, msg = ref("correspondent", "Correspondent")
	case store.BulkSetDocumentType:
		edit.DocumentTypeID, msg = ref("document_type", "Document type")
	case store.BulkAddTag, store.BulkRemoveTag:
		edit.TagID, msg = ref("tag", "Tag")
		if msg == "" && edit.TagID == nil {
			msg = "Tag does not exist"
		}
	case store.BulkModifyTags:
		if edit.AddTagIDs, msg = list("add_tags"); msg == "" {
			edit.RemoveTagIDs, msg = list("remove_tags")
		}
	}
	return msg
}

type objectCountJSON struct {
	ID            int `json:"id"`
	DocumentCount int `json:"document_count"`
}

type selectionJSON struct {
	Correspondents []objectCountJSON `json:"selected_correspondents"`
	Tags           []objectCountJSON `json:"selected_tags"`
	DocumentTypes  []objectCountJSON `json:"selected_document_types"`
}

// selectionNgxJSON is selection data in the paperless-ngx versions.
type selectionNgxJSON struct {
	selectionJSON
	StoragePaths []objectCountJSON `json:"selected_storage_paths"`
	CustomFields []objectCountJSON `json:"selected_custom_fields"`
}

// selectionNgx is selection data in the paperless-ngx shape.
func selectionNgx(sd *store.SelectionData) selectionNgxJSON {
	sel := selectionJSON{objectCounts(sd.Correspondents), objectCounts(sd.Tags), objectCounts(sd.DocumentTypes)}
	return selectionNgxJSON{sel, objectCounts(sd.StoragePaths), []objectCountJSON{}}
}

// documentSelection is the document list's ?include_selection_data=true
// (paperless-ngx): the selection data of every match.
func (a *API) documentSelection(ctx context.Context, _ *http.Request, ids []int) (any, error) {
	sd, err := a.res.Query().SelectionData(ctx, ids)
	if err != nil {
		return nil, err
	}
	return selectionNgx(sd), nil
}

func objectCounts(in []store.ObjectCount) []objectCountJSON {
	out := make([]objectCountJSON, len(in))
	for i, c := range in {
		out[i] = objectCountJSON{ID: c.ID, DocumentCount: c.DocumentCount}
	}
	return out
}

// selectionData is POST /api/documents/selection_data/.
func (a *API) selectionData() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		ids := documentList(b)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		sd, err := a.res.Query().SelectionData(r.Context(), ids)
		if err != nil {
			a.writeError(w, r, err, bulkNames)
			return
		}
		if info(r).version >= 9 {
			a.writeJSON(w, r, http.StatusOK, selectionNgx(sd))
			return
		}
		a.writeJSON(w, r, http.StatusOK, selectionJSON{objectCounts(sd.Correspondents), objectCounts(sd.Tags), objectCounts(sd.DocumentTypes)})
	}
}

// rootJSON is the API root: the collections, in paperless's registration
// order. Versions 1, 2, 9 and 10 add the collections paperless-ngx
// registered later that Quire serves (clients of paperless-ngx 1.x ask for
// version 2 and look for them); version 0 keeps the 0.9 root. The mail
// accounts and rules are not listed: Quire fetches no mail, and an empty
// list there would tell a client its accounts are gone.
type rootJSON struct {
	Correspondents string `json:"correspondents"`
	DocumentTypes  string `json:"document_types"`
	Documents      string `json:"documents"`
	Logs           string `json:"logs"`
	Tags           string `json:"tags"`
	SavedViews     string `json:"saved_views"`
	StoragePaths   string `json:"storage_paths,omitempty"`
	Tasks          string `json:"tasks,omitempty"`
	Users          string `json:"users,omitempty"`
	Groups         string `json:"groups,omitempty"`
	ShareLinks     string `json:"share_links,omitempty"`
	CustomFields   string `json:"custom_fields,omitempty"`
}

// root is GET /api/.
func (a *API) root() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		base := origin(r) + Prefix + "/"
		root := rootJSON{
			Correspondents: base + "correspondents/", DocumentTypes: base + "document_types/",
			Documents: base + "documents/", Logs: base + "logs/", Tags: base + "tags/", SavedViews: base + "saved_views/",
		}
		if info(r).version >= 1 {
			root.StoragePaths, root.Tasks = base+"storage_paths/", base+"tasks/"
			root.Users, root.Groups = base+"users/", base+"groups/"
			root.ShareLinks, root.CustomFields = base+"share_links/", base+"custom_fields/"
		}
		a.writeJSON(w, r, http.StatusOK, root)
	}
}
