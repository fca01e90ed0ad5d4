package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/quirehq/quire/server/auth"
)

// CORS answers, as django-cors-headers does for paperless-ng.
const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders  = "Accept, Accept-Encoding, Accept-Language, Authorization, Content-Type, DNT, Origin, User-Agent, X-CSRFToken, X-Requested-With"
	corsExposeHeaders = "Content-Disposition, X-Api-Version, X-Version, X-Quire-Version"
	corsMaxAge        = "86400"
)

// cors returns middleware that lets browser apps on the origins the
// authenticator trusts (QUIRE_CORS_ALLOWED_ORIGINS, see
// auth.Config.TrustedOrigins) call /graphql and /api/ with credentials:
//
//   - a request whose Origin is trusted gets Access-Control-Allow-Origin
//     naming that origin (never "*") and Access-Control-Allow-Credentials;
//   - a preflight (OPTIONS with Access-Control-Request-Method) from a
//     trusted origin is answered here, 204, before authentication (a
//     preflight carries no credentials);
//   - every response of those paths says Vary: Origin;
//   - any other origin, or other paths, get no CORS headers, and their
//     preflights go on to the route (which refuses them).
//
// With no trusted origins it is a no-op. CORS only lets a trusted page
// read responses; a session request still needs the CSRF token.
func cors(au *auth.Authenticator) func(http.Handler) http.Handler {
	enabled := len(au.TrustedOrigins()) > 0
	return func(next http.Handler) http.Handler {
		if !enabled {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !corsPath(r.URL.Path) || r.Header.Get("Upgrade") != "" { // websockets have no CORS
				next.ServeHTTP(w, r)
				return
			}
			origin := r.Header.Get("Origin")
			trusted := au.TrustedOrigin(origin)
			h := w.Header()
			if trusted && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Add("Vary", "Origin")
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", corsMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if trusted {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			}
			// The REST layer sets its own Vary; Origin joins it when the
			// headers go out.
			next.ServeHTTP(&varyOrigin{ResponseWriter: w}, r)
		})
	}
}

// corsPath reports whether CORS applies to path: /graphql and /api/.
func corsPath(path string) bool {
	return path == "/graphql" || path == "/api" || strings.HasPrefix(path, "/api/")
}

// varyOrigin adds "Origin" to the Vary header just before the response
// header is written, whatever the handler set meanwhile.
type varyOrigin struct {
	http.ResponseWriter
	done bool
}

func (v *varyOrigin) addVary() {
	if v.done {
		return
	}
	v.done = true
	h := v.ResponseWriter.Header()
	for _, line := range h.Values("Vary") {
		for t := range strings.SplitSeq(line, ",") {
			if t = strings.TrimSpace(t); t == "*" || strings.EqualFold(t, "Origin") {
				return
			}
		}
	}
	h.Add("Vary", "Origin")
}

func (v *varyOrigin) WriteHeader(code int) {
	v.addVary()
	v.ResponseWriter.WriteHeader(code)
}

func (v *varyOrigin) Write(b []byte) (int, error) {
	v.addVary()
	return v.ResponseWriter.Write(b)
}

// Flush passes flushes on (streamed responses).
func (v *varyOrigin) Flush() {
	v.addVary()
	http.NewResponseController(v.ResponseWriter).Flush() //nolint:errcheck // nothing to flush to
}

// ReadFrom keeps the underlying writer's fast path (sendfile) for
// downloads.
func (v *varyOrigin) ReadFrom(r io.Reader) (int64, error) {
	v.addVary()
	if rf, ok := v.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(v.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the connection.
func (v *varyOrigin) Unwrap() http.ResponseWriter { return v.ResponseWriter }
