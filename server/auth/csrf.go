package auth

import (
	"crypto/rand"
	"fmt"
	"mime"
	"net/http"
	"net/url"
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
)

// csrfChars is Django's CSRF_ALLOWED_CHARS, in its order (masking
// arithmetic depends on it).
const csrfChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const (
	csrfSecretLen = 32
	csrfTokenLen  = 64
)

// csrfBadReferer is Django's REASON_BAD_REFERER; %s is the Referer.
const csrfBadReferer = "CSRF Failed: Referer checking failed - %s does not match any trusted origins."

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
// SessionAuthentication enforces it) to a session-authenticated request.
// Safe methods (GET, HEAD, OPTIONS, TRACE) always pass. Otherwise:
//
//   - over TLS (r.TLS set), the Referer must be https and name r.Host;
//   - the CSRF cookie (prefix + "csrftoken") must be present;
//   - the X-CSRFToken header — or, when that is absent, the form field
//     csrfmiddlewaretoken of a POSTed form, which parses the body as
//     r.ParseMultipartForm does — must carry the same secret, compared in
//     constant time. Plain equality with the cookie always works; Django's
//     masked 64-character tokens are unmasked first, as Django does.
//
// Errors have code Forbidden and DRF's message, e.g. MsgCSRFNoCookie or
// MsgCSRFBadToken.
func (a *Authenticator) CheckCSRF(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if r.TLS != nil {
		if err := checkReferer(r); err != nil {
			return err
		}
	}
	c, err := r.Cookie(a.CSRFCookieName())
	if err != nil {
		return csrfFailed(MsgCSRFNoCookie)
	}
	sent := r.Header.Get("X-CSRFToken")
	if sent == "" && r.Method == http.MethodPost && isForm(r) {
		sent = r.PostFormValue("csrfmiddlewaretoken")
	}
	want, ok1 := csrfSecret(c.Value)
	got, ok2 := csrfSecret(sent)
	if !ok1 || !ok2 || !constantTimeEqual(want, got) {
		return csrfFailed(MsgCSRFBadToken)
	}
	return nil
}

// checkReferer is Django's HTTPS Referer check (without trusted origins).
func checkReferer(r *http.Request) error {
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
	if !strings.EqualFold(ref.Host, r.Host) {
		return csrfFailed(fmt.Sprintf(csrfBadReferer, ref.String()))
	}
	return nil
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
		if strings.IndexByte(csrfChars, token[i]) < 0 {
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
			x := strings.IndexByte(csrfChars, masked[i])
			y := strings.IndexByte(csrfChars, mask[i])
			out[i] = csrfChars[((x-y)%n+n)%n]
		}
		return string(out), true
	}
	return "", false
}
