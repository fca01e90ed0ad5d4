package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/playground"
	"github.com/quirehq/quire/store"
)

// routes is the whole HTTP surface of Quire with the default /api/
// settings. ui, when given, serves the web frontend at / (rest.UIHandler).
func routes(st *store.Store, res *resolvers.Resolver, au *auth.Authenticator, logger *slog.Logger, ui ...http.Handler) http.Handler {
	return routesWith(apiOptions{}, st, res, au, logger, ui...)
}

// apiOptions are the settings of the REST layer (Config).
type apiOptions struct {
	defaultVersion string // QUIRE_DEFAULT_API_VERSION
	links          rest.Links
}

// routesWith is routes with the REST layer's settings.
func routesWith(o apiOptions, st *store.Store, res *resolvers.Resolver, au *auth.Authenticator, logger *slog.Logger, ui ...http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(requestLogger(logger))
	r.Use(recoverer(logger))
	r.Use(cors(au)) // /graphql and /api/, for QUIRE_CORS_ALLOWED_ORIGINS

	r.Get("/healthz", healthz(st))

	r.Group(func(r chi.Router) {
		r.Use(auth.Require(au))
		// A session needs the CSRF token on every POST, as on REST, and a
		// websocket handshake a same-origin or trusted Origin.
		r.Use(auth.RequireCSRF(au))
		r.Use(resolvers.LoaderMiddleware(st))
		r.Handle("/graphql", res.Handler())
	})

	// GraphiQL, served from the binary; a browser without a session is
	// sent to the login form.
	playground.New(playground.Config{
		Prefix: "/playground", Endpoint: "/graphql", LoginURL: "/accounts/login/", Logger: logger,
		Authenticate:   func(r *http.Request) (*store.User, error) { u, _, err := au.Authenticate(r); return u, err },
		CSRFCookieName: au.CSRFCookieName(), NewCSRFToken: auth.NewCSRFToken,
	}).Mount(r)

	// The REST layer (paperless-ng's /api/), its login form and the web UI.
	api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Logger: logger, Location: st.Location(), Version: Version,
		DefaultVersion: o.defaultVersion, Links: o.links})
	r.Mount(rest.Prefix, api.APIHandler())
	r.Mount("/accounts", api.AccountsHandler())
	// /fetch/… and /push redirects, the /ws/status/ websocket.
	api.MountRoot(r)
	// Share links (NGX.md §6.11): no login, the slug is the credential.
	r.Get("/share/{slug}", api.Share())
	for _, h := range ui {
		r.NotFound(h.ServeHTTP)
	}
	return r
}

// restAuth adapts the authenticator to rest.Authenticator, which only
// needs to know whether a request came by the session cookie.
type restAuth struct{ *auth.Authenticator }

// Authenticate implements rest.Authenticator.
func (a restAuth) Authenticate(r *http.Request) (*store.User, bool, error) {
	u, m, err := a.Authenticator.Authenticate(r)
	return u, m == auth.MethodSession, err
}

// healthz answers 200 when the database answers.
func healthz(st *store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := st.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{"status": "unavailable", "database": "down"})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	}
}
