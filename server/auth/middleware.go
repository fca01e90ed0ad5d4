package auth

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/quirehq/quire/store"
)

// Require returns middleware that lets a request through only when it
// authenticates (see Authenticator.Authenticate), with the user and method
// in its context (UserFromContext, MethodFromContext). Otherwise it answers
// 401 with `WWW-Authenticate: Basic realm="api"` and a DRF body
// {"detail": …}: MsgNotAuthenticated without credentials, the failure's
// message with bad ones. Database failures answer 500 and are logged.
// CSRF is not checked here; see CheckCSRF and RequireCSRF.
func Require(a *Authenticator) func(http.Handler) http.Handler {
	return middleware(a, true)
}

// Optional is like Require but lets requests without any credentials
// through anonymously (no user in the context), as the API root needs.
// Bad credentials still get 401.
func Optional(a *Authenticator) func(http.Handler) http.Handler {
	return middleware(a, false)
}

func middleware(a *Authenticator, required bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, m, err := a.Authenticate(r)
			switch {
			case err != nil && store.ErrorCode(err) == store.Unauthenticated:
				writeUnauthorized(w, store.ErrorMessage(err))
			case err != nil:
				a.logger.LogAttrs(r.Context(), slog.LevelError, "authenticate request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
				writeDetail(w, http.StatusInternalServerError, "A server error occurred.")
			case u == nil && required:
				writeUnauthorized(w, MsgNotAuthenticated)
			case u == nil:
				next.ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u, m)))
			}
		})
	}
}

// writeUnauthorized answers 401 as DRF does when Basic is the first
// authenticator.
func writeUnauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="api"`)
	writeDetail(w, http.StatusUnauthorized, msg)
}

func writeDetail(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]string{"detail": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}
