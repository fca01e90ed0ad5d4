package rest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The API root lists, from version 1 on, the collections paperless-ngx
// registered later (clients of paperless-ngx 1.x ask for version 2 and
// look for them), and every link answers in the version asked; version 0
// keeps the 0.9 root.
func TestRootEraLinks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		extra := []string{"storage_paths", "tasks", "users", "groups", "share_links", "custom_fields"}
		root := func(e *env, opts ...opt) map[string]string {
			t.Helper()
			var m map[string]string
			if err := json.Unmarshal(e.want(e.do("GET", "/api/", nil, opts...), 200), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		asV1 := func(r *http.Request) { r.Header.Set("Accept", "application/json; version=1") }
		for _, c := range []struct {
			name string
			opts []opt
		}{{"v1", []opt{asV1}}, {"v2", nil}, {"v9", []opt{asV9}}, {"v10", []opt{asV10}}} {
			m := root(e, c.opts...)
			if len(m) != 6+len(extra) {
				t.Errorf("%s: %d links: %v", c.name, len(m), m)
			}
			for _, k := range extra {
				link, ok := m[k]
				if !ok {
					t.Errorf("%s: no %s link", c.name, k)
					continue
				}
				e.want(e.do("GET", strings.TrimPrefix(link, "http://testserver"), nil, c.opts...), 200)
			}
			for _, k := range []string{"mail_accounts", "mail_rules"} {
				if _, ok := m[k]; ok {
					t.Errorf("%s links %s, which Quire does not serve", c.name, k)
				}
			}
		}
		if m := root(e.withDefaultVersion("0")); len(m) != 6 {
			t.Errorf("v0 root: %v", m)
		}
	})
}
