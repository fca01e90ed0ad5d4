package rest

import (
	"crypto/rand"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/store"
)

// The HTML login (paperless's Django login form at /accounts/login/).

// csrfCookieAge is Django's CSRF_COOKIE_AGE (one year).
const csrfCookieAge = 31449600

const msgBadLogin = "Please enter a correct username and password. Note that both fields may be case-sensitive."

var loginTemplate = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quire – sign in</title>
<style>body{font-family:system-ui,sans-serif;display:flex;justify-content:center;margin-top:10vh;color:#222}
form{width:20em}label,input,button{display:block;width:100%;box-sizing:border-box;margin:.3em 0}
input{padding:.5em}button{padding:.6em;margin-top:1em}.error{color:#b00020}
.notice{background:#fff8e1;border:1px solid #f0c36d;padding:.6em;font-size:.9em}</style></head>
<body><form method="post" action="/accounts/login/">
<h1>Quire</h1><p>Please sign in.</p>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
{{if .NoUsers}}<p class="notice" id="no-users">No user exists yet. Create the first one with
<code>quire createsuperuser --username NAME</code>, or start Quire with
<code>QUIRE_ADMIN_USER</code> and <code>QUIRE_ADMIN_PASSWORD</code> set.</p>{{end}}
<input type="hidden" name="csrfmiddlewaretoken" value="{{.CSRF}}">
<input type="hidden" name="next" value="{{.Next}}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="{{.Username}}" required autofocus>
<label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>
`))

type loginData struct {
	Error, CSRF, Next, Username string
	NoUsers                     bool // first start: say how to create a user
}

// AccountsHandler serves /accounts/login/ and /accounts/logout/ (mount it
// at /accounts).
func (a *API) AccountsHandler() http.Handler {
	r := chi.NewRouter()
	r.Get("/login/", a.loginForm)
	r.Head("/login/", a.loginForm)
	r.Post("/login/", a.login)
	r.HandleFunc("/logout/", a.logout)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/") {
			redirectSlash(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return r
}

// csrfToken returns the request's CSRF cookie value, or sets a fresh one.
func (a *API) csrfToken(w http.ResponseWriter, r *http.Request, rotate bool) string {
	if c, err := r.Cookie(a.auth.CSRFCookieName()); err == nil && len(c.Value) == 32 && !rotate {
		return c.Value
	}
	token := newCSRFSecret()
	http.SetCookie(w, &http.Cookie{Name: a.auth.CSRFCookieName(), Value: token, Path: "/", MaxAge: csrfCookieAge,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return token
}

// newCSRFSecret is 32 random characters of [a-zA-Z0-9], like Django's.
func newCSRFSecret() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, 0, 32)
	var buf [64]byte
	for len(out) < 32 {
		rand.Read(buf[:]) // never fails
		for _, c := range buf {
			if c < 248 && len(out) < 32 { // 248 = 4·62 keeps the choice uniform
				out = append(out, chars[int(c)%len(chars)])
			}
		}
	}
	return string(out)
}

func (a *API) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.CSRF = a.csrfToken(w, r, false)
	has, err := a.res.HasUsers(r.Context())
	if err != nil { // the form still works; the hint is left out
		a.logger.LogAttrs(r.Context(), slog.LevelError, "login form: check for users", slog.Any("error", err))
	}
	d.NoUsers = err == nil && !has
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate, private")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.WriteHeader(status)
	loginTemplate.Execute(w, d) //nolint:errcheck // the client went away
}

// loginForm is GET /accounts/login/.
func (a *API) loginForm(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, r, http.StatusOK, loginData{Next: r.URL.Query().Get("next")})
}

// login is POST /accounts/login/: a CSRF-checked form with username and
// password; success starts a session and redirects to next.
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	// The form is parsed here, within MaxBodyBytes and in memory, before
	// the CSRF check reads its token from it.
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	defer removeForm(r)
	if err := parseForm(r); err != nil {
		a.bodyError(w, r, "Form parse error - ", err)
		return
	}
	if err := a.auth.CheckCSRF(r); err != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		template.HTMLEscape(w, []byte("Forbidden (403). "+store.ErrorMessage(err)))
		return
	}
	username, password, next := r.PostFormValue("username"), r.PostFormValue("password"), r.PostFormValue("next")
	u, err := a.auth.Login(r.Context(), username, password)
	if store.ErrorCode(err) == store.Unauthenticated {
		a.renderLogin(w, r, http.StatusOK, loginData{Error: msgBadLogin, Next: next, Username: username})
		return
	}
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	value, err := a.auth.NewSession(r.Context(), u.ID)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	c := a.auth.SessionCookie(value)
	c.Secure = r.TLS != nil
	http.SetCookie(w, c)
	a.csrfToken(w, r, true) // Django rotates the CSRF secret on login
	http.Redirect(w, r, safeNext(next), http.StatusFound)
}

// parseForm parses a urlencoded or multipart body (others are left
// alone) with MaxBodyBytes of memory, so no part is written to disk.
func parseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		return r.ParseMultipartForm(MaxBodyBytes)
	}
	return r.ParseForm()
}

// removeForm deletes the temporary files of r's parsed multipart form.
func removeForm(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// safeNext accepts only a path on this site as redirect target; anything
// else gives "/": another host or a scheme, "//host", "/\host" (which
// browsers read as "//host") and any control character (they drop tabs and
// newlines, so "/\t/host" would become "//host").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	for _, c := range next {
		if c < ' ' || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// logout is /accounts/logout/: ends the session and returns to the form.
func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(a.auth.SessionCookieName()); err == nil {
		if err := a.auth.Logout(r.Context(), c.Value); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: a.auth.SessionCookieName(), Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/accounts/login/", http.StatusFound)
}
