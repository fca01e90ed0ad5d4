package resolvers

import (
	"log/slog"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
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
	// TokenThrottle limits TokenForCredentials per client (5 a minute,
	// the server sets it); nil does not throttle.
	TokenThrottle Throttle
	// Consumer is the consumption pipeline (uploads, tasks, progress,
	// stored files); the server sets it. Nil makes those fail with
	// Internal and skips file renaming and classifier retraining.
	Consumer Consumer
	// Search is the full-text engine; the server sets it. Nil makes
	// searches fail with Internal.
	Search search.Engine
	// Location is the server's time zone (date filters, relative dates in
	// queries); nil means UTC.
	Location *time.Location
	// Memo keeps rendered list pages against the archive's version (see
	// Rendered); nil keeps nothing.
	Memo *Memo
	// TrashDelay is how long documents stay in the trash (the consumer's
	// EmptyTrashDelay), reported to clients as trash_delay; 0 means the
	// default of 30 days.
	TrashDelay time.Duration
}

// New returns a Resolver over the store.
func New(s *store.Store, logger *slog.Logger) *Resolver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Resolver{Store: s, Logger: logger}
}
