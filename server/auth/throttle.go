package auth

import (
	"sync"
	"time"
)

// Throttle limits how often one client may do something: at most Rate
// attempts in any Window (paperless-ngx throttles POST /api/token/ to 5 a
// minute per client, which keeps password guessing against the hash
// slow). Keys are client addresses; the zero key is a client like any
// other. It is safe for concurrent use.
type Throttle struct {
	Rate   int
	Window time.Duration
	// Now is the clock; nil is time.Now (tests set it).
	Now func() time.Time

	mu      sync.Mutex
	history map[string][]time.Time // per key, oldest first, inside the window
	sweep   time.Time
}

// NewThrottle returns a throttle of rate attempts per window.
func NewThrottle(rate int, window time.Duration) *Throttle {
	return &Throttle{Rate: rate, Window: window}
}

// Allow records an attempt by key and reports whether it may go ahead;
// when not, wait is how long until the oldest attempt in the window
// leaves it (the attempt refused is not recorded).
func (t *Throttle) Allow(key string) (wait time.Duration, ok bool) {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.history == nil {
		t.history = map[string][]time.Time{}
	}
	if now.Sub(t.sweep) > t.Window {
		// Forget clients whose attempts all left the window, so the
		// map does not grow with every address ever seen.
		for k, h := range t.history {
			if len(h) == 0 || now.Sub(h[len(h)-1]) >= t.Window {
				delete(t.history, k)
			}
		}
		t.sweep = now
	}
	h := t.history[key]
	for len(h) > 0 && now.Sub(h[0]) >= t.Window {
		h = h[1:]
	}
	if len(h) >= t.Rate {
		t.history[key] = h
		return h[0].Add(t.Window).Sub(now), false
	}
	t.history[key] = append(h, now)
	return 0, true
}
