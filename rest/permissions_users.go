package rest

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Users and groups (NGX.md §10): /api/users/ and /api/groups/, with the
// groups and global permissions of users and the permissions of groups.

type userJSON struct {
	ID                   int      `json:"id"`
	Username             string   `json:"username"`
	Email                string   `json:"email"`
	Password             string   `json:"password"`
	FirstName            string   `json:"first_name"`
	LastName             string   `json:"last_name"`
	DateJoined           jsonTime `json:"date_joined"`
	IsStaff              bool     `json:"is_staff"`
	IsActive             bool     `json:"is_active"`
	IsSuperuser          bool     `json:"is_superuser"`
	Groups               []int    `json:"groups"`
	UserPermissions      []string `json:"user_permissions"`
	InheritedPermissions []string `json:"inherited_permissions"`
	IsMFAEnabled         bool     `json:"is_mfa_enabled"`
}

// userJSON is u with what it holds (acc nil: nothing). Inherited
// permissions carry their app label, as Django's get_group_permissions.
func (a *API) userJSON(u *store.User, acc *store.UserAccess) userJSON {
	if acc == nil {
		acc = &store.UserAccess{}
	}
	inherited := make([]string, len(acc.Inherited))
	for i, p := range acc.Inherited {
		inherited[i] = resolvers.PermissionApp(p) + "." + p
	}
	groups, direct := acc.Groups, acc.Direct
	if groups == nil {
		groups = []int{}
	}
	if direct == nil {
		direct = []string{}
	}
	return userJSON{ID: u.ID, Username: u.Username, Email: u.Email, Password: maskedPassword, FirstName: u.FirstName,
		LastName: u.LastName, DateJoined: a.at(u.DateJoined), IsStaff: u.IsStaff, IsActive: u.IsActive,
		IsSuperuser: u.IsSuperuser, Groups: groups, UserPermissions: direct, InheritedPermissions: inherited}
}

// oneUserJSON is userJSON with u's access loaded.
func (a *API) oneUserJSON(ctx context.Context, u *store.User) (userJSON, error) {
	acc, err := a.res.UserAccess(ctx, u)
	if err != nil {
		return userJSON{}, err
	}
	return a.userJSON(u, acc), nil
}

// userNames maps the resolvers' field names to the users endpoint's.
var userNames = map[string]string{"firstName": "first_name", "lastName": "last_name", "isActive": "is_active",
	"isStaff": "is_staff", "isSuperuser": "is_superuser", "userPermissions": "user_permissions"}

func (a *API) userList() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeWholeList(a, w, r, a.res.Query().Users, func(u *store.User) int { return u.ID },
			func(ctx context.Context, page []store.User, ids []int) ([]userJSON, error) {
				access, err := a.res.UsersAccess(ctx, ids)
				if err != nil {
					return nil, err
				}
				out := make([]userJSON, len(page))
				for i := range page {
					out[i] = a.userJSON(&page[i], access[page[i].ID])
				}
				return out, nil
			})
	}
}

// writeWholeList answers a page of a list the resolvers hand over whole
// (users, groups: a few per archive), rendering only the page's items;
// version 9 adds every id as `all`.
func writeWholeList[T, J any](a *API, w http.ResponseWriter, r *http.Request, load func(context.Context) ([]T, error),
	id func(*T) int, render func(ctx context.Context, page []T, ids []int) ([]J, error)) {
	p, ok := parsePage(r.URL.Query())
	if !ok {
		a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
		return
	}
	items, err := load(r.Context())
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	served := p.number
	if served < 0 {
		served = max(1, (len(items)+p.size-1)/p.size)
	}
	lo := min(len(items), (served-1)*p.size)
	hi := min(len(items), lo+p.size)
	all := make([]int, len(items))
	for i := range items {
		all[i] = id(&items[i])
	}
	out, err := render(r.Context(), items[lo:hi], all[lo:hi])
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	env, ok := pageEnvelope(r, p, served, len(items), out)
	if !ok {
		a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
		return
	}
	if info(r).version == 9 {
		env.All = &all
	}
	a.writeJSON(w, r, http.StatusOK, env)
}

func (a *API) userGet() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		u, err := a.res.Query().User(r.Context(), id)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		out, err := a.oneUserJSON(r.Context(), u)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, http.StatusOK, out)
	}
}

