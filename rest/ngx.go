package rest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// ngxRoutes are the routes only paperless-ngx has (NGX.md §3, §9.3,
// §10, §11, §13.2, §13.3): tasks, UI settings, profile, users, groups,
// status and remote version, and custom fields, notes, storage paths,
// share links and trash (empty until Quire has them: rest/ngx_datamodel.go). routes() appends them.
func (a *API) ngxRoutes() []*endpoint {
	storagePaths := a.storagePaths()
	customFields := a.customFields()
	return []*endpoint{
		{Path: "/tasks/", Name: "Task List", Tag: "tasks", Dialects: dialectNGX,
			Ops:      []op{{Method: "GET", Summary: "Consumption tasks: v10 paginated, v9 a plain array with the legacy fields", Handler: a.taskList(), Status: 200, Result: "Tasks"}},
			Query:    append(taskParams, paginationParams...),
			Ordering: taskOrders.names()},
		{Path: "/tasks/acknowledge/", Name: "Acknowledge Tasks", Tag: "tasks", Dialects: dialectNGX,
			Ops: []op{{Method: "POST", Summary: `{"tasks":[ids]} or {"all":true}: hide finished tasks; answers {"result":<count>}`, Handler: a.acknowledgeTasks(), Status: 200, Body: "AcknowledgeTasks", Result: "Result"}}},
		{Path: "/acknowledge_tasks/", Name: "Acknowledge Tasks (pre-v6 path)", Tag: "tasks", Dialects: dialectNGX,
			Ops: []op{{Method: "POST", Summary: "The old path of tasks/acknowledge/ that early swift-paperless uses", Handler: a.acknowledgeTasks(), Status: 200, Body: "AcknowledgeTasks", Result: "Result"}}},
		{Path: "/tasks/{id}/", Name: "Task Instance", Tag: "tasks", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "One task, in the request version's shape", Handler: a.taskDetail(), Status: 200, Result: "Task"}}},
		{Path: "/ui_settings/", Name: "UI Settings", Tag: "ui_settings", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "The caller, their stored settings with the server's keys, and their permissions", Handler: a.uiSettingsGet(), Status: 200, Result: "UISettings"},
				{Method: "POST", Summary: `{"settings":{…}} replaces the caller's stored settings`, Handler: a.uiSettingsPost(), Status: 200, Body: "UISettingsBody", Result: "Success"}}},
		{Path: "/profile/", Name: "Profile", Tag: "profile", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "The caller's account", Handler: a.profileGet(), Status: 200, Result: "Profile"},
				{Method: "PATCH", Summary: "Change email, password, first_name, last_name", Handler: a.profilePatch(), Status: 200, Body: "ProfileBody", Result: "Profile"}}},
		{Path: "/profile/generate_auth_token/", Name: "Generate Auth Token", Tag: "profile", Dialects: dialectNGX,
			Ops: []op{{Method: "POST", Summary: "Replace the caller's API token; the new key as a JSON string", Handler: a.generateAuthToken(), Status: 200, Result: "String"}}},
		{Path: "/users/", Name: "User List", Tag: "users", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "Users by username (superusers only)", Handler: a.userList(), Status: 200, Result: "UserPage"},
				{Method: "POST", Summary: "Create a user (superusers only)", Handler: a.userCreate(), Status: 201, Body: "User", Result: "User"}},
			Query: paginationParams},
		{Path: "/users/{id}/", Name: "User Instance", Tag: "users", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "One user (superusers only)", Handler: a.userGet(), Status: 200, Result: "User"},
				{Method: "PUT", Summary: "Change a user (superusers only)", Handler: a.userUpdate(), Status: 200, Body: "User", Result: "User"},
				{Method: "PATCH", Summary: "Change a user (superusers only)", Handler: a.userUpdate(), Status: 200, Body: "User", Result: "User"},
				{Method: "DELETE", Summary: "Delete a user (superusers only)", Handler: a.userDelete(), Status: 204}}},
		{Path: "/groups/", Name: "Group List", Tag: "groups", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "Groups by name (needs view_group)", Handler: a.groupList(), Status: 200, Result: "GroupPage"},
				{Method: "POST", Summary: "Create a group (needs add_group)", Handler: a.groupCreate(), Status: 201, Body: "Group", Result: "Group"}},
			Query: paginationParams},
		{Path: "/groups/{id}/", Name: "Group Instance", Tag: "groups", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "One group (needs view_group)", Handler: a.groupGet(), Status: 200, Result: "Group"},
				{Method: "PUT", Summary: "Change a group (needs change_group)", Handler: a.groupUpdate(), Status: 200, Body: "Group", Result: "Group"},
				{Method: "PATCH", Summary: "Change a group (needs change_group)", Handler: a.groupUpdate(), Status: 200, Body: "Group", Result: "Group"},
				{Method: "DELETE", Summary: "Delete a group (needs delete_group)", Handler: a.groupDelete(), Status: 204}}},
		{Path: "/custom_fields/", Name: "Custom Field List", Tag: "custom_fields", Dialects: dialectNGX,
			Ops: customFields.collectionOps(a, "CustomField"), Query: customFieldParams, Ordering: customFields.orders.names()},
		{Path: "/custom_fields/{id}/", Name: "Custom Field Instance", Tag: "custom_fields", Dialects: dialectNGX,
			Ops: customFields.detailOps(a, "CustomField")},
		{Path: "/documents/{id}/notes/", Name: "Document Notes", Tag: "documents", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "The document's notes, oldest first (needs view_note)", Handler: a.documentNotes(), Status: 200, Result: "Notes"},
				{Method: "POST", Summary: `{"note":"…"} adds a note by the caller (needs add_note and change on the document); answers the notes`, Handler: a.documentNotes(), Status: 200, Body: "NoteBody", Result: "Notes"},
				{Method: "DELETE", Summary: "?id=<note id> deletes a note (needs delete_note and change on the document); answers the notes", Handler: a.documentNotes(), Status: 200, Result: "Notes"}}},
		{Path: "/documents/{id}/history/", Name: "Document History", Tag: "documents", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "The audit history, newest first (needs view_logentry; owner, unowned or superuser)", Handler: a.documentHistory(), Status: 200, Result: "History"}}},
		{Path: "/documents/next_asn/", Name: "Next ASN", Tag: "documents", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "The highest archive serial number plus one (1 when none), a JSON integer", Handler: a.nextASN(), Status: 200, Result: "Integer"}}},
		{Path: "/documents/{id}/share_links/", Name: "Document Share Links", Tag: "documents", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "The document's share links the caller may see, oldest first (a plain array)", Handler: a.documentShareLinks(), Status: 200, Result: "ShareLinks"}}},
		{Path: "/storage_paths/", Name: "Storage Path List", Tag: "storage_paths", Dialects: dialectNGX,
			Ops: storagePaths.collectionOps(a, "StoragePath"), Query: storagePathParams, Ordering: storagePaths.orders.names()},
		{Path: "/storage_paths/test/", Name: "Storage Path Test", Tag: "storage_paths", Dialects: dialectNGX,
			Ops: []op{{Method: "POST", Summary: `{"path":"…","document":id}: the file name the template gives the document (a JSON string)`, Handler: a.storagePathTest(), Status: 200, Body: "StoragePathTest", Result: "String"}}},
		{Path: "/storage_paths/{id}/", Name: "Storage Path Instance", Tag: "storage_paths", Dialects: dialectNGX,
			Ops: storagePaths.detailOps(a, "StoragePath")},
		{Path: "/share_links/", Name: "Share Link List", Tag: "share_links", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "Share links the caller may see (to documents it may see)", Handler: a.shareLinkList(), Status: 200, Result: "ShareLinkPage"},
				{Method: "POST", Summary: `{"document":id,"expiration":datetime|null,"file_version":"archive"|"original"}: a link owned by the caller, served at /share/<slug>`, Handler: a.shareLinkCreate(), Status: 201, Body: "ShareLink", Result: "ShareLink"}},
			Query: append(shareLinkFilters(a.loc).params(), paginationParams...), Ordering: shareLinkOrders.names()},
		{Path: "/share_links/{id}/", Name: "Share Link Instance", Tag: "share_links", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "One share link", Handler: a.shareLinkGet(), Status: 200, Result: "ShareLink"},
				{Method: "DELETE", Summary: "Delete a share link (it stops working at once)", Handler: a.shareLinkDelete(), Status: 204}}},
		{Path: "/trash/", Name: "Trash", Tag: "trash", Dialects: dialectNGX,
			Ops: []op{
				{Method: "GET", Summary: "Documents in the caller's trash (own and unowned; superusers all), most recently deleted first", Handler: a.trashList(), Status: 200, Result: "DocumentPage"},
				{Method: "POST", Summary: `{"action":"restore"|"empty","documents":[ids]} (empty without documents: the whole trash); answers {"result":"OK","doc_ids":[…]}`, Handler: a.trashAction(), Status: 200, Body: "TrashAction", Result: "TrashResult"}},
			Query: paginationParams},
		{Path: "/status/", Name: "System Status", Tag: "status", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "Database, index, classifier and task health (superusers and staff)", Handler: a.systemStatus(), Status: 200, Result: "Status"}}},
		{Path: "/remote_version/", Name: "Remote Version", Public: true, Tag: "status", Dialects: dialectNGX,
			Ops: []op{{Method: "GET", Summary: "Quire's own version; Quire never asks the internet, so no update is ever available", Handler: a.remoteVersion(), Status: 200, Result: "RemoteVersion"}}},
	}
}

