package auth

import (
	"context"
	"fmt"
	"sync"

	"github.com/quirehq/quire/store"
)

// accessCache keeps the principal (groups and effective global
// permissions) of recently authenticated users, keyed by user id and
// valid for one users.access_version: the store bumps that column with
// every change of a user's groups or permissions, and every
// authentication reads the user row anyway, so a current entry costs no
// query and a stale one is never served (on any replica). It is safe
// for concurrent use.
type accessCache struct {
	mu  sync.Mutex
	max int
	m   map[int]accessEntry
}

type accessEntry struct {
	version int
	p       *store.Principal
}

func newAccessCache(max int) *accessCache {
	return &accessCache{max: max, m: map[int]accessEntry{}}
}

func (c *accessCache) get(u *store.User) *store.Principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[u.ID]; ok && e.version == u.AccessVersion {
		return e.p
	}
	return nil
}

func (c *accessCache) put(u *store.User, p *store.Principal) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m) // rare: more distinct users than the cache holds
	}
	c.m[u.ID] = accessEntry{version: u.AccessVersion, p: p}
}

// attachAccess sets u.Access: the superuser principal, or the user's
// groups and permissions from the cache or (once per change) the store.
func (a *Authenticator) attachAccess(ctx context.Context, u *store.User) error {
	if u == nil {
		return nil
	}
	if u.IsSuperuser {
		u.Access = &store.Principal{UserID: u.ID, Superuser: true}
		return nil
	}
	if p := a.access.get(u); p != nil {
		u.Access = p
		return nil
	}
	p, err := a.store.Access(ctx, u)
	if err != nil {
		return fmt.Errorf("load permissions of user %d: %w", u.ID, err)
	}
	a.access.put(u, p)
	u.Access = p
	return nil
}
