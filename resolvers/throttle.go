package resolvers

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/quirehq/quire/store"
)

// Throttle limits attempts per client key (server/auth.Throttle). The
// server gives the Resolver one for TokenForCredentials; nil does not
// throttle.
type Throttle interface {
	Allow(key string) (wait time.Duration, ok bool)
}

type clientKey struct{}

// WithClient returns a context naming the client a request came from:
// its address as the HTTP layer sees it (X-Forwarded-For only from a
// trusted proxy). Throttled operations count per client.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// clientFromContext is the client address, "" when the caller gave none.
func clientFromContext(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// throttled answers Throttled when the client used up its attempts, with
// DRF's message and the seconds to wait (rounded up, at least 1).
func throttled(ctx context.Context, t Throttle) error {
	if t == nil {
		return nil
	}
	wait, ok := t.Allow(clientFromContext(ctx))
	if ok {
		return nil
	}
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	return &store.Error{Code: store.Throttled, RetryAfter: secs,
		Message: fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs)}
}
