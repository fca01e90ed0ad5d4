package rest

import (
	"net/http"

	"github.com/quirehq/quire/resolvers"
)

// routeOps names, for each route and method, the GraphQL operation the
// route stands for: the request needs that operation's global permission
// (resolvers.Authorize, NGX.md §4.1), so REST and GraphQL check one
// table. Public routes are not listed. A route missing here is refused to
// every user but superusers, and TestRouteOperations fails until it is
// listed.
var routeOps = map[string]string{
	"GET /correspondents/": "correspondents", "POST /correspondents/": "createCorrespondent",
	"GET /correspondents/{id}/": "correspondent", "PUT /correspondents/{id}/": "updateCorrespondent",
	"PATCH /correspondents/{id}/": "updateCorrespondent", "DELETE /correspondents/{id}/": "deleteCorrespondent",

	"GET /document_types/": "documentTypes", "POST /document_types/": "createDocumentType",
	"GET /document_types/{id}/": "documentType", "PUT /document_types/{id}/": "updateDocumentType",
	"PATCH /document_types/{id}/": "updateDocumentType", "DELETE /document_types/{id}/": "deleteDocumentType",

	"GET /tags/": "tags", "POST /tags/": "createTag",
	"GET /tags/{id}/": "tag", "PUT /tags/{id}/": "updateTag", "PATCH /tags/{id}/": "updateTag", "DELETE /tags/{id}/": "deleteTag",

	"GET /storage_paths/": "storagePaths", "POST /storage_paths/": "createStoragePath",
	"GET /storage_paths/{id}/": "storagePath", "PUT /storage_paths/{id}/": "updateStoragePath",
	"PATCH /storage_paths/{id}/": "updateStoragePath", "DELETE /storage_paths/{id}/": "deleteStoragePath",
	"POST /storage_paths/test/": "testStoragePath",
	"GET /trash/":               "trash", "POST /trash/": "emptyTrash",

	"GET /custom_fields/": "customFields", "POST /custom_fields/": "createCustomField",
	"GET /custom_fields/{id}/": "customField", "PUT /custom_fields/{id}/": "updateCustomField",
	"PATCH /custom_fields/{id}/": "updateCustomField", "DELETE /custom_fields/{id}/": "deleteCustomField",

	"GET /share_links/": "shareLinks", "POST /share_links/": "createShareLink",
	"GET /share_links/{id}/": "shareLink", "PUT /share_links/{id}/": "updateShareLink",
	"PATCH /share_links/{id}/": "updateShareLink", "DELETE /share_links/{id}/": "deleteShareLink",

	"GET /saved_views/": "savedViews", "POST /saved_views/": "createSavedView",
	"GET /saved_views/{id}/": "savedView", "PUT /saved_views/{id}/": "updateSavedView",
	"PATCH /saved_views/{id}/": "updateSavedView", "DELETE /saved_views/{id}/": "deleteSavedView",

	"GET /documents/": "documents", "GET /documents/{id}/": "document", "PUT /documents/{id}/": "updateDocument",
	"PATCH /documents/{id}/": "updateDocument", "DELETE /documents/{id}/": "deleteDocument",
	"GET /documents/{id}/download/": "document", "GET /documents/{id}/preview/": "document",
	"GET /documents/{id}/thumb/": "document", "GET /documents/{id}/metadata/": "documentMetadata",
	"GET /documents/{id}/suggestions/": "documentSuggestions", "POST /documents/post_document/": "uploadDocument",
	"POST /documents/bulk_download/": "documents", "POST /documents/bulk_edit/": "bulkEditDocuments",
	"POST /documents/selection_data/": "selectionData", "GET /documents/next_asn/": "nextArchiveSerialNumber",
	"GET /documents/{id}/notes/": "documentNotes", "POST /documents/{id}/notes/": "addNote",
	"DELETE /documents/{id}/notes/": "deleteNote", "GET /documents/{id}/history/": "documentHistory",
	"GET /documents/{id}/share_links/": "shareLinks",
	"POST /bulk_edit_objects/":         "bulkEditObjects",

	"GET /logs/": "logNames", "GET /logs/{name}/": "logLines",
	"GET /search/autocomplete/": "autocomplete", "GET /search/": "globalSearch", "GET /statistics/": "statistics",

	"GET /tasks/": "tasks", "GET /tasks/{id}/": "consumptionTask",
	"POST /tasks/acknowledge/": "acknowledgeTasks", "POST /acknowledge_tasks/": "acknowledgeTasks",
	"GET /ui_settings/": "uiSettings", "POST /ui_settings/": "setUiSettings",
	"GET /profile/": "profile", "PATCH /profile/": "updateProfile", "POST /profile/generate_auth_token/": "regenerateApiToken",
	"GET /status/": "serverStatus",

	"GET /users/": "users", "POST /users/": "createUser", "GET /users/{id}/": "user", "PUT /users/{id}/": "updateUser",
	"PATCH /users/{id}/": "updateUser", "DELETE /users/{id}/": "deleteUser",
	"GET /groups/": "groups", "POST /groups/": "createGroup", "GET /groups/{id}/": "group", "PUT /groups/{id}/": "updateGroup",
	"PATCH /groups/{id}/": "updateGroup", "DELETE /groups/{id}/": "deleteGroup",
}

// authorize applies the global permission of the route's operation
// (routeOps) to an authenticated request, answering 403 with DRF's
// message when it is missing. Public routes need none.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, ep *endpoint, method string) bool {
	if ep.Public {
		return true
	}
	op, ok := routeOps[method+" "+ep.Path]
	if !ok {
		op = "(unlisted route)"
	}
	if err := resolvers.Authorize(r.Context(), op); err != nil {
		a.writeError(w, r, err, nil)
		return false
	}
	return true
}
