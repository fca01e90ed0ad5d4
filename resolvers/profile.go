package resolvers

import (
	"context"
	"net/mail"
	"runtime/debug"
	"strings"
	"time"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
)

// PasswordHasher encodes a new password for storage. The server's
// Credentials implement it; without it password changes fail Internal.
type PasswordHasher interface {
	HashPassword(password string) string
}

// StorageReporter is implemented by a Consumer that can measure the file
// system of its data folder (serverStatus reports it).
type StorageReporter interface {
	Storage() (total, available uint64, err error)
}

// NGXVersion is the paperless-ngx release whose API the v9/v10 shapes
// follow (the version ui_settings reports to its clients).
const NGXVersion = "3.0.5"

// QuireVersion is the version of the running binary ("dev" when built
// without module information).
func QuireVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "dev"
}

// permissionModels are paperless-ngx's models with global permissions.
var permissionModels = []string{"document", "tag", "correspondent", "documenttype", "storagepath", "customfield",
	"savedview", "note", "sharelink", "sharelinkbundle", "paperlesstask", "uisettings", "workflow", "workflowtrigger",
	"workflowaction", "mailaccount", "mailrule", "processedmail", "user", "group", "logentry", "applicationconfiguration"}

// UserPermissions are u's global permission codenames. Quire has no
// per-user permissions yet: every user may do everything paperless-ng
// allowed; only superusers see and manage users.
func UserPermissions(u *store.User) []string {
	var out []string
	for _, m := range permissionModels {
		if (m == "user" || m == "group") && !u.IsSuperuser {
			if m == "group" { // the (empty) group list is open to all
				out = append(out, "view_group")
			}
			continue
		}
		for _, a := range []string{"view", "add", "change", "delete"} {
			out = append(out, a+"_"+m)
		}
	}
	if u.IsSuperuser || u.IsStaff {
		out = append(out, "view_global_statistics", "view_system_monitoring")
	}
	return out
}

// PermissionApp is the Django app label of a permission codename
// (documents, paperless_mail, auth, auditlog or paperless).
func PermissionApp(codename string) string {
	_, m, _ := strings.Cut(codename, "_")
	switch m {
	case "mailaccount", "mailrule", "processedmail":
		return "paperless_mail"
	case "user", "group":
		return "auth"
	case "logentry":
		return "auditlog"
	case "applicationconfiguration", "global_statistics", "system_monitoring":
		return "paperless"
	}
	return "documents"
}

// uiSettings returns the caller's stored UI settings with the server's
// keys merged in (paperless-ngx's GET /api/ui_settings/).
func (r *Resolver) uiSettings(ctx context.Context) (*model.UISettings, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	st, err := r.Store.UISettings(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	uc, _ := st["update_checking"].(map[string]any)
	if uc == nil {
		uc = map[string]any{}
	}
	uc["backend_setting"] = "default"
	st["update_checking"] = uc
	st["trash_delay"] = r.trashDelayDays()
	st["version"] = NGXVersion
	st["app_title"] = nil
	st["app_logo"] = nil
	st["auditlog_enabled"] = r.Store.AuditLog()
	st["email_enabled"] = false
	st["ai_enabled"] = false
	return &model.UISettings{User: u, Settings: st, Permissions: effectivePermissions(ctx)}, nil
}

// setUISettings replaces the caller's stored settings, dropping the
// server-owned update_checking.backend_setting.
func (r *Resolver) setUISettings(ctx context.Context, settings map[string]any) (bool, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return false, err
	}
	if settings == nil {
		return false, store.FieldErrors{"settings": {"This field is required."}}.Err()
	}
	if uc, ok := settings["update_checking"].(map[string]any); ok {
		delete(uc, "backend_setting")
	}
	if err := r.Store.SetUISettings(ctx, u.ID, settings); err != nil {
		return false, err
	}
	return true, nil
}

func (r *Resolver) profileOf(ctx context.Context, u *store.User) (*model.Profile, error) {
	tok, err := r.Store.UserToken(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &model.Profile{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, AuthToken: tok,
		HasUsablePassword: u.Password != "" && !strings.HasPrefix(u.Password, "!")}, nil
}

// keepsPassword says whether a password field means "unchanged": absent,
// or only asterisks (the masked value clients read back).
func keepsPassword(p *string) bool {
	return p == nil || (*p != "" && strings.Trim(*p, "*") == "")
}

func (r *Resolver) hashPassword(p string) (string, error) {
	h, ok := r.Credentials.(PasswordHasher)
	if !ok {
		return "", store.Errorf(store.Internal, "no password hasher configured")
	}
	return h.HashPassword(p), nil
}

// updateProfile changes the caller's email, names and password.
func (r *Resolver) updateProfile(ctx context.Context, in model.ProfileInput) (*model.Profile, error) {
	cur, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	u, err := r.Store.User(ctx, cur.ID)
	if err != nil {
		return nil, err
	}
	if in.Password != nil && *in.Password == "" {
		in.Password = nil
	}
	if err := r.applyUserInput(ctx, u, model.UserInput{Email: in.Email, Password: in.Password,
		FirstName: in.FirstName, LastName: in.LastName}); err != nil {
		return nil, err
	}
	return r.profileOf(ctx, u)
}

// applyUserInput writes in onto u (an existing user) and stores it.
func (r *Resolver) applyUserInput(ctx context.Context, u *store.User, in model.UserInput) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if in.Email != nil && *in.Email != "" {
		if a, err := mail.ParseAddress(*in.Email); err != nil || a.Address != *in.Email || a.Name != "" {
			return store.FieldErrors{"email": {"Enter a valid email address."}}.Err()
		}
	}
	set(&u.Username, in.Username)
	set(&u.Email, in.Email)
	set(&u.FirstName, in.FirstName)
	set(&u.LastName, in.LastName)
	for _, b := range []struct {
		dst *bool
		v   *bool
	}{{&u.IsActive, in.IsActive}, {&u.IsStaff, in.IsStaff}, {&u.IsSuperuser, in.IsSuperuser}} {
		if b.v != nil {
			*b.dst = *b.v
		}
	}
	if !keepsPassword(in.Password) {
		h, err := r.hashPassword(*in.Password)
		if err != nil {
			return err
		}
		u.Password = h
	}
	if u.ID == 0 {
		return r.Store.CreateUser(ctx, u)
	}
	return r.Store.UpdateUser(ctx, u)
}

