package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// Config says where the database lives.
type Config struct {
	// DataDir holds the SQLite file (quire.db) when URL is empty.
	DataDir string
	// URL selects PostgreSQL ("postgres://…" or "postgresql://…"), or an
	// explicit SQLite file ("sqlite:///abs/path.db", "sqlite:rel.db").
	URL string
	// Logger receives slow-query and migration logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests inject a fixed clock.
	Now func() time.Time
	// Location is the server time zone (PAPERLESS_TIME_ZONE): date filters
	// (year, month, day, date__gt, date__lt) compare calendar dates in it.
	// It must be an IANA zone from time.LoadLocation (not time.Local); nil
	// means UTC.
	Location *time.Location
	// DisableAuditLog stops recording the history of documents
	// (QUIRE_AUDIT_LOG_ENABLED=false); reading it is then refused.
	DisableAuditLog bool
}

// Store is Quire's database: every entity's queries and mutations. It is
// safe for concurrent use. On SQLite it keeps one writer connection (writes
// are serialised by SQLite anyway; a single writer avoids SQLITE_BUSY
// upgrade deadlocks) beside a pool of readers; on PostgreSQL both are the
// same pool.
type Store struct {
	read   *bun.DB
	write  *bun.DB
	kind   dialect.Name
	now    func() time.Time
	logger *slog.Logger

	postings    *postings
	aggregates  *aggregates
	orders      *orderCache // see DocumentIDs
	acl         *aclCache   // see cachedVisiblePage
	versionStmt *sql.Stmt   // see Version
	loc         *time.Location
	// pgLower is the PostgreSQL expression template that lower-cases
	// Unicode text: plain lower() unless the database's ctype is ASCII-only.
	pgLower string
	noAudit bool // see Config.DisableAuditLog
}

// Open connects to the configured database and applies pending migrations.
// Several processes may call Open on one PostgreSQL database at once: the
// migrations run under a lock.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{now: cfg.Now, logger: cfg.Logger, postings: newPostings(), aggregates: newAggregates(), orders: &orderCache{gen: -1}, acl: newACLCache(), loc: cfg.Location, noAudit: cfg.DisableAuditLog}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.loc.String() == "Local" {
		return nil, errors.New("database time zone: time.Local has no IANA name; load the zone with time.LoadLocation")
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	switch {
	case strings.HasPrefix(cfg.URL, "postgres://"), strings.HasPrefix(cfg.URL, "postgresql://"):
		err = s.openPostgres(ctx, cfg.URL)
	case cfg.URL == "" || strings.HasPrefix(cfg.URL, "sqlite:"):
		err = s.openSQLite(ctx, cfg)
	default:
		return nil, fmt.Errorf("database URL %q: unsupported scheme (want postgres:// or sqlite:)", redactURL(cfg.URL))
	}
	if err != nil {
		return nil, err
	}
	if err := migrateUp(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareVersion(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres %s: %w", redactURL(dsn), err)
	}
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("connect to postgres %s: %w", redactURL(dsn), err)
	}
	s.read, s.write, s.kind = db, db, dialect.PG
	if err := s.probePostgres(ctx); err != nil {
		db.Close()
		return err
	}
	return nil
}

// probePostgres checks that PostgreSQL knows the configured time zone and
// picks a lower() that folds non-ASCII letters: a database created with
// the "C" ctype lower-cases ASCII only, so ICU's root collation is used
// there when the server has ICU.
func (s *Store) probePostgres(ctx context.Context) error {
	var ok bool
	if err := s.read.QueryRowContext(ctx, "SELECT now() AT TIME ZONE ? IS NOT NULL", s.loc.String()).Scan(&ok); err != nil {
		return fmt.Errorf("postgres does not know time zone %q: %w", s.loc.String(), err)
	}
	s.pgLower = "lower(%s)"
	if err := s.read.QueryRowContext(ctx, "SELECT lower('Ä') = 'ä'").Scan(&ok); err != nil {
		return fmt.Errorf("probe postgres lower(): %w", err)
	}
	if ok {
		return nil
	}
	if err := s.read.QueryRowContext(ctx, `SELECT lower('Ä' COLLATE "und-x-icu") = 'ä'`).Scan(&ok); err == nil && ok {
		s.pgLower = `lower((%s) COLLATE "und-x-icu")`
		return nil
	}
	s.logger.Warn("postgres lower() folds ASCII only and ICU is unavailable: case-insensitive filters ignore case of ASCII letters only")
	return nil
}

