package rest

import (
	"net/http"
)

// The paperless-ngx routes of what the data-model issue adds (custom
// fields, notes, storage paths, share links, trash) answer correctly
// empty until Quire has them, never 404, so that clients which read them
// around every document call (paperless-mcp, pypaperless) work. Writing
// them is not offered yet: POST answers 405.

// emptyPage answers an empty DRF page in the request version's shape
// (version 9 adds "all"); a page past the first is 404 as in DRF.
func (a *API) emptyPage() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := parsePage(r.URL.Query())
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		env, ok := pageEnvelope(r, p, 1, 0, []struct{}{})
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		if info(r).version == 9 {
			env.All = &[]int{}
		}
		a.writeJSON(w, r, http.StatusOK, env)
	}
}

// noneFound answers 404 for an id of a collection that is empty.
func (a *API) noneFound() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
	}
}

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
