package resolvers

import (
	"log/slog"

	"github.com/quirehq/quire/store"
)

// Resolver is the root of all GraphQL behaviour. The REST layer calls the
// same methods (via Query(), Mutation() and the type resolvers), so every
// rule lives here once.
type Resolver struct {
	Store  *store.Store
	Logger *slog.Logger
	// Credentials checks username and password for TokenForCredentials;
	// the server sets it (its authenticator). Nil refuses with Internal.
	Credentials Credentials
}

// New returns a Resolver over the store.
func New(s *store.Store, logger *slog.Logger) *Resolver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Resolver{Store: s, Logger: logger}
}
