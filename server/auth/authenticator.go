package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"

	"github.com/quirehq/quire/store"
)

// DRF's authentication failure messages (paperless-ng API §2.4, §3.4).
const (
	MsgNotAuthenticated  = "Authentication credentials were not provided."
	MsgInvalidLogin      = "Invalid username/password."
	MsgBasicNoCreds      = "Invalid basic header. No credentials provided."
	MsgBasicSpaces       = "Invalid basic header. Credentials string should not contain spaces."
	MsgBasicBase64       = "Invalid basic header. Credentials not correctly base64 encoded."
	MsgInactive          = "User inactive or deleted."
	MsgInvalidToken      = "Invalid token."
	MsgTokenNoCreds      = "Invalid token header. No credentials provided."
	MsgTokenSpaces       = "Invalid token header. Token string should not contain spaces."
	MsgTokenInvalidChars = "Invalid token header. Token string should not contain invalid characters."
)

func unauthenticated(msg string) error {
	return &store.Error{Code: store.Unauthenticated, Message: msg}
}

// Defaults of Config.
const (
	DefaultSessionLifetime = 14 * 24 * time.Hour // Django's SESSION_COOKIE_AGE
	DefaultCacheSize       = 10000
	DefaultCacheTTL        = 10 * time.Minute
	DefaultRevalidate      = time.Second
	failedCacheTTL         = time.Minute
)

// Config tunes an Authenticator; the zero value gives the defaults.
type Config struct {
	// CookiePrefix is prepended to the cookie names "sessionid" and
	// "csrftoken" (paperless's PAPERLESS_COOKIE_PREFIX).
	CookiePrefix string
	// TrustedOrigins are other origins ("https://app.example", see
	// ParseOrigin) whose pages may use a session: their Referer passes the
	// CSRF check over TLS and their websocket handshakes are accepted, as
	// Django's CSRF_TRUSTED_ORIGINS (QUIRE_CORS_ALLOWED_ORIGINS). Invalid
	// entries are ignored; the configuration rejects them first.
	TrustedOrigins []string
	// PublicOrigin is the origin clients reach Quire at behind a proxy
	// (QUIRE_URL, "https://docs.example"): its pages count as Quire's own
	// in the CSRF Referer and Origin checks even when the proxy hands
	// Quire another Host, as Django trusts PAPERLESS_URL. It is not a
	// CORS origin. Empty or invalid: only the request's Host counts.
	PublicOrigin string
	// SessionLifetime is how long a new session lasts; 0 means 14 days.
	SessionLifetime time.Duration
	// Params are the argon2id parameters of new hashes; zero means
	// DefaultParams. Stored hashes with other parameters are upgraded on
	// the next successful login.
	Params Params
	// MaxConcurrentHashes bounds how many password hashes run at once
	// (each takes Params.Memory and Params.Threads cores); 0 means
	// GOMAXPROCS / Params.Threads, at least 1. Further logins wait in
	// line until their request is cancelled.
	MaxConcurrentHashes int
	// CacheSize bounds the cache of verified credentials; 0 means
	// DefaultCacheSize, negative disables caching.
	CacheSize int
	// CacheTTL is how long a verified credential is trusted without
	// hashing again; 0 means DefaultCacheTTL.
	CacheTTL time.Duration
	// Revalidate is how long a verified credential's user row is reused
	// without reading it again; 0 means DefaultRevalidate, negative
	// means every request reads it. It bounds how long a password change
	// or deactivation made by another Quire replica takes to apply (this
	// replica's own changes go through the same row check).
	Revalidate time.Duration
}

