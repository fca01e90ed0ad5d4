package resolvers

import (
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/quirehq/quire/graph"
)

// maxComplexity bounds the cost of one operation (each field counts 1, list
// fields count once per item requested); it stops accidental or hostile
// queries that would fetch the whole archive many times over.
const maxComplexity = 50000

// Handler returns the GraphQL endpoint: POST, GET, multipart (uploads) and
// websocket transports, the error presenter and the authentication guard.
// The caller puts the user and loaders in each request's context.
func (r *Resolver) Handler() http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: r}))
	// The default websocket implementation (coder/websocket) refuses
	// cross-origin upgrades, so another site's page cannot ride a session.
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 10 * time.Second})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: 1 << 30, MaxMemory: 32 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(maxComplexity))
	srv.SetErrorPresenter(ErrorPresenter())
	srv.SetRecoverFunc(RecoverFunc(r.Logger))
	srv.AroundFields(FieldErrorMiddleware(r.Logger))
	srv.AroundOperations(RequireUser)
	return srv
}
