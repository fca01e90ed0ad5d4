package rest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/quirehq/quire/store"
)

// endpoint declares one /api/ route: its path (relative to /api, a chi
// pattern), whether it is public, its methods and its query parameters.
// The same declaration serves requests, answers OPTIONS, fills the Allow
// header, the browsable page and the OpenAPI document.
type endpoint struct {
	Path   string
	Name   string // DRF view name ("Tag List"); OPTIONS and the HTML title
	Public bool   // no authentication needed
	Ops    []op
	// Query lists the filters, ordering and pagination parameters of GET.
	Query []param
	// Ordering lists the names ?ordering= accepts.
	Ordering []string
	// Tag groups the endpoint in the OpenAPI document.
	Tag string
	// PrefixMatch makes the endpoint also answer every path below Path
	// (paperless's unanchored routes, API §2.1): /api/statistics/x is
	// statistics. Anchored routes win; among prefix routes, the longest.
	PrefixMatch bool
}

// op is one method of an endpoint.
type op struct {
	Method  string
	Summary string
	Handler http.HandlerFunc
	Status  int    // success status (OpenAPI)
	Body    string // request body schema name (OpenAPI), "" for none
	Result  string // response schema name (OpenAPI), "" for none
}

// param documents one query parameter.
type param struct {
	Name string
	Type string // "string", "integer", "integers" (comma list), "boolean", "date", "date-time", "uuid"
	Help string
}

// allow is the Allow header: the methods in DRF's order, HEAD with GET,
// OPTIONS always.
func (ep *endpoint) allow() string {
	var out []string
	has := map[string]bool{}
	for _, o := range ep.Ops {
		has[o.Method] = true
	}
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if has[m] {
			out = append(out, m)
		}
	}
	if has["GET"] {
		out = append(out, "HEAD")
	}
	return strings.Join(append(out, "OPTIONS"), ", ")
}

// methods lists the endpoint's methods as Allow does.
func (ep *endpoint) methods() []string { return strings.Split(ep.allow(), ", ") }

// last returns the last value of a query parameter (DRF: the last
// occurrence wins) and whether it is present.
func last(q url.Values, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// filterDef is one query filter over a filter struct F: set applies a
// non-empty value and returns DRF's message for a bad one ("" when fine).
type filterDef[F any] struct {
	param
	set func(f *F, v string) string
}

// filterSet is an endpoint's filters.
type filterSet[F any] []filterDef[F]

// parse builds F from the query; bad values come back keyed by parameter.
// Empty values disable a filter (django-filter).
func (s filterSet[F]) parse(q url.Values) (F, map[string][]string) {
	var f F
	var bad map[string][]string
	for _, d := range s {
		v, ok := last(q, d.Name)
		if !ok || v == "" {
			continue
		}
		msg := ""
		if d.Type == "string" { // a text lookup (store's rules apply)
			msg = store.PatternProblem(v)
		}
		if msg == "" {
			msg = d.set(&f, v)
		}
		if msg != "" {
			if bad == nil {
				bad = map[string][]string{}
			}
			bad[d.Name] = append(bad[d.Name], msg)
		}
	}
	return f, bad
}

func (s filterSet[F]) params() []param {
	out := make([]param, len(s))
	for i, d := range s {
		out[i] = d.param
	}
	return out
}

// orderDef maps one ordering name to a resolver sort key.
type orderDef[O any] struct {
	name string
	key  func(desc bool) O
}

// orderSet is an endpoint's orderings.
type orderSet[O any] []orderDef[O]

// parse reads ?ordering=a,-b as DRF's OrderingFilter: items are trimmed,
// unknown names dropped; nil when none remain (the default order applies).
func (s orderSet[O]) parse(q url.Values) []O {
	v, ok := last(q, "ordering")
	if !ok {
		return nil
	}
	var out []O
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		name, desc := strings.CutPrefix(item, "-")
		for _, d := range s {
			if d.name == name {
				out = append(out, d.key(desc))
				break
			}
		}
	}
	return out
}

func (s orderSet[O]) names() []string {
	out := make([]string, len(s))
	for i, d := range s {
		out[i] = d.name
	}
	return out
}

// orderingParam documents ?ordering= for a set of names.
func orderingParam(names []string) param {
	return param{Name: "ordering", Type: "string",
		Help: "comma-separated fields, `-` for descending: " + strings.Join(names, ", ")}
}

// paginationParams are DRF's page and page_size.
var paginationParams = []param{
	{Name: "page", Type: "string", Help: "1-based page number, or `last`"},
	{Name: "page_size", Type: "integer", Help: "results per page (default 25, at most 100000)"},
}

// listQuery joins filters, ordering and pagination parameters.
func listQuery(filters []param, orderings []string) []param {
	out := append([]param{}, filters...)
	if len(orderings) > 0 {
		out = append(out, orderingParam(orderings))
	}
	return append(out, paginationParams...)
}

// pageReq is a parsed ?page=&page_size=.
type pageReq struct {
	number int // 1-based; -1 for "last"
	size   int
}

// parsePage reads DRF's pagination parameters: page absent is 1, "last"
// the last page, anything but an integer ≥ 1 is invalid (ok false);
// page_size values that are not positive integers are ignored, larger
// ones clamped.
func parsePage(q url.Values) (p pageReq, ok bool) {
	p = pageReq{number: 1, size: defaultPageSize}
	if v, has := last(q, "page_size"); has {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			p.size = min(n, maxPageSize)
		}
	}
	v, has := last(q, "page")
	if !has {
		return p, true
	}
	if v == "last" {
		p.number = -1
		return p, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return p, false
	}
	p.number = n
	return p, true
}

// Page sizes, as paperless's paginator has them.
const (
	defaultPageSize = 25
	maxPageSize     = 100000
)

// envelope is DRF's paginated response.
type envelope struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  any     `json:"results"`
}

// page builds the envelope for the page served (1-based) of total rows,
// or reports ok false when the requested page does not exist.
func pageEnvelope(r *http.Request, p pageReq, served, total int, results any) (envelope, bool) {
	lastPage := max(1, (total+p.size-1)/p.size)
	if p.number > lastPage {
		return envelope{}, false
	}
	if served < 1 {
		served = 1
	}
	e := envelope{Count: total, Results: results}
	if served < lastPage {
		u := pageURL(r, served+1)
		e.Next = &u
	}
	if served > 1 {
		u := pageURL(r, served-1)
		e.Previous = &u
	}
	return e, true
}

// origin is the scheme and host the request was addressed to.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// pageURL is the absolute request URL with page set (or removed for page
// 1) and the query re-encoded sorted by key, as DRF builds next/previous.
func pageURL(r *http.Request, n int) string {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if q == nil {
		q = url.Values{}
	}
	if n == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(n))
	}
	u := origin(r) + r.URL.EscapedPath()
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}
