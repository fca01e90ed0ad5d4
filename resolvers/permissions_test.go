package resolvers_test

import (
	"context"
	"net/http"
	"sort"
	"testing"

	"github.com/quirehq/quire/graph"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// TestOperationPermissions: every root field of the schema has an entry
// in the global permission table (a new operation fails here until it is
// listed), and every codename there is a real one.
func TestOperationPermissions(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	var missing []string
	for _, def := range []string{"Query", "Mutation", "Subscription"} {
		typ := schema.Types[def]
		if typ == nil {
			continue
		}
		for _, f := range typ.Fields {
			if f.Name[0] == '_' {
				continue
			}
			code, ok := resolvers.OperationPermission(f.Name)
			if !ok {
				missing = append(missing, def+"."+f.Name)
				continue
			}
			if code != "" && !store.ValidPermission(code) {
				t.Errorf("%s.%s needs unknown codename %q", def, f.Name, code)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without a global permission in resolvers/permissions.go opPerms: %v", missing)
	}
}

// asFresh serves h as u, loading u's groups and permissions on every
// request as the authenticator does.
func (e *env) asFresh(u *store.User) http.Handler {
	h := e.res.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := resolvers.WithLoaders(r.Context(), e.st)
		p, err := e.st.Access(ctx, u)
		if err != nil {
			e.t.Fatal(err)
		}
		cp := *u
		cp.Access = p
		h.ServeHTTP(w, r.WithContext(resolvers.WithUser(ctx, &cp)))
	})
}

// TestGlobalPermissions: a user needs view_/add_/change_/delete_ of the
// model for reads, creation, changes and deletion; held directly or
// through a group; missing is FORBIDDEN with DRF's message.
func TestGlobalPermissions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := &store.User{Username: "limited", Password: "!", IsActive: true}
		if err := e.st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetUserPermissions(ctx, u.ID, []string{"view_tag"}); err != nil {
			t.Fatal(err)
		}
		h := e.asFresh(u)
		var tags struct{ Tags struct{ TotalCount int } }
		if errs := e.do(h, `{ tags { totalCount } }`, &tags); len(errs) > 0 {
			t.Fatalf("view_tag holder reads tags: %+v", errs)
		}
		for _, q := range []string{
			`mutation { createTag(input: {name: "x"}) { id } }`,
			`{ correspondents { totalCount } }`,
			`{ documents { totalCount } }`,
			`{ users { id } }`,
			`{ a: tags { totalCount } b: documentTypes { totalCount } }`,
		} {
			errs := e.do(h, q, nil)
			got := e.wantCode(errs, "FORBIDDEN")
			if got.Message != resolvers.MsgForbidden {
				t.Errorf("%s: message %q", q, got.Message)
			}
		}
		g := &store.Group{Name: "taggers"}
		if err := e.st.CreateGroup(ctx, g, []string{"add_tag"}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetUserGroups(ctx, u.ID, []int{g.ID}); err != nil {
			t.Fatal(err)
		}
		if errs := e.do(h, `mutation { createTag(input: {name: "x"}) { id } }`, nil); len(errs) > 0 {
			t.Fatalf("add_tag through a group: %+v", errs)
		}
		// The caller's own account needs nothing.
		if errs := e.do(h, `{ me { id } profile { email } }`, nil); len(errs) > 0 {
			t.Fatalf("own account: %+v", errs)
		}
		// Superusers hold every permission.
		if errs := e.do(e.c, `{ users { id } documents { totalCount } }`, nil); len(errs) > 0 {
			t.Fatalf("superuser: %+v", errs)
		}
	})
}
