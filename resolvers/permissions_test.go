package resolvers_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
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

// TestOwnersAndGrantsGraphQL: owner and setPermissions on create and
// update inputs (absent owner = the creator, null = unowned), the owner,
// userCanChange and permissions fields, groups with members and
// permissions, and the groups and permissions of users.
func TestOwnersAndGrantsGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		anna := &store.User{Username: "anna", Password: "!", IsActive: true}
		bert := &store.User{Username: "bert", Password: "!", IsActive: true}
		for _, u := range []*store.User{anna, bert} {
			if err := e.st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		asAnna, asBert := e.asFresh(anna), e.asFresh(bert)
		type tagOut struct {
			ID            string
			Owner         *string
			UserCanChange bool
			Permissions   struct {
				View, Change struct{ Users, Groups []string }
			}
		}
		var created struct{ A, B tagOut }
		if errs := e.do(asAnna, `mutation { a: createTag(input: {name: "mine"}) { id owner } b: createTag(input: {name: "ours", owner: null}) { id owner } }`, &created); len(errs) > 0 {
			t.Fatal(errs)
		}
		if created.A.Owner == nil || *created.A.Owner != fmt.Sprint(anna.ID) || created.B.Owner != nil {
			t.Fatalf("owners %+v", created)
		}
		var g struct{ CreateGroup struct{ ID string } }
		e.mustDo(`mutation { createGroup(input: {name: "Team", permissions: ["view_tag"]}) { id } }`, &g)
		e.mustDo(fmt.Sprintf(`mutation { updateUser(id: %d, input: {groups: [%s]}) { id } }`, bert.ID, g.CreateGroup.ID), nil)
		var users struct {
			User struct {
				Groups               []struct{ Name string }
				UserPermissions      []string
				InheritedPermissions []string
			}
		}
		e.mustDo(fmt.Sprintf(`{ user(id: %d) { groups { name } userPermissions inheritedPermissions } }`, bert.ID), &users)
		if len(users.User.Groups) != 1 || users.User.Groups[0].Name != "Team" || len(users.User.UserPermissions) != len(store.DefaultPermissions()) ||
			fmt.Sprint(users.User.InheritedPermissions) != "[view_tag]" {
			t.Fatalf("bert %+v", users.User)
		}
		var members struct {
			Group struct{ Members []struct{ Username string } }
		}
		e.mustDo(fmt.Sprintf(`{ group(id: %s) { members { username } } }`, g.CreateGroup.ID), &members)
		if len(members.Group.Members) != 1 || members.Group.Members[0].Username != "bert" {
			t.Fatalf("members %+v", members)
		}
		// bert does not see anna's tag until the group is granted change.
		var one struct{ Tag tagOut }
		e.wantCode(e.do(asBert, fmt.Sprintf(`{ tag(id: %s) { id } }`, created.A.ID), nil), "NOT_FOUND")
		e.wantCode(e.do(asBert, fmt.Sprintf(`mutation { updateTag(id: %s, input: {owner: %d}) { id } }`, created.A.ID, bert.ID), nil), "NOT_FOUND")
		if errs := e.do(asAnna, fmt.Sprintf(`mutation { updateTag(id: %s, input: {setPermissions: {change: {groups: [%s]}}}) { id } }`,
			created.A.ID, g.CreateGroup.ID), nil); len(errs) > 0 {
			t.Fatal(errs)
		}
		if errs := e.do(asBert, fmt.Sprintf(`{ tag(id: %s) { id owner userCanChange permissions { view { users groups } change { users groups } } } }`, created.A.ID), &one); len(errs) > 0 {
			t.Fatal(errs)
		}
		if !one.Tag.UserCanChange || fmt.Sprint(one.Tag.Permissions.Change.Groups) != "["+g.CreateGroup.ID+"]" {
			t.Fatalf("bert's view %+v", one.Tag)
		}
		// A change grant does not allow changing the owner.
		e.wantCode(e.do(asBert, fmt.Sprintf(`mutation { updateTag(id: %s, input: {owner: %d}) { id } }`, created.A.ID, bert.ID), nil), "FORBIDDEN")
		// Unknown holders are VALIDATION; nothing was written.
		e.wantCode(e.do(asAnna, fmt.Sprintf(`mutation { updateTag(id: %s, input: {name: "renamed", setPermissions: {view: {users: [999]}}}) { id } }`, created.A.ID), nil), "VALIDATION")
		tg, err := e.st.Tag(ctx, mustAtoi(t, created.A.ID))
		if err != nil || tg.Name != "mine" {
			t.Fatalf("a refused update wrote %+v %v", tg, err)
		}
		// Deleting the group takes its grant.
		e.mustDo(fmt.Sprintf(`mutation { deleteGroup(id: %s) }`, g.CreateGroup.ID), nil)
		e.wantCode(e.do(asBert, fmt.Sprintf(`{ tag(id: %s) { id } }`, created.A.ID), nil), "NOT_FOUND")
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
