package rest

import (
	"fmt"
	"net/http"
	"strings"
)

// negotiate picks the renderer (JSON or the browsable HTML page) and the
// API version as DRF's DefaultContentNegotiation and
// AcceptHeaderVersioning do, filling in. It returns a message and a
// status (404 for an unknown ?format=, 406 for an unsatisfiable Accept
// header or an unsupported version), or status 0. The version is read
// from the matched media range only (`*/*; version=9` names none) and
// resolved against the endpoint's dialects by pickVersion.
//
// DRF orders the client's media ranges by specificity only (q values are
// ignored): type/subtype with parameters, then type/subtype, then type/*,
// then */*; within a group the header's order counts. JSON is the first
// renderer, so */* and a missing header give JSON.
func negotiate(r *http.Request, in *reqInfo, def int) (string, int) {
	asked, status := negotiateMedia(r, in)
	if status != 0 {
		return asked, status
	}
	v, ok := pickVersion(asked, in.ep.Dialects, def)
	if !ok {
		return msgInvalidVersion, http.StatusNotAcceptable
	}
	in.version = v
	return "", 0
}

const msgInvalidVersion = `Invalid version in "Accept" header.`

// negotiateMedia sets in.html and returns the version parameter of the
// matched media range ("" without one), or a message and a status.
func negotiateMedia(r *http.Request, in *reqInfo) (string, int) {
	format := in.format
	if format == "" && strings.Contains(r.URL.RawQuery, "format") {
		if vs, ok := r.URL.Query()["format"]; ok {
			format = vs[len(vs)-1]
			if format != "json" && format != "api" {
				return "Not found.", http.StatusNotFound
			}
		}
	}
	switch format {
	case "json":
		return "", 0
	case "api":
		in.html = true
		return "", 0
	}
	header := r.Header.Get("Accept")
	if strings.TrimSpace(header) == "" {
		return "", 0
	}
	var buf [8]mediaRange
	ranges := buf[:0]
	for part := range strings.SplitSeq(header, ",") {
		if m, ok := parseMediaRange(part); ok {
			ranges = append(ranges, m)
		}
	}
	for p := 3; p >= 0; p-- {
		for _, m := range ranges {
			if m.precedence() != p {
				continue
			}
			for _, renderer := range [...]string{"application/json", "text/html"} {
				if !m.matches(renderer) {
					continue
				}
				in.html = renderer == "text/html"
				// DRF takes the renderer's own type (so no version) unless
				// the range is more specific: type/subtype with parameters.
				if m.hasVersion && p == 3 {
					if m.version == "" { // present but empty: never a version
						return "-", 0
					}
					return m.version, 0
				}
				return "", 0
			}
		}
	}
	return "Could not satisfy the request Accept header.", http.StatusNotAcceptable
}

// parseMediaRange reads one entry of an Accept header leniently, as
// Django's header parsing does: the type in lower case, parameters
// key=value (a part without "=" is ignored; quotes around a value go).
func parseMediaRange(s string) (mediaRange, bool) {
	typ, rest, _ := strings.Cut(s, ";")
	m := mediaRange{typ: strings.ToLower(strings.TrimSpace(typ))}
	if m.typ == "" {
		return m, false
	}
	for rest != "" {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if k != "q" {
			m.params = true
		}
		if k == "version" {
			m.version, m.hasVersion = strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return m, true
}

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ        string
	params     bool // has parameters other than q
	version    string
	hasVersion bool
}

// precedence is DRF's _MediaType.precedence.
func (m mediaRange) precedence() int {
	main, sub, _ := strings.Cut(m.typ, "/")
	switch {
	case main == "*":
		return 0
	case sub == "*":
		return 1
	}
	if m.params {
		return 3
	}
	return 2
}

// matches reports whether the range accepts the renderer's media type.
func (m mediaRange) matches(renderer string) bool {
	main, sub, _ := strings.Cut(m.typ, "/")
	rmain, rsub, _ := strings.Cut(renderer, "/")
	return (main == "*" || main == rmain) && (sub == "*" || sub == rsub)
}

// pickVersion resolves the version a request asked for ("" for none)
// against the dialects of its route and the server's default (NGX.md §0,
// D1 and D2):
//
//   - none: the default on a route API.md has, 10 on a route only NGX.md
//     has (no paperless-ng client can depend on it);
//   - "1", "2": the API.md shapes; on a route only NGX.md has, the oldest
//     ngx shapes (9), as paperless-ngx 1.x served its new routes to
//     clients asking for version 2;
//   - "3" … "8": 9 (clients of the paperless-ngx 1.x and 2.x years still
//     send them); "9", "10": themselves;
//   - anything else ("10.0", "0", "abc"): not acceptable (ok false).
//
// A route only API.md has answers an ngx version with its own shapes.
func pickVersion(asked string, d dialects, def int) (v int, ok bool) {
	switch asked {
	case "":
		if d&dialectNG == 0 && d != 0 {
			return 10, true
		}
		return def, true
	case "1", "2":
		if d&dialectNG == 0 && d != 0 {
			return 9, true
		}
		return int(asked[0] - '0'), true
	case "3", "4", "5", "6", "7", "8", "9":
		v = 9
	case "10":
		v = 10
	default:
		return 0, false
	}
	if d&dialectNGX == 0 && d != 0 {
		return 2, true
	}
	return v, true
}

// ParseVersion reads QUIRE_DEFAULT_API_VERSION: the API version of
// requests that name none, one of 0 (the paperless-ng 0.9 shapes), 1, 2
// (API.md), 9, 10 (NGX.md); "" is 1.
func ParseVersion(s string) (int, error) {
	switch strings.TrimSpace(s) {
	case "", "1":
		return 1, nil
	case "0":
		return 0, nil
	case "2":
		return 2, nil
	case "9":
		return 9, nil
	case "10":
		return 10, nil
	}
	return 0, fmt.Errorf("%q is not an API version (0, 1, 2, 9 or 10)", s)
}