// ---- tasks (§11)

var taskParams = []param{
	{Name: "task_id", Type: "uuid", Help: "the task id post_document answered"},
	{Name: "status", Type: "string", Help: "pending, started, success, failure, revoked (any case; repeatable)"},
	{Name: "task_type", Type: "string", Help: "consume_file (the only kind Quire records)"},
	{Name: "trigger_source", Type: "string", Help: "api_upload, web_ui, folder_consume, …"},
	{Name: "task_name", Type: "string", Help: "v9: consume_file"},
	{Name: "type", Type: "string", Help: "v9: auto_task, scheduled_task, manual_task"},
	{Name: "is_complete", Type: "boolean", Help: "success or failure"},
	{Name: "acknowledged", Type: "boolean", Help: ""},
	{Name: "owner", Type: "integer", Help: "uploader's user id"},
	{Name: "date_created_after", Type: "date-time", Help: ""},
	{Name: "date_created_before", Type: "date-time", Help: ""},
	{Name: "name", Type: "string", Help: "file name contains"},
}

var taskOrders = orderSet[store.TaskOrder]{
	{name: "date_created", key: func(d bool) store.TaskOrder { return store.TaskOrder{Field: store.TaskOrderCreated, Direction: dir(d)} }},
	{name: "date_done", key: func(d bool) store.TaskOrder {
		return store.TaskOrder{Field: store.TaskOrderFinished, Direction: dir(d)}
	}},
	{name: "status", key: func(d bool) store.TaskOrder { return store.TaskOrder{Field: store.TaskOrderState, Direction: dir(d)} }},
	{name: "id", key: func(d bool) store.TaskOrder { return store.TaskOrder{Field: store.TaskOrderID, Direction: dir(d)} }},
}

