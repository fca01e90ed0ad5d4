package rest

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Authenticator is what the REST layer needs from the server's
// authentication (implemented, through a small adapter, by
// server/auth.Authenticator).
type Authenticator interface {
	// Authenticate resolves a request to a user (nil without credentials)
	// and says whether it came by the session cookie. Wrong credentials
	// are an Unauthenticated error with DRF's message.
	Authenticate(r *http.Request) (u *store.User, session bool, err error)
	// CheckCSRF applies Django's CSRF rule to an unsafe request (Forbidden
	// with DRF's "CSRF Failed: …" message).
	CheckCSRF(r *http.Request) error
	// CheckOrigin accepts a request without an Origin header or whose
	// Origin is Quire's own, its public one (QUIRE_URL) or a trusted one
	// (QUIRE_CORS_ALLOWED_ORIGINS); Forbidden otherwise.
	CheckOrigin(r *http.Request) error
	// Login checks a username and password (Unauthenticated when wrong).
	Login(ctx context.Context, username, password string) (*store.User, error)
	// NewSession starts a session and returns the cookie value.
	NewSession(ctx context.Context, userID int) (string, error)
	// SessionCookie is the cookie carrying a NewSession value.
	SessionCookie(value string) *http.Cookie
	// Logout ends the session with this cookie value.
	Logout(ctx context.Context, cookieValue string) error
	// SessionCookieName and CSRFCookieName name the two cookies.
	SessionCookieName() string
	CSRFCookieName() string
}

// Config is what New needs.
type Config struct {
	Resolver *resolvers.Resolver
	Auth     Authenticator
	// Logger receives internal errors (once each, with the request id).
	Logger *slog.Logger
	// Location is the server time zone datetimes are written in (nil: UTC).
	Location *time.Location
	// Version is Quire's version (the OpenAPI document's).
	Version string
	// DefaultVersion is the API version of a request that names none on a
	// route API.md has (QUIRE_DEFAULT_API_VERSION, see ParseVersion);
	// "" is 1.
	DefaultVersion string
	// Links fixes the scheme and host of absolute links (QUIRE_URL,
	// QUIRE_TRUSTED_PROXIES); the zero value uses the request's own.
	Links Links
}

// API is the REST layer. Mount APIHandler at /api (Prefix) and
// AccountsHandler at /accounts; UIHandler serves the web frontend at /
// (see server/routes.go).
type API struct {
	res     *resolvers.Resolver
	auth    Authenticator
	logger  *slog.Logger
	loc     *time.Location
	version string
	// defVersion is the version of requests that name none (pickVersion).
	defVersion int
	links      Links

	endpoints []*endpoint
	router    chi.Router
}

// New builds the REST layer.
func New(cfg Config) *API {
	a := &API{res: cfg.Resolver, auth: cfg.Auth, logger: cfg.Logger, loc: cfg.Location,
		version: cfg.Version, links: cfg.Links}
	a.defVersion, _ = ParseVersion(cfg.DefaultVersion) // checked at start (server config); bad is 1
	if a.defVersion == 0 && strings.TrimSpace(cfg.DefaultVersion) != "0" {
		a.defVersion = 1
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	if a.loc == nil {
		a.loc = time.UTC
	}
	a.endpoints = a.routes()
	r := chi.NewRouter()
	r.Use(a.pathFormat)
	r.Use(resolvers.LoaderMiddleware(a.res.Store))
	for _, ep := range a.endpoints {
		r.Handle(ep.Path, a.dispatch(ep))
	}
	r.NotFound(a.notFound)
	r.MethodNotAllowed(a.notFound)
	a.router = r
	return a
}

// APIHandler serves /api/… (mount it at /api).
func (a *API) APIHandler() http.Handler { return a.router }

// reqInfo is what the dispatcher learnt about a request.
type reqInfo struct {
	ep   *endpoint
	html bool // render the browsable HTML page
	// version is the API version the request is served in (pickVersion):
	// 0 the paperless-ng 0.9 shapes (only as QUIRE_DEFAULT_API_VERSION),
	// 1 and 2 the API.md shapes, 9 and 10 the NGX.md shapes (3–8 asked
	// are 9). Handlers read it, never the Accept header.
	version int
	session bool   // authenticated by the session cookie
	format  string // "json", "api" (HTML) or "" from the path suffix
	// links decides the scheme and host of absolute links (origin).
	links *Links
}

// ngx reports whether the request is served in the paperless-ngx shapes
// (NGX.md, versions 9 and 10).
func (in *reqInfo) ngx() bool { return in.version >= 9 }

type infoKey struct{}

func info(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{version: 1}
}

// pathFormat handles DRF's format suffixes (/api/documents.json,
// /api/documents/12.json/, /api/.api) by routing the path without the
// suffix, and redirects the API root requested without its slash.
func (a *API) pathFormat(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in := &reqInfo{version: a.defVersion, links: &a.links}
		rctx := chi.RouteContext(r.Context())
		if rctx != nil {
			p := rctx.RoutePath
			if p == "" {
				p = r.URL.Path
			}
			if p == "/" && !strings.HasSuffix(r.URL.Path, "/") {
				redirectSlash(w, r)
				return
			}
			trimmed := strings.TrimSuffix(p, "/")
			for _, f := range []string{"json", "api"} {
				if base, ok := strings.CutSuffix(trimmed, "."+f); ok && base != "" {
					if !strings.HasSuffix(base, "/") {
						base += "/"
					}
					in.format = f
					rctx.RoutePath = base
					break
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey{}, in)))
	})
}

