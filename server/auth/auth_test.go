package auth

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// testParams keep tests fast; TestHashDefaultParams covers the real cost.
var testParams = Params{Memory: 1024, Time: 1, Threads: 1}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	a     *Authenticator
	st    *store.Store
	clock *testClock
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	st := storetest.OpenConfig(t, "sqlite", store.Config{Now: clock.Now})
	return fixtureOn(st, clock, cfg)
}

func fixtureOn(st *store.Store, clock *testClock, cfg Config) *fixture {
	if cfg.Params == (Params{}) {
		cfg.Params = testParams
	}
	return &fixture{a: New(st, nil, clock.Now, cfg), st: st, clock: clock}
}

func (f *fixture) mustUser(t testing.TB, username, password string, active bool) *store.User {
	t.Helper()
	u := &store.User{Username: username, Password: f.a.params.Hash(password), IsActive: active}
	if err := f.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func request(method string, header http.Header, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(method, "/api/documents/", nil)
	for k, v := range header {
		r.Header[k] = v
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func basicHeader(username, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))}}
}

func authHeader(v string) http.Header { return http.Header{"Authorization": {v}} }

func wantFailure(t *testing.T, err error, code store.Code, msg string) {
	t.Helper()
	if store.ErrorCode(err) != code || store.ErrorMessage(err) != msg {
		t.Fatalf("error = %v (code %q), want %q %q", err, store.ErrorCode(err), code, msg)
	}
}