// noTask is a state and a source no task has: a filter value naming
// something Quire never records (a revoked task, a mail task) matches
// nothing.
const noTask = "none"

var ngxTaskStates = map[string][]store.TaskState{
	"pending": {store.TaskQueued}, "started": {store.TaskRunning}, "success": {store.TaskSuccess},
	"failure": {store.TaskFailed}, "revoked": {noTask},
}

var ngxTaskTypes = []string{"consume_file", "train_classifier", "sanity_check", "index_optimize", "mail_fetch",
	"llm_index", "empty_trash", "check_workflows", "bulk_update", "reprocess_document", "build_share_link", "bulk_delete"}

var ngxTriggerSources = map[string][]string{
	"api_upload": {store.TaskSourceUpload}, "web_ui": {store.TaskSourceUpload}, "folder_consume": {store.TaskSourceConsume},
	"scheduled": {noTask}, "email_consume": {noTask}, "system": {noTask}, "manual": {noTask},
}

func choiceMsg(v string) string {
	return fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)
}

// parseTaskFilter reads §11's filters into the GraphQL filter.
func parseTaskFilter(r *http.Request, loc *time.Location) (*model.ConsumptionTaskFilter, map[string][]string) {
	q := r.URL.Query()
	v9 := info(r).version < 10
	f := &model.ConsumptionTaskFilter{}
	bad := map[string][]string{}
	get := func(name string) string { v, _ := last(q, name); return strings.TrimSpace(v) }
	if v := get("task_id"); v != "" {
		f.Ids = []string{v}
	}
	for _, v := range q["status"] {
		if v = strings.ToLower(strings.TrimSpace(v)); v == "" {
			continue
		}
		st, ok := ngxTaskStates[v]
		if !ok {
			bad["status"] = append(bad["status"], choiceMsg(v))
			continue
		}
		f.States = append(f.States, st...)
	}
	kind := func(name, v string) {
		if v == "" {
			return
		}
		known := false
		for _, t := range ngxTaskTypes {
			known = known || t == v
		}
		switch {
		case !known && !(name == "task_name" && (v == "check_sanity" || v == "llmindex_update")):
			bad[name] = append(bad[name], choiceMsg(v))
		case v != "consume_file":
			f.States = append(f.States, noTask)
		}
	}
	kind("task_type", get("task_type"))
	if v := get("trigger_source"); v != "" {
		if src, ok := ngxTriggerSources[v]; ok {
			f.Sources = append(f.Sources, src...)
		} else {
			bad["trigger_source"] = append(bad["trigger_source"], choiceMsg(v))
		}
	}
	if v9 {
		kind("task_name", get("task_name"))
		switch v := get("type"); v {
		case "":
		case "auto_task":
			f.Sources = append(f.Sources, store.TaskSourceConsume)
		case "manual_task":
			f.Sources = append(f.Sources, store.TaskSourceUpload)
		case "scheduled_task":
			f.Sources = append(f.Sources, noTask)
		default:
			bad["type"] = append(bad["type"], choiceMsg(v))
		}
	}
	boolean := func(name string) *bool {
		switch strings.ToLower(get(name)) {
		case "":
			return nil
		case "true", "1":
			t := true
			return &t
		case "false", "0":
			f := false
			return &f
		}
		bad[name] = append(bad[name], "Enter a valid boolean.")
		return nil
	}
	f.Complete, f.Acknowledged = boolean("is_complete"), boolean("acknowledged")
	if v := get("owner"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			f.OwnerID = &n
		} else {
			bad["owner"] = append(bad["owner"], "Enter a number.")
		}
	}
	for _, d := range []struct {
		name string
		dst  **time.Time
		end  bool
	}{{"date_created_after", &f.CreatedAfter, false}, {"date_created_before", &f.CreatedBefore, true}} {
		v := get(d.name)
		if v == "" {
			continue
		}
		if t, ok := parseDateTime(v, loc); ok {
			*d.dst = &t
		} else if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			if d.end {
				t = t.AddDate(0, 0, 1).Add(-time.Microsecond)
			}
			*d.dst = &t
		} else {
			bad[d.name] = append(bad[d.name], "Enter a valid date/time.")
		}
	}
	if v := get("name"); v != "" {
		f.Name = &v
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return f, nil
}