// notFound answers a path below a prefix route (§2.1) with that route,
// unknown paths with DRF's 404, and a known path that lacks its trailing
// slash with a redirect to the slashed path.
func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	rctx := chi.RouteContext(r.Context())
	if rctx != nil {
		p := rctx.RoutePath
		if p == "" {
			p = r.URL.Path
		}
		if ep := a.prefixEndpoint(p); ep != nil {
			a.dispatch(ep)(w, r)
			return
		}
	}
	if rctx != nil && !strings.HasSuffix(r.URL.Path, "/") {
		p := rctx.RoutePath
		if p == "" {
			p = r.URL.Path
		}
		if a.router.Match(chi.NewRouteContext(), r.Method, p+"/") {
			redirectSlash(w, r)
			return
		}
	}
	a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
}

// prefixEndpoint is the PrefixMatch endpoint with the longest Path that
// begins path, or nil.
func (a *API) prefixEndpoint(path string) *endpoint {
	var best *endpoint
	for _, ep := range a.endpoints {
		if ep.PrefixMatch && strings.HasPrefix(path, ep.Path) && (best == nil || len(ep.Path) > len(best.Path)) {
			best = ep
		}
	}
	return best
}

// redirectSlash sends the client to the path with a trailing slash: 301
// for GET and HEAD, 308 (method and body kept) otherwise.
func redirectSlash(w http.ResponseWriter, r *http.Request) {
	u := r.URL.Path + "/"
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	code := http.StatusPermanentRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		code = http.StatusMovedPermanently
	}
	w.Header().Set("Location", u)
	w.WriteHeader(code)
}

// dispatch runs the DRF view sequence for one endpoint: content
// negotiation and version (406), authentication (401), CSRF for session
// requests (403), permission (401), method lookup (405, OPTIONS), then
// the method's handler.
func (a *API) dispatch(ep *endpoint) http.HandlerFunc {
	allow := ep.allow()
	return func(w http.ResponseWriter, r *http.Request) {
		in := info(r)
		in.ep = ep
		// The CSRF check below may parse a form body (a post_document
		// upload spills to disk): its parts go when the request ends.
		defer removeForm(r)
		h := w.Header()
		h.Set("Allow", allow)
		h.Set("Vary", "Accept")
		h.Set("X-Frame-Options", "SAMEORIGIN")

		if msg, status := negotiate(r, in, a.defVersion); status != 0 {
			a.writeJSON(w, r, status, detail(msg))
			return
		}
		u, session, err := a.auth.Authenticate(r)
		if err != nil { // 401 for bad credentials, 500 (logged) otherwise
			a.unauthenticated(w, r, err)
			return
		}
		ctx := r.Context()
		if u != nil {
			in.session = session
			ctx = resolvers.WithUser(ctx, u)
			if in.ngx() { // NGX.md §0 D3: per family
				h.Set("X-Api-Version", "10")
				h.Set("X-Version", "3.0.5")
			} else {
				h.Set("X-Api-Version", "2")
				h.Set("X-Version", "1.5.0")
			}
			if session {
				h.Add("Vary", "Cookie")
				if err := a.auth.CheckCSRF(r); err != nil {
					a.writeError(w, r, err, nil)
					return
				}
			}
		}
		r = r.WithContext(ctx)
		if u == nil && !ep.Public {
			a.unauthenticated(w, r, store.Errorf(store.Unauthenticated, msgNotAuthenticated))
			return
		}
		method := r.Method
		if method == http.MethodOptions {
			a.writeJSON(w, r, http.StatusOK, options{Name: ep.Name, Description: "",
				Renders: []string{"application/json", "text/html"},
				Parses:  []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}})
			return
		}
		if method == http.MethodHead {
			method = http.MethodGet
		}
		for _, op := range ep.Ops {
			if op.Method == method {
				if !a.checkInput(w, r) || !a.authorize(w, r, ep, op.Method) {
					return
				}
				op.Handler(w, r)
				return
			}
		}
		a.writeJSON(w, r, http.StatusMethodNotAllowed, detail(`Method "`+r.Method+`" not allowed.`))
	}
}

const msgNotAuthenticated = "Authentication credentials were not provided."

// unauthenticated answers a failed or missing authentication: 401 with
// the challenge of the request's family (NGX.md §3: paperless-ngx asks
// for a Token unless the request itself sent Basic; paperless-ng always
// for Basic), other errors as writeError does.
func (a *API) unauthenticated(w http.ResponseWriter, r *http.Request, err error) {
	if store.ErrorCode(err) != store.Unauthenticated {
		a.writeError(w, r, err, nil)
		return
	}
	challenge := `Basic realm="api"`
	if info(r).ngx() {
		scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Basic") {
			challenge = "Token"
		}
	}
	w.Header().Set("WWW-Authenticate", challenge)
	a.writeJSON(w, r, http.StatusUnauthorized, detail(store.ErrorMessage(err)))
}

// options is DRF's minimal OPTIONS metadata.
type options struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Renders     []string `json:"renders"`
	Parses      []string `json:"parses"`
}

// dirExists reports whether dir is a directory.
func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
