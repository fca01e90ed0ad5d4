package rest

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address of the client r came from, the key of
// per-client throttles: the peer's IP, or, when the peer is a trusted
// proxy (QUIRE_TRUSTED_PROXIES), the address X-Forwarded-For names last
// before the trusted proxies (a client cannot forge its way past them by
// prepending entries).
func (l *Links) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if h, _, err := net.SplitHostPort(peer); err == nil {
		peer = h
	}
	if l == nil || len(l.TrustedProxies) == 0 || !l.trusted(r.RemoteAddr) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !l.trusted(a.String()) {
			return a.String()
		}
		peer = a.String()
	}
	return peer
}
