package resolvers

import "context"

// HasUsers reports whether any user exists. It needs no authenticated
// caller: the login form uses it to say, on a first start, how to create
// the first user.
func (r *Resolver) HasUsers(ctx context.Context) (bool, error) {
	return r.Store.HasUsers(ctx)
}