// Authenticator resolves requests to users and issues sessions. It is
// safe for concurrent use; create one per process.
//
// Verifying a password costs a full argon2id hash (tens of milliseconds),
// too much for HTTP Basic, which sends the password with every request.
// So a verification goes like this:
//
//  1. Derive the cache key HMAC-SHA256(k, username \x00 password), k being
//     random per process: the cache never holds a password, and its keys
//     are useless outside this process.
//  2. Load the user row by username (one indexed query; needed anyway).
//  3. If the success cache has the key for this user id and the row's
//     encoded hash is still the one the password verified against, accept
//     without hashing. A password change (on any replica) changes the
//     hash and so invalidates the entry at once; a rename changes which
//     row the username finds.
//  4. If the failure cache has the key for the same row and hash (or for
//     a username that still does not exist), reject without hashing, so
//     repeating one wrong password does not burn CPU.
//  5. Otherwise hash, at most MaxConcurrentHashes at once (a semaphore,
//     which also caps memory), with identical concurrent attempts sharing
//     one hash (singleflight). An unknown username is hashed against a
//     dummy hash so it takes as long as a wrong password. A success
//     whose hash is outdated (Django pbkdf2, other argon2 parameters)
//     stores a fresh argon2id hash. The outcome goes into the success or
//     failure cache, each bounded (LRU) and expiring (TTL).
//  6. When the last hash of a burst has finished and no other started for
//     a second, hand the hashes' memory back to the operating system
//     (debug.FreeOSMemory, in a timer's goroutine, never on a request):
//     each hash allocates Params.Memory in one piece, which Go's heap
//     would otherwise keep for minutes.
//
// Inactive users are cached like others and rejected after the cache
// lookup, so deactivation also takes effect at once.
type Authenticator struct {
	store           *store.Store
	logger          *slog.Logger
	now             func() time.Time
	params          Params
	cookiePrefix    string
	trusted         map[string]bool // normalised origins (ParseOrigin)
	public          string          // Config.PublicOrigin, normalised; "" for none
	sessionLifetime time.Duration
	revalidate      time.Duration

	hmacKey [32]byte
	good    *credCache
	bad     *credCache
	access  *accessCache
	hashSem chan struct{}
	flight  singleflight.Group
	hashes  atomic.Int64 // password hashes computed (tests read it)
	memory  memReleaser

	dummyOnce sync.Once
	dummy     string
}

// New returns an Authenticator over st. logger receives warnings (never
// secrets); now is the clock (nil means time.Now).
func New(st *store.Store, logger *slog.Logger, now func() time.Time, cfg Config) *Authenticator {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	a := &Authenticator{
		store:           st,
		logger:          logger,
		now:             now,
		params:          cfg.Params,
		cookiePrefix:    cfg.CookiePrefix,
		sessionLifetime: cfg.SessionLifetime,
	}
	if a.params == (Params{}) {
		a.params = DefaultParams
	}
	if o, err := ParseOrigin(cfg.PublicOrigin); err == nil {
		a.public = o
	}
	for _, o := range cfg.TrustedOrigins {
		if o, err := ParseOrigin(o); err == nil {
			if a.trusted == nil {
				a.trusted = map[string]bool{}
			}
			a.trusted[o] = true
		}
	}
	if a.sessionLifetime <= 0 {
		a.sessionLifetime = DefaultSessionLifetime
	}
	switch {
	case cfg.Revalidate == 0:
		a.revalidate = DefaultRevalidate
	case cfg.Revalidate > 0:
		a.revalidate = cfg.Revalidate
	}
	n := cfg.MaxConcurrentHashes
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/max(1, int(a.params.Threads)))
	}
	a.hashSem = make(chan struct{}, n)
	a.memory = memReleaser{delay: releaseDelay, free: debug.FreeOSMemory, collect: runtime.GC}
	size, ttl := cfg.CacheSize, cfg.CacheTTL
	if size == 0 {
		size = DefaultCacheSize
	}
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	a.good = newCredCache(size, ttl)
	a.bad = newCredCache(size, failedCacheTTL)
	a.access = newAccessCache(size)
	rand.Read(a.hmacKey[:]) // never fails
	return a
}

// SessionCookieName is the name of the session cookie: prefix + "sessionid".
func (a *Authenticator) SessionCookieName() string { return a.cookiePrefix + "sessionid" }

// CSRFCookieName is the name of the CSRF cookie: prefix + "csrftoken".
func (a *Authenticator) CSRFCookieName() string { return a.cookiePrefix + "csrftoken" }

// Authenticate resolves r to a user, trying in order:
//
//   - `Authorization: Basic …`,
//   - `Authorization: Token …`,
//   - the session cookie.
//
// A present but wrong or malformed Authorization header of either scheme
// fails (error with code Unauthenticated and DRF's exact message) even when
// a valid session cookie is also present. Another scheme is ignored. A
// missing, unknown or expired session cookie, or one whose user is
// inactive, counts as no credentials, as in Django. With no credentials
// it returns (nil, MethodNone, nil); callers that require a user answer
// MsgNotAuthenticated. Other errors (database down) are Internal.
//
// The user comes back with Access set: its groups and global permissions
// (see accessCache), which WithUser puts in the context as the store's
// Principal.
func (a *Authenticator) Authenticate(r *http.Request) (*store.User, Method, error) {
	u, m, err := a.authenticate(r)
	if err == nil && u != nil {
		if err := a.attachAccess(r.Context(), u); err != nil {
			return nil, MethodNone, err
		}
	}
	return u, m, err
}

