package rest

import (
	"sort"
	"testing"

	"github.com/quirehq/quire/resolvers"
)

// TestRouteOperations: every method of every route that needs
// authentication names an operation of the global permission table (a
// new route fails here until it is listed in routeOps), and every entry
// of routeOps is a route.
func TestRouteOperations(t *testing.T) {
	a := &API{}
	seen := map[string]bool{}
	var missing []string
	for _, ep := range a.routes() {
		if ep.Public {
			continue
		}
		for _, o := range ep.Ops {
			key := o.Method + " " + ep.Path
			seen[key] = true
			op, ok := routeOps[key]
			if !ok {
				missing = append(missing, key)
				continue
			}
			if _, ok := resolvers.OperationPermission(op); !ok {
				t.Errorf("%s names operation %q, which the permission table lacks", key, op)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes without an operation in rest/permissions.go routeOps: %q", missing)
	}
	for key := range routeOps {
		if !seen[key] {
			t.Logf("routeOps lists %s, which no route serves (yet)", key)
		}
	}
}
