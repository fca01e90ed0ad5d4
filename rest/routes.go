package rest

// Prefix is where APIHandler must be mounted.
const Prefix = "/api"

// routes declares every /api/ route: reading it tells the whole REST API.
// Paths are relative to Prefix. Consumption (post_document, files,
// metadata, suggestions, bulk_download) and search (/api/search/,
// ?query=) slot in here as further declarations.
func (a *API) routes() []*endpoint {
	correspondents := a.correspondents()
	documentTypes := a.documentTypes()
	tags := a.tags()
	documents := a.documents()
	savedViews := a.savedViews()
	return []*endpoint{
		{Path: "/", Name: "Api Root", Public: true, Tag: "root",
			Ops: []op{{Method: "GET", Summary: "Links to the collections", Handler: a.root(), Status: 200, Result: "Root"}}},
		{Path: "/schema/", Name: "Schema", Public: true, Tag: "root",
			Ops: []op{{Method: "GET", Summary: "This OpenAPI document", Handler: a.schema(), Status: 200}}},

		{Path: "/correspondents/", Name: "Correspondent List", Tag: "correspondents",
			Ops: correspondents.collectionOps(a, "Correspondent"), Query: correspondents.query(), Ordering: correspondents.orders.names()},
		{Path: "/correspondents/{id}/", Name: "Correspondent Instance", Tag: "correspondents",
			Ops: correspondents.detailOps(a, "Correspondent")},

		{Path: "/document_types/", Name: "Document Type List", Tag: "document_types",
			Ops: documentTypes.collectionOps(a, "DocumentType"), Query: documentTypes.query(), Ordering: documentTypes.orders.names()},
		{Path: "/document_types/{id}/", Name: "Document Type Instance", Tag: "document_types",
			Ops: documentTypes.detailOps(a, "DocumentType")},

		{Path: "/tags/", Name: "Tag List", Tag: "tags",
			Ops: tags.collectionOps(a, "Tag"), Query: tags.query(), Ordering: tags.orders.names()},
		{Path: "/tags/{id}/", Name: "Tag Instance", Tag: "tags",
			Ops: tags.detailOps(a, "Tag")},

		{Path: "/documents/", Name: "Document List", Tag: "documents",
			Ops: documents.collectionOps(a, "Document"), Ordering: documents.orders.names(),
			Query: append(documents.query(), fieldsParam)},
		{Path: "/documents/{id}/", Name: "Document Instance", Tag: "documents",
			Ops: documents.detailOps(a, "Document"), Query: []param{fieldsParam}},
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

		{Path: "/statistics/", Name: "Statistics", Tag: "statistics",
			Ops: []op{{Method: "GET", Summary: "Document counts", Handler: a.statistics(), Status: 200, Result: "Statistics"}}},
		{Path: "/token/", Name: "Obtain Auth Token", Public: true, Tag: "token",
			Ops: []op{{Method: "POST", Summary: "Username and password for the user's API token", Handler: a.token(), Status: 200, Body: "Credentials", Result: "Token"}}},
	}
}