// taskV10 is §11.1's task object, keys in ngx's order.
type taskV10 struct {
	ID                   int             `json:"id"`
	TaskID               string          `json:"task_id"`
	TaskType             string          `json:"task_type"`
	TaskTypeDisplay      string          `json:"task_type_display"`
	TriggerSource        string          `json:"trigger_source"`
	TriggerSourceDisplay string          `json:"trigger_source_display"`
	Status               string          `json:"status"`
	StatusDisplay        string          `json:"status_display"`
	DateCreated          jsonTime        `json:"date_created"`
	DateStarted          nullTime        `json:"date_started"`
	DateDone             nullTime        `json:"date_done"`
	DurationSeconds      *float64        `json:"duration_seconds"`
	WaitTimeSeconds      *float64        `json:"wait_time_seconds"`
	InputData            taskInput       `json:"input_data"`
	ResultData           json.RawMessage `json:"result_data"`
	RelatedDocumentIDs   []int           `json:"related_document_ids"`
	Acknowledged         bool            `json:"acknowledged"`
	Owner                *int            `json:"owner"`
}

type taskInput struct {
	Filename  string         `json:"filename"`
	MimeType  string         `json:"mime_type"`
	Overrides map[string]any `json:"overrides,omitempty"`
}

// taskV9 is §11.2's legacy task object.
type taskV9 struct {
	ID                 int      `json:"id"`
	TaskID             string   `json:"task_id"`
	TaskName           string   `json:"task_name"`
	TaskFileName       string   `json:"task_file_name"`
	Type               string   `json:"type"`
	Status             string   `json:"status"`
	DateCreated        jsonTime `json:"date_created"`
	DateDone           nullTime `json:"date_done"`
	Result             *string  `json:"result"`
	Acknowledged       bool     `json:"acknowledged"`
	RelatedDocument    *int     `json:"related_document"`
	DuplicateDocuments []int    `json:"duplicate_documents"`
	Owner              *int     `json:"owner"`
}

func ngxTaskStatus(s store.TaskState) string {
	switch s {
	case store.TaskQueued:
		return "pending"
	case store.TaskRunning:
		return "started"
	case store.TaskSuccess:
		return "success"
	}
	return "failure"
}

// duplicateCode is the status code of a task refused as a duplicate.
const duplicateCode = "document_already_exists"

