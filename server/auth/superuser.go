package auth

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/quirehq/quire/store"
)

// EnsureSuperuser makes sure an active superuser (and staff member) named
// username exists whose password is password: it creates the user, or
// updates an existing one (found case-insensitively), hashing the password
// with DefaultParams only when the stored hash does not already verify it
// (or is outdated) and setting the three flags. A password it replaces
// also ends the user's sessions. It runs at start from
// QUIRE_ADMIN_USER/QUIRE_ADMIN_PASSWORD and for `quire createsuperuser`.
// A non-empty email is stored too. It reports whether it created the user.
// The memory of its password hashes is handed back to the operating system
// before it returns (it runs once, at start, where a serving process would
// otherwise keep it).
// Errors: Validation for an empty username or password.
func EnsureSuperuser(ctx context.Context, st *store.Store, username, password, email string) (created bool, err error) {
	if password == "" {
		return false, &store.Error{Code: store.Validation, Message: "invalid input",
			Fields: map[string][]string{"password": {"This field may not be blank."}}}
	}
	defer debug.FreeOSMemory()
	u, err := st.UserByUsername(ctx, username)
	if store.ErrorCode(err) == store.NotFound {
		u = &store.User{Username: username, Email: email, Password: HashPassword(password), IsSuperuser: true, IsStaff: true, IsActive: true}
		err = st.CreateUser(ctx, u)
		if store.ErrorCode(err) != store.Conflict { // a concurrent start created it: update below
			if err != nil {
				return false, fmt.Errorf("create superuser %q: %w", username, err)
			}
			return true, nil
		}
		u, err = st.UserByUsername(ctx, username)
	}
	if err != nil {
		return false, fmt.Errorf("ensure superuser %q: %w", username, err)
	}
	ok, rehash, verr := VerifyPassword(password, u.Password)
	if !ok || rehash || verr != nil {
		u.Password = HashPassword(password)
		if err := st.SetPassword(ctx, u.ID, u.Password); err != nil {
			return false, fmt.Errorf("set password of superuser %q: %w", username, err)
		}
		if !ok {
			if _, err := st.DeleteUserSessions(ctx, u.ID); err != nil {
				return false, fmt.Errorf("end sessions of superuser %q: %w", username, err)
			}
		}
	}
	if u.IsSuperuser && u.IsStaff && u.IsActive && (email == "" || u.Email == email) {
		return false, nil
	}
	u.IsSuperuser, u.IsStaff, u.IsActive = true, true, true
	if email != "" {
		u.Email = email
	}
	if err := st.UpdateUser(ctx, u); err != nil {
		return false, fmt.Errorf("make %q a superuser: %w", username, err)
	}
	return false, nil
}
