package rest

// documentSchemas puts version v's document object into the OpenAPI
// schemas (Document, and DocumentPartial for PATCH bodies and ?fields=
// answers): 0.9's nested form for 0, paperless-ngx's for 9 and 10;
// versions 1 and 2 keep the schemas as declared.
func documentSchemas(s obj, v int) obj {
	str, integer, boolean := obj{"type": "string"}, obj{"type": "integer"}, obj{"type": "boolean"}
	nullInt := obj{"type": "integer", "nullable": true}
	nullStr := obj{"type": "string", "nullable": true}
	dateTime := obj{"type": "string", "format": "date-time"}
	date := obj{"type": "string", "format": "date"}
	ints := obj{"type": "array", "items": integer}
	object := func(kv ...any) obj {
		p := obj{}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		return obj{"type": "object", "properties": p}
	}
	var doc obj
	var required []string
	switch {
	case v == 0:
		nested := []any{"id", integer, "name", str, "slug", str, "match", str, "matching_algorithm", integer, "is_insensitive", boolean}
		rel := object(nested...)
		rel["nullable"] = true
		tag := object(append(nested, "colour", integer, "is_inbox_tag", boolean)...)
		doc = object("id", integer, "correspondent", rel, "correspondent_id", nullInt, "document_type", rel,
			"document_type_id", nullInt, "title", str, "content", str, "tags", obj{"type": "array", "items": tag},
			"tags_id", ints, "created", dateTime, "modified", dateTime, "added", dateTime, "archive_serial_number", nullInt)
		required = []string{"correspondent_id", "document_type_id", "tags_id"}
	case v >= 9:
		perms := object("users", ints, "groups", ints)
		doc = object("id", integer, "correspondent", nullInt, "document_type", nullInt, "storage_path", nullInt,
			"title", str, "content", str, "tags", ints, "created", date, "created_date", date,
			"modified", dateTime, "added", dateTime, "deleted_at", obj{"type": "string", "format": "date-time", "nullable": true},
			"archive_serial_number", nullInt, "original_file_name", nullStr, "archived_file_name", nullStr,
			"duplicate_documents", obj{"type": "array", "items": object("id", integer, "title", str, "deleted_at", nullStr)},
			"owner", nullInt, "permissions", object("view", perms, "change", perms), "user_can_change", boolean,
			"is_shared_by_requester", boolean, "notes", obj{"type": "array", "items": object("id", integer, "note", str, "created", dateTime,
				"user", obj{"type": "object", "nullable": true, "description": "the author: {id, username, first_name, last_name}"})},
			"custom_fields", obj{"type": "array", "items": object("field", integer, "value", obj{"nullable": true})},
			"page_count", nullInt, "mime_type", str, "root_document", nullInt,
			"versions", obj{"type": "array", "items": object("id", integer, "added", dateTime, "version_label", nullStr,
				"checksum", str, "is_root", boolean)})
		required = []string{"correspondent", "document_type", "storage_path", "tags"}
	default:
		return s
	}
	s["Document"+partialSuffix] = doc
	full := obj{"required": required}
	for k, x := range doc {
		full[k] = x
	}
	s["Document"] = full
	return s
}
