package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/quirehq/quire/store"
)

type userKey struct{}

// WithUser returns a context carrying the authenticated user and, for
// the store, the principal it acts as (store.WithPrincipal): u.Access as
// the authenticator loaded it. A user without Access is a superuser
// principal when u is a superuser and otherwise one without groups or
// permissions (it fails closed). The HTTP authentication middleware
// calls it; every resolver reads it.
func WithUser(ctx context.Context, u *store.User) context.Context {
	if u != nil {
		p := u.Access
		if p == nil || p.Superuser != u.IsSuperuser {
			p = &store.Principal{UserID: u.ID, Superuser: u.IsSuperuser}
		}
		ctx = store.WithPrincipal(ctx, p)
	}
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the authenticated user, if any.
func UserFromContext(ctx context.Context) (*store.User, bool) {
	u, ok := ctx.Value(userKey{}).(*store.User)
	return u, ok && u != nil
}

// currentUser returns the authenticated user or an Unauthenticated error.
func currentUser(ctx context.Context) (*store.User, error) {
	u, ok := UserFromContext(ctx)
	if !ok {
		return nil, store.Errorf(store.Unauthenticated, "Authentication credentials were not provided.")
	}
	return u, nil
}

// requireSuperuser returns the user if it is a superuser, else Forbidden.
func requireSuperuser(ctx context.Context) (*store.User, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if !u.IsSuperuser {
		return nil, store.Errorf(store.Forbidden, "You do not have permission to perform this action.")
	}
	return u, nil
}

// RequireUser is a gqlgen operation middleware: every operation needs an
// authenticated user. (The HTTP layer already answers 401 without
// credentials; this guards any other way in.)
func RequireUser(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if _, ok := UserFromContext(ctx); !ok {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message:    "Authentication credentials were not provided.",
			Extensions: map[string]any{"code": string(store.Unauthenticated)},
		}}})
	}
	return next(ctx)
}
