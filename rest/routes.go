package rest

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Prefix is where APIHandler must be mounted.
const Prefix = "/api"

// routes declares every /api/ route: reading it tells the whole REST API.
// Paths are relative to Prefix. The routes outside /api/ are in
// rootRoutes below.
func (a *API) routes() []*endpoint {
	correspondents := a.correspondents()
	documentTypes := a.documentTypes()
	tags := a.tags()
	documents := a.documents()
	savedViews := a.savedViews()
	return append([]*endpoint{
		{Path: "/", Name: "Api Root", Public: true, Tag: "root",
			Ops: []op{{Method: "GET", Summary: "Links to the collections", Handler: a.root(), Status: 200, Result: "Root"}}},
		{Path: "/schema/", Name: "Schema", Public: true, Tag: "root",
			Ops:   []op{{Method: "GET", Summary: "This OpenAPI document: the request's API version's, or ?version='s", Handler: a.schema(), Status: 200}},
			Query: []param{{Name: "version", Type: "string", Help: "the API version whose document to serve: 0, 1, 2 (paperless-ng), 9, 10 (paperless-ngx; 3 to 8 are 9)"}}},

		{Path: "/correspondents/", Name: "Correspondent List", Tag: "correspondents",
			Ops: correspondents.collectionOps(a, "Correspondent"), Query: correspondents.query(), NgxQuery: correspondents.ngxQuery(), Ordering: correspondents.orders.names()},
		{Path: "/correspondents/{id}/", Name: "Correspondent Instance", Tag: "correspondents",
			Ops: correspondents.detailOps(a, "Correspondent")},

		{Path: "/document_types/", Name: "Document Type List", Tag: "document_types",
			Ops: documentTypes.collectionOps(a, "DocumentType"), Query: documentTypes.query(), NgxQuery: documentTypes.ngxQuery(), Ordering: documentTypes.orders.names()},
		{Path: "/document_types/{id}/", Name: "Document Type Instance", Tag: "document_types",
			Ops: documentTypes.detailOps(a, "DocumentType")},

		{Path: "/tags/", Name: "Tag List", Tag: "tags",
			Ops: tags.collectionOps(a, "Tag"), Query: tags.query(), NgxQuery: tags.ngxQuery(), Ordering: tags.orders.names()},
		{Path: "/tags/{id}/", Name: "Tag Instance", Tag: "tags",
			Ops: tags.detailOps(a, "Tag")},

		{Path: "/documents/", Name: "Document List", Tag: "documents",
			Ops:      []op{{Method: "GET", Summary: "List; with query or more_like_id a full-text search whose results carry __search_hit__", Handler: a.documentList(documents.handleList(a)), Status: 200, Result: "DocumentPage"}},
			Ordering: documents.orders.names(),
			Query:    append(append(documents.query(), fieldsParam), searchModeParams...),
			NgxQuery: append(append(documents.ngxQuery(), fieldsParam, selectionDataParam), searchModeParams...)},
		{Path: "/documents/{id}/", Name: "Document Instance", Tag: "documents",
			Ops: documents.detailOps(a, "Document"), Query: []param{fieldsParam}},
		{Path: "/documents/{id}/download/", Name: "Document Download", Tag: "documents",
			Ops:   []op{{Method: "GET", Summary: "The file as an attachment: the archive version, or the original (?original=true, or no archive version); Range requests work", Handler: a.documentFile("attachment"), Status: 200, Result: "File"}},
			Query: []param{originalParam}},
		{Path: "/documents/{id}/preview/", Name: "Document Preview", Tag: "documents",
			Ops:   []op{{Method: "GET", Summary: "Like download, served inline", Handler: a.documentFile("inline"), Status: 200, Result: "File"}},
			Query: []param{originalParam}},
		{Path: "/documents/{id}/thumb/", Name: "Document Thumbnail", Tag: "documents",
			Ops: []op{{Method: "GET", Summary: "The PNG thumbnail", Handler: a.thumb(), Status: 200, Result: "File"}}},
		{Path: "/documents/{id}/metadata/", Name: "Document Metadata", Tag: "documents",
			Ops: []op{{Method: "GET", Summary: "Checksums, sizes, storage names and PDF metadata of the stored files", Handler: a.metadata(), Status: 200, Result: "Metadata"}}},
		{Path: "/documents/{id}/suggestions/", Name: "Document Suggestions", Tag: "documents",
			Ops: []op{{Method: "GET", Summary: "What matching and the classifier pick for the document's content", Handler: a.suggestions(), Status: 200, Result: "Suggestions"}}},
		{Path: "/documents/post_document/", Name: "Post Document", Tag: "documents",
			Ops: []op{{Method: "POST", Summary: "Upload a file for consumption (multipart/form-data only); \"OK\" once it is stored and queued", Handler: a.postDocument(), Status: 200, Body: "PostDocument", Result: "OK"}}},
		{Path: "/documents/bulk_download/", Name: "Bulk Download", Tag: "documents",
			Ops: []op{{Method: "POST", Summary: "A zip of the documents' files, streamed", Handler: a.bulkDownload(), Status: 200, Body: "BulkDownload", Result: "Zip"}}},
		{Path: "/documents/bulk_edit/", Name: "Bulk Edit", Tag: "documents",
			Ops: []op{{Method: "POST", Summary: "Apply one operation to a set of documents (JSON only)", Handler: a.bulkEdit(), Status: 200, Body: "BulkEdit", Result: "Result"}}},
		{Path: "/documents/selection_data/", Name: "Selection Data", Tag: "documents",
			Ops: []op{{Method: "POST", Summary: "Per correspondent, tag and type: how many of the documents reference it", Handler: a.selectionData(), Status: 200, Body: "DocumentList", Result: "SelectionData"}}},

		{Path: "/saved_views/", Name: "Saved View List", Tag: "saved_views",
			Ops: savedViews.collectionOps(a, "SavedView"), Query: savedViews.query()},
		{Path: "/saved_views/{id}/", Name: "Saved View Instance", Tag: "saved_views",
			Ops: savedViews.detailOps(a, "SavedView")},

		{Path: "/logs/", Name: "Log List", Tag: "logs",
			Ops: []op{{Method: "GET", Summary: "Names of the logs", Handler: a.logNames(), Status: 200, Result: "Strings"}}},
		{Path: "/logs/{name}/", Name: "Log Instance", Tag: "logs",
			Ops: []op{{Method: "GET", Summary: "The log's lines, oldest first", Handler: a.logLines(), Status: 200, Result: "Strings"}}},

		// search/autocomplete/, search/ and statistics/ are prefix routes
		// (§2.1): /api/search/autocomplete without its slash is a search.
		{Path: "/search/autocomplete/", Name: "Search Auto Complete", Tag: "search", PrefixMatch: true,
			Ops:   []op{{Method: "GET", Summary: "Indexed words starting with term, best first; errors are 400 text/plain", Handler: a.autocomplete(), Status: 200, Result: "Strings"}},
			Query: autocompleteParams},
		{Path: "/search/", Name: "Search", Tag: "search", PrefixMatch: true,
			Ops:   []op{{Method: "GET", Summary: "Full-text search, 10 hits a page (a page past the end serves the last); errors are 400 text/plain", Handler: a.searchView(), Status: 200, Result: "SearchPage"}},
			Query: searchViewParams},
		{Path: "/statistics/", Name: "Statistics", Tag: "statistics", PrefixMatch: true,
			Ops: []op{{Method: "GET", Summary: "Document counts", Handler: a.statistics(), Status: 200, Result: "Statistics"}}},
		{Path: "/token/", Name: "Obtain Auth Token", Public: true, Tag: "token",
			Ops: []op{{Method: "POST", Summary: "Username and password for the user's API token", Handler: a.token(), Status: 200, Body: "Credentials", Result: "Token"}}},
	}, append(a.ngxRoutes(), a.ngxOpsRoutes()...)...) // tasks, ui_settings, profile, users, groups, status, remote_version: rest/ngx.go; bulk_edit_objects: rest/ngx_ops.go
}

