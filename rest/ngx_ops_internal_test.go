package rest

import (
	"net/http/httptest"
	"testing"
)

// clientAddr believes X-Forwarded-For only from a trusted proxy, and then
// only the entries the trusted proxies added: the last untrusted hop.
func TestClientAddr(t *testing.T) {
	l, err := ParseLinks("", "10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		peer, xff, want string
		links           *Links
	}{
		{"203.0.113.5:4000", "198.51.100.1", "203.0.113.5", &l},          // untrusted peer: header ignored
		{"192.0.2.1:4000", "198.51.100.1", "198.51.100.1", &l},           // trusted proxy
		{"192.0.2.1:4000", "6.6.6.6, 198.51.100.1", "198.51.100.1", &l},  // a forged first entry does not count
		{"192.0.2.1:4000", "198.51.100.1, 10.1.2.3", "198.51.100.1", &l}, // two trusted hops
		{"192.0.2.1:4000", "10.1.2.3", "10.1.2.3", &l},                   // only proxies: the outermost
		{"192.0.2.1:4000", "", "192.0.2.1", &l},
		{"192.0.2.1:4000", "junk", "192.0.2.1", &l},
		{"192.0.2.1:4000", "198.51.100.1", "192.0.2.1", &Links{}}, // no trusted proxies configured
		{"[::ffff:192.0.2.1]:4000", "198.51.100.9", "198.51.100.9", &l},
	} {
		r := httptest.NewRequest("POST", "/api/token/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := c.links.clientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %q, want %q", c.peer, c.xff, got, c.want)
		}
	}
}
