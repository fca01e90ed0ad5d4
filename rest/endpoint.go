package rest

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
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
	// NgxQuery, when set, is Query in the paperless-ngx versions (9, 10).
	NgxQuery []param
	// Ordering lists the names ?ordering= accepts.
	Ordering []string
	// Tag groups the endpoint in the OpenAPI document.
	Tag string
	// PrefixMatch makes the endpoint also answer every path below Path
	// (paperless's unanchored routes, API §2.1): /api/statistics/x is
	// statistics. Anchored routes win; among prefix routes, the longest.
	PrefixMatch bool
	// Dialects are the API families that have the route: dialectNG
	// (paperless-ng, API.md: versions 0, 1, 2), dialectNGX (paperless-ngx,
	// NGX.md: 9, 10) or both; zero means both (a URL both contracts have,
	// whatever its shapes). It steers the version of a request that names
	// none (pickVersion) and which OpenAPI documents list the route.
	Dialects dialects
}

// dialects is a set of API families.
type dialects uint8

const (
	dialectNG  dialects = 1 << iota // API.md: versions 0, 1, 2
	dialectNGX                      // NGX.md: versions 9, 10 (3–8 as 9)
)

// has reports whether the route exists in the family of version v.
func (d dialects) has(v int) bool {
	if d == 0 {
		return true
	}
	if v >= 9 {
		return d&dialectNGX != 0
	}
	return d&dialectNG != 0
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

// envelope is DRF's paginated response. All (paperless-ngx v9: the ids of
// every match, in result order) and DisplayCount (ngx tags) are left out
// when nil.
type envelope struct {
	Count        int     `json:"count"`
	Next         *string `json:"next"`
	Previous     *string `json:"previous"`
	All          *[]int  `json:"all,omitempty"`
	Results      any     `json:"results"`
	DisplayCount *int    `json:"display_count,omitempty"`
	// SelectionData is the ngx documents' ?include_selection_data=true.
	SelectionData any `json:"selection_data,omitempty"`
	// ngxSearch adds `"corrected_query": null` (the ngx list in search
	// mode; Quire suggests no corrections there).
	ngxSearch bool
}

// allLen is the number of ids in All.
func (e envelope) allLen() int {
	if e.All == nil {
		return 0
	}
	return len(*e.All)
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

// origin is the scheme and host of the absolute links written for r
// (next, previous, the API root's): Links decides (see there).
func origin(r *http.Request) string {
	if l := info(r).links; l != nil {
		return l.origin(r)
	}
	return (&Links{}).origin(r)
}

// Links decides the scheme and host of the absolute links the API writes:
// URL when set (QUIRE_URL: the address clients use, behind a proxy);
// else X-Forwarded-Proto and X-Forwarded-Host when the request came from
// a peer in TrustedProxies (QUIRE_TRUSTED_PROXIES); else the request's
// own Host and TLS state. A forwarded value that is not a plain host (or
// http/https) is ignored.
type Links struct {
	URL            string // "https://archive.example" (no path), or ""
	TrustedProxies []netip.Prefix
}

// ParseLinks reads QUIRE_URL (scheme://host[:port], an optional trailing
// slash, nothing else) and QUIRE_TRUSTED_PROXIES (comma-separated IP
// addresses and CIDR prefixes), reporting every problem.
func ParseLinks(publicURL, trustedProxies string) (Links, error) {
	var l Links
	var problems []string
	if publicURL = strings.TrimSpace(publicURL); publicURL != "" {
		u, err := url.Parse(publicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validHost(u.Host):
			problems = append(problems, fmt.Sprintf("%q is not an http(s)://host[:port] URL", publicURL))
		case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			problems = append(problems, fmt.Sprintf("%q: give only scheme and host (Quire serves /api/ at the root)", publicURL))
		default:
			l.URL = u.Scheme + "://" + strings.ToLower(u.Host)
		}
	}
	for item := range strings.SplitSeq(trustedProxies, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			l.TrustedProxies = append(l.TrustedProxies, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%q is not an IP address or CIDR prefix", item))
			continue
		}
		a = a.Unmap()
		l.TrustedProxies = append(l.TrustedProxies, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(problems) > 0 {
		return Links{}, errors.New(strings.Join(problems, "; "))
	}
	return l, nil
}

// origin applies the rules of Links to one request.
func (l *Links) origin(r *http.Request) string {
	if l.URL != "" {
		return l.URL
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if len(l.TrustedProxies) > 0 && l.trusted(r.RemoteAddr) {
		if p := firstForwarded(r.Header.Get("X-Forwarded-Proto")); p != "" {
			if p = strings.ToLower(p); p == "http" || p == "https" {
				scheme = p
			}
		}
		if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); h != "" && validHost(h) {
			host = h
		}
	}
	return scheme + "://" + host
}

// trusted reports whether the peer address (host:port) is a trusted proxy.
func (l *Links) trusted(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	var a netip.Addr
	if err == nil {
		a = ap.Addr()
	} else if a, err = netip.ParseAddr(remoteAddr); err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range l.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// firstForwarded is the first entry of a comma-separated forwarded header
// (the one the outermost proxy saw).
func firstForwarded(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// validHost reports whether h is a host[:port] fit to put in a link: no
// characters a URL would read as path, query, user or space.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_') {
			return false
		}
	}
	return true
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
