package rest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The OpenAPI 3 document is generated from the route declarations that
// serve requests (routes), so it cannot miss a route.

type obj = map[string]any

// schemas are the request and response bodies, by the names the
// declarations use.
func schemas() obj {
	str, integer, boolean := obj{"type": "string"}, obj{"type": "integer"}, obj{"type": "boolean"}
	nullInt := obj{"type": "integer", "nullable": true}
	dateTime := obj{"type": "string", "format": "date-time"}
	ints := obj{"type": "array", "items": integer}
	props := func(required []string, kv ...any) obj {
		p := obj{}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		o := obj{"type": "object", "properties": p}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	matching := func(extra ...any) obj {
		kv := append([]any{"id", integer, "slug", str, "name", str, "match", str,
			"matching_algorithm", obj{"type": "integer", "enum": []int{1, 2, 3, 4, 5, 6}},
			"is_insensitive", boolean, "document_count", integer}, extra...)
		return props([]string{"name"}, kv...)
	}
	nullStr := obj{"type": "string", "nullable": true}
	metaList := obj{"type": "array", "nullable": true, "items": props(nil, "namespace", nullStr, "prefix", nullStr, "key", str, "value", str)}
	countList := obj{"type": "array", "items": props(nil, "id", integer, "document_count", integer)}
	s := obj{
		"Root":          props(nil, "correspondents", str, "document_types", str, "documents", str, "logs", str, "tags", str, "saved_views", str),
		"Correspondent": matching("last_correspondence", obj{"type": "string", "format": "date-time", "nullable": true}),
		"DocumentType":  matching(),
		"Tag": matching("colour", obj{"type": "integer", "minimum": 1, "maximum": 13, "description": "API version 1"},
			"color", obj{"type": "string", "pattern": "^#[0-9a-fA-F]{6}$", "description": "API version 2"},
			"text_color", obj{"type": "string", "description": "API version 2"}, "is_inbox_tag", boolean),
		"Document": props([]string{"correspondent", "document_type", "tags"}, "id", integer, "correspondent", nullInt,
			"document_type", nullInt, "title", str, "content", str, "tags", ints, "created", dateTime,
			"modified", dateTime, "added", dateTime, "archive_serial_number", nullInt,
			"original_file_name", str, "archived_file_name", obj{"type": "string", "nullable": true}),
		"SavedView": props([]string{"name", "show_on_dashboard", "show_in_sidebar", "filter_rules"}, "id", integer, "name", str,
			"show_on_dashboard", boolean, "show_in_sidebar", boolean, "sort_field", obj{"type": "string", "nullable": true},
			"sort_reverse", boolean, "filter_rules", obj{"type": "array", "items": props([]string{"rule_type"},
				"rule_type", obj{"type": "integer", "minimum": 0, "maximum": 21}, "value", obj{"type": "string", "nullable": true})}),
		"Statistics":   props(nil, "documents_total", integer, "documents_inbox", nullInt),
		"Strings":      obj{"type": "array", "items": str},
		"Credentials":  props([]string{"username", "password"}, "username", str, "password", str),
		"Token":        props(nil, "token", str),
		"DocumentList": props([]string{"documents"}, "documents", ints),
		"BulkEdit": props([]string{"documents", "method", "parameters"}, "documents", ints,
			"method", obj{"type": "string", "enum": []string{"set_correspondent", "set_document_type", "add_tag", "remove_tag", "modify_tags", "delete"}},
			"parameters", obj{"type": "object"}),
		"Result":        props(nil, "result", str),
		"SelectionData": props(nil, "selected_correspondents", countList, "selected_tags", countList, "selected_document_types", countList),
		"File":          obj{"type": "string", "format": "binary"},
		"Zip":           obj{"type": "string", "format": "binary", "description": "application/zip"},
		"OK":            obj{"type": "string", "enum": []string{"OK"}},
		"PostDocument": props([]string{"document"}, "document", obj{"type": "string", "format": "binary"}, "title", str,
			"correspondent", integer, "document_type", integer, "tags", ints),
		"BulkDownload": props([]string{"documents"}, "documents", ints,
			"content", obj{"type": "string", "enum": []string{"archive", "originals", "both"}, "default": "archive"},
			"compression", obj{"type": "string", "enum": []string{"none", "deflated", "bzip2", "lzma"}, "default": "none"}),
		"Suggestions": props(nil, "correspondents", ints, "tags", ints, "document_types", ints),
		"Metadata": props(nil, "paperless__checksum", str, "paperless__mime_type", str, "paperless__filename", nullStr,
			"original_checksum", str, "original_size", nullInt, "original_mime_type", str, "media_filename", nullStr,
			"has_archive_version", boolean, "original_metadata", metaList, "archive_checksum", nullStr,
			"archive_media_filename", nullStr, "archive_size", nullInt, "archive_metadata", metaList),
		"SearchPage": props(nil, "count", integer, "page", integer, "page_count", integer,
			"corrected_query", obj{"type": "string", "nullable": true, "description": "absent when the request had no query"},
			"results", obj{"type": "array", "items": props(nil, "id", integer,
				"highlights", obj{"type": "array", "description": "up to 3 fragments of the content; a fragment is a list of segments",
					"items": obj{"type": "array", "items": props([]string{"text"}, "text", str, "term", integer)}},
				"score", obj{"type": "number"}, "rank", integer,
				"document", obj{"$ref": "#/components/schemas/Document"}, "title", str)}),
		"Error": obj{"type": "object", "additionalProperties": true, "description": `{"detail": "…"} or {"field": ["message", …]}`},
	}
	page := func(item string) obj {
		return props(nil, "count", integer, "next", obj{"type": "string", "nullable": true},
			"previous", obj{"type": "string", "nullable": true},
			"results", obj{"type": "array", "items": obj{"$ref": "#/components/schemas/" + item}})
	}
	for _, name := range []string{"Correspondent", "DocumentType", "Tag", "Document", "SavedView"} {
		s[name+"Page"] = page(name)
		// PATCH bodies may leave out any field; so may responses to
		// ?fields= (a document with only the fields asked for).
		partial := obj{}
		for k, v := range s[name].(obj) {
			if k != "required" {
				partial[k] = v
			}
		}
		s[name+partialSuffix] = partial
		s[name+"Page"+partialSuffix] = page(name + partialSuffix)
	}
	return s
}

// ngxQuery documents the list's parameters in the paperless-ngx versions
// (its own filters and, for documents, orderings); nil when they are the
// same as query's.
func (res *resource[T, F, O, In]) ngxQuery() []param {
	if res.ngxFilters == nil {
		return nil
	}
	orders := res.orders.names()
	if res.ngxOrders != nil {
		// ngxDocumentOrders: 1.x's names, page_count and custom_field_<id>.
		orders = append(append([]string{}, orders...), "page_count", "custom_field_<id>")
	}
	return listQuery(res.ngxFilters.params(), orders)
}

// selectionDataParam is the ngx document list's include_selection_data.
var selectionDataParam = param{Name: "include_selection_data", Type: "boolean",
	Help: "true: the envelope ends with selection_data for every match"}

// partialSuffix names a schema's variant without required properties.
const partialSuffix = "Partial"

// jsonOnlyBodies are request bodies accepted as JSON only (readBody's
// jsonOnly); other bodies also come as form data.
var jsonOnlyBodies = map[string]bool{"BulkEdit": true, "BulkEditObjects": true}

// htmlErrors says whether an endpoint's 400 answers may be plain text:
// paperless's search views answer a bad query with the bare message,
// and /api/documents/ does for its query and more_like_id parameters.
func htmlErrors(ep *endpoint) bool {
	if ep.Tag == "search" {
		return true
	}
	for _, p := range ep.Query {
		if p.Name == "query" || p.Name == "more_like_id" {
			return true
		}
	}
	return false
}

// hasQueryParam reports whether an endpoint takes the query parameter name.
func hasQueryParam(ep *endpoint, name string) bool {
	for _, p := range ep.Query {
		if p.Name == name {
			return true
		}
	}
	return false
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func paramSchema(typ string) obj {
	switch typ {
	case "integer", "boolean":
		return obj{"type": typ}
	case "integers":
		return obj{"type": "string", "pattern": `^\d+(,\d+)*$`}
	case "date", "date-time", "uuid":
		return obj{"type": "string", "format": typ}
	}
	return obj{"type": "string"}
}

// openAPI builds the document of one API version from the declarations:
// the routes whose dialects include the version's family (API.md for 0,
// 1 and 2; NGX.md for 9 and 10), each family's schemas (ngxSchemas).
func (a *API) openAPI(version int) obj {
	ngx := version >= 9
	ref := func(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }
	jsonContent := func(name string) obj { return obj{"application/json": obj{"schema": ref(name)}} }
	paths := obj{}
	for _, ep := range a.endpoints {
		if !ep.Dialects.has(version) {
			continue
		}
		item := obj{}
		var pathParams []any
		for _, m := range pathParam.FindAllStringSubmatch(ep.Path, -1) {
			// Examples name what a fresh archive has (the first object,
			// the consumer's log), so that a client generated from the
			// document reaches the handler instead of a 404.
			schema := obj{"type": "string", "example": "paperless"}
			if m[1] == "id" {
				schema = obj{"type": "integer", "example": 1}
			}
			pathParams = append(pathParams, obj{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, o := range ep.Ops {
			params := append([]any{}, pathParams...)
			if o.Method == "GET" {
				query := ep.Query
				if ngx && ep.NgxQuery != nil {
					query = ep.NgxQuery
				}
				for _, p := range query {
					params = append(params, obj{"name": p.Name, "in": "query", "required": false,
						"description": p.Help, "schema": paramSchema(p.Type)})
				}
			}
			ok := obj{"description": http.StatusText(o.Status)}
			switch result := o.Result; result {
			case "":
			case "File":
				// The stored file's own type (application/pdf, image/png, …).
				ok["content"] = obj{"*/*": obj{"schema": ref(result)}}
			case "Zip":
				ok["content"] = obj{"application/zip": obj{"schema": ref(result)}}
			default:
				if version == 0 && ep.Tag == "logs" {
					// 0.9 pages log records; /logs/<id>/ is one (logs.go).
					result = map[bool]string{true: "LogPage", false: "LogOrLines"}[ep.Path == "/logs/"]
				}
				if o.Method == "GET" && hasQueryParam(ep, fieldsParam.Name) {
					result += partialSuffix
				}
				ok["content"] = jsonContent(result)
			}
			badRequest := obj{"description": "Bad Request", "content": jsonContent("Error")}
			if o.Method == "GET" && htmlErrors(ep) {
				badRequest["content"] = obj{"application/json": obj{"schema": ref("Error")},
					"text/plain": obj{"schema": obj{"type": "string"}}}
			}
			responses := obj{strconv.Itoa(o.Status): ok,
				"400": badRequest,
				"404": obj{"description": "Not Found", "content": jsonContent("Error")},
				"406": obj{"description": "Not Acceptable (unsupported API version)", "content": jsonContent("Error")},
			}
			if ep.Path == "/token/" && o.Method == "POST" {
				// Credential checks are throttled per client (server/auth).
				responses["429"] = obj{"description": "Too Many Requests (Retry-After says when to try again)", "content": jsonContent("Error")}
			}
			if o.Body != "" {
				responses["413"] = obj{"description": "Request body too large", "content": jsonContent("Error")}
				responses["415"] = obj{"description": "Unsupported Media Type", "content": jsonContent("Error")}
			}
			operation := obj{
				"operationId": strings.ToLower(o.Method) + strings.NewReplacer(" ", "").Replace(ep.Name),
				"summary":     o.Summary,
				"tags":        []string{ep.Tag},
				"responses":   responses,
			}
			// Credentials sent are checked even where none are needed (DRF
			// authenticates before it asks for permission).
			responses["401"] = obj{"description": "Unauthorized", "content": jsonContent("Error")}
			if ep.Public {
				operation["security"] = []any{}
			} else {
				responses["403"] = obj{"description": "Forbidden (CSRF check of a session request)", "content": jsonContent("Error")}
			}
			if len(params) > 0 {
				operation["parameters"] = params
			}
			bodySchema := o.Body
			if o.Method == "PATCH" {
				bodySchema += partialSuffix
			}
			switch {
			case o.Body == "PostDocument":
				operation["requestBody"] = obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": ref(o.Body)}}}
			case jsonOnlyBodies[o.Body]:
				operation["requestBody"] = obj{"required": true, "content": jsonContent(o.Body)}
			case o.Body != "":
				operation["requestBody"] = obj{"required": true, "content": obj{
					"application/json":                  obj{"schema": ref(bodySchema)},
					"application/x-www-form-urlencoded": obj{"schema": ref(bodySchema)},
					"multipart/form-data":               obj{"schema": ref(bodySchema)},
				}}
			}
			item[strings.ToLower(o.Method)] = operation
		}
		paths[Prefix+ep.Path] = item
	}
	s := documentSchemas(schemas(), version)
	description := "paperless-ng 1.5.0 compatible. API version 1 (default) or 2 by `Accept: application/json; version=2`."
	switch {
	case version == 0:
		log := obj{"type": "object", "properties": obj{"id": obj{"type": "integer"},
			"created": obj{"type": "string", "format": "date-time"}, "message": obj{"type": "string"},
			"group": obj{"type": "string", "format": "uuid", "nullable": true}, "level": obj{"type": "integer"}}}
		s["Log"] = log
		s["LogPage"] = obj{"type": "object", "properties": obj{"count": obj{"type": "integer"},
			"next": obj{"type": "string", "nullable": true}, "previous": obj{"type": "string", "nullable": true},
			"results": obj{"type": "array", "items": ref("Log")}}}
		s["LogOrLines"] = obj{"oneOf": []any{ref("Log"), ref("Strings")},
			"description": "a numeric name is a log record's id; a log's name gives its lines"}
		description = "paperless-ng 0.9 compatible (the server's default version is 0). " +
			"Versions 1 and 2 by `Accept: application/json; version=N`; the paperless-ngx document by `/api/schema/?version=10`."
	case ngx:
		s = ngxSchemas(ngxResultSchemas(s, version), version)
		description = "paperless-ngx compatible, API version " + strconv.Itoa(version) +
			" (`Accept: application/json; version=10`; 3 to 8 are served as 9). The paperless-ng document is `/api/schema/?version=1`."
	}
	fillMissingSchemas(paths, s)
	return obj{
		"openapi": "3.0.3",
		"info":    obj{"title": "Quire REST API", "version": a.version, "description": description},
		"paths":   paths,
		"components": obj{
			"schemas": s,
			"securitySchemes": obj{
				"basic":   obj{"type": "http", "scheme": "basic"},
				"token":   obj{"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Token <key>`"},
				"session": obj{"type": "apiKey", "in": "cookie", "name": "sessionid"},
			},
		},
		"security": []any{obj{"basic": []any{}}, obj{"token": []any{}}, obj{"session": []any{}}},
	}
}

// ngxSchemas turns the paperless-ng schemas into version v's of
// paperless-ngx (NGX.md §5): list envelopes carry `all` in v9. Schemas
// that ngx routes name and that have an ngx form of their own are kept
// under that name ("<Name>NGX" replaces "<Name>").
func ngxSchemas(s obj, v int) obj {
	out := obj{}
	for name, sch := range s {
		if base, ok := strings.CutSuffix(name, "NGX"); ok {
			out[base] = sch
			continue
		}
		if _, has := out[name]; !has {
			out[name] = sch
		}
	}
	if v >= 10 {
		return out
	}
	for name, sch := range out {
		o, ok := sch.(obj)
		if !ok || !strings.HasSuffix(strings.TrimSuffix(name, partialSuffix), "Page") {
			continue
		}
		props, ok := o["properties"].(obj)
		if !ok {
			continue
		}
		withAll := obj{}
		for k, p := range props {
			withAll[k] = p
		}
		withAll["all"] = obj{"type": "array", "items": obj{"type": "integer"},
			"description": "ids of every row matching the filters, in result order (version 9)"}
		c := obj{}
		for k, x := range o {
			c[k] = x
		}
		c["properties"] = withAll
		out[name] = c
	}
	return out
}

// fillMissingSchemas gives every schema the paths name but s lacks (a
// route declared before its shape is described) an open schema, so that
// the document stays valid.
func fillMissingSchemas(paths, s obj) {
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case obj:
			if r, ok := x["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(r, "#/components/schemas/"); ok {
					if _, has := s[name]; !has {
						s[name] = obj{"description": name + " (not described yet)"}
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(paths)
}

// schema is GET /api/schema/: the document of the request's version, or
// of ?version=N (any version the Accept header takes: 3–8 give 9's).
// paperless-ngx clients probe it with version=10 and need 200 JSON.
func (a *API) schema() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := info(r).version
		if q, ok := last(r.URL.Query(), "version"); ok {
			var good bool
			if v, good = pickVersion(strings.TrimSpace(q), 0, a.defVersion); !good || q == "" {
				if q == "0" {
					v, good = 0, true
				} else {
					a.fieldErrors(w, r, map[string][]string{"version": {"Not an API version: 0, 1, 2, 9 or 10 (3 to 8 are 9)."}})
					return
				}
			}
		}
		a.writeJSON(w, r, http.StatusOK, a.openAPI(v))
	}
}

// ngxResultSchemas adds the bodies of the paperless-ngx versions (NGX.md):
// the routes only they have (tasks, UI settings, profile, users, groups,
// status, remote version) and, as "<Name>NGX", the ngx forms of the
// shared ones (statistics' eleven keys, the matching objects, saved
// views); ngxSchemas puts the latter in place.
func ngxResultSchemas(s obj, v int) obj {
	str, integer, boolean := obj{"type": "string"}, obj{"type": "integer"}, obj{"type": "boolean"}
	nullInt := obj{"type": "integer", "nullable": true}
	nullStr := obj{"type": "string", "nullable": true}
	dateTime := obj{"type": "string", "format": "date-time"}
	nullDateTime := obj{"type": "string", "format": "date-time", "nullable": true}
	ints := obj{"type": "array", "items": integer}
	strs := obj{"type": "array", "items": str}
	anyObject := obj{"type": "object", "additionalProperties": true}
	props := func(required []string, kv ...any) obj {
		p := obj{}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		o := obj{"type": "object", "properties": p}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	ref := func(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }
	page := func(item string) obj {
		return props(nil, "count", integer, "next", nullStr, "previous", nullStr,
			"results", obj{"type": "array", "items": ref(item)})
	}
	// withPartial stores sch under name and, without its required list,
	// under name+"Partial" (PATCH bodies).
	withPartial := func(name string, sch obj) {
		s[name] = sch
		partial := obj{}
		for k, x := range sch {
			if k != "required" {
				partial[k] = x
			}
		}
		s[strings.TrimSuffix(name, "NGX")+partialSuffix+suffixOf(name)] = partial
	}
	holders := props(nil, "users", ints, "groups", ints)
	ownership := []any{"owner", nullInt, "user_can_change", boolean,
		"permissions", props(nil, "view", holders, "change", holders),
		"set_permissions", obj{"type": "object", "description": "write-only: {view:{users,groups}, change:{users,groups}}"}}
	matching := func(extra ...any) obj {
		kv := append([]any{"id", integer, "slug", str, "name", str, "match", str,
			"matching_algorithm", obj{"type": "integer", "enum": []int{0, 1, 2, 3, 4, 5, 6}},
			"is_insensitive", boolean, "document_count", integer}, ownership...)
		return props([]string{"name"}, append(kv, extra...)...)
	}

	// Tasks (NGX.md §11): version 10's object and paginated list, 9's
	// legacy object and plain array.
	if v >= 10 {
		s["Task"] = props(nil, "id", integer, "task_id", str, "task_type", str, "task_type_display", str,
			"trigger_source", str, "trigger_source_display", str,
			"status", obj{"type": "string", "enum": []string{"pending", "started", "success", "failure", "revoked"}},
			"status_display", str, "date_created", dateTime, "date_started", nullDateTime, "date_done", nullDateTime,
			"duration_seconds", obj{"type": "number", "nullable": true}, "wait_time_seconds", obj{"type": "number", "nullable": true},
			"input_data", props(nil, "filename", str, "mime_type", str, "overrides", anyObject),
			"result_data", obj{"nullable": true, "description": "the task's outcome: an object, or null while it runs"},
			"related_document_ids", ints, "acknowledged", boolean, "owner", nullInt)
		s["Tasks"] = page("Task")
	} else {
		s["Task"] = props(nil, "id", integer, "task_id", str, "task_name", str, "task_file_name", str,
			"type", str, "status", obj{"type": "string", "enum": []string{"PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"}},
			"date_created", dateTime, "date_done", nullDateTime, "result", nullStr, "acknowledged", boolean,
			"related_document", nullInt, "duplicate_documents", ints, "owner", nullInt)
		s["Tasks"] = obj{"type": "array", "items": ref("Task")}
	}
	s["AcknowledgeTasks"] = props(nil, "tasks", ints, "all", boolean)
	// bulk_edit's methods (the six of paperless-ng and ngx's ten) and its
	// ngx selection of every document the filters match.
	methods := []string{"set_correspondent", "set_document_type", "add_tag", "remove_tag", "modify_tags", "delete"}
	for m := range ngxBulkMethods {
		methods = append(methods, m)
	}
	slices.Sort(methods[6:])
	s["BulkEditNGX"] = props([]string{"method"}, "documents", ints,
		"all", obj{"type": "boolean", "description": "true: every document the filters match (documents may be left out)"},
		"filters", obj{"type": "object", "additionalProperties": true, "description": "the document list's query parameters"},
		"method", obj{"type": "string", "enum": methods}, "parameters", obj{"type": "object"})
	s["BulkEditObjects"] = props([]string{"object_type", "operation"}, "objects", ints,
		"all", obj{"type": "boolean", "description": "true: every object of the type (objects may be left out)"},
		"object_type", obj{"type": "string", "enum": []string{"tags", "correspondents", "document_types", "storage_paths"}},
		"operation", obj{"type": "string", "enum": []string{"set_permissions", "delete"}},
		"owner", nullInt, "permissions", props(nil, "view", holders, "change", holders), "merge", boolean)
	// Custom fields and notes (NGX.md §8, §6.10).
	s["CustomField"] = props(nil, "id", integer, "name", str,
		"data_type", obj{"type": "string", "enum": []string{"string", "url", "date", "boolean", "integer", "float", "monetary", "documentlink", "select", "longtext"}},
		"extra_data", obj{"nullable": true}, "document_count", integer)
	s["CustomFieldPage"] = page("CustomField")
	s["Notes"] = obj{"type": "array", "items": props(nil, "id", integer, "note", str, "created", dateTime,
		"user", obj{"nullable": true, "description": "the author: {id, username, first_name, last_name}"})}
	s["NoteBody"] = props([]string{"note"}, "note", str)
	s["History"] = obj{"type": "array", "items": props(nil, "id", integer, "timestamp", dateTime,
		"action", obj{"type": "string", "enum": []string{"create", "update", "delete"}},
		"changes", obj{"type": "object", "additionalProperties": true, "description": `{"<field>": ["old", "new"]}, or for tags {"type": "m2m", "operation": "add"|"delete", "objects": [names]}`},
		"actor", obj{"nullable": true, "description": "{id, username}; null for the system"})}
	// bulk_edit answers "OK", acknowledging tasks the number acknowledged.
	s["ResultNGX"] = props(nil, "result", obj{"oneOf": []any{str, integer}})
	// post_document answers the consumption task's id.
	s["OKNGX"] = obj{"type": "string", "format": "uuid", "description": "the consumption task's task_id"}

	s["UISettings"] = props(nil, "user", props(nil, "id", integer, "username", str, "is_staff", boolean,
		"is_superuser", boolean, "groups", ints, "first_name", str, "last_name", str),
		"settings", anyObject, "permissions", strs)
	s["UISettingsBody"] = props([]string{"settings"}, "settings", anyObject)
	s["Success"] = props(nil, "success", boolean)

	profile := props(nil, "email", str, "password", str, "first_name", str, "last_name", str,
		"auth_token", nullStr, "social_accounts", obj{"type": "array", "items": obj{}},
		"has_usable_password", boolean, "is_mfa_enabled", boolean)
	s["Profile"] = profile
	s["ProfileBody"+partialSuffix] = props(nil, "email", str, "password", str, "first_name", str, "last_name", str)
	s["String"] = str
	s["Integer"] = integer
	withPartial("StoragePath", props([]string{"name", "path"}, "id", integer, "slug", str, "name", str,
		"path", obj{"type": "string", "description": "file-name template with {{ variable }} placeholders"},
		"match", str, "matching_algorithm", integer, "is_insensitive", boolean, "document_count", integer,
		"owner", nullInt, "user_can_change", boolean, "permissions", props(nil, "view", holders, "change", holders)))
	s["StoragePathPage"] = page("StoragePath")
	s["StoragePathTest"] = props([]string{"path", "document"}, "path", str, "document", integer)
	// Share links and the trash (NGX.md §6.11, §6.12).
	s["ShareLink"] = props([]string{"document"}, "id", integer, "created", dateTime, "expiration", nullDateTime,
		"slug", obj{"type": "string", "description": "50 random characters; the file is served at /share/<slug>"},
		"document", integer, "file_version", obj{"type": "string", "enum": []string{"archive", "original"}})
	s["ShareLinks"] = obj{"type": "array", "items": ref("ShareLink")}
	s["ShareLinkPage"] = page("ShareLink")
	s["TrashAction"] = props([]string{"action"}, "action", obj{"type": "string", "enum": []string{"restore", "empty"}},
		"documents", ints)
	s["TrashResult"] = props(nil, "result", str, "doc_ids", ints)

	withPartial("User", props([]string{"username"}, "id", integer, "username", str, "email", str,
		"password", obj{"type": "string", "description": "write-only; read as **********"},
		"first_name", str, "last_name", str, "date_joined", dateTime, "is_staff", boolean, "is_active", boolean,
		"is_superuser", boolean, "groups", ints, "user_permissions", strs, "inherited_permissions", strs,
		"is_mfa_enabled", boolean))
	s["UserPage"] = page("User")
	withPartial("Group", props([]string{"name"}, "id", integer, "name", str, "permissions", strs))
	s["GroupPage"] = page("Group")

	check := func(status string, kv ...any) []any {
		return append([]any{status, str}, kv...)
	}
	s["Status"] = props(nil, "pngx_version", str, "server_os", str, "install_type", str,
		"storage", props(nil, "total", integer, "available", integer),
		"database", props(nil, check("status", "type", str, "url", str, "error", nullStr,
			"migration_status", props(nil, "latest_migration", nullStr, "unapplied_migrations", strs))...),
		"tasks", props(nil, "redis_url", nullStr, "redis_status", str, "redis_error", nullStr,
			"celery_status", str, "celery_url", nullStr, "celery_error", nullStr,
			"index_status", str, "index_last_modified", nullDateTime, "index_error", nullStr,
			"classifier_status", str, "classifier_last_trained", nullDateTime, "classifier_error", nullStr,
			"sanity_check_status", str, "sanity_check_last_run", nullDateTime, "sanity_check_error", nullStr,
			"llmindex_status", str, "llmindex_last_modified", nullDateTime, "llmindex_error", nullStr,
			"summary", props(nil, "days", integer, "total_count", integer, "pending_count", integer,
				"success_count", integer, "failure_count", integer)),
		"quire", obj{"type": "object", "additionalProperties": str})
	s["RemoteVersion"] = props(nil, "version", str, "update_available", boolean)

	s["StatisticsNGX"] = props(nil, "documents_total", integer, "documents_inbox", nullInt,
		"inbox_tag", nullInt, "inbox_tags", obj{"type": "array", "nullable": true, "items": integer},
		"document_file_type_counts", obj{"type": "array", "items": props(nil, "mime_type", str, "mime_type_count", integer)},
		"character_count", integer, "tag_count", integer, "correspondent_count", integer,
		"document_type_count", integer, "storage_path_count", integer, "current_asn", integer)

	withPartial("CorrespondentNGX", matching("last_correspondence",
		obj{"type": "string", "nullable": true, "description": "the newest document's created date; only on a GET of one or with ?last_correspondence="}))
	withPartial("DocumentTypeNGX", matching())
	withPartial("TagNGX", matching("color", obj{"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
		"text_color", str, "is_inbox_tag", boolean, "parent", nullInt,
		"children", obj{"type": "array", "items": obj{"type": "object"}, "description": "the child tags, each in this shape"}))
	view := []any{"id", integer, "name", str, "sort_field", nullStr, "sort_reverse", boolean,
		"filter_rules", obj{"type": "array", "items": props([]string{"rule_type"},
			"rule_type", obj{"type": "integer", "minimum": 0, "maximum": 49}, "value", nullStr)},
		"page_size", obj{"type": "integer", "minimum": 1, "nullable": true},
		"display_mode", obj{"type": "string", "nullable": true, "enum": []any{"table", "smallCards", "largeCards", nil}},
		"display_fields", obj{"type": "array", "nullable": true, "items": str,
			"description": "title, created, added, tag, correspondent, documenttype, storagepath, note, owner, shared, asn, pagecount, custom_field_<id>"}}
	required := []string{"name", "filter_rules"}
	if v < 10 {
		view = append(view, "show_on_dashboard", boolean, "show_in_sidebar", boolean)
		required = append(required, "show_on_dashboard", "show_in_sidebar")
	}
	withPartial("SavedViewNGX", props(required, append(view, ownership...)...))
	return s
}

// suffixOf is "NGX" when name ends in it, so that a partial schema of an
// ngx form is "<Name>PartialNGX" and replaces "<Name>Partial".
func suffixOf(name string) string {
	if strings.HasSuffix(name, "NGX") {
		return "NGX"
	}
	return ""
}
