// Package migrations holds Quire's schema migrations, applied in order at
// start by store.Open (bun's migrate). Each migration is a Go file named
// <timestamp>_<what>.go with SQL for both SQLite and PostgreSQL. A
// migration, once released, is never edited: add a new one.
//
// It imports only bun; nothing in Quire above the store imports it.
package migrations

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the ordered set of schema migrations.
var Migrations = migrate.NewMigrations()

// script is one migration's statements for each dialect.
type script struct {
	sqlite []string
	pg     []string
}

// run executes the dialect's statements in one transaction (both SQLite
// and PostgreSQL have transactional DDL).
func (sc script) run(ctx context.Context, db *bun.DB) error {
	stmts := sc.sqlite
	if db.Dialect().Name() == dialect.PG {
		stmts = sc.pg
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", firstLine(q), err)
			}
		}
		return nil
	})
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