func (a *Authenticator) authenticate(r *http.Request) (*store.User, Method, error) {
	ctx := r.Context()
	parts := asciiFields(r.Header.Get("Authorization"))
	if len(parts) > 0 {
		switch {
		case asciiEqualFold(parts[0], "basic"):
			u, err := a.basic(ctx, parts)
			if err != nil {
				return nil, MethodNone, err
			}
			return u, MethodBasic, nil
		case asciiEqualFold(parts[0], "token"):
			u, err := a.token(ctx, parts)
			if err != nil {
				return nil, MethodNone, err
			}
			return u, MethodToken, nil
		}
	}
	u, err := a.session(ctx, r)
	if err != nil || u == nil {
		return nil, MethodNone, err
	}
	return u, MethodSession, nil
}

// basic handles `Authorization: Basic <base64(username:password)>` like
// DRF's BasicAuthentication.
func (a *Authenticator) basic(ctx context.Context, parts []string) (*store.User, error) {
	switch {
	case len(parts) == 1:
		return nil, unauthenticated(MsgBasicNoCreds)
	case len(parts) > 2:
		return nil, unauthenticated(MsgBasicSpaces)
	}
	raw, err := base64.StdEncoding.DecodeString(keepBase64Alphabet(parts[1]))
	if err != nil {
		return nil, unauthenticated(MsgBasicBase64)
	}
	text := string(raw)
	if !utf8.Valid(raw) { // Python falls back to Latin-1
		rs := make([]rune, len(raw))
		for i, b := range raw {
			rs[i] = rune(b)
		}
		text = string(rs)
	}
	username, password, _ := strings.Cut(text, ":")
	return a.verify(ctx, username, password)
}

// token handles `Authorization: Token <key>` like DRF's TokenAuthentication.
func (a *Authenticator) token(ctx context.Context, parts []string) (*store.User, error) {
	switch {
	case len(parts) == 1:
		return nil, unauthenticated(MsgTokenNoCreds)
	case len(parts) > 2:
		return nil, unauthenticated(MsgTokenSpaces)
	case !utf8.ValidString(parts[1]):
		return nil, unauthenticated(MsgTokenInvalidChars)
	case len(parts[1]) > 40: // longer than any key: no need to ask
		return nil, unauthenticated(MsgInvalidToken)
	}
	u, err := a.store.UserByToken(ctx, parts[1])
	if err != nil {
		if store.ErrorCode(err) == store.NotFound {
			return nil, unauthenticated(MsgInvalidToken)
		}
		return nil, fmt.Errorf("token authentication: %w", err)
	}
	if !u.IsActive {
		return nil, unauthenticated(MsgInactive)
	}
	return u, nil
}

// session resolves the session cookie; anything wrong with it means
// anonymous (nil, nil), as in Django.
func (a *Authenticator) session(ctx context.Context, r *http.Request) (*store.User, error) {
	c, err := r.Cookie(a.SessionCookieName())
	if err != nil || c.Value == "" || len(c.Value) > 256 {
		return nil, nil
	}
	sess, err := a.store.Session(ctx, sessionDigest(c.Value))
	if err != nil {
		if store.ErrorCode(err) == store.NotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("session authentication: %w", err)
	}
	u, err := a.store.User(ctx, sess.UserID)
	if err != nil {
		if store.ErrorCode(err) == store.NotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("session authentication: %w", err)
	}
	if !u.IsActive {
		return nil, nil
	}
	return u, nil
}

// Login checks a username (case-insensitive) and password, as the Basic
// header, POST /api/token/ and the login form need. A stored hash in an
// outdated format is replaced by an argon2id one. Errors (code
// Unauthenticated): MsgInvalidLogin for an unknown user or a wrong
// password, MsgInactive for the right password of an inactive user.
// Login does not touch last_login (NewSession does, as Django's login).
func (a *Authenticator) Login(ctx context.Context, username, password string) (*store.User, error) {
	return a.verify(ctx, username, password)
}

