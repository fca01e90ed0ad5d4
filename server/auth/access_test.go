package auth

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (c *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) { c.n.Add(1) }

// TestAccess: every way in attaches the user's groups and permissions;
// once cached they cost no query, and a change of the user's permissions
// or of a group's is seen by the next request.
func TestAccess(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	qc := &queryCounter{}
	f.st.QueryHook(qc)
	alice := f.mustUser(t, "alice", "pw", true)
	tok, err := f.st.TokenForUser(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	session, err := f.a.NewSession(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	ways := map[string]func() *store.User{
		"token": func() *store.User {
			u, _, err := f.a.Authenticate(request("GET", authHeader("Token "+tok.Key)))
			if err != nil {
				t.Fatal(err)
			}
			return u
		},
		"basic": func() *store.User {
			f.clock.Add(2 * DefaultRevalidate) // read the row again
			u, _, err := f.a.Authenticate(request("GET", basicHeader("alice", "pw")))
			if err != nil {
				t.Fatal(err)
			}
			return u
		},
		"session": func() *store.User {
			u, _, err := f.a.Authenticate(request("GET", nil, f.a.SessionCookie(session)))
			if err != nil {
				t.Fatal(err)
			}
			return u
		},
	}
	for name, auth := range ways {
		t.Run(name, func(t *testing.T) {
			if err := f.st.SetUserPermissions(ctx, alice.ID, []string{"view_document"}); err != nil {
				t.Fatal(err)
			}
			auth() // warm the caches
			before := qc.n.Load()
			u := auth()
			cached := qc.n.Load() - before
			if u.Access == nil || !u.Access.Has("view_document") || u.Access.Has("view_tag") || !u.Access.Restricted() {
				t.Fatalf("access %+v", u.Access)
			}
			p := store.PrincipalFrom(resolvers.WithUser(ctx, u))
			if p != u.Access {
				t.Fatalf("WithUser put %+v in the context, want %+v", p, u.Access)
			}
			g := &store.Group{Name: "g-" + name}
			if err := f.st.CreateGroup(ctx, g, []string{"view_tag"}); err != nil {
				t.Fatal(err)
			}
			if err := f.st.SetUserGroups(ctx, alice.ID, []int{g.ID}); err != nil {
				t.Fatal(err)
			}
			before = qc.n.Load()
			u = auth()
			if qc.n.Load()-before != cached+1 {
				t.Errorf("after a change: %d queries, want %d (one more than cached)", qc.n.Load()-before, cached+1)
			}
			if !u.Access.Has("view_tag") || len(u.Access.GroupIDs) != 1 || u.Access.GroupIDs[0] != g.ID {
				t.Fatalf("after joining a group: %+v", u.Access)
			}
			if _, err := f.st.UpdateGroup(ctx, g.ID, store.GroupUpdate{Permissions: &[]string{}}); err != nil {
				t.Fatal(err)
			}
			if u = auth(); u.Access.Has("view_tag") {
				t.Fatalf("group permission removed but still held: %+v", u.Access)
			}
			if err := f.st.SetUserGroups(ctx, alice.ID, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("Superuser", func(t *testing.T) {
		root := &store.User{Username: "root", Password: f.a.params.Hash("pw"), IsActive: true, IsSuperuser: true}
		if err := f.st.CreateUser(ctx, root); err != nil {
			t.Fatal(err)
		}
		u, _, err := f.a.Authenticate(request("GET", basicHeader("root", "pw")))
		if err != nil || u.Access == nil || u.Access.Restricted() {
			t.Fatalf("superuser access %+v %v", u, err)
		}
	})
	t.Run("WithUserFailsClosed", func(t *testing.T) {
		p := store.PrincipalFrom(resolvers.WithUser(ctx, &store.User{ID: 9}))
		if p == nil || !p.Restricted() || p.Has("view_document") {
			t.Fatalf("a user without loaded access got %+v", p)
		}
	})
}

// BenchmarkTokenAuthAccess: token authentication of a user who is not a
// superuser, with the groups-and-permissions cache (no query beyond the
// token's) and without it (one more statement per request).
func BenchmarkTokenAuthAccess(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"Cached", 0}, {"Uncached", -1}} {
		b.Run(c.name, func(b *testing.B) {
			benchStores(b, func(b *testing.B, f *fixture) {
				if c.size != 0 {
					f = fixtureOn(f.st, f.clock, Config{Params: DefaultParams, CacheSize: c.size})
				}
				u := f.mustUser(b, "alice", "correct horse", true)
				g := &store.Group{Name: "g"}
				if err := f.st.CreateGroup(context.Background(), g, []string{"view_tag"}); err != nil {
					b.Fatal(err)
				}
				if err := f.st.SetUserGroups(context.Background(), u.ID, []int{g.ID}); err != nil {
					b.Fatal(err)
				}
				tok, err := f.st.TokenForUser(context.Background(), u.ID)
				if err != nil {
					b.Fatal(err)
				}
				r := request("GET", authHeader("Token "+tok.Key))
				b.ReportAllocs()
				for b.Loop() {
					got, _, err := f.a.Authenticate(r)
					if err != nil || !got.Access.Has("view_tag") {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