// originalParam documents ?original=true of download and preview.
var originalParam = param{Name: "original", Type: "string", Help: "`true` serves the original even when there is an archive version"}

// rootRoute is a route outside /api/ that the REST layer serves.
type rootRoute struct {
	Pattern string // chi pattern at the server root
	Handler http.HandlerFunc
}

// rootRoutes are paperless's routes outside /api/: the legacy redirects
// (§8.5: any method, no authentication, query dropped, anchored without
// a trailing slash) and the consumer status websocket (§13.14).
func (a *API) rootRoutes() []rootRoute {
	return []rootRoute{
		{"/fetch/doc/{id:[0-9]+}", legacyRedirect(Prefix + "/documents/{id}/download/")},
		{"/fetch/thumb/{id:[0-9]+}", legacyRedirect(Prefix + "/documents/{id}/thumb/")},
		{"/fetch/preview/{id:[0-9]+}", legacyRedirect(Prefix + "/documents/{id}/preview/")},
		{"/push", legacyRedirect(Prefix + "/documents/post_document/")},
		{"/ws/status/", a.statusSocket()},
	}
}

// MountRoot adds the routes outside /api/ (rootRoutes) to the server's
// root router.
func (a *API) MountRoot(r chi.Router) {
	for _, rt := range a.rootRoutes() {
		r.HandleFunc(rt.Pattern, rt.Handler)
	}
}

// expandID puts the request's {id} into target.
func expandID(target string, r *http.Request) string {
	return strings.ReplaceAll(target, "{id}", chi.URLParam(r, "id"))
}
