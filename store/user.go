package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"
)

// Username limits, as Django's auth.User has them.
const maxUsernameLen = 150

// UsernameKey returns the key usernames are unique and looked up by: the
// Unicode case folding of username, so "Alice" and "ALICE" are one user.
func UsernameKey(username string) string {
	for i := 0; i < len(username); i++ {
		if username[i] >= utf8.RuneSelf {
			// A Caser keeps state, so each call gets its own.
			return cases.Fold().String(username)
		}
	}
	return strings.ToLower(username)
}

// User returns the user with the given id, or a NotFound error.
func (s *Store) User(ctx context.Context, id int) (*User, error) {
	u := new(User)
	err := s.db(ctx).NewSelect().Model(u).Where("id = ?", id).Limit(1).Scan(ctx)
	if err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, notFound("user", id)
		}
		return nil, fmt.Errorf("load user %d: %w", id, translate(err))
	}
	return u, nil
}

// UserByUsername returns the user whose username equals username ignoring
// case (see UsernameKey), or a NotFound error.
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	if TextProblem(username) != "" { // no username has one
		return nil, Errorf(NotFound, "user %q not found", username)
	}
	u := new(User)
	err := s.db(ctx).NewSelect().Model(u).Where("username_key = ?", UsernameKey(username)).Limit(1).Scan(ctx)
	if err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, Errorf(NotFound, "user %q not found", username)
		}
		return nil, fmt.Errorf("load user %q: %w", username, translate(err))
	}
	return u, nil
}

// Users returns every user, ordered by username (case-insensitively), then id.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var users []User
	err := s.db(ctx).NewSelect().Model(&users).OrderExpr("username_key ASC, id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", translate(err))
	}
	return users, nil
}

// HasUsers reports whether at least one user exists, active or not (a
// single EXISTS probe; the server uses it to explain a first start).
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	ok, err := s.db(ctx).NewSelect().TableExpr("users").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("check for users: %w", translate(err))
	}
	return ok, nil
}

// validateUser checks the fields the database constrains and sets
// UsernameKey. Errors are Validation errors keyed by field name.
func validateUser(u *User) error {
	fe := FieldErrors{}
	switch {
	case strings.TrimSpace(u.Username) == "":
		fe.Add("username", "This field may not be blank.")
	case utf8.RuneCountInString(u.Username) > maxUsernameLen:
		fe.Add("username", fmt.Sprintf("Ensure this field has no more than %d characters.", maxUsernameLen))
	}
	if u.Password == "" {
		fe.Add("password", "This field may not be blank.")
	}
	u.UsernameKey = UsernameKey(u.Username)
	return fe.Err()
}

func usernameTaken() *Error {
	return &Error{
		Code:    Conflict,
		Message: "a user with that username already exists",
		Fields:  map[string][]string{"username": {"A user with that username already exists."}},
	}
}

// CreateUser inserts u and sets its ID and UsernameKey (and DateJoined,
// when zero, to now). u.Password must already hold an encoded hash (see
// server/auth). A user who is not a superuser gets DefaultPermissions (a
// caller with an explicit list replaces them with SetUserPermissions in
// the same transaction). Errors: Validation for a blank or too long username or an
// empty password; Conflict (field "username") when a user with the same
// username ignoring case exists.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	if u.DateJoined.IsZero() {
		u.DateJoined = s.Now()
	}
	u.DateJoined = u.DateJoined.UTC()
	return s.InTx(ctx, func(ctx context.Context) error {
		exists, err := s.db(ctx).NewSelect().Model((*User)(nil)).Where("username_key = ?", u.UsernameKey).Exists(ctx)
		if err != nil {
			return fmt.Errorf("check username %q: %w", u.Username, translate(err))
		}
		if exists {
			return usernameTaken()
		}
		u.AccessVersion = 0
		if _, err := s.wdb(ctx).NewInsert().Model(u).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			if ErrorCode(translate(err)) == Conflict {
				return usernameTaken()
			}
			return fmt.Errorf("create user %q: %w", u.Username, translate(err))
		}
		if u.IsSuperuser {
			return nil
		}
		return s.writeUserPermissions(ctx, u.ID, DefaultPermissions())
	})
}

// UpdateUser writes every column of u (found by u.ID) but AccessVersion
// and sets u.UsernameKey. Errors: NotFound when the user does not exist, and the
// Validation and Conflict errors of CreateUser.
func (s *Store) UpdateUser(ctx context.Context, u *User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	u.DateJoined = u.DateJoined.UTC()
	if u.LastLogin != nil {
		t := u.LastLogin.UTC()
		u.LastLogin = &t
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		taken, err := s.db(ctx).NewSelect().Model((*User)(nil)).
			Where("username_key = ?", u.UsernameKey).Where("id <> ?", u.ID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("check username %q: %w", u.Username, translate(err))
		}
		if taken {
			return usernameTaken()
		}
		res, err := s.wdb(ctx).NewUpdate().Model(u).ExcludeColumn("id", "access_version").WherePK().Exec(ctx)
		if err != nil {
			if ErrorCode(translate(err)) == Conflict {
				return usernameTaken()
			}
			return fmt.Errorf("update user %d: %w", u.ID, translate(err))
		}
		return affectedOrNotFound(res, notFound("user", u.ID))
	})
}

// SetPassword replaces the encoded password hash of a user. It neither
// logs the user's sessions out nor revokes its token; callers changing a
// password on the user's behalf decide that (see DeleteUserSessions).
// Errors: NotFound when the user does not exist; Validation for an empty hash.
func (s *Store) SetPassword(ctx context.Context, userID int, encodedHash string) error {
	if encodedHash == "" {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{"password": {"This field may not be blank."}}}
	}
	res, err := s.wdb(ctx).NewUpdate().Model((*User)(nil)).
		Set("password = ?", encodedHash).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, translate(err))
	}
	return affectedOrNotFound(res, notFound("user", userID))
}

// TouchLastLogin sets a user's last_login to t. Errors: NotFound when the
// user does not exist.
func (s *Store) TouchLastLogin(ctx context.Context, userID int, t time.Time) error {
	res, err := s.wdb(ctx).NewUpdate().Model((*User)(nil)).
		Set("last_login = ?", t.UTC()).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set last login of user %d: %w", userID, translate(err))
	}
	return affectedOrNotFound(res, notFound("user", userID))
}

// affectedOrNotFound returns notFoundErr when res touched no row.
func affectedOrNotFound(res sql.Result, notFoundErr error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("count affected rows: %w", err)
	}
	if n == 0 {
		return notFoundErr
	}
	return nil
}
