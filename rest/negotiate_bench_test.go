package rest

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkDialectSelection is the per-request cost of choosing the
// renderer and the API version (negotiate with pickVersion), for the
// Accept headers clients send.
func BenchmarkDialectSelection(b *testing.B) {
	ng := &endpoint{Path: "/documents/"}
	ngx := &endpoint{Path: "/tasks/", Dialects: dialectNGX}
	for _, c := range []struct {
		name, accept string
		ep           *endpoint
	}{
		{"none", "", ng},
		{"angular", "application/json, text/plain, */*", ng},
		{"v2", "application/json; version=2", ng},
		{"v10", "application/json; version=10", ng},
		{"v5_ngx_route", "application/json; version=5", ngx},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ng},
		{"invalid", "application/json; version=10.0", ng},
	} {
		r := httptest.NewRequest("GET", "/api/documents/", nil)
		if c.accept != "" {
			r.Header.Set("Accept", c.accept)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				in := reqInfo{ep: c.ep}
				negotiate(r, &in, 1)
			}
		})
	}
}
