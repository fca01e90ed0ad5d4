package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the suite's zone must load on machines without tzdata

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema setup

	"github.com/quirehq/quire/store"
)

// PostgresEnv names the environment variable holding the PostgreSQL DSN
// the suite runs against; unset skips PostgreSQL (a failure when CI=true).
const PostgresEnv = "TEST_POSTGRES_DSN"

// Zone is the server time zone of stores from Open. It is not UTC, so the
// date filters' calendar-date rules are exercised.
const Zone = "Europe/Berlin"

// Dialects returns the databases to test: always "sqlite", and "pg" when
// TEST_POSTGRES_DSN is set. Without it, under CI=true it fails tb;
// otherwise it logs that PostgreSQL was skipped.
func Dialects(tb testing.TB) []string {
	tb.Helper()
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "pg"}
	}
	if os.Getenv("CI") == "true" {
		tb.Errorf("%s is not set: CI must test PostgreSQL", PostgresEnv)
	} else {
		tb.Logf("PostgreSQL skipped: %s is not set", PostgresEnv)
	}
	return []string{"sqlite"}
}

// Open returns a fresh, migrated store closed at the end of the test:
// SQLite in a new file under tb.TempDir(), or ("pg") a new schema on the
// database of TEST_POSTGRES_DSN, dropped at the end. Its server zone is Zone.
func Open(tb testing.TB, dialect string) *store.Store {
	tb.Helper()
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		tb.Fatalf("load zone %s: %v", Zone, err)
	}
	return OpenConfig(tb, dialect, store.Config{Location: loc})
}

// OpenConfig is Open with a configuration (its URL is set by OpenConfig).
func OpenConfig(tb testing.TB, dialect string, cfg store.Config) *store.Store {
	tb.Helper()
	cfg.URL = DatabaseURL(tb, dialect)
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open %s store: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// DatabaseURL returns the URL of a fresh, empty database for a store or a
// whole Quire server: a new SQLite file under tb.TempDir(), or ("pg") a
// new schema on the database of TEST_POSTGRES_DSN, dropped at the end.
func DatabaseURL(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "quire.db")
	case "pg":
		dsn := os.Getenv(PostgresEnv)
		if dsn == "" {
			tb.Fatalf("%s is not set", PostgresEnv)
		}
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			tb.Fatalf("open postgres: %v", err)
		}
		schema := fmt.Sprintf("t_%d_%08x", time.Now().UnixNano(), rand.Uint32())
		if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			tb.Fatalf("create schema: %v", err)
		}
		tb.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				tb.Errorf("drop schema %s: %v", schema, err)
			}
			admin.Close()
		})
		return withSearchPath(tb, dsn, schema)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
		return ""
	}
}

func withSearchPath(tb testing.TB, dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// mustUser creates a user and returns its id.
func mustUser(t testing.TB, s *store.Store, name string) int {
	t.Helper()
	u := &store.User{Username: name, Password: "!", IsActive: true, DateJoined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u.ID
}
