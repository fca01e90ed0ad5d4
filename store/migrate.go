package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/quirehq/quire/store/migrations"
)

// migrateUp applies pending migrations. On a database shared by several
// Quire processes one of them migrates while the others wait for the lock.
func migrateUp(ctx context.Context, s *Store) error {
	m := migrate.NewMigrator(s.write, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := m.Lock(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for migration lock (another Quire is migrating, or a crashed one left bun_migration_locks behind): %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; the lock row is harmless

	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if !group.IsZero() {
		s.logger.Info("database migrated", "group", group.ID, "migrations", len(group.Migrations), "dialect", s.kind.String())
	}
	return nil
}