// verify is Login; see Authenticator for the steps.
func (a *Authenticator) verify(ctx context.Context, username, password string) (*store.User, error) {
	key := a.credKey(username, password)
	now := a.now()
	if e, ok := a.good.get(key, now); ok && e.user != nil && now.Sub(e.checked) < a.revalidate {
		// Verified and its row read moments ago: no query, no hash.
		cp := *e.user
		return checkActive(&cp)
	}
	u, err := a.store.UserByUsername(ctx, username)
	if err != nil && store.ErrorCode(err) != store.NotFound {
		return nil, fmt.Errorf("password authentication: %w", err)
	}
	if u != nil {
		if e, ok := a.good.get(key, now); ok {
			if e.userID == u.ID && e.hash == u.Password {
				a.good.touch(key, u, now)
				return checkActive(u)
			}
			a.good.remove(key)
		}
	}
	if e, ok := a.bad.get(key, now); ok {
		if (u == nil && e.userID == 0) || (u != nil && e.userID == u.ID && e.hash == u.Password) {
			return nil, unauthenticated(MsgInvalidLogin)
		}
		a.bad.remove(key)
	}

	v, err, _ := a.flight.Do(string(key[:]), func() (any, error) {
		return a.slowVerify(ctx, key, u, password)
	})
	if err != nil {
		if ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// The request whose hash we waited for went away; ours did not.
			v, err = a.slowVerify(ctx, key, u, password)
		}
		if err != nil {
			return nil, err
		}
	}
	ok := v.(*store.User)
	cp := *ok // callers may change their copy
	return checkActive(&cp)
}

// slowVerify hashes the password against u (nil: no such user) and
// records the outcome in the caches.
func (a *Authenticator) slowVerify(ctx context.Context, key credKey, u *store.User, password string) (*store.User, error) {
	encoded := a.dummyHash()
	if u != nil {
		encoded = u.Password
	}
	ok, fresh, err := a.checkPassword(ctx, password, encoded)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if u != nil {
			a.logger.Warn("stored password hash unusable", "user_id", u.ID, "error", err)
		}
	}
	if !ok {
		e := credEntry{}
		if u != nil {
			e = credEntry{userID: u.ID, hash: u.Password}
		}
		a.bad.put(key, e, a.now())
		return nil, unauthenticated(MsgInvalidLogin)
	}
	if fresh != "" {
		if err := a.store.SetPassword(ctx, u.ID, fresh); err != nil {
			a.logger.Warn("upgrade password hash", "user_id", u.ID, "error", err)
		} else {
			a.logger.Info("upgraded password hash to argon2id", "user_id", u.ID)
			upgraded := *u
			upgraded.Password = fresh
			u = &upgraded
		}
	}
	now := a.now()
	a.good.put(key, credEntry{userID: u.ID, hash: u.Password, user: u, checked: now}, now)
	return u, nil
}

// checkPassword runs Params.Verify under the hashing semaphore. When the
// password matches an outdated hash, fresh is its new encoded hash
// (computed under the same semaphore slot).
func (a *Authenticator) checkPassword(ctx context.Context, password, encoded string) (ok bool, fresh string, err error) {
	select {
	case a.hashSem <- struct{}{}:
	case <-ctx.Done():
		return false, "", ctx.Err()
	}
	defer func() { <-a.hashSem }()
	a.memory.begin()
	defer a.memory.end()
	a.hashes.Add(1)
	ok, rehash, err := a.params.Verify(password, encoded)
	if ok && rehash {
		fresh = a.params.Hash(password)
	}
	return ok, fresh, err
}

// releaseDelay is how long after the last password hash of a burst its
// memory is handed back to the operating system.
const releaseDelay = time.Second

// memReleaser calls free (debug.FreeOSMemory: a garbage collection that
// then returns every free page to the OS) once no hash has been running
// for delay: a burst of logins ends in one call, off the request path, and
// a steady trickle in one per hash at most. Each hash's buffer is one large
// allocation, dead once the hash returns; without this the heap keeps it
// until the next collection (which, with nothing else allocating, comes
// only with the runtime's two-minute forced one) and the scavenger returns
// it to the OS only slowly after that.
//
// Under a flood the release waits for the flood to end; meanwhile a hash
// that starts while an earlier one's buffer is dead but not yet collected
// first runs a garbage collection (collect), so it reuses those pages:
// left to its pacer, Go's heap would grow to about twice the live buffers
// and then some (measured on 2 cores: a flood of 100 wrong passwords
// peaked at 142–169 MB resident without this, 83–101 MB with it; see
// docs/benchmarks.md). That collection costs a few milliseconds of a
// ~20 ms hash, only while hashes follow each other.
type memReleaser struct {
	delay   time.Duration
	free    func()
	collect func() // runtime.GC

	mu     sync.Mutex
	active int
	dead   int // hashes finished since the last collection
	timer  *time.Timer
}

