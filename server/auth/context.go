package auth

import (
	"context"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Method says how a request authenticated.
type Method string

// Authentication methods. Only MethodSession requests are subject to the
// CSRF check (CheckCSRF) on unsafe HTTP methods.
const (
	MethodNone    Method = ""
	MethodBasic   Method = "basic"
	MethodToken   Method = "token"
	MethodSession Method = "session"
)

type methodKey struct{}

// WithUser returns a copy of ctx carrying u (where the resolvers find it)
// and how it authenticated.
func WithUser(ctx context.Context, u *store.User, m Method) context.Context {
	ctx = resolvers.WithUser(ctx, u)
	return context.WithValue(ctx, methodKey{}, m)
}

// UserFromContext returns the authenticated user of the request, if any.
func UserFromContext(ctx context.Context) (*store.User, bool) {
	return resolvers.UserFromContext(ctx)
}

// MethodFromContext returns how the request authenticated, or MethodNone.
func MethodFromContext(ctx context.Context) Method {
	m, _ := ctx.Value(methodKey{}).(Method)
	return m
}
