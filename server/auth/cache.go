package auth

import (
	"container/list"
	"sync"
	"time"

	"github.com/quirehq/quire/store"
)

// credKey identifies a (username, password) pair without holding either:
// HMAC-SHA256 under a random per-process key.
type credKey [32]byte

// credEntry is what a verification found out about a credential pair.
// For a success, userID and hash are the user and the encoded password
// hash the password verified against; for a failure, hash is the hash it
// failed against ("" when no such user existed).
// For a success, user is the row as last read and checked when.
type credEntry struct {
	userID  int
	hash    string
	user    *store.User
	checked time.Time
	expires time.Time
}

// credCache is a bounded LRU of credEntry with a time to live. It is safe
// for concurrent use.
type credCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	ll    *list.List // front = most recently used; values are *cacheItem
	items map[credKey]*list.Element
}

type cacheItem struct {
	key credKey
	credEntry
}

func newCredCache(max int, ttl time.Duration) *credCache {
	return &credCache{max: max, ttl: ttl, ll: list.New(), items: make(map[credKey]*list.Element)}
}

// get returns the live entry for k.
func (c *credCache) get(k credKey, now time.Time) (credEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return credEntry{}, false
	}
	it := el.Value.(*cacheItem)
	if !now.Before(it.expires) {
		c.ll.Remove(el)
		delete(c.items, k)
		return credEntry{}, false
	}
	c.ll.MoveToFront(el)
	return it.credEntry, true
}

// touch records that k's user row was read again (as u) at now, keeping
// the entry's expiry.
func (c *credCache) touch(k credKey, u *store.User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		it := el.Value.(*cacheItem)
		it.user, it.checked = u, now
	}
}

// put stores e under k for the cache's TTL, evicting the least recently
// used entry when full.
func (c *credCache) put(k credKey, e credEntry, now time.Time) {
	if c.max <= 0 {
		return
	}
	e.expires = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value.(*cacheItem).credEntry = e
		c.ll.MoveToFront(el)
		return
	}
	for c.ll.Len() >= c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheItem).key)
	}
	c.items[k] = c.ll.PushFront(&cacheItem{key: k, credEntry: e})
}

// remove drops k.
func (c *credCache) remove(k credKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.Remove(el)
		delete(c.items, k)
	}
}

// clear drops every entry.
func (c *credCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
}

// len returns the number of entries, live or not yet evicted.
func (c *credCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
