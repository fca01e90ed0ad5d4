package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

func testHasUsers(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if ok, err := s.HasUsers(ctx); err != nil || ok {
		t.Fatalf("empty database: HasUsers = %v, %v", ok, err)
	}
	u := &store.User{Username: "dormant", Password: "!", IsActive: false, DateJoined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.HasUsers(ctx); err != nil || !ok {
		t.Fatalf("with an (inactive) user: HasUsers = %v, %v", ok, err)
	}
}
