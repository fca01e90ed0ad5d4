package rest

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// Full-text search: the seed's /api/search/ and /api/search/autocomplete/
// (API §9) and the 1.x search mode of /api/documents/ (§13.10).

// searchPageSize is /api/search/'s fixed page length (§9.3).
const searchPageSize = 10

// searchHitJSON is one hit of /api/search/ (§9.4).
type searchHitJSON struct {
	hit *model.SearchHit
	doc documentJSON
}

// searchPageJSON is /api/search/'s envelope; it writes itself.
type searchPageJSON struct {
	res  *model.SearchResult // nil: no query (no corrected_query key)
	hits []searchHitJSON
}

func (p searchPageJSON) appendJSON(b []byte) []byte {
	if p.res == nil {
		return append(b, `{"count":0,"page":0,"page_count":0,"results":[]}`...)
	}
	page, pages := p.res.Page, p.res.PageCount
	if p.res.TotalCount == 0 {
		page, pages = 0, 0 // Whoosh's ResultsPage of an empty result
	}
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.res.TotalCount), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"page_count":`...)
	b = strconv.AppendInt(b, int64(pages), 10)
	b = append(b, `,"corrected_query":`...)
	if p.res.CorrectedQuery == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *p.res.CorrectedQuery)
	}
	b = append(b, `,"results":[`...)
	for i, h := range p.hits {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(h.hit.ID), 10)
		b = append(b, `,"highlights":`...)
		b = appendFragments(b, h.hit.Highlights)
		b = append(b, `,"score":`...)
		b = appendFloat(b, h.hit.Score)
		b = append(b, `,"rank":`...)
		b = strconv.AppendInt(b, int64(h.hit.Rank), 10)
		b = append(b, `,"document":`...)
		b = h.doc.appendJSON(b)
		b = append(b, `,"title":`...)
		b = appendString(b, h.hit.Document.Title)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendFragments writes highlights as paperless's fragment lists:
// [[{"text":"…"},{"text":"word","term":0}],…].
func appendFragments(b []byte, frags [][]search.Segment) []byte {
	b = append(b, '[')
	for i, f := range frags {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for k, s := range f {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = appendString(b, s.Text)
			if s.Term != nil {
				b = append(b, `,"term":`...)
				b = strconv.AppendInt(b, int64(*s.Term), 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendFloat writes f as Python's repr does (shortest round trip, a
// decimal point always, exponent form outside [1e-4, 1e16)); NaN and
// infinities, which JSON lacks, as null.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if !slices.Contains(b[n:], '.') {
		b = append(b, ".0"...)
	}
	return b
}

// searchPage parses /api/search/'s page: absent, empty, not an integer
// or below 1 is 1 (§9.3).
func searchPage(r *http.Request) int {
	v, _ := last(r.URL.Query(), "page")
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return n
	}
	return 1
}

// searchView is GET /api/search/ (§9.3, §9.4): ten hits a page, a page
// past the end clamped to the last one, errors as 400 text/plain.
//
// The resolver does not clamp pages: it answers a page past the end with
// no hits and the exact total. Such a request is asked again for the
// last page, so it costs two searches; every other request costs one.
func (a *API) searchView() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if info(r).version >= 9 { // paperless-ngx's global search (NGX.md D5)
			a.globalSearch(w, r)
			return
		}
		query, ok := last(r.URL.Query(), "query")
		if !ok {
			a.writeJSON(w, r, http.StatusOK, searchPageJSON{})
			return
		}
		ctx := resolvers.WithDocumentRelations(r.Context(), resolvers.DocumentRelations{TagIDs: true})
		args := resolvers.SearchArgs{Query: query, Page: searchPage(r), PageSize: searchPageSize}
		res, err := a.res.SearchDocuments(ctx, args)
		if err == nil && res.PageCount > 0 && args.Page > res.PageCount {
			args.Page = res.PageCount
			res, err = a.res.SearchDocuments(ctx, args)
		}
		if err != nil {
			a.searchError(w, r, err)
			return
		}
		out := searchPageJSON{res: res, hits: make([]searchHitJSON, len(res.Hits))}
		err = a.hitDocuments(ctx, r, res, documentAll(info(r).version), func(i int, d documentJSON) {
			out.hits[i] = searchHitJSON{hit: &res.Hits[i], doc: d}
		})
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, out)
	}
}

// hitDocuments serialises the hits' documents with the keys in mask in
// the request's version, reading their relations through the resolvers'
// loaders.
func (a *API) hitDocuments(ctx context.Context, r *http.Request, res *model.SearchResult, mask uint32, put func(i int, d documentJSON)) error {
	out := make([]documentJSON, len(res.Hits))
	for i := range res.Hits {
		out[i] = a.newDocumentJSON(r, res.Hits[i].Document, mask)
	}
	if err := a.fillDocuments(ctx, out); err != nil {
		return err
	}
	for i := range out {
		put(i, out[i])
	}
	return nil
}

// autocomplete is GET /api/search/autocomplete/ (§9.5): term required,
// limit a positive integer (default 10).
func (a *API) autocomplete() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		term, ok := last(q, "term")
		if !ok {
			a.textError(w, r, "Term required")
			return
		}
		limit := 10
		if v, ok := last(q, "limit"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				// paperless crashes here (500); §9.5 asks for this deviation
				a.textError(w, r, "Invalid limit")
				return
			}
			limit = n
		}
		words, err := a.res.Autocomplete(r.Context(), term, limit)
		if err != nil {
			a.searchError(w, r, err) // a limit below 1: "Invalid limit"
			return
		}
		a.writeJSON(w, r, http.StatusOK, words)
	}
}

// textError answers 400 with msg as a plain-text body. paperless's
// search views answer HttpResponseBadRequest(str(e)): the bare message,
// labelled text/html. Both paperless-ng web UIs show the body as text,
// so an HTML-escaped message showed `&#39;` for a quote; text/plain (with
// nosniff) carries the message as it is and cannot run as HTML, although
// it may quote the query.
func (a *API) textError(w http.ResponseWriter, r *http.Request, msg string) {
	body := msg
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusBadRequest)
	w.Write([]byte(body)) //nolint:errcheck // the client went away
}

