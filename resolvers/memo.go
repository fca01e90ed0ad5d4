package resolvers

import (
	"container/list"
	"context"
	"strconv"
	"sync"
)

// Memo keeps rendered answers (pages of the REST lists) for as long as the
// archive's version (store.Version) stays the same, least recently used
// first out when it holds more than its size in bytes. Because the version
// is read from the database on every use, an answer is never served after
// any process committed a change to what it shows. A nil *Memo keeps
// nothing.
type Memo struct {
	max int64 // bytes; one answer larger than max/8 is not kept

	mu      sync.Mutex
	size    int64
	order   *list.List // of *memoEntry, most recently used first
	entries map[string]*list.Element
	flights map[string]*memoFlight
}

type memoEntry struct {
	key     string
	version int64
	body    []byte
}

// memoFlight is a rendering in progress that concurrent callers wait for.
type memoFlight struct {
	version int64
	done    chan struct{}
	body    []byte
	err     error
}

// NewMemo returns a Memo holding up to maxBytes of answers (nil when
// maxBytes ≤ 0: nothing is kept).
func NewMemo(maxBytes int64) *Memo {
	if maxBytes <= 0 {
		return nil
	}
	return &Memo{max: maxBytes, order: list.New(), entries: map[string]*list.Element{}, flights: map[string]*memoFlight{}}
}

// Rendered returns what build renders for key, reusing an earlier
// rendering for the same user and key while the archive's version is
// unchanged. key must name everything else the bytes depend on (endpoint,
// query string, API version, host). Concurrent callers of one key share one
// build; errors are not kept.
func (r *Resolver) Rendered(ctx context.Context, key string, build func(context.Context) ([]byte, error)) ([]byte, error) {
	m := r.Memo
	if m == nil {
		return build(ctx)
	}
	version, err := r.Store.Version(ctx)
	if err != nil {
		return nil, err
	}
	if u, ok := UserFromContext(ctx); ok && u != nil {
		key = strconv.Itoa(u.ID) + " " + key
	} else {
		key = "- " + key
	}

	m.mu.Lock()
	if el, ok := m.entries[key]; ok {
		e := el.Value.(*memoEntry)
		if e.version == version {
			m.order.MoveToFront(el)
			m.mu.Unlock()
			return e.body, nil
		}
		m.drop(el)
	}
	if f, ok := m.flights[key]; ok && f.version == version {
		m.mu.Unlock()
		select {
		case <-f.done:
			if f.err == nil {
				return f.body, nil
			}
			return build(ctx) // its caller may have gone away: try again
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &memoFlight{version: version, done: make(chan struct{})}
	m.flights[key] = f
	m.mu.Unlock()

	defer close(f.done)
	f.body, f.err = build(ctx)

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.flights[key] == f {
		delete(m.flights, key)
	}
	if f.err != nil || int64(len(f.body)) > m.max/8 {
		return f.body, f.err
	}
	if el, ok := m.entries[key]; ok {
		if el.Value.(*memoEntry).version > version {
			return f.body, nil // a newer rendering got there first
		}
		m.drop(el)
	}
	m.entries[key] = m.order.PushFront(&memoEntry{key: key, version: version, body: f.body})
	m.size += int64(len(f.body)) + int64(len(key))
	for m.size > m.max {
		m.drop(m.order.Back())
	}
	return f.body, nil
}

// drop removes an entry (m.mu held).
func (m *Memo) drop(el *list.Element) {
	e := m.order.Remove(el).(*memoEntry)
	delete(m.entries, e.key)
	m.size -= int64(len(e.body)) + int64(len(e.key))
}

// Len reports how many answers m holds.
func (m *Memo) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
