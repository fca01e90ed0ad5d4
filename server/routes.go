package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
)

// routes is the whole HTTP surface of Quire.
func routes(st *store.Store, res *resolvers.Resolver, au *auth.Authenticator, logger *slog.Logger) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(requestLogger(logger))
	r.Use(recoverer(logger))

	r.Get("/healthz", healthz(st))

	r.Group(func(r chi.Router) {
		r.Use(auth.Require(au))
		r.Use(resolvers.LoaderMiddleware(st))
		r.Handle("/graphql", res.Handler())
		r.Handle("/playground", playground.Handler("Quire GraphQL", "/graphql"))
	})

	// The REST layer (paperless-ng's /api/) mounts here.
	r.Route("/api", func(r chi.Router) {
		r.Use(auth.Optional(au))
		r.Get("/", apiRoot)
	})
	return r
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

// apiRoot lists the REST collections (paperless's API root).
func apiRoot(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + "/api/"
	w.Header().Set("Content-Type", "application/json")
	// Key order is paperless's registration order.
	w.Write([]byte(`{"correspondents":"` + base + `correspondents/","document_types":"` + base +
		`document_types/","documents":"` + base + `documents/","logs":"` + base + `logs/","tags":"` + base +
		`tags/","saved_views":"` + base + `saved_views/"}`))
}
