package resolvers

import (
	"context"

	"github.com/quirehq/quire/store"
)

// Credentials checks a username and password. The server gives the
// Resolver one (its authenticator) at construction; it returns the user,
// or an Unauthenticated error for wrong credentials or an inactive user.
type Credentials interface {
	Login(ctx context.Context, username, password string) (*store.User, error)
}

// msgBadCredentials is DRF's AuthTokenSerializer message.
const msgBadCredentials = "Unable to log in with provided credentials."

// TokenForCredentials returns the API token of the user the credentials
// name, creating it on first use (paperless's POST /api/token/). It needs
// no authenticated caller. Errors: Validation "This field is required." /
// "This field may not be blank." on username and password, Validation
// with the object-level ("" field) message "Unable to log in with
// provided credentials." for wrong credentials or an inactive user;
// Internal when the Resolver has no Credentials; Throttled when the
// client (WithClient) made more attempts than TokenThrottle allows.
func (r *Resolver) TokenForCredentials(ctx context.Context, username, password *string) (string, error) {
	if err := throttled(ctx, r.TokenThrottle); err != nil {
		return "", err
	}
	fe := store.FieldErrors{}
	for _, f := range []struct {
		name string
		v    *string
	}{{"username", username}, {"password", password}} {
		switch {
		case f.v == nil:
			fe.Add(f.name, msgRequired)
		case *f.v == "":
			fe.Add(f.name, msgBlank)
		}
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	if r.Credentials == nil {
		return "", store.Errorf(store.Internal, "no credential checker configured")
	}
	u, err := r.Credentials.Login(ctx, *username, *password)
	if store.ErrorCode(err) == store.Unauthenticated {
		return "", &store.Error{Code: store.Validation, Message: msgBadCredentials,
			Fields: map[string][]string{"": {msgBadCredentials}}}
	}
	if err != nil {
		return "", err
	}
	t, err := r.Store.TokenForUser(ctx, u.ID)
	if err != nil {
		return "", err
	}
	return t.Key, nil
}