func seconds(from, to *time.Time) *float64 {
	if from == nil || to == nil {
		return nil
	}
	s := to.Sub(*from).Seconds()
	return &s
}

// taskJSON renders a task in the request version's shape.
func (a *API) taskJSON(r *http.Request, t *store.ConsumptionTask) any {
	status := ngxTaskStatus(t.State)
	var related []int
	if t.DocumentID != nil {
		related = []int{*t.DocumentID} // made, or (a duplicate) repeated
	}
	duplicateOf := t.State == store.TaskFailed && t.DocumentID != nil && t.StatusCode != nil && *t.StatusCode == duplicateCode
	var result *string
	switch {
	case t.State == store.TaskSuccess && t.DocumentID != nil:
		s := fmt.Sprintf("Success. New document id %d created", *t.DocumentID)
		result = &s
	case duplicateOf:
		s := fmt.Sprintf("Not consuming: It is a duplicate of document #%d", *t.DocumentID)
		result = &s
	case t.State == store.TaskFailed:
		s := "Failed"
		if t.Message != nil {
			s = *t.Message
		}
		result = &s
	}
	if info(r).version < 10 {
		typ := "manual_task"
		if t.Source == store.TaskSourceConsume {
			typ = "auto_task"
		}
		var rel *int
		if len(related) == 1 {
			rel = &related[0]
		}
		return taskV9{ID: t.ID, TaskID: t.UUID, TaskName: "consume_file", TaskFileName: t.OriginalFilename, Type: typ,
			Status: strings.ToUpper(status), DateCreated: a.at(t.Created), DateDone: a.atPtr(t.Finished),
			Result: result, Acknowledged: t.Acknowledged, RelatedDocument: rel, DuplicateDocuments: []int{}, Owner: t.OwnerID}
	}
	src, srcDisplay := "api_upload", "API Upload"
	if t.Source == store.TaskSourceConsume {
		src, srcDisplay = "folder_consume", "Folder Consume"
	}
	in := taskInput{Filename: t.OriginalFilename, MimeType: mime.TypeByExtension(filepath.Ext(t.FilePath))}
	if i := strings.IndexByte(in.MimeType, ';'); i >= 0 {
		in.MimeType = in.MimeType[:i]
	}
	ov := map[string]any{}
	if t.Title != nil {
		ov["title"] = *t.Title
	}
	if t.CorrespondentID != nil {
		ov["correspondent_id"] = *t.CorrespondentID
	}
	if t.DocumentTypeID != nil {
		ov["document_type_id"] = *t.DocumentTypeID
	}
	if ids := t.TagIDs(); len(ids) > 0 {
		ov["tag_ids"] = ids
	}
	if t.OverrideCreated != nil {
		ov["created"] = t.OverrideCreated.In(a.loc).Format(time.DateOnly)
	}
	if t.OverrideASN != nil {
		ov["asn"] = *t.OverrideASN
	}
	if len(ov) > 0 {
		in.Overrides = ov
	}
	resData := json.RawMessage("null")
	switch t.State {
	case store.TaskSuccess:
		if t.DocumentID != nil {
			resData = json.RawMessage(fmt.Sprintf(`{"document_id":%d}`, *t.DocumentID))
		}
	case store.TaskFailed:
		if duplicateOf {
			inTrash := t.Message != nil && strings.HasSuffix(*t.Message, store.DuplicateInTrashNote)
			resData = json.RawMessage(fmt.Sprintf(`{"duplicate_of":%d,"duplicate_in_trash":%t}`, *t.DocumentID, inTrash))
			break
		}
		b, _ := json.Marshal(map[string]any{"error_type": "ConsumerError", "error_message": *result, "traceback": nil})
		resData = b
	}
	if related == nil {
		related = []int{}
	}
	return taskV10{ID: t.ID, TaskID: t.UUID, TaskType: "consume_file", TaskTypeDisplay: "Consume File",
		TriggerSource: src, TriggerSourceDisplay: srcDisplay, Status: status,
		StatusDisplay: strings.ToUpper(status[:1]) + status[1:], DateCreated: a.at(t.Created),
		DateStarted: a.atPtr(t.Started), DateDone: a.atPtr(t.Finished),
		DurationSeconds: seconds(t.Started, t.Finished), WaitTimeSeconds: seconds(&t.Created, t.Started),
		InputData: in, ResultData: resData, RelatedDocumentIDs: related, Acknowledged: t.Acknowledged, Owner: t.OwnerID}
}