// regenerateToken replaces the caller's API token.
func (r *Resolver) regenerateToken(ctx context.Context) (string, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return "", err
	}
	t, err := r.Store.RegenerateToken(ctx, u.ID)
	if err != nil {
		return "", err
	}
	return t.Key, nil
}

// createUser makes a user (superusers only). A password is required.
func (r *Resolver) createUser(ctx context.Context, in model.UserInput) (*store.User, error) {
	if _, err := requireSuperuser(ctx); err != nil {
		return nil, err
	}
	fe := store.FieldErrors{}
	if in.Username == nil {
		fe.Add("username", msgRequired)
	}
	if keepsPassword(in.Password) || *in.Password == "" {
		fe.Add("password", msgRequired)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	u := &store.User{IsActive: true}
	err := r.Store.InTx(ctx, func(ctx context.Context) error {
		if err := r.applyUserInput(ctx, u, in); err != nil {
			return err
		}
		return r.applyUserAccess(ctx, u.ID, UserAccessInput{Groups: in.Groups, Permissions: in.UserPermissions})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// updateUser changes a user (superusers only).
func (r *Resolver) updateUser(ctx context.Context, id int, in model.UserInput) (*store.User, error) {
	if _, err := requireSuperuser(ctx); err != nil {
		return nil, err
	}
	u, err := r.Store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Password != nil && *in.Password == "" {
		return nil, store.FieldErrors{"password": {msgBlank}}.Err()
	}
	err = r.Store.InTx(ctx, func(ctx context.Context) error {
		if err := r.applyUserInput(ctx, u, in); err != nil {
			return err
		}
		return r.applyUserAccess(ctx, u.ID, UserAccessInput{Groups: in.Groups, Permissions: in.UserPermissions})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// deleteUser deletes a user (superusers only; not oneself).
func (r *Resolver) deleteUser(ctx context.Context, id int) (int, error) {
	me, err := requireSuperuser(ctx)
	if err != nil {
		return 0, err
	}
	if me.ID == id {
		return 0, store.Errorf(store.Forbidden, "You cannot delete yourself.")
	}
	if err := r.Store.DeleteUser(ctx, id); err != nil {
		return 0, err
	}
	return id, nil
}

// serverStatus reports what Quire knows about its components
// (superusers and staff).
func (r *Resolver) serverStatus(ctx context.Context) (*model.ServerStatus, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if !u.IsSuperuser && !u.IsStaff {
		return nil, store.Errorf(store.Forbidden, "You do not have permission to perform this action.")
	}
	st := &model.ServerStatus{Version: QuireVersion(), DatabaseType: "sqlite", UnappliedMigrations: []string{}}
	if r.Store.IsPostgres() {
		st.DatabaseType = "postgresql"
	}
	ok := &model.ComponentStatus{Status: "OK"}
	bad := func(msg string) *model.ComponentStatus { return &model.ComponentStatus{Status: "ERROR", Error: &msg} }
	latest, unapplied, err := r.Store.MigrationStatus(ctx)
	if err != nil {
		st.Database = bad(err.Error())
	} else {
		st.Database, st.UnappliedMigrations = ok, unapplied
		if latest != "" {
			st.LatestMigration = &latest
		}
	}
	if sr, isSR := r.Consumer.(StorageReporter); isSR {
		if total, avail, err := sr.Storage(); err == nil {
			t, a := float64(total), float64(avail)
			st.StorageTotal, st.StorageAvailable = &t, &a
		}
	}
	st.Index = ok
	if r.Search == nil {
		st.Index = bad("no full-text search engine is configured")
	}
	st.Classifier = ok
	if r.Consumer == nil {
		st.Classifier = bad("consumption is not configured")
	}
	since := r.Store.Now().Add(-30 * 24 * time.Hour)
	count := func(states ...store.TaskState) int {
		_, n, _, err := r.Store.Tasks(ctx, store.TaskQuery{States: states, CreatedAfter: &since, Page: store.Page{Size: 1}})
		if err != nil {
			return 0
		}
		return n
	}
	st.TasksTotal = count()
	st.TasksPending = count(store.TaskQueued, store.TaskRunning)
	st.TasksSuccess = count(store.TaskSuccess)
	st.TasksFailure = count(store.TaskFailed)
	return st, nil
}