// msgNoDocument is Django's DoesNotExist message, paperless's answer to
// more_like_id of an unknown document.
const msgNoDocument = "Document matching query does not exist."

// searchError answers a failed search as paperless does: 400 text/plain
// with the message, for bad queries and for anything else (§9.4). An
// unclassified error is logged here and answered with a generic message
// carrying the request id; authentication errors keep their DRF form.
func (a *API) searchError(w http.ResponseWriter, r *http.Request, err error) {
	switch store.ErrorCode(err) {
	case store.Unauthenticated, store.Forbidden:
		a.writeError(w, r, err, nil)
	case store.NotFound:
		a.textError(w, r, msgNoDocument)
	case store.Validation, store.Conflict:
		a.textError(w, r, store.ErrorMessage(err))
	default:
		id := middleware.GetReqID(r.Context())
		a.logger.LogAttrs(r.Context(), slog.LevelError, "rest search failed",
			slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
		msg := "The search failed."
		if id != "" {
			msg = "The search failed (request " + id + ")."
		}
		a.textError(w, r, msg)
	}
}

// Search mode of the document list (§13.10).

// searchModeFilterNames are the document filters paperless applies in
// search mode; the others are ignored there. correspondent__isnull and
// document_type__isnull are read by searchModeIsnull.
var searchModeFilterNames = []string{
	"correspondent__id", "document_type__id", "tags__id__all", "is_tagged",
	"created__date__lt", "created__date__gt", "added__date__lt", "added__date__gt",
}

// searchModeOrderNames are the orderings of search mode; any other value
// (paperless's UI sends `score`) means relevance.
var searchModeOrderNames = []string{
	"created", "modified", "added", "title", "correspondent__name", "document_type__name", "archive_serial_number",
}

// searchModeIsnull applies paperless's presence quirk: the key with any
// value but `false` (even none) selects documents without the reference,
// `false` those with one.
func searchModeIsnull(q map[string][]string, f *store.DocumentFilter) {
	for name, ref := range map[string]**store.IDFilter{
		"correspondent__isnull": &f.Correspondent, "document_type__isnull": &f.DocumentType,
	} {
		if v, ok := last(q, name); ok {
			ensure(ref).Isnull = ptr(v != "false")
		}
	}
}

// searchHitWire is the __search_hit__ of a document in search mode.
type searchHitWire struct {
	doc documentJSON
	hit *model.SearchHit
}

func (s searchHitWire) appendJSON(b []byte) []byte {
	b = s.doc.appendJSON(b)
	b = b[:len(b)-1] // reopen the object
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"__search_hit__":{"score":`...)
	if s.hit.NormalizedScore == nil {
		b = append(b, "null"...)
	} else {
		b = appendFloat(b, *s.hit.NormalizedScore)
	}
	b = append(b, `,"highlights":`...)
	b = appendString(b, s.hit.HighlightHTML)
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(s.hit.Rank), 10)
	return append(b, "}}"...)
}

// searchHitPage is a page of search-mode results; it writes itself.
type searchHitPage []searchHitWire

func (l searchHitPage) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendJSON(b)
	}
	return append(b, ']')
}

// isSearchMode reports whether a document list request is a search: the
// presence of query or more_like_id, whatever their values.
func isSearchMode(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("query") || q.Has("more_like_id")
}

// documentList is GET /api/documents/: the list, or, with ?query= or
// ?more_like_id=, a full-text search in the list's envelope (§13.10).
func (a *API) documentList(list http.HandlerFunc) http.HandlerFunc {
	var filters filterSet[store.DocumentFilter]
	for _, d := range documentFilters(a.loc) {
		if slices.Contains(searchModeFilterNames, d.Name) {
			filters = append(filters, d)
		}
	}
	var orders orderSet[store.DocumentOrder]
	for _, o := range documentOrders() {
		if slices.Contains(searchModeOrderNames, o.name) {
			orders = append(orders, o)
		}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if info(r).version >= 9 {
			if msg := ngxSearchModeProblem(r.URL.Query()); msg != "" {
				a.writeJSON(w, r, http.StatusBadRequest, detail(msg))
				return
			}
		}
		// 0.9 had no search mode: ?query= was an unknown parameter (C3).
		if !isSearchMode(r) || info(r).version == 0 {
			list(w, r)
			return
		}
		q := r.URL.Query()
		var args resolvers.SearchArgs
		if v, ok := last(q, "query"); ok {
			args.Query = v
		} else {
			v, _ := last(q, "more_like_id")
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				a.textError(w, r, msgNoDocument)
				return
			}
			args.MoreLike = &n
		}
		f, bad := filters.parse(q)
		if bad != nil {
			a.textError(w, r, badFilterText(bad))
			return
		}
		searchModeIsnull(q, &f)
		args.Filter = &f
		// paperless sorts by one field; the first known one is used
		if o := orders.parse(q); len(o) > 0 {
			args.Order = &o[0]
		}
		p, ok := parsePage(q)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		// The engine serves at most search.MaxPageSize hits a page; the
		// envelope's next link follows the smaller page.
		p.size = min(p.size, search.MaxPageSize)
		args.Page, args.PageSize = max(p.number, 1), p.size
		ctx := resolvers.WithDocumentRelations(r.Context(), resolvers.DocumentRelations{TagIDs: true})
		res, err := a.res.SearchDocuments(ctx, args)
		if err == nil && p.number == -1 && res.PageCount > 1 { // page=last
			args.Page = res.PageCount
			res, err = a.res.SearchDocuments(ctx, args)
		}
		if err != nil {
			a.searchError(w, r, err)
			return
		}
		if p.number == -1 {
			p.number = args.Page
		}
		out := make(searchHitPage, len(res.Hits))
		err = a.hitDocuments(ctx, r, res, documentMask(r), func(i int, d documentJSON) {
			out[i] = searchHitWire{doc: d, hit: &res.Hits[i]}
		})
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		env, ok := pageEnvelope(r, p, res.Page, res.TotalCount, out)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		env.ngxSearch = info(r).version >= 9
		a.writeJSON(w, r, http.StatusOK, env)
	}
}

// badFilterText lists bad filter values as text, one `name: message` a line.
func badFilterText(bad map[string][]string) string {
	names := make([]string, 0, len(bad))
	for n := range bad {
		names = append(names, n)
	}
	slices.Sort(names)
	var lines []string
	for _, n := range names {
		lines = append(lines, n+": "+strings.Join(bad[n], " "))
	}
	return strings.Join(lines, "\n")
}

// searchModeParams document the search-mode parameters of the list.
var searchModeParams = []param{
	{Name: "query", Type: "string", Help: "full-text query: switches to search mode (results carry `__search_hit__`; only correspondent__id, document_type__id, tags__id__all, correspondent__isnull, document_type__isnull, is_tagged, created__date__lt/gt and added__date__lt/gt filter; ordering by one field, relevance by default or with `score`)"},
	{Name: "more_like_id", Type: "integer", Help: "documents similar to this one: search mode as with query"},
}

// searchViewParams document /api/search/'s parameters.
var searchViewParams = []param{
	{Name: "query", Type: "string", Help: "full-text query (absent: an empty answer)"},
	{Name: "page", Type: "string", Help: "1-based page of 10 hits; anything but a positive integer is 1, a page past the end the last"},
}

// autocompleteParams document /api/search/autocomplete/'s parameters.
var autocompleteParams = []param{
	{Name: "term", Type: "string", Help: "the start of a word (required, may be empty)"},
	{Name: "limit", Type: "integer", Help: "at most this many words (default 10)"},
}