func (s *Store) openSQLite(ctx context.Context, cfg Config) error {
	path := strings.TrimPrefix(strings.TrimPrefix(cfg.URL, "sqlite:"), "//")
	if path == "" {
		if cfg.DataDir == "" {
			return errors.New("sqlite: no data folder and no database URL")
		}
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("create data folder: %w", err)
		}
		path = filepath.Join(cfg.DataDir, "quire.db")
	}
	// WAL lets readers run beside the writer; synchronous=FULL makes a
	// commit durable before it returns (an accepted upload is never lost).
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	open := func(conns int) (*bun.DB, error) {
		// sqliteshim picks the pure-Go driver (modernc.org/sqlite) and
		// registers it; we open it by its own name (DriverName), not the
		// shim's wrapper (ShimName), because only the driver registered
		// under its own name carries the Go functions of text.go.
		if sqliteshim.DriverName() != "sqlite" {
			return nil, fmt.Errorf("sqlite: Quire needs the pure-Go driver modernc.org/sqlite, the build selected %q", sqliteshim.DriverName())
		}
		sqldb, err := sql.Open(sqliteshim.DriverName(), dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqldb.SetMaxOpenConns(conns)
		sqldb.SetMaxIdleConns(conns)
		sqldb.SetConnMaxLifetime(0)
		db := bun.NewDB(sqldb, sqlitedialect.New())
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		return db, nil
	}
	w, err := open(1)
	if err != nil {
		return err
	}
	r, err := open(4)
	if err != nil {
		w.Close()
		return err
	}
	s.read, s.write, s.kind = r, w, dialect.SQLite
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	var err error
	if s.versionStmt != nil {
		err = s.versionStmt.Close()
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Location returns the server time zone date filters use.
func (s *Store) Location() *time.Location { return s.loc }

// Dialect reports which database is in use: "sqlite" or "pg".
func (s *Store) Dialect() string { return s.kind.String() }

// IsPostgres reports whether the store runs on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.kind == dialect.PG }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Now returns the store clock's current time, in UTC with microsecond
// precision (what both databases keep).
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// QueryHook attaches a bun query hook (tests count queries with it).
func (s *Store) QueryHook(h bun.QueryHook) {
	s.read.AddQueryHook(h)
	if s.write != s.read {
		s.write.AddQueryHook(h)
	}
}

type txKey struct{}

// InTx runs fn in one transaction: every store call fn makes with the
// context it receives joins that transaction. It commits when fn returns
// nil and rolls back otherwise. Nested calls join the outer transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return fn(ctx)
	}
	return s.write.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return translate(fn(context.WithValue(ctx, txKey{}, tx)))
	})
}

// db returns the transaction in ctx, or the reader pool.
func (s *Store) db(ctx context.Context) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return tx
	}
	return s.read
}

// wdb returns the transaction in ctx, or the writer. Mutations that are a
// single statement may use it directly; anything longer goes through InTx.
func (s *Store) wdb(ctx context.Context) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return tx
	}
	return s.write
}

// redactURL hides the password of a database URL for logs and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Analyze refreshes the query planner's statistics (SQLite ANALYZE,
// PostgreSQL VACUUM ANALYZE, which also sets the visibility map that
// index-only scans need). Call it after loading many rows at once; both
// databases otherwise catch up on their own schedule (autovacuum).
func (s *Store) Analyze(ctx context.Context) error {
	q := "ANALYZE"
	if s.IsPostgres() {
		q = "VACUUM ANALYZE"
	}
	if _, err := s.write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
