package auth

import (
	"crypto/rand"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/quirehq/quire/store"
)

// Django's CSRF failure reasons, prefixed as DRF reports them.
const (
	MsgCSRFNoCookie         = "CSRF Failed: CSRF cookie not set."
	MsgCSRFBadToken         = "CSRF Failed: CSRF token missing or incorrect."
	MsgCSRFNoReferer        = "CSRF Failed: Referer checking failed - no Referer."
	MsgCSRFMalformedReferer = "CSRF Failed: Referer checking failed - Referer is malformed."
	MsgCSRFInsecureReferer  = "CSRF Failed: Referer checking failed - Referer is insecure while host is secure."
	// MsgCSRFNoOrigin refuses a session websocket handshake without an
	// Origin header (browsers always send one).
	MsgCSRFNoOrigin = "CSRF Failed: Origin checking failed - no Origin."
)

// csrfChars is Django's CSRF_ALLOWED_CHARS, in its order (masking
// arithmetic depends on it).
const csrfChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// csrfIndex maps a byte to its position in csrfChars plus one (0: not a
// CSRF character).
var csrfIndex = func() (t [256]uint8) {
	for i := range len(csrfChars) {
		t[csrfChars[i]] = uint8(i + 1)
	}
	return t
}()

const (
	csrfSecretLen = 32
	csrfTokenLen  = 64
)

// csrfBadReferer is Django's REASON_BAD_REFERER; %s is the Referer.
const csrfBadReferer = "CSRF Failed: Referer checking failed - %s does not match any trusted origins."

// csrfBadOrigin is Django's REASON_BAD_ORIGIN; %s is the Origin.
const csrfBadOrigin = "CSRF Failed: Origin checking failed - %s does not match any trusted origins."

func csrfFailed(msg string) error { return &store.Error{Code: store.Forbidden, Message: msg} }

// NewCSRFToken returns a fresh CSRF secret (32 characters of
// [a-zA-Z0-9], like Django's) to set as the CSRF cookie.
func NewCSRFToken() string {
	return randomCSRF(csrfSecretLen)
}

// randomCSRF returns n uniformly random characters of csrfChars.
func randomCSRF(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails
		for _, c := range buf {
			// Rejecting 248..255 keeps the choice uniform (248 = 4·62).
			if c < 248 && len(out) < n {
				out = append(out, csrfChars[int(c)%len(csrfChars)])
			}
		}
	}
	return string(out)
}

// CheckCSRF applies Django's CSRF rule (CsrfViewMiddleware, as DRF's
// SessionAuthentication enforces it) to a session-authenticated request;
// REST and GraphQL (RequireCSRF) both call it, so one rule covers every
// way a browser can send the session cookie.
//
// A websocket handshake (`Upgrade: websocket`) cannot carry a token, so it
// must instead name its page in the Origin header: MsgCSRFNoOrigin without
// one, else CheckOrigin. Other safe methods (GET, HEAD, OPTIONS, TRACE)
// always pass. Otherwise:
//
//   - over TLS (r.TLS set), the Referer must be https and name r.Host or
//     a trusted origin (Config.TrustedOrigins);
//   - the CSRF cookie (prefix + "csrftoken") must be present;
//   - the X-CSRFToken header — or, when that is absent, the form field
//     csrfmiddlewaretoken of a POSTed form, which parses the body as
//     r.ParseMultipartForm does — must carry the same secret, compared in
//     constant time. Plain equality with the cookie always works; Django's
//     masked 64-character tokens are unmasked first, as Django does.
//
// Errors have code Forbidden and DRF's message, e.g. MsgCSRFNoCookie or
// MsgCSRFBadToken.
func (a *Authenticator) CheckCSRF(r *http.Request) error { return a.checkCSRF(r, true) }

// checkCSRF is CheckCSRF; formField says whether the token may come in
// the body's csrfmiddlewaretoken field.
func (a *Authenticator) checkCSRF(r *http.Request, formField bool) error {
	if isWebsocket(r) {
		if r.Header.Get("Origin") == "" {
			return csrfFailed(MsgCSRFNoOrigin)
		}
		return a.CheckOrigin(r)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if r.TLS != nil {
		if err := a.checkReferer(r); err != nil {
			return err
		}
	}
	c, err := r.Cookie(a.CSRFCookieName())
	if err != nil {
		return csrfFailed(MsgCSRFNoCookie)
	}
	sent := r.Header.Get("X-CSRFToken")
	if sent == "" && formField && r.Method == http.MethodPost && isForm(r) {
		sent = r.PostFormValue("csrfmiddlewaretoken")
	}
	want, ok1 := csrfSecret(c.Value)
	got, ok2 := csrfSecret(sent)
	if !ok1 || !ok2 || !constantTimeEqual(want, got) {
		return csrfFailed(MsgCSRFBadToken)
	}
	return nil
}

// checkReferer is Django's HTTPS Referer check; trusted origins pass
// like CSRF_TRUSTED_ORIGINS.
func (a *Authenticator) checkReferer(r *http.Request) error {
	raw := r.Header.Get("Referer")
	if raw == "" {
		return csrfFailed(MsgCSRFNoReferer)
	}
	ref, err := url.Parse(raw)
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return csrfFailed(MsgCSRFMalformedReferer)
	}
	if ref.Scheme != "https" {
		return csrfFailed(MsgCSRFInsecureReferer)
	}
	if o := ref.Scheme + "://" + ref.Host; !strings.EqualFold(ref.Host, r.Host) && !a.isPublic(o) && !a.TrustedOrigin(o) {
		return csrfFailed(fmt.Sprintf(csrfBadReferer, ref.String()))
	}
	return nil
}