// taskList is GET /api/tasks/: v10 a paginated envelope, v9 every
// matching task as a plain array.
func (a *API) taskList() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, bad := parseTaskFilter(r, a.loc)
		if bad != nil {
			a.fieldErrors(w, r, bad)
			return
		}
		order := taskOrders.parse(r.URL.Query())
		v10 := info(r).version >= 10
		p := pageReq{number: 1, size: maxPageSize}
		if v10 {
			var ok bool
			if p, ok = parsePage(r.URL.Query()); !ok {
				a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
				return
			}
		}
		num, size := p.number, p.size
		list, err := a.res.Query().Tasks(r.Context(), f, order, &num, &size)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out := make([]any, len(list.Items))
		for i := range list.Items {
			out[i] = a.taskJSON(r, &list.Items[i])
		}
		if !v10 {
			a.writeJSON(w, r, http.StatusOK, out)
			return
		}
		env, ok := pageEnvelope(r, p, list.Page, list.TotalCount, out)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		a.writeJSON(w, r, http.StatusOK, env)
	}
}

// taskDetail is GET /api/tasks/<id>/.
func (a *API) taskDetail() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		list, err := a.res.Query().Tasks(r.Context(), &model.ConsumptionTaskFilter{Numbers: []int{id}}, nil, nil, nil)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		if len(list.Items) == 0 {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		a.writeJSON(w, r, http.StatusOK, a.taskJSON(r, &list.Items[0]))
	}
}

// acknowledgeTasks is POST /api/tasks/acknowledge/ (§11.3).
func (a *API) acknowledgeTasks() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		var ids []int
		if b.has("tasks") {
			if ids, _ = b.pkList("tasks"); ids == nil && b.errs == nil {
				ids = []int{}
			}
		}
		all := false
		if v, ok := b.boolean("all"); ok && v != nil {
			all = *v
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		if (ids != nil) == all {
			a.fieldErrors(w, r, map[string][]string{"non_field_errors": {"Either tasks or all must be set, not both."}})
			return
		}
		n, err := a.res.Mutation().AcknowledgeTasks(r.Context(), nil, ids, &all)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, map[string]int{"result": n})
	}
}

// ---- UI settings (§9.3)