func TestHashDefaultParams(t *testing.T) {
	enc := HashPassword("correct horse")
	re := regexp.MustCompile(`^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(enc) {
		t.Fatalf("encoded = %q", enc)
	}
	if enc == HashPassword("correct horse") {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	ok, rehash, err := VerifyPassword("correct horse", enc)
	if !ok || rehash || err != nil {
		t.Fatalf("Verify(right) = %v, %v, %v", ok, rehash, err)
	}
	ok, _, err = VerifyPassword("correct horsf", enc)
	if ok || err != nil {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
}

func TestVerify(t *testing.T) {
	cheap := testParams.Hash("pw")
	cases := []struct {
		name             string
		password, hash   string
		ok, rehash, fail bool
	}{
		{"Argon2Right", "pw", cheap, true, false, false},
		{"Argon2Wrong", "pW", cheap, false, false, false},
		{"Argon2OtherParams", "pw", Params{Memory: 2048, Time: 1, Threads: 1}.Hash("pw"), true, true, false},
		// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256',b'pw',b'salt',260000)).decode())"
		{"DjangoPBKDF2", "pw", "pbkdf2_sha256$260000$salt$rDObzfOCKxYfuEfNvs2mDRx8EWJCqi9HTfKRwl6579w=", true, true, false},
		{"DjangoPBKDF2Wrong", "px", "pbkdf2_sha256$260000$salt$rDObzfOCKxYfuEfNvs2mDRx8EWJCqi9HTfKRwl6579w=", false, false, false},
		{"DjangoPBKDF2Unicode", "pässwörd", "pbkdf2_sha256$1000$9kH2xQ7mPzLc$k/5pwkCJd+XaroROPWhGn2nUgIXvBL74DqatL3mLJlY=", true, true, false},
		{"DjangoUnusable", "pw", "!AbCdEfGh", false, false, false},
		{"ErrUnknownAlgorithm", "pw", "md5$x$y", false, false, true},
		{"ErrMalformedArgon2", "pw", "argon2$argon2id$v=19$m=x$a$b", false, false, true},
		{"ErrArgon2TooCostly", "pw", "argon2$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaA", false, false, true},
		{"ErrMalformedPBKDF2", "pw", "pbkdf2_sha256$many$salt$hash", false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, rehash, err := testParams.Verify(c.password, c.hash)
			if ok != c.ok || rehash != c.rehash || (err != nil) != c.fail {
				t.Fatalf("Verify = %v, %v, %v; want %v, %v, error %v", ok, rehash, err, c.ok, c.rehash, c.fail)
			}
		})
	}
}

func TestBasic(t *testing.T) {
	f := newFixture(t, Config{})
	alice := f.mustUser(t, "alice", "s3cret: with spaces", true)
	f.mustUser(t, "carol", "pw", false)

	t.Run("Success", func(t *testing.T) {
		for _, name := range []string{"alice", "ALICE"} {
			u, m, err := f.a.Authenticate(request("GET", basicHeader(name, "s3cret: with spaces")))
			if err != nil || u.ID != alice.ID || m != MethodBasic {
				t.Fatalf("%s: Authenticate = %v, %q, %v", name, u, m, err)
			}
		}
	})
	t.Run("LowerCaseKeyword", func(t *testing.T) {
		h := authHeader("basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret: with spaces")))
		if u, _, err := f.a.Authenticate(request("GET", h)); err != nil || u.ID != alice.ID {
			t.Fatalf("Authenticate = %v, %v", u, err)
		}
	})
	cases := []struct {
		name   string
		header http.Header
		msg    string
	}{
		{"ErrWrongPassword", basicHeader("alice", "wrong"), MsgInvalidLogin},
		{"ErrUnknownUser", basicHeader("mallory", "s3cret: with spaces"), MsgInvalidLogin},
		{"ErrEmpty", basicHeader("", ""), MsgInvalidLogin},
		{"ErrInactive", basicHeader("carol", "pw"), MsgInactive},
		{"ErrInactiveWrongPassword", basicHeader("carol", "px"), MsgInvalidLogin},
		{"ErrNoCredentials", authHeader("Basic"), MsgBasicNoCreds},
		{"ErrNoCredentialsTrailingSpace", authHeader("Basic   "), MsgBasicNoCreds},
		{"ErrSpaces", authHeader("Basic YWxpY2U6 cHc="), MsgBasicSpaces},
		{"ErrBase64", authHeader("Basic YWxpY2U6cHc"), MsgBasicBase64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, m, err := f.a.Authenticate(request("GET", c.header))
			if u != nil || m != MethodNone {
				t.Fatalf("Authenticate = %v, %q", u, m)
			}
			wantFailure(t, err, store.Unauthenticated, c.msg)
		})
	}
	t.Run("ErrBadBasicBeatsSession", func(t *testing.T) {
		value, err := f.a.NewSession(context.Background(), alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.a.Authenticate(request("GET", basicHeader("alice", "wrong"), f.a.SessionCookie(value)))
		wantFailure(t, err, store.Unauthenticated, MsgInvalidLogin)
	})
	t.Run("OtherSchemeIgnored", func(t *testing.T) {
		u, m, err := f.a.Authenticate(request("GET", authHeader("Bearer abc")))
		if u != nil || m != MethodNone || err != nil {
			t.Fatalf("Authenticate = %v, %q, %v; want anonymous", u, m, err)
		}
	})
}

func TestBasicLatin1(t *testing.T) {
	f := newFixture(t, Config{})
	u := f.mustUser(t, "jörg", "pw", true)
	// "jörg:pw" in Latin-1, as some clients send it; Python decodes it so.
	h := authHeader("Basic " + base64.StdEncoding.EncodeToString([]byte("j\xf6rg:pw")))
	got, _, err := f.a.Authenticate(request("GET", h))
	if err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", got, err)
	}
}

func TestBasicCache(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	alice := f.mustUser(t, "alice", "old", true)
	auth := func(password string) error {
		_, _, err := f.a.Authenticate(request("GET", basicHeader("alice", password)))
		return err
	}

	if err := auth("old"); err != nil {
		t.Fatal(err)
	}
	before := f.a.hashes.Load()
	for range 5 {
		if err := auth("old"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.a.hashes.Load() - before; n != 0 {
		t.Fatalf("cached logins computed %d hashes, want 0", n)
	}

	t.Run("WrongPasswordNegativeCache", func(t *testing.T) {
		before := f.a.hashes.Load()
		for range 5 {
			wantFailure(t, auth("guess"), store.Unauthenticated, MsgInvalidLogin)
		}
		if n := f.a.hashes.Load() - before; n != 1 {
			t.Fatalf("5 identical wrong logins computed %d hashes, want 1", n)
		}
	})
	t.Run("InvalidatedByPasswordChange", func(t *testing.T) {
		// Another replica changes the password: only the row changes.
		if err := f.st.SetPassword(ctx, alice.ID, testParams.Hash("guess")); err != nil {
			t.Fatal(err)
		}
		// Within the revalidation window the row is not read again...
		if err := auth("old"); err != nil {
			t.Fatalf("within Revalidate the cached user must be reused: %v", err)
		}
		// ...after it, the changed hash shows.
		f.clock.Add(DefaultRevalidate)
		wantFailure(t, auth("old"), store.Unauthenticated, MsgInvalidLogin)
		// The cached failure of "guess" was against the old hash: it now works.
		if err := auth("guess"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
	t.Run("InvalidatedByDeactivation", func(t *testing.T) {
		u, _ := f.st.User(ctx, alice.ID)
		u.IsActive = false
		if err := f.st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(DefaultRevalidate)
		wantFailure(t, auth("guess"), store.Unauthenticated, MsgInactive)
		u.IsActive = true
		if err := f.st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("InvalidatedByRename", func(t *testing.T) {
		u, _ := f.st.User(ctx, alice.ID)
		u.Username = "alicia"
		if err := f.st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(DefaultRevalidate)
		wantFailure(t, auth("guess"), store.Unauthenticated, MsgInvalidLogin)
	})
	t.Run("Expiry", func(t *testing.T) {
		f.mustUser(t, "dave", "pw", true)
		h := basicHeader("dave", "pw")
		if _, _, err := f.a.Authenticate(request("GET", h)); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(DefaultCacheTTL + time.Second)
		before := f.a.hashes.Load()
		if _, _, err := f.a.Authenticate(request("GET", h)); err != nil {
			t.Fatal(err)
		}
		if n := f.a.hashes.Load() - before; n != 1 {
			t.Fatalf("login after TTL computed %d hashes, want 1", n)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		c := newCredCache(3, time.Minute)
		now := time.Now()
		for i := range 5 {
			c.put(credKey{byte(i)}, credEntry{userID: i}, now)
		}
		if c.len() != 3 {
			t.Fatalf("len = %d, want 3", c.len())
		}
		if _, ok := c.get(credKey{0}, now); ok {
			t.Fatal("oldest entry survived")
		}
		if e, ok := c.get(credKey{4}, now); !ok || e.userID != 4 {
			t.Fatal("newest entry missing")
		}
	})
}

func TestConcurrentBasicSharesHash(t *testing.T) {
	f := newFixture(t, Config{Params: Params{Memory: 16 * 1024, Time: 2, Threads: 1}})
	f.mustUser(t, "alice", "pw", true)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = f.a.Authenticate(request("GET", basicHeader("alice", "pw")))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if h := f.a.hashes.Load(); h >= n {
		t.Fatalf("%d concurrent identical logins computed %d hashes", n, h)
	}
}

func TestRehashOnLogin(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	u := &store.User{Username: "imported", IsActive: true,
		Password: "pbkdf2_sha256$260000$salt$rDObzfOCKxYfuEfNvs2mDRx8EWJCqi9HTfKRwl6579w="}
	if err := f.st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Login(ctx, "imported", "wrong"); store.ErrorMessage(err) != MsgInvalidLogin {
		t.Fatalf("wrong password: %v", err)
	}
	if got, _ := f.st.User(ctx, u.ID); got.Password != u.Password {
		t.Fatal("failed login changed the hash")
	}
	got, err := f.a.Login(ctx, "imported", "pw")
	if err != nil || got.ID != u.ID {
		t.Fatalf("Login = %v, %v", got, err)
	}
	row, _ := f.st.User(ctx, u.ID)
	if !strings.HasPrefix(row.Password, "argon2$argon2id$") || got.Password != row.Password {
		t.Fatalf("stored hash after login = %q (returned %q)", row.Password, got.Password)
	}
	if ok, rehash, err := testParams.Verify("pw", row.Password); !ok || rehash || err != nil {
		t.Fatalf("upgraded hash: %v %v %v", ok, rehash, err)
	}
	f.a.good.clear()
	if _, err := f.a.Login(ctx, "imported", "pw"); err != nil {
		t.Fatalf("login with upgraded hash: %v", err)
	}
	if row.LastLogin != nil {
		t.Fatal("Login set last_login")
	}
}

func TestToken(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	alice := f.mustUser(t, "alice", "pw", true)
	carol := f.mustUser(t, "carol", "pw", false)
	tok, err := f.st.TokenForUser(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	inactive, err := f.st.TokenForUser(ctx, carol.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, kw := range []string{"Token", "token", "TOKEN"} {
		u, m, err := f.a.Authenticate(request("POST", authHeader(kw+" "+tok.Key)))
		if err != nil || u.ID != alice.ID || m != MethodToken {
			t.Fatalf("%s: Authenticate = %v, %q, %v", kw, u, m, err)
		}
	}
	cases := []struct {
		name, header, msg string
	}{
		{"ErrInvalid", "Token " + strings.Repeat("0", 40), MsgInvalidToken},
		{"ErrTooLong", "Token " + strings.Repeat("0", 41), MsgInvalidToken},
		{"ErrInactive", "Token " + inactive.Key, MsgInactive},
		{"ErrNoCredentials", "Token", MsgTokenNoCreds},
		{"ErrSpaces", "Token " + tok.Key + " x", MsgTokenSpaces},
		{"ErrInvalidCharacters", "Token \xff\xfe", MsgTokenInvalidChars},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.a.Authenticate(request("GET", authHeader(c.header)))
			wantFailure(t, err, store.Unauthenticated, c.msg)
		})
	}
	t.Run("ErrBadTokenBeatsSession", func(t *testing.T) {
		value, err := f.a.NewSession(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.a.Authenticate(request("GET", authHeader("Token nope"), f.a.SessionCookie(value)))
		wantFailure(t, err, store.Unauthenticated, MsgInvalidToken)
	})
}

func TestSession(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{CookiePrefix: "quire_"})
	alice := f.mustUser(t, "alice", "pw", true)
	value, err := f.a.NewSession(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := f.a.SessionCookie(value)
	if c.Name != "quire_sessionid" || !c.HttpOnly || c.MaxAge != 14*24*3600 {
		t.Fatalf("cookie = %+v", c)
	}
	t.Run("Success", func(t *testing.T) {
		u, m, err := f.a.Authenticate(request("GET", nil, c))
		if err != nil || u.ID != alice.ID || m != MethodSession {
			t.Fatalf("Authenticate = %v, %q, %v", u, m, err)
		}
		if u.LastLogin == nil || !u.LastLogin.Equal(f.clock.Now()) {
			t.Fatalf("last_login = %v", u.LastLogin)
		}
	})
	t.Run("DigestStoredNotValue", func(t *testing.T) {
		if _, err := f.st.Session(ctx, value); store.ErrorCode(err) != store.NotFound {
			t.Fatalf("session found by raw cookie value: %v", err)
		}
	})
	anonymous := func(t *testing.T, r *http.Request) {
		t.Helper()
		u, m, err := f.a.Authenticate(r)
		if u != nil || m != MethodNone || err != nil {
			t.Fatalf("Authenticate = %v, %q, %v; want anonymous", u, m, err)
		}
	}
	t.Run("UnprefixedNameIgnored", func(t *testing.T) {
		anonymous(t, request("GET", nil, &http.Cookie{Name: "sessionid", Value: value}))
	})
	t.Run("UnknownCookieAnonymous", func(t *testing.T) {
		anonymous(t, request("GET", nil, &http.Cookie{Name: "quire_sessionid", Value: "nope"}))
	})
	t.Run("InactiveAnonymous", func(t *testing.T) {
		carol := f.mustUser(t, "carol", "pw", false)
		v, err := f.a.NewSession(ctx, carol.ID)
		if err != nil {
			t.Fatal(err)
		}
		anonymous(t, request("GET", nil, f.a.SessionCookie(v)))
	})
	t.Run("Logout", func(t *testing.T) {
		v, err := f.a.NewSession(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.a.Logout(ctx, v); err != nil {
			t.Fatal(err)
		}
		anonymous(t, request("GET", nil, f.a.SessionCookie(v)))
		if err := f.a.Logout(ctx, v); err != nil {
			t.Fatalf("second logout: %v", err)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		f.clock.Add(DefaultSessionLifetime - time.Second)
		if u, _, err := f.a.Authenticate(request("GET", nil, c)); err != nil || u == nil {
			t.Fatalf("before expiry: %v, %v", u, err)
		}
		f.clock.Add(time.Second)
		anonymous(t, request("GET", nil, c))
	})
	t.Run("ErrNoUser", func(t *testing.T) {
		_, err := f.a.NewSession(ctx, 9999)
		if store.ErrorCode(err) != store.NotFound {
			t.Fatalf("NewSession(missing user) = %v", err)
		}
	})
}

func TestMiddleware(t *testing.T) {
	f := newFixture(t, Config{})
	alice := f.mustUser(t, "alice", "pw", true)
	var seen *store.User
	var seenMethod Method
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = UserFromContext(r.Context())
		seenMethod = MethodFromContext(r.Context())
		w.WriteHeader(http.StatusTeapot)
	})
	cases := []struct {
		name     string
		mw       func(*Authenticator) func(http.Handler) http.Handler
		header   http.Header
		status   int
		body     string
		wantUser bool
	}{
		{"RequireNoCredentials", Require, nil, 401, `{"detail":"Authentication credentials were not provided."}`, false},
		{"RequireBad", Require, basicHeader("alice", "x"), 401, `{"detail":"Invalid username/password."}`, false},
		{"RequireGood", Require, basicHeader("alice", "pw"), http.StatusTeapot, "", true},
		{"OptionalAnonymous", Optional, nil, http.StatusTeapot, "", false},
		{"OptionalBad", Optional, authHeader("Token x y"), 401, `{"detail":"Invalid token header. Token string should not contain spaces."}`, false},
		{"OptionalGood", Optional, basicHeader("alice", "pw"), http.StatusTeapot, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen, seenMethod = nil, MethodNone
			w := httptest.NewRecorder()
			c.mw(f.a)(h).ServeHTTP(w, request("GET", c.header))
			if w.Code != c.status {
				t.Fatalf("status = %d, want %d", w.Code, c.status)
			}
			if c.status == 401 {
				if got := w.Header().Get("WWW-Authenticate"); got != `Basic realm="api"` {
					t.Fatalf("WWW-Authenticate = %q", got)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/json" {
					t.Fatalf("Content-Type = %q", ct)
				}
				if body, _ := io.ReadAll(w.Body); string(body) != c.body {
					t.Fatalf("body = %s, want %s", body, c.body)
				}
			}
			if c.wantUser != (seen != nil) || (seen != nil && (seen.ID != alice.ID || seenMethod != MethodBasic)) {
				t.Fatalf("handler saw user %v method %q", seen, seenMethod)
			}
		})
	}
}

func TestCheckCSRF(t *testing.T) {
	f := newFixture(t, Config{})
	secret := NewCSRFToken()
	if !regexp.MustCompile(`^[a-zA-Z0-9]{32}$`).MatchString(secret) {
		t.Fatalf("NewCSRFToken = %q", secret)
	}
	cookie := &http.Cookie{Name: "csrftoken", Value: secret}
	// A Django-masked form of secret: mask + (secret shifted by mask).
	mask := randomCSRF(32)
	masked := []byte(mask)
	for i := range 32 {
		x := strings.IndexByte(csrfChars, secret[i])
		y := strings.IndexByte(csrfChars, mask[i])
		masked = append(masked, csrfChars[(x+y)%len(csrfChars)])
	}
	hdr := func(tok string) http.Header { return http.Header{"X-Csrftoken": {tok}} }

	cases := []struct {
		name    string
		r       *http.Request
		wantMsg string
	}{
		{"SafeMethod", request("GET", nil), ""},
		{"ErrNoCookie", request("POST", hdr(secret)), MsgCSRFNoCookie},
		{"ErrMissingHeader", request("POST", nil, cookie), MsgCSRFBadToken},
		{"ErrWrongHeader", request("DELETE", hdr(NewCSRFToken()), cookie), MsgCSRFBadToken},
		{"ErrEmptyCookieAndHeader", request("PUT", hdr(""), &http.Cookie{Name: "csrftoken", Value: ""}), MsgCSRFBadToken},
		{"Equal", request("PATCH", hdr(secret), cookie), ""},
		{"DjangoMasked", request("POST", hdr(string(masked)), cookie), ""},
		{"ErrOtherCookieName", request("POST", hdr(secret), &http.Cookie{Name: "x_csrftoken", Value: secret}), MsgCSRFNoCookie},
	}
	form := httptest.NewRequest("POST", "/api/token/", strings.NewReader(url.Values{"csrfmiddlewaretoken": {secret}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	form.AddCookie(cookie)
	cases = append(cases, struct {
		name    string
		r       *http.Request
		wantMsg string
	}{"FormField", form, ""})

	tlsReq := func(referer string) *http.Request {
		r := request("POST", hdr(secret), cookie)
		r.Host = "quire.example"
		r.TLS = &tls.ConnectionState{}
		if referer != "" {
			r.Header.Set("Referer", referer)
		}
		return r
	}
	cases = append(cases, []struct {
		name    string
		r       *http.Request
		wantMsg string
	}{
		{"TLSGoodReferer", tlsReq("https://quire.example/dashboard"), ""},
		{"ErrTLSNoReferer", tlsReq(""), MsgCSRFNoReferer},
		{"ErrTLSInsecureReferer", tlsReq("http://quire.example/"), MsgCSRFInsecureReferer},
		{"ErrTLSMalformedReferer", tlsReq("quire.example"), MsgCSRFMalformedReferer},
		{"ErrTLSForeignReferer", tlsReq("https://evil.example/x"),
			"CSRF Failed: Referer checking failed - https://evil.example/x does not match any trusted origins."},
	}...)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.a.CheckCSRF(c.r)
			if c.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckCSRF = %v", err)
				}
				return
			}
			wantFailure(t, err, store.Forbidden, c.wantMsg)
		})
	}
}

func TestEnsureSuperuser(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	if created, err := EnsureSuperuser(ctx, f.st, "admin", "first", "admin@example.org"); err != nil || !created {
		t.Fatalf("created=%v err=%v", created, err)
	}
	u, err := f.st.UserByUsername(ctx, "admin")
	if err != nil || !u.IsSuperuser || !u.IsStaff || !u.IsActive || u.Email != "admin@example.org" {
		t.Fatalf("created = %+v, %v", u, err)
	}
	if ok, _, _ := VerifyPassword("first", u.Password); !ok {
		t.Fatal("password not set")
	}

	t.Run("SamePasswordKeepsHash", func(t *testing.T) {
		if created, err := EnsureSuperuser(ctx, f.st, "ADMIN", "first", ""); err != nil || created {
			t.Fatalf("created=%v err=%v", created, err)
		}
		again, _ := f.st.User(ctx, u.ID)
		if again.Password != u.Password {
			t.Fatal("hash rewritten although the password verified")
		}
	})
	t.Run("NewPasswordEndsSessions", func(t *testing.T) {
		v, err := f.a.NewSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureSuperuser(ctx, f.st, "admin", "second", ""); err != nil {
			t.Fatal(err)
		}
		again, _ := f.st.User(ctx, u.ID)
		if ok, _, _ := VerifyPassword("second", again.Password); !ok {
			t.Fatal("password not changed")
		}
		if got, _, _ := f.a.Authenticate(request("GET", nil, f.a.SessionCookie(v))); got != nil {
			t.Fatal("session survived the password change")
		}
	})
	t.Run("PromotesExisting", func(t *testing.T) {
		bob := f.mustUser(t, "bob", "pw", false)
		if _, err := EnsureSuperuser(ctx, f.st, "bob", "pw2", ""); err != nil {
			t.Fatal(err)
		}
		got, _ := f.st.User(ctx, bob.ID)
		if !got.IsSuperuser || !got.IsStaff || !got.IsActive {
			t.Fatalf("promoted = %+v", got)
		}
	})
	t.Run("ErrEmptyPassword", func(t *testing.T) {
		if _, err := EnsureSuperuser(ctx, f.st, "admin", "", ""); store.ErrorCode(err) != store.Validation {
			code := store.ErrorCode(err)
			t.Fatalf("code = %q", code)
		}
	})
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if _, ok := UserFromContext(ctx); ok || MethodFromContext(ctx) != MethodNone {
		t.Fatal("empty context has a user")
	}
	u := &store.User{ID: 7}
	ctx = WithUser(ctx, u, MethodToken)
	if got, ok := UserFromContext(ctx); !ok || got != u || MethodFromContext(ctx) != MethodToken {
		t.Fatal("user not in context")
	}
}

// benchStores runs fn on a fresh store per dialect of storetest.Dialects,
// hashing with DefaultParams.
func benchStores(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, d := range storetest.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			clock := &testClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
			st := storetest.OpenConfig(b, d, store.Config{Now: clock.Now})
			fn(b, fixtureOn(st, clock, Config{Params: DefaultParams}))
		})
	}
}

func BenchmarkBasicAuthCached(b *testing.B) {
	benchStores(b, func(b *testing.B, f *fixture) {
		f.mustUser(b, "alice", "correct horse", true)
		r := request("GET", basicHeader("alice", "correct horse"))
		if _, _, err := f.a.Authenticate(r); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := f.a.Authenticate(r); err != nil {
				b.Fatal(err)
			}
		}
		if n := f.a.hashes.Load(); n != 1 {
			b.Fatalf("cached logins computed %d hashes, want only the first", n)
		}
	})
}

func BenchmarkBasicAuthUncached(b *testing.B) {
	benchStores(b, func(b *testing.B, f *fixture) {
		f.mustUser(b, "alice", "correct horse", true)
		r := request("GET", basicHeader("alice", "correct horse"))
		for b.Loop() {
			f.a.good.clear()
			if _, _, err := f.a.Authenticate(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTokenAuth(b *testing.B) {
	benchStores(b, func(b *testing.B, f *fixture) {
		u := f.mustUser(b, "alice", "correct horse", true)
		tok, err := f.st.TokenForUser(context.Background(), u.ID)
		if err != nil {
			b.Fatal(err)
		}
		r := request("GET", authHeader("Token "+tok.Key))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := f.a.Authenticate(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
