package rest

import (
	"mime"
	"net/http"
	"strings"
)

// negotiate picks the renderer (JSON or the browsable HTML page) and the
// API version as DRF's DefaultContentNegotiation and
// AcceptHeaderVersioning do, filling in. It returns a message and a
// status (404 for an unknown ?format=, 406 for an unsatisfiable Accept
// header or an unsupported version), or status 0.
//
// DRF orders the client's media ranges by specificity only (q values are
// ignored): type/subtype with parameters, then type/subtype, then type/*,
// then */*; within a group the header's order counts. JSON is the first
// renderer, so */* and a missing header give JSON.
func negotiate(r *http.Request, in *reqInfo) (string, int) {
	format := in.format
	if format == "" {
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
	var groups [4][]mediaRange
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			mt = strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
			params = nil
		}
		m := mediaRange{typ: mt, params: params}
		groups[m.precedence()] = append(groups[m.precedence()], m)
	}
	for p := 3; p >= 0; p-- {
		for _, m := range groups[p] {
			for _, renderer := range []string{"application/json", "text/html"} {
				if !m.matches(renderer) {
					continue
				}
				in.html = renderer == "text/html"
				if v, ok := m.params["version"]; ok {
					switch v {
					case "1":
						in.version = 1
					case "2":
						in.version = 2
					default:
						return `Invalid version in "Accept" header.`, http.StatusNotAcceptable
					}
				}
				return "", 0
			}
		}
	}
	return "Could not satisfy the request Accept header.", http.StatusNotAcceptable
}

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ    string
	params map[string]string
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
	for k := range m.params {
		if k != "q" {
			return 3
		}
	}
	return 2
}

// matches reports whether the range accepts the renderer's media type.
func (m mediaRange) matches(renderer string) bool {
	main, sub, _ := strings.Cut(m.typ, "/")
	rmain, rsub, _ := strings.Cut(renderer, "/")
	return (main == "*" || main == rmain) && (sub == "*" || sub == rsub)
}
