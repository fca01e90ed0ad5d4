package store

import (
	"context"
	"fmt"
)

// CreateSession stores a browser session. s.Digest is the SHA-256 hex of
// the cookie value (the value itself is never stored); Created defaults to
// now. Errors: NotFound when the user does not exist; Conflict when the
// digest exists already.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	if sess.Created.IsZero() {
		sess.Created = s.Now()
	}
	sess.Created = sess.Created.UTC()
	sess.Expires = sess.Expires.UTC()
	if _, err := s.wdb(ctx).NewInsert().Model(sess).Exec(ctx); err != nil {
		switch ErrorCode(translate(err)) {
		case Validation: // foreign key
			return notFound("user", sess.UserID)
		case Conflict:
			return Errorf(Conflict, "session exists already")
		}
		return fmt.Errorf("create session for user %d: %w", sess.UserID, translate(err))
	}
	return nil
}

// Session returns the unexpired session with the given digest. Errors:
// NotFound when there is none or it has expired (by the store clock).
func (s *Store) Session(ctx context.Context, digest string) (*Session, error) {
	sess := new(Session)
	err := s.db(ctx).NewSelect().Model(sess).
		Where("digest = ?", digest).Where("expires > ?", s.Now()).Limit(1).Scan(ctx)
	if err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, Errorf(NotFound, "session not found")
		}
		return nil, fmt.Errorf("load session: %w", translate(err))
	}
	return sess, nil
}

// DeleteSession ends the session with the given digest (logout). Errors:
// NotFound when there is no such session (expired ones count as present
// until DeleteExpiredSessions removes them).
func (s *Store) DeleteSession(ctx context.Context, digest string) error {
	res, err := s.wdb(ctx).NewDelete().Model((*Session)(nil)).Where("digest = ?", digest).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete session: %w", translate(err))
	}
	return affectedOrNotFound(res, Errorf(NotFound, "session not found"))
}

// DeleteUserSessions ends every session of a user (after a password reset,
// or when the account is disabled) and returns how many there were.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int) (int, error) {
	res, err := s.wdb(ctx).NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("count deleted sessions: %w", err)
	}
	return int(n), nil
}

// DeleteExpiredSessions removes sessions whose expiry has passed (by the
// store clock) and returns how many it removed. A background worker calls
// it periodically; Session ignores expired rows either way.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int, error) {
	res, err := s.wdb(ctx).NewDelete().Model((*Session)(nil)).Where("expires <= ?", s.Now()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("count deleted sessions: %w", err)
	}
	return int(n), nil
}