type uiUserJSON struct {
	ID          int    `json:"id"`
	Username    string `json:"username"`
	IsStaff     bool   `json:"is_staff"`
	IsSuperuser bool   `json:"is_superuser"`
	Groups      []int  `json:"groups"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
}

type uiSettingsJSON struct {
	User        uiUserJSON     `json:"user"`
	Settings    map[string]any `json:"settings"`
	Permissions []string       `json:"permissions"`
}

func (a *API) uiSettingsGet() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := a.res.Query().UISettings(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		u := s.User
		a.writeJSON(w, r, http.StatusOK, uiSettingsJSON{
			User: uiUserJSON{ID: u.ID, Username: u.Username, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
				Groups: []int{}, FirstName: u.FirstName, LastName: u.LastName},
			Settings: s.Settings, Permissions: s.Permissions})
	}
}

func (a *API) uiSettingsPost() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		x, ok := b.raw("settings")
		var settings map[string]any
		switch v := x.(type) {
		case map[string]any:
			settings = v
		case string: // a form field carrying JSON
			if json.Unmarshal([]byte(v), &settings) != nil || settings == nil {
				b.fail("settings", "Value must be valid JSON.")
			}
		default:
			if !ok {
				b.fail("settings", msgRequired)
			} else {
				b.fail("settings", "Value must be valid JSON.")
			}
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		if _, err := a.res.Mutation().SetUISettings(r.Context(), settings); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, map[string]bool{"success": true})
	}
}

// ---- profile (§10, §3)

type profileJSON struct {
	Email             string   `json:"email"`
	Password          string   `json:"password"`
	FirstName         string   `json:"first_name"`
	LastName          string   `json:"last_name"`
	AuthToken         *string  `json:"auth_token"`
	SocialAccounts    []string `json:"social_accounts"`
	HasUsablePassword bool     `json:"has_usable_password"`
	IsMFAEnabled      bool     `json:"is_mfa_enabled"`
}

// maskedPassword is how a password is read back.
const maskedPassword = "**********"

func toProfileJSON(p *model.Profile) profileJSON {
	return profileJSON{Email: p.Email, Password: maskedPassword, FirstName: p.FirstName, LastName: p.LastName,
		AuthToken: p.AuthToken, SocialAccounts: []string{}, HasUsablePassword: p.HasUsablePassword}
}

func (a *API) profileGet() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.res.Query().Profile(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, toProfileJSON(p))
	}
}

func (a *API) profilePatch() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		var in model.ProfileInput
		in.Email, _ = b.str("email", false, true)
		in.Password, _ = b.str("password", false, false)
		in.FirstName, _ = b.str("first_name", false, true)
		in.LastName, _ = b.str("last_name", false, true)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		p, err := a.res.Mutation().UpdateProfile(r.Context(), in)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, toProfileJSON(p))
	}
}

func (a *API) generateAuthToken() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := a.res.Mutation().RegenerateAPIToken(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, key)
	}
}

// ---- users and groups (§10): rest/permissions_users.go

// ---- status and remote version (§13.2, §13.3)

type statusJSON struct {
	PngxVersion string            `json:"pngx_version"`
	ServerOS    string            `json:"server_os"`
	InstallType string            `json:"install_type"`
	Storage     statusStorage     `json:"storage"`
	Database    statusDatabase    `json:"database"`
	Tasks       statusTasks       `json:"tasks"`
	Quire       map[string]string `json:"quire"`
}

type statusStorage struct {
	Total     int64 `json:"total"`
	Available int64 `json:"available"`
}

type statusDatabase struct {
	Type            string          `json:"type"`
	URL             string          `json:"url"`
	Status          string          `json:"status"`
	Error           *string         `json:"error"`
	MigrationStatus statusMigration `json:"migration_status"`
}

type statusMigration struct {
	LatestMigration     *string  `json:"latest_migration"`
	UnappliedMigrations []string `json:"unapplied_migrations"`
}

type statusTasks struct {
	RedisURL              *string       `json:"redis_url"`
	RedisStatus           string        `json:"redis_status"`
	RedisError            *string       `json:"redis_error"`
	CeleryStatus          string        `json:"celery_status"`
	CeleryURL             *string       `json:"celery_url"`
	CeleryError           *string       `json:"celery_error"`
	IndexStatus           string        `json:"index_status"`
	IndexLastModified     nullTime      `json:"index_last_modified"`
	IndexError            *string       `json:"index_error"`
	ClassifierStatus      string        `json:"classifier_status"`
	ClassifierLastTrained nullTime      `json:"classifier_last_trained"`
	ClassifierError       *string       `json:"classifier_error"`
	SanityCheckStatus     string        `json:"sanity_check_status"`
	SanityCheckLastRun    nullTime      `json:"sanity_check_last_run"`
	SanityCheckError      *string       `json:"sanity_check_error"`
	LLMIndexStatus        string        `json:"llmindex_status"`
	LLMIndexLastModified  nullTime      `json:"llmindex_last_modified"`
	LLMIndexError         *string       `json:"llmindex_error"`
	Summary               statusSummary `json:"summary"`
}

type statusSummary struct {
	Days         int `json:"days"`
	TotalCount   int `json:"total_count"`
	PendingCount int `json:"pending_count"`
	SuccessCount int `json:"success_count"`
	FailureCount int `json:"failure_count"`
}

func (a *API) systemStatus() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := a.res.Query().ServerStatus(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		var storage statusStorage
		if s.StorageTotal != nil && s.StorageAvailable != nil {
			storage = statusStorage{Total: int64(*s.StorageTotal), Available: int64(*s.StorageAvailable)}
		}
		// Quire has no broker, no task queue process and no sanity-check
		// job: its queue lives in the database, so those report the
		// database's health.
		a.writeJSON(w, r, http.StatusOK, statusJSON{
			PngxVersion: resolvers.NGXVersion, ServerOS: "linux", InstallType: "bare-metal", Storage: storage,
			Database: statusDatabase{Type: s.DatabaseType, URL: s.DatabaseType, Status: s.Database.Status, Error: s.Database.Error,
				MigrationStatus: statusMigration{LatestMigration: s.LatestMigration, UnappliedMigrations: s.UnappliedMigrations}},
			Tasks: statusTasks{RedisStatus: s.Database.Status, RedisError: s.Database.Error,
				CeleryStatus: s.Database.Status, CeleryError: s.Database.Error,
				IndexStatus: s.Index.Status, IndexLastModified: a.atPtr(s.Index.LastModified), IndexError: s.Index.Error,
				ClassifierStatus: s.Classifier.Status, ClassifierLastTrained: a.atPtr(s.Classifier.LastModified), ClassifierError: s.Classifier.Error,
				SanityCheckStatus: "OK", LLMIndexStatus: "DISABLED",
				Summary: statusSummary{Days: 30, TotalCount: s.TasksTotal, PendingCount: s.TasksPending,
					SuccessCount: s.TasksSuccess, FailureCount: s.TasksFailure}},
			Quire: map[string]string{"version": s.Version},
		})
	}
}

type remoteVersionJSON struct {
	Version         string `json:"version"`
	UpdateAvailable bool   `json:"update_available"`
}

func (a *API) remoteVersion() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.writeJSON(w, r, http.StatusOK, remoteVersionJSON{Version: resolvers.QuireVersion(), UpdateAvailable: false})
	}
}

// ---- statistics (§13.1)

type fileTypeJSON struct {
	MimeType      string `json:"mime_type"`
	MimeTypeCount int    `json:"mime_type_count"`
}

type statisticsNGX struct {
	DocumentsTotal         int            `json:"documents_total"`
	DocumentsInbox         *int           `json:"documents_inbox"`
	InboxTag               *int           `json:"inbox_tag"`
	InboxTags              *[]int         `json:"inbox_tags"`
	DocumentFileTypeCounts []fileTypeJSON `json:"document_file_type_counts"`
	CharacterCount         int            `json:"character_count"`
	TagCount               int            `json:"tag_count"`
	CorrespondentCount     int            `json:"correspondent_count"`
	DocumentTypeCount      int            `json:"document_type_count"`
	StoragePathCount       int            `json:"storage_path_count"`
	CurrentASN             int            `json:"current_asn"`
}

// statisticsV9 renders §13.1's eleven keys.
func statisticsV9(st *store.Statistics) statisticsNGX {
	out := statisticsNGX{DocumentsTotal: st.DocumentsTotal, DocumentsInbox: st.DocumentsInbox,
		DocumentFileTypeCounts: make([]fileTypeJSON, len(st.FileTypes)), CharacterCount: st.CharacterCount,
		TagCount: st.TagCount, CorrespondentCount: st.CorrespondentCount, DocumentTypeCount: st.DocumentTypeCount,
		CurrentASN: st.CurrentASN}
	for i, ft := range st.FileTypes {
		out.DocumentFileTypeCounts[i] = fileTypeJSON{MimeType: ft.MimeType, MimeTypeCount: ft.Count}
	}
	if len(st.InboxTagIDs) > 0 {
		ids := st.InboxTagIDs
		out.InboxTag, out.InboxTags = &ids[0], &ids
	}
	return out
}

// ---- post_document extras (§6.7)

// ngxUploadFields reads the upload fields paperless-ngx adds (empty
// values mean "not given"): created (a date, or a datetime whose date is
// kept), archive_serial_number and storage_path are applied; owner and
// custom_fields are checked for shape and ignored (the uploader owns
// every upload).
func (a *API) ngxUploadFields(b *body) (created *time.Time, asn, storagePath *int, fields []store.CustomFieldValueInput) {
	given := func(name string) bool { v, ok := last(b.form, name); return ok && strings.TrimSpace(v) != "" }
	if given("created") {
		created, _ = b.ngxDate("created", a.loc)
	}
	if given("archive_serial_number") {
		asn, _ = b.integer("archive_serial_number", true)
	}
	if given("storage_path") {
		storagePath, _ = b.pk("storage_path", true)
	}
	if given("owner") {
		b.integer("owner", true)
	}
	if given("custom_fields") {
		v, _ := last(b.form, "custom_fields")
		var x any
		ok := json.Unmarshal([]byte(v), &x) == nil
		switch t := x.(type) {
		case float64:
			ok = ok && t == float64(int64(t))
			fields = append(fields, store.CustomFieldValueInput{FieldID: int(t)})
		case []any:
			for _, e := range t {
				n, isNum := e.(float64)
				ok = ok && isNum && n == float64(int64(n))
				fields = append(fields, store.CustomFieldValueInput{FieldID: int(n)})
			}
		case map[string]any:
			for k, v := range t {
				id, err := strconv.Atoi(k)
				ok = ok && err == nil
				fields = append(fields, store.CustomFieldValueInput{FieldID: id, Value: v})
			}
			slices.SortFunc(fields, func(a, b store.CustomFieldValueInput) int { return a.FieldID - b.FieldID })
		default:
			ok = false
		}
		if !ok {
			b.fail("custom_fields", "Value must be valid JSON: a list of custom field ids, an object of id to value, or one id.")
		}
	}
	return created, asn, storagePath, fields
}
