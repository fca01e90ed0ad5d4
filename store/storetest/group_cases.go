package storetest

import (
	"slices"
	"testing"

	"github.com/quirehq/quire/store"
)

// Groups, memberships and global permissions (NGX.md §4.1, §10).
func init() {
	tests = append(tests,
		test{"GroupCRUD", testGroupCRUD},
		test{"ErrGroupValidation", testErrGroupValidation},
		test{"UserDefaultPermissions", testUserDefaultPermissions},
		test{"AccessThroughGroups", testAccessThroughGroups},
		test{"AccessVersionBumps", testAccessVersionBumps},
	)
}

func mustGroup(t *testing.T, s *store.Store, name string, perms ...string) *store.Group {
	t.Helper()
	g := &store.Group{Name: name}
	if err := s.CreateGroup(ctx, g, perms); err != nil {
		t.Fatalf("create group %q: %v", name, err)
	}
	return g
}

func testGroupCRUD(t *testing.T, s *store.Store) {
	b := mustGroup(t, s, "Bookkeeping", "view_document", "change_document", "view_document")
	a := mustGroup(t, s, "accounts")
	gs, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].ID != a.ID || gs[1].ID != b.ID {
		t.Fatalf("groups not by name ignoring case: %+v", gs)
	}
	perms, err := s.GroupsPermissions(ctx, []int{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(perms[b.ID], []string{"change_document", "view_document"}) || len(perms[a.ID]) != 0 {
		t.Fatalf("permissions %v", perms)
	}
	name := "Books"
	g, err := s.UpdateGroup(ctx, b.ID, store.GroupUpdate{Name: &name, Permissions: &[]string{"view_tag"}})
	if err != nil || g.Name != "Books" {
		t.Fatalf("update: %+v %v", g, err)
	}
	perms, _ = s.GroupsPermissions(ctx, []int{b.ID})
	if !slices.Equal(perms[b.ID], []string{"view_tag"}) {
		t.Fatalf("permissions after update %v", perms)
	}
	u := mustUser(t, s, "anna")
	if err := s.SetUserGroups(ctx, u, []int{b.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGroup(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Group(ctx, b.ID); store.ErrorCode(err) != store.NotFound {
		t.Fatalf("deleted group: %v", err)
	}
	acc, err := s.UsersAccess(ctx, []int{u})
	if err != nil || len(acc[u].Groups) != 0 {
		t.Fatalf("member keeps the deleted group: %+v %v", acc[u], err)
	}
	wantCode(t, s.DeleteGroup(ctx, b.ID), store.NotFound, "-")
}

func testErrGroupValidation(t *testing.T, s *store.Store) {
	mustGroup(t, s, "Staff")
	wantCode(t, s.CreateGroup(ctx, &store.Group{Name: "STAFF"}, nil), store.Conflict, "name")
	wantCode(t, s.CreateGroup(ctx, &store.Group{Name: " "}, nil), store.Validation, "name")
	wantCode(t, s.CreateGroup(ctx, &store.Group{Name: "x"}, []string{"fly_document"}), store.Validation, "permissions")
	other := mustGroup(t, s, "Other")
	name := "staff"
	_, err := s.UpdateGroup(ctx, other.ID, store.GroupUpdate{Name: &name})
	wantCode(t, err, store.Conflict, "name")
	_, err = s.UpdateGroup(ctx, 9999, store.GroupUpdate{Name: &name})
	wantCode(t, err, store.NotFound, "-")
	u := mustUser(t, s, "bert")
	wantCode(t, s.SetUserGroups(ctx, u, []int{9999}), store.Validation, "groups")
	wantCode(t, s.SetUserPermissions(ctx, u, []string{"view_nothing"}), store.Validation, "userPermissions")
	wantCode(t, s.SetUserPermissions(ctx, 9999, nil), store.NotFound, "-")
}

func testUserDefaultPermissions(t *testing.T, s *store.Store) {
	id := mustUser(t, s, "carla")
	u, err := s.User(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Access(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range store.DefaultPermissions() {
		if !p.Has(c) {
			t.Errorf("new user lacks %s", c)
		}
	}
	if p.Has("view_user") || p.Has("add_group") || !p.Restricted() {
		t.Errorf("new user has more than the default set: %v", p.Perms)
	}
	// An explicit empty list is taken as is.
	if err := s.SetUserPermissions(ctx, id, []string{}); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Access(ctx, u); len(p.Perms) != 0 {
		t.Errorf("after clearing: %v", p.Perms)
	}
	admin := &store.User{Username: "root", Password: "!", IsActive: true, IsSuperuser: true}
	if err := s.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Access(ctx, admin); !p.Superuser || !p.Has("delete_user") {
		t.Errorf("superuser principal %+v", p)
	}
	acc, _ := s.UsersAccess(ctx, []int{admin.ID})
	if len(acc[admin.ID].Direct) != 0 {
		t.Errorf("a superuser got stored permissions %v", acc[admin.ID].Direct)
	}
}

func testAccessThroughGroups(t *testing.T, s *store.Store) {
	g1 := mustGroup(t, s, "g1", "view_tag", "add_tag")
	g2 := mustGroup(t, s, "g2", "view_tag", "view_user")
	id := mustUser(t, s, "dora")
	if err := s.SetUserPermissions(ctx, id, []string{"view_document"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserGroups(ctx, id, []int{g2.ID, g1.ID, g1.ID}); err != nil {
		t.Fatal(err)
	}
	u, _ := s.User(ctx, id)
	p, err := s.Access(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	wantList(t, "group ids", p.GroupIDs, g1.ID, g2.ID)
	for _, c := range []string{"view_document", "view_tag", "add_tag", "view_user"} {
		if !p.Has(c) {
			t.Errorf("lacks %s", c)
		}
	}
	if p.Has("change_tag") {
		t.Error("has change_tag")
	}
	acc, _ := s.UsersAccess(ctx, []int{id})
	if !slices.Equal(acc[id].Direct, []string{"view_document"}) ||
		!slices.Equal(acc[id].Inherited, []string{"add_tag", "view_tag", "view_user"}) {
		t.Errorf("access %+v", acc[id])
	}
	members, _ := s.GroupsMembers(ctx, []int{g1.ID, g2.ID})
	if !slices.Equal(members[g1.ID], []int{id}) || !slices.Equal(members[g2.ID], []int{id}) {
		t.Errorf("members %v", members)
	}
}

// AccessVersion changes with every change of what a user holds, so a
// cache keyed by it never serves stale permissions; a user update from a
// stale row does not roll it back.
func testAccessVersionBumps(t *testing.T, s *store.Store) {
	g := mustGroup(t, s, "g")
	id := mustUser(t, s, "emil")
	version := func() int {
		t.Helper()
		u, err := s.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.AccessVersion
	}
	stale, _ := s.User(ctx, id)
	steps := []struct {
		name string
		fn   func() error
	}{
		{"SetUserGroups", func() error { return s.SetUserGroups(ctx, id, []int{g.ID}) }},
		{"SetUserPermissions", func() error { return s.SetUserPermissions(ctx, id, nil) }},
		{"UpdateGroupPermissions", func() error {
			_, err := s.UpdateGroup(ctx, g.ID, store.GroupUpdate{Permissions: &[]string{"view_tag"}})
			return err
		}},
		{"DeleteGroup", func() error { return s.DeleteGroup(ctx, g.ID) }},
	}
	last := version()
	for _, st := range steps {
		if err := st.fn(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if v := version(); v == last {
			t.Errorf("%s left access_version at %d", st.name, v)
		} else {
			last = v
		}
	}
	stale.FirstName = "Emil"
	if err := s.UpdateUser(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != last {
		t.Errorf("UpdateUser from a stale row set access_version %d, want %d", v, last)
	}
}