// userInput reads the writable user fields.
func userInput(b *body) model.UserInput {
	var in model.UserInput
	in.Username, _ = b.str("username", false, true)
	in.Email, _ = b.str("email", false, true)
	in.Password, _ = b.str("password", false, false)
	in.FirstName, _ = b.str("first_name", false, true)
	in.LastName, _ = b.str("last_name", false, true)
	in.IsActive, _ = b.boolean("is_active")
	in.IsStaff, _ = b.boolean("is_staff")
	in.IsSuperuser, _ = b.boolean("is_superuser")
	in.Groups, _ = b.pkList("groups")
	in.UserPermissions, _ = b.strList("user_permissions")
	return in
}

// strList reads a list of strings (a JSON list, or repeated form values).
func (b *body) strList(name string) ([]string, bool) {
	var items []any
	if b.obj != nil {
		x, ok := b.obj[name]
		if !ok {
			return nil, false
		}
		list, isList := x.([]any)
		if !isList {
			b.fail(name, `Expected a list of items but got type "`+pyType(x)+`".`)
			return nil, false
		}
		items = list
	} else {
		vs, ok := b.form[name]
		if !ok {
			return nil, false
		}
		for _, v := range vs {
			items = append(items, v)
		}
	}
	out := []string{}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			b.fail(name, "Not a valid string.")
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (a *API) userCreate() http.HandlerFunc {
	return a.userWrite(http.StatusCreated, func(r *http.Request, in model.UserInput) (*store.User, error) {
		return a.res.Mutation().CreateUser(r.Context(), in)
	})
}

func (a *API) userUpdate() http.HandlerFunc {
	update := a.userWrite(http.StatusOK, func(r *http.Request, in model.UserInput) (*store.User, error) {
		id, _ := pathID(r)
		return a.res.Mutation().UpdateUser(r.Context(), id, in)
	})
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := pathID(r); !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		update(w, r)
	}
}

// userWrite reads a user body and answers status with the user that
// write (CreateUser or UpdateUser) returns.
func (a *API) userWrite(status int, write func(*http.Request, model.UserInput) (*store.User, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		in := userInput(b)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		u, err := write(r, in)
		if err != nil {
			a.writeError(w, r, err, userNames)
			return
		}
		out, err := a.oneUserJSON(r.Context(), u)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		a.writeJSON(w, r, status, out)
	}
}

func (a *API) userDelete() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		if _, err := a.res.Mutation().DeleteUser(r.Context(), id); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		writeNoContent(w)
	}
}

type groupJSON struct {
	ID          int      `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

func groupOut(g *store.Group, perms []string) groupJSON {
	if perms == nil {
		perms = []string{}
	}
	return groupJSON{ID: g.ID, Name: g.Name, Permissions: perms}
}

func (a *API) groupList() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeWholeList(a, w, r, a.res.Query().Groups, func(g *store.Group) int { return g.ID },
			func(ctx context.Context, page []store.Group, ids []int) ([]groupJSON, error) {
				perms, err := a.res.GroupsPermissions(ctx, ids)
				if err != nil {
					return nil, err
				}
				out := make([]groupJSON, len(page))
				for i := range page {
					out[i] = groupOut(&page[i], perms[page[i].ID])
				}
				return out, nil
			})
	}
}

// writeGroup answers status with g and its permissions.
func (a *API) writeGroup(w http.ResponseWriter, r *http.Request, status int, g *store.Group, err error) {
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	perms, err := a.res.GroupPermissions(r.Context(), g)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	a.writeJSON(w, r, status, groupOut(g, perms))
}

func (a *API) groupGet() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		g, err := a.res.Query().Group(r.Context(), id)
		a.writeGroup(w, r, http.StatusOK, g, err)
	}
}

// groupInput reads a group body (name, permissions).
func groupInput(b *body) model.GroupInput {
	var in model.GroupInput
	in.Name, _ = b.str("name", false, true)
	in.Permissions, _ = b.strList("permissions")
	return in
}

func (a *API) groupCreate() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		in := groupInput(b)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		g, err := a.res.Mutation().CreateGroup(r.Context(), in)
		a.writeGroup(w, r, http.StatusCreated, g, err)
	}
}

func (a *API) groupUpdate() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		in := groupInput(b)
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		g, err := a.res.Mutation().UpdateGroup(r.Context(), id, in)
		a.writeGroup(w, r, http.StatusOK, g, err)
	}
}

func (a *API) groupDelete() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		if _, err := a.res.Mutation().DeleteGroup(r.Context(), id); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		writeNoContent(w)
	}
}