// begin records that a hash is about to start: a pending release waits
// for it, and the buffers of hashes finished since the last collection
// are collected first.
func (r *memReleaser) begin() {
	r.mu.Lock()
	r.active++
	if r.timer != nil {
		r.timer.Stop()
	}
	dead := r.dead
	r.dead = 0
	r.mu.Unlock()
	if dead > 0 && r.collect != nil {
		r.collect()
	}
}

// end records that a hash finished; the last one of a burst schedules
// the release.
func (r *memReleaser) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	r.dead++
	if r.active > 0 {
		return
	}
	if r.timer == nil {
		r.timer = time.AfterFunc(r.delay, r.release)
	} else {
		r.timer.Reset(r.delay)
	}
}

func (r *memReleaser) release() {
	r.mu.Lock()
	busy := r.active > 0
	if !busy {
		r.dead = 0 // free collects too
	}
	r.mu.Unlock()
	if !busy {
		r.free()
	}
}

// dummyHash is what an unknown username's password is checked against.
func (a *Authenticator) dummyHash() string {
	a.dummyOnce.Do(func() { a.dummy = a.params.Hash("quire: no such user") })
	return a.dummy
}

func checkActive(u *store.User) (*store.User, error) {
	if !u.IsActive {
		return nil, unauthenticated(MsgInactive)
	}
	return u, nil
}

// credKey is HMAC-SHA256(hmacKey, username \x00 password).
func (a *Authenticator) credKey(username, password string) credKey {
	m := hmac.New(sha256.New, a.hmacKey[:])
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var k credKey
	m.Sum(k[:0])
	return k
}

// NewSession starts a browser session for the user, lasting
// Config.SessionLifetime, sets its last_login and returns the cookie value
// (only its SHA-256 digest is stored). Errors: NotFound when the user does
// not exist.
func (a *Authenticator) NewSession(ctx context.Context, userID int) (string, error) {
	var b [32]byte
	rand.Read(b[:]) // never fails
	value := base64.RawURLEncoding.EncodeToString(b[:])
	now := a.now()
	err := a.store.CreateSession(ctx, &store.Session{
		Digest:  sessionDigest(value),
		UserID:  userID,
		Created: now,
		Expires: now.Add(a.sessionLifetime),
	})
	if err != nil {
		return "", fmt.Errorf("start session for user %d: %w", userID, err)
	}
	if err := a.store.TouchLastLogin(ctx, userID, now); err != nil {
		return "", fmt.Errorf("start session for user %d: %w", userID, err)
	}
	return value, nil
}

// SessionCookie returns the cookie carrying a session value from
// NewSession: HttpOnly, SameSite=Lax, path /, expiring with the session.
// The caller sets Secure when serving HTTPS.
func (a *Authenticator) SessionCookie(value string) *http.Cookie {
	return &http.Cookie{
		Name:     a.SessionCookieName(),
		Value:    value,
		Path:     "/",
		MaxAge:   int(a.sessionLifetime / time.Second),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// Logout ends the session with the given cookie value. An unknown or
// already ended session is not an error.
func (a *Authenticator) Logout(ctx context.Context, cookieValue string) error {
	err := a.store.DeleteSession(ctx, sessionDigest(cookieValue))
	if err != nil && store.ErrorCode(err) != store.NotFound {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// sessionDigest is what the sessions table keys a cookie value by.
func sessionDigest(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// asciiFields splits s at runs of ASCII whitespace, as Python's bytes.split().
func asciiFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
		return false
	})
}

// asciiEqualFold compares s to a lower-case ASCII word, ignoring ASCII case only.
func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// keepBase64Alphabet drops characters outside the base64 alphabet, as
// Python's lenient b64decode does before decoding.
func keepBase64Alphabet(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '+', r == '/', r == '=':
			return r
		}
		return -1
	}, s)
}

// constantTimeEqual compares two strings in constant time (for equal lengths).
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