// CheckOrigin accepts a request without an Origin header, or whose Origin
// names r.Host (the same origin; the scheme is not compared, as a
// TLS-terminating proxy hides it), the public origin (Config.PublicOrigin)
// or a trusted origin (Config.TrustedOrigins). Otherwise it fails with code Forbidden and
// Django's message "CSRF Failed: Origin checking failed - <origin> does
// not match any trusted origins.".
func (a *Authenticator) CheckOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	if a.isPublic(origin) || a.TrustedOrigin(origin) {
		return nil
	}
	return csrfFailed(fmt.Sprintf(csrfBadOrigin, origin))
}

// isPublic reports whether origin is Config.PublicOrigin, the origin
// clients reach Quire at behind a proxy.
func (a *Authenticator) isPublic(origin string) bool {
	if a.public == "" || origin == "" {
		return false
	}
	if origin == a.public {
		return true
	}
	o, err := ParseOrigin(origin)
	return err == nil && o == a.public
}

// TrustedOrigin reports whether origin, an Origin header's value, is one
// of Config.TrustedOrigins.
func (a *Authenticator) TrustedOrigin(origin string) bool {
	if len(a.trusted) == 0 || origin == "" {
		return false
	}
	if a.trusted[origin] { // browsers send origins normalised
		return true
	}
	o, err := ParseOrigin(origin)
	return err == nil && a.trusted[o]
}

// TrustedOrigins returns Config.TrustedOrigins, normalised and sorted.
func (a *Authenticator) TrustedOrigins() []string {
	out := make([]string, 0, len(a.trusted))
	for o := range a.trusted {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// ParseOrigin checks that s is a web origin — http or https, a host, an
// optional port, nothing else ("https://app.example:8443") — and returns
// it as browsers send it in the Origin header: lower case, without a
// trailing slash or the scheme's default port. Wildcards are refused: each
// trusted origin is listed exactly.
func ParseOrigin(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "/")
	if strings.Contains(s, "*") {
		return "", fmt.Errorf("%q: list exact origins, wildcards are not allowed", s)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not an origin: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q is not an origin: it must start with http:// or https://", s)
	case u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "":
		return "", fmt.Errorf("%q is not an origin: only scheme://host[:port], no path", s)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Host), ":")
	if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return u.Scheme + "://" + host, nil
}

// RequireCSRF returns middleware, placed after Require or Optional, that
// keeps other sites' pages from acting with a user's session cookie:
//
//   - a session-authenticated request must pass CheckCSRF, the rule REST
//     applies: unsafe methods (every POST, queries included) carry the
//     token, a websocket handshake a same-origin or trusted Origin. The
//     token is read from the X-CSRFToken header only: the routes behind
//     (GraphQL) take bodies that are not forms, so a multipart body is
//     left for them, and a cross-site one is refused unread;
//   - any websocket handshake that sends an Origin must pass CheckOrigin,
//     whatever its credentials, since the websocket transport behind it
//     does not check Origin itself.
//
// Basic and token requests pass otherwise: a browser never adds those
// headers by itself. A failure answers 403 {"detail": "CSRF Failed: …"},
// as DRF does.
func RequireCSRF(a *Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var err error
			switch {
			case MethodFromContext(r.Context()) == MethodSession:
				err = a.checkCSRF(r, false)
			case isWebsocket(r):
				err = a.CheckOrigin(r)
			}
			if err != nil {
				writeDetail(w, http.StatusForbidden, store.ErrorMessage(err))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// isWebsocket reports whether r asks to upgrade to a websocket.
func isWebsocket(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "websocket") {
				return true
			}
		}
	}
	return false
}

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// csrfSecret returns the secret behind a CSRF token: a 32-character token
// is the secret, a 64-character one is Django's mask followed by the
// masked secret. Other lengths and characters are invalid.
func csrfSecret(token string) (string, bool) {
	for i := 0; i < len(token); i++ {
		if csrfIndex[token[i]] == 0 {
			return "", false
		}
	}
	switch len(token) {
	case csrfSecretLen:
		return token, true
	case csrfTokenLen:
		mask, masked := token[:csrfSecretLen], token[csrfSecretLen:]
		out := make([]byte, csrfSecretLen)
		n := len(csrfChars)
		for i := range out {
			x := int(csrfIndex[masked[i]])
			y := int(csrfIndex[mask[i]])
			out[i] = csrfChars[((x-y)%n+n)%n]
		}
		return string(out), true
	}
	return "", false
}
