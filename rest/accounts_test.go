package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestLoginNextStaysOnSite: after signing in, next is followed only to a
// path on this site (the playground and the web UI send people there).
func TestLoginNextStaysOnSite(t *testing.T) {
	e := newEnv(t, "sqlite")
	rec := e.do("GET", "/accounts/login/?next=%2Fplayground", nil, anon)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="next" value="/playground"`) {
		t.Fatalf("form does not carry next: %d %s", rec.Code, rec.Body)
	}
	csrf := cookie(rec, "csrftoken")
	withCSRF := func(r *http.Request) { r.Header.Del("Authorization"); r.AddCookie(csrf) }
	for next, want := range map[string]string{
		"/playground":                "/playground",
		"/documents?query=a b&x=%2F": "/documents?query=a b&x=%2F",
		"//evil.example/":            "/",
		`/\evil.example/`:            "/",
		"/\t/evil.example/":          "/",
		"/\n/evil.example/":          "/",
		"https://evil.example/":      "/",
		"javascript:alert(1)":        "/",
		"evil.example":               "/",
		"":                           "/",
	} {
		form := url.Values{"username": {"admin"}, "password": {adminPassword}, "next": {next}, "csrfmiddlewaretoken": {csrf.Value}}
		rec := e.do("POST", "/accounts/login/", form.Encode(), withCSRF)
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != want {
			t.Errorf("next %q: %d, Location %q, want %q", next, rec.Code, rec.Header().Get("Location"), want)
		}
	}
}

// TestLoginFormFirstStartNotice: with no user in the database the login
// form says how to create one; once a user exists it does not.
func TestLoginFormFirstStartNotice(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			st := storetest.OpenConfig(t, d, store.Config{})
			res := resolvers.New(st, nil)
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			res.Credentials = au
			api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}})
			h := api.AccountsHandler()
			form := func() string {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/login/", nil))
				if rec.Code != 200 {
					t.Fatalf("login form: %d %s", rec.Code, rec.Body)
				}
				return rec.Body.String()
			}
			page := form()
			for _, want := range []string{`id="no-users"`, "quire createsuperuser", "QUIRE_ADMIN_USER", "QUIRE_ADMIN_PASSWORD"} {
				if !strings.Contains(page, want) {
					t.Errorf("first start: the form lacks %q:\n%s", want, page)
				}
			}
			if err := st.CreateUser(context.Background(), &store.User{Username: "first", Password: testParams.Hash("pw"), IsActive: true}); err != nil {
				t.Fatal(err)
			}
			if page := form(); strings.Contains(page, `id="no-users"`) {
				t.Errorf("notice shown although a user exists:\n%s", page)
			}
		})
	}
}
