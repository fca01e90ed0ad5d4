package resolvers

import (
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/quirehq/quire/graph"
)

// Handler returns the GraphQL endpoint with DefaultLimits: POST, GET,
// multipart (uploads) and websocket transports, the error presenter and the
// authentication guard. The caller puts the user and loaders in each
// request's context.
func (r *Resolver) Handler() http.Handler {
	l := DefaultLimits()
	// The upload limit is the consumer's (QUIRE_MAX_UPLOAD_SIZE), when it
	// says it.
	if c, ok := r.Consumer.(interface{ MaxUploadSize() int64 }); ok {
		l.MaxUploadSize = c.MaxUploadSize()
	}
	return r.HandlerWithLimits(l)
}

// HandlerWithLimits is Handler with the given request limits (see Limits);
// a zero field takes its default.
func (r *Resolver) HandlerWithLimits(l Limits) http.Handler {
	l = l.orDefaults()
	cfg := graph.Config{Resolvers: r}
	complexity(&cfg.Complexity)
	srv := handler.New(graph.NewExecutableSchema(cfg))
	// The Origin of a websocket handshake is checked before it gets here
	// (server/auth.RequireCSRF: same origin or QUIRE_CORS_ALLOWED_ORIGINS),
	// so the transport accepts the trusted cross-origin pages too.
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 10 * time.Second,
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(jsonPOST{max: l.MaxBodyBytes})
	// A multipart body holds the file and the operation beside it.
	srv.AddTransport(multipartPOST{transport.MultipartForm{MaxUploadSize: l.MaxUploadSize + l.MaxBodyBytes, MaxMemory: 32 << 20}})
	queries := newDocCache(1000, 1<<20)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(l.MaxTokens)
	srv.Use(extension.Introspection{})
	// The limits come before the persisted-query cache, so it only ever
	// holds queries within them (at most 100 of MaxQueryBytes).
	srv.Use(queryLimits{l: l, cache: queries})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(l.MaxComplexity))
	srv.SetErrorPresenter(ErrorPresenter())
	srv.SetRecoverFunc(RecoverFunc(r.Logger))
	srv.AroundFields(StopWhenGone)
	srv.AroundFields(FieldErrorMiddleware(r.Logger))
	srv.AroundFields(CheckTextArgs)
	srv.AroundFields(RequirePermission)  // global permissions (opPerms)
	srv.AroundRootFields(PermissionArgs) // owner and setPermissions inputs (permissions_objects.go)
	srv.AroundOperations(RequireUser)
	return srv
}
