package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// newTokenKey returns 40 random lower-case hex characters, the shape of a
// DRF authtoken key.
func newTokenKey() string {
	var b [20]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return hex.EncodeToString(b[:])
}

// Token returns the token with the given key, or a NotFound error (whose
// message does not repeat the key).
func (s *Store) Token(ctx context.Context, key string) (*Token, error) {
	t := new(Token)
	err := s.db(ctx).NewSelect().Model(t).Where(`"key" = ?`, key).Limit(1).Scan(ctx)
	if err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, Errorf(NotFound, "token not found")
		}
		return nil, fmt.Errorf("load token: %w", translate(err))
	}
	return t, nil
}

// tokenOfUser returns the user's token from the writer (or the
// transaction in ctx), so a token just inserted is always seen.
func (s *Store) tokenOfUser(ctx context.Context, userID int) (*Token, error) {
	t := new(Token)
	err := s.wdb(ctx).NewSelect().Model(t).Where("user_id = ?", userID).Limit(1).Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return t, nil
}

// TokenForUser returns the user's API token, creating it with a random key
// (crypto/rand) when the user has none. Concurrent calls for one user, on
// any number of processes, all return the same key: the insert is
// `ON CONFLICT DO NOTHING` on the one-token-per-user index, and the row is
// read back after it. Errors: NotFound when the user does not exist.
func (s *Store) TokenForUser(ctx context.Context, userID int) (*Token, error) {
	if t, err := s.tokenOfUser(ctx, userID); err == nil {
		return t, nil
	} else if ErrorCode(err) != NotFound {
		return nil, fmt.Errorf("load token of user %d: %w", userID, err)
	}
	// A second attempt only matters if a fresh key collided with another
	// user's (2^-160); one retry is plenty.
	for range 2 {
		t := &Token{Key: newTokenKey(), UserID: userID, Created: s.Now()}
		_, err := s.wdb(ctx).NewInsert().Model(t).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			if ErrorCode(translate(err)) == Validation { // foreign key: no such user
				return nil, notFound("user", userID)
			}
			return nil, fmt.Errorf("create token for user %d: %w", userID, translate(err))
		}
		t, err = s.tokenOfUser(ctx, userID)
		if err == nil {
			return t, nil
		}
		if ErrorCode(err) != NotFound {
			return nil, fmt.Errorf("load token of user %d: %w", userID, err)
		}
	}
	return nil, fmt.Errorf("create token for user %d: no row after insert", userID)
}

// DeleteToken revokes the user's API token; TokenForUser will then create
// a new one. Errors: NotFound when the user has no token.
func (s *Store) DeleteToken(ctx context.Context, userID int) error {
	res, err := s.wdb(ctx).NewDelete().Model((*Token)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete token of user %d: %w", userID, translate(err))
	}
	return affectedOrNotFound(res, Errorf(NotFound, "user %d has no token", userID))
}

// UserByToken returns the user owning the API token key, in one query.
// Errors: NotFound when no such token (or user) exists.
func (s *Store) UserByToken(ctx context.Context, key string) (*User, error) {
	u := new(User)
	err := s.db(ctx).NewSelect().Model(u).
		Join(`JOIN tokens AS tok ON tok.user_id = "user".id`).
		Where(`tok."key" = ?`, key).Limit(1).Scan(ctx)
	if err != nil {
		if ErrorCode(translate(err)) == NotFound {
			return nil, Errorf(NotFound, "token not found")
		}
		return nil, fmt.Errorf("load user by token: %w", translate(err))
	}
	return u, nil
}
