package rest

import (
	"net/http"
)

// The paperless-ngx data model (custom fields, notes, storage paths,
// share links, trash) has its own files: rest/custom_fields.go,
// rest/notes.go, rest/storage_paths.go, rest/share_links.go,
// rest/trash.go. What is left here is the next archive serial number.

// A document's share links: rest/share_links.go.

// ---- next ASN (NGX.md §6.6)

// nextASN answers the archive serial number a new document would get
// (the highest plus 1, 1 when none) as a JSON integer.
func (a *API) nextASN() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := a.res.Query().NextArchiveSerialNumber(r.Context())
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, n)
	}
}
