// Package rest serves paperless-ng 1.5.0's REST API (/api/), the HTML
// login form (/accounts/) and, optionally, a prebuilt paperless web
// frontend, on top of the resolvers.
//
// It is a thin chi layer: a handler parses the request (query filters,
// pagination, body fields), calls one resolver, and serialises the result
// into paperless's JSON with its own ordered serializer structs. Status
// codes, DRF error bodies and field names are decided here; every
// business rule (validation, permissions, defaults) lives in the
// resolvers. Relations (a document's tag ids, document counts) are loaded
// through the resolvers' per-request dataloaders.
//
// All /api/ routes are declared in one function, routes in routes.go; the
// declarations drive request handling, OPTIONS, the Allow header, the
// browsable HTML pages and the OpenAPI document at /api/schema/.
//
// It imports resolvers and store (for its plain types and error codes;
// store/search only for highlight segments and the page-size limit) and
// chi; it must not import bun, a search engine or anything under server/
// (the server hands it an Authenticator).
//
// Full-text search (search.go) keeps paperless's two forms: /api/search/
// and /api/search/autocomplete/ with their own envelope and text/html
// errors, and the search mode of /api/documents/ (?query=, ?more_like_id=).
package rest
