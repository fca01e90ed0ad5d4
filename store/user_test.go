package store_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// userClock is a settable clock for the store under test.
type userClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *userClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *userClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// userDialects runs fn against a fresh store per dialect of
// storetest.Dialects, with a settable clock.
func userDialects(t *testing.T, fn func(t *testing.T, st *store.Store, clock *userClock)) {
	t.Helper()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			clock := &userClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
			fn(t, storetest.OpenConfig(t, d, store.Config{Now: clock.Now}), clock)
		})
	}
}

func mustCreateUser(t *testing.T, st *store.Store, username string) *store.User {
	t.Helper()
	u := &store.User{Username: username, Password: "argon2$placeholder", IsActive: true}
	if err := st.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %q: %v", username, err)
	}
	return u
}

func wantCode(t *testing.T, err error, code store.Code) {
	t.Helper()
	if got := store.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func TestUsers(t *testing.T) {
	userDialects(t, func(t *testing.T, st *store.Store, clock *userClock) {
		ctx := context.Background()
		t.Run("CreateAndLoad", func(t *testing.T) {
			u := mustCreateUser(t, st, "Alice")
			if u.ID == 0 || u.UsernameKey != "alice" || !u.DateJoined.Equal(clock.Now()) {
				t.Fatalf("created user = %+v", u)
			}
			got, err := st.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Username != "Alice" || got.Password != "argon2$placeholder" || !got.IsActive || got.LastLogin != nil {
				t.Fatalf("loaded user = %+v", got)
			}
			for _, name := range []string{"alice", "ALICE", "aLiCe"} {
				got, err := st.UserByUsername(ctx, name)
				if err != nil || got.ID != u.ID {
					t.Fatalf("UserByUsername(%q) = %v, %v", name, got, err)
				}
			}
		})
		t.Run("UnicodeFold", func(t *testing.T) {
			u := mustCreateUser(t, st, "Straße")
			got, err := st.UserByUsername(ctx, "STRASSE")
			if err != nil || got.ID != u.ID {
				t.Fatalf("UserByUsername(STRASSE) = %v, %v", got, err)
			}
		})
		t.Run("ErrDuplicateUsername", func(t *testing.T) {
			err := st.CreateUser(ctx, &store.User{Username: "ALICE", Password: "x"})
			wantCode(t, err, store.Conflict)
			if f := store.ErrorFields(err); len(f["username"]) != 1 {
				t.Fatalf("fields = %v, want a username message", f)
			}
		})
		t.Run("ErrBlankUsername", func(t *testing.T) {
			err := st.CreateUser(ctx, &store.User{Username: " ", Password: "x"})
			wantCode(t, err, store.Validation)
			if f := store.ErrorFields(err); len(f["username"]) != 1 {
				t.Fatalf("fields = %v", f)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := st.User(ctx, 9999)
			wantCode(t, err, store.NotFound)
			_, err = st.UserByUsername(ctx, "nobody")
			wantCode(t, err, store.NotFound)
			wantCode(t, st.SetPassword(ctx, 9999, "h"), store.NotFound)
			wantCode(t, st.TouchLastLogin(ctx, 9999, clock.Now()), store.NotFound)
			wantCode(t, st.UpdateUser(ctx, &store.User{ID: 9999, Username: "ghost", Password: "h"}), store.NotFound)
		})
		t.Run("List", func(t *testing.T) {
			mustCreateUser(t, st, "bob")
			users, err := st.Users(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range users {
				names = append(names, u.Username)
			}
			if len(names) != 3 || names[0] != "Alice" || names[1] != "bob" || names[2] != "Straße" {
				t.Fatalf("users = %v", names)
			}
		})
		t.Run("Update", func(t *testing.T) {
			u, err := st.UserByUsername(ctx, "bob")
			if err != nil {
				t.Fatal(err)
			}
			u.Username, u.Email, u.IsStaff = "Robert", "bob@example.com", true
			if err := st.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			got, err := st.UserByUsername(ctx, "robert")
			if err != nil || got.ID != u.ID || got.Email != "bob@example.com" || !got.IsStaff {
				t.Fatalf("after update = %+v, %v", got, err)
			}
			u.Username = "alice"
			wantCode(t, st.UpdateUser(ctx, u), store.Conflict)
			u.Username = "ROBERT" // its own name, other case: fine
			if err := st.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("SetPasswordAndLastLogin", func(t *testing.T) {
			u, _ := st.UserByUsername(ctx, "alice")
			if err := st.SetPassword(ctx, u.ID, "argon2$new"); err != nil {
				t.Fatal(err)
			}
			when := clock.Now().Add(time.Hour)
			if err := st.TouchLastLogin(ctx, u.ID, when); err != nil {
				t.Fatal(err)
			}
			got, _ := st.User(ctx, u.ID)
			if got.Password != "argon2$new" || got.LastLogin == nil || !got.LastLogin.Equal(when) {
				t.Fatalf("after SetPassword/TouchLastLogin = %+v", got)
			}
		})
	})
}

var tokenKeyRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestTokens(t *testing.T) {
	userDialects(t, func(t *testing.T, st *store.Store, clock *userClock) {
		ctx := context.Background()
		u := mustCreateUser(t, st, "alice")
		var first string
		t.Run("CreateOnce", func(t *testing.T) {
			tok, err := st.TokenForUser(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tokenKeyRE.MatchString(tok.Key) || tok.UserID != u.ID || !tok.Created.Equal(clock.Now()) {
				t.Fatalf("token = %+v", tok)
			}
			again, err := st.TokenForUser(ctx, u.ID)
			if err != nil || again.Key != tok.Key {
				t.Fatalf("second TokenForUser = %+v, %v; want key %s", again, err, tok.Key)
			}
			got, err := st.Token(ctx, tok.Key)
			if err != nil || got.UserID != u.ID {
				t.Fatalf("Token(key) = %+v, %v", got, err)
			}
			first = tok.Key
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := st.Token(ctx, "0000000000000000000000000000000000000000")
			wantCode(t, err, store.NotFound)
			_, err = st.TokenForUser(ctx, 9999)
			wantCode(t, err, store.NotFound)
			wantCode(t, st.DeleteToken(ctx, 9999), store.NotFound)
		})
		t.Run("Delete", func(t *testing.T) {
			if err := st.DeleteToken(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			_, err := st.Token(ctx, first)
			wantCode(t, err, store.NotFound)
			tok, err := st.TokenForUser(ctx, u.ID)
			if err != nil || tok.Key == first {
				t.Fatalf("new token = %+v, %v; want a new key", tok, err)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			const n = 16
			for round := range 3 {
				v := mustCreateUser(t, st, "racer"+string(rune('a'+round)))
				keys := make([]string, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range n {
					wg.Go(func() {
						<-start
						tok, err := st.TokenForUser(ctx, v.ID)
						errs[i] = err
						if err == nil {
							keys[i] = tok.Key
						}
					})
				}
				close(start)
				wg.Wait()
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("call %d: %v", i, errs[i])
					}
					if keys[i] != keys[0] {
						t.Fatalf("call %d returned %s, call 0 %s", i, keys[i], keys[0])
					}
				}
			}
		})
	})
}

func TestSessions(t *testing.T) {
	userDialects(t, func(t *testing.T, st *store.Store, clock *userClock) {
		ctx := context.Background()
		u := mustCreateUser(t, st, "alice")
		digest := func(c byte) string {
			b := make([]byte, 64)
			for i := range b {
				b[i] = c
			}
			return string(b)
		}
		mustCreateSession := func(t *testing.T, d string, life time.Duration) {
			t.Helper()
			err := st.CreateSession(ctx, &store.Session{Digest: d, UserID: u.ID, Expires: clock.Now().Add(life)})
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Run("CreateAndLoad", func(t *testing.T) {
			mustCreateSession(t, digest('a'), time.Hour)
			s, err := st.Session(ctx, digest('a'))
			if err != nil || s.UserID != u.ID || !s.Created.Equal(clock.Now()) || !s.Expires.Equal(clock.Now().Add(time.Hour)) {
				t.Fatalf("session = %+v, %v", s, err)
			}
		})
		t.Run("ErrDuplicate", func(t *testing.T) {
			err := st.CreateSession(ctx, &store.Session{Digest: digest('a'), UserID: u.ID, Expires: clock.Now().Add(time.Hour)})
			wantCode(t, err, store.Conflict)
		})
		t.Run("ErrNoUser", func(t *testing.T) {
			err := st.CreateSession(ctx, &store.Session{Digest: digest('z'), UserID: 9999, Expires: clock.Now().Add(time.Hour)})
			wantCode(t, err, store.NotFound)
		})
		t.Run("Expiry", func(t *testing.T) {
			mustCreateSession(t, digest('b'), 2*time.Hour)
			clock.Add(time.Hour + time.Microsecond)
			_, err := st.Session(ctx, digest('a'))
			wantCode(t, err, store.NotFound)
			if _, err := st.Session(ctx, digest('b')); err != nil {
				t.Fatalf("unexpired session: %v", err)
			}
			n, err := st.DeleteExpiredSessions(ctx)
			if err != nil || n != 1 {
				t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
			}
			wantCode(t, st.DeleteSession(ctx, digest('a')), store.NotFound)
		})
		t.Run("Delete", func(t *testing.T) {
			if err := st.DeleteSession(ctx, digest('b')); err != nil {
				t.Fatal(err)
			}
			_, err := st.Session(ctx, digest('b'))
			wantCode(t, err, store.NotFound)
		})
		t.Run("DeleteUserSessions", func(t *testing.T) {
			mustCreateSession(t, digest('c'), time.Hour)
			mustCreateSession(t, digest('d'), time.Hour)
			n, err := st.DeleteUserSessions(ctx, u.ID)
			if err != nil || n != 2 {
				t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
			}
		})
	})
}
