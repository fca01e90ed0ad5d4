package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// matchingTable returns the DDL of a correspondent/type/tag-like table.
// key is the type of the case-folded name_key column.
func matchingTable(name, pk, key, extra string) string {
	return `CREATE TABLE ` + name + ` (
	id ` + pk + `,
	name VARCHAR(128) NOT NULL,
	name_key ` + key + ` NOT NULL,
	slug VARCHAR(128) NOT NULL,
	match VARCHAR(256) NOT NULL DEFAULT '',
	matching_algorithm INTEGER NOT NULL DEFAULT 1,
	is_insensitive BOOLEAN NOT NULL DEFAULT TRUE` + extra + `
)`
}

// initialSchema returns the statements of the first schema. key is the
// type of the case-folded *_key columns: on PostgreSQL they use the "C"
// collation, so they order by code point exactly like SQLite's BINARY.
func initialSchema(pk, ts, text, key string) []string {
	tagExtra := `,
	color VARCHAR(7) NOT NULL DEFAULT '#a6cee3',
	is_inbox_tag BOOLEAN NOT NULL DEFAULT FALSE`
	stmts := []string{
		matchingTable("correspondents", pk, key, ""),
		`CREATE UNIQUE INDEX correspondents_name_key ON correspondents (name_key)`,
		matchingTable("document_types", pk, key, ""),
		`CREATE UNIQUE INDEX document_types_name_key ON document_types (name_key)`,
		matchingTable("tags", pk, key, tagExtra),
		`CREATE UNIQUE INDEX tags_name_key ON tags (name_key)`,
		`CREATE INDEX tags_inbox ON tags (is_inbox_tag)`,

		`CREATE TABLE documents (
	id ` + pk + `,
	title VARCHAR(128) NOT NULL DEFAULT '',
	title_key ` + key + ` NOT NULL DEFAULT '',
	correspondent_id INTEGER REFERENCES correspondents (id) ON DELETE SET NULL,
	document_type_id INTEGER REFERENCES document_types (id) ON DELETE SET NULL,
	created ` + ts + ` NOT NULL,
	modified ` + ts + ` NOT NULL,
	added ` + ts + ` NOT NULL,
	archive_serial_number INTEGER,
	mime_type VARCHAR(256) NOT NULL DEFAULT '',
	checksum VARCHAR(32) NOT NULL,
	archive_checksum VARCHAR(32),
	filename VARCHAR(1024),
	archive_filename VARCHAR(1024),
	original_filename VARCHAR(1024) NOT NULL DEFAULT '',
	-- last: SQLite reads a row's columns in order, and the text (often
	-- kilobytes, in overflow pages) must not stand before the columns
	-- that filters and sorts read.
	content ` + text + ` NOT NULL DEFAULT ''
)`,
		`CREATE UNIQUE INDEX documents_asn ON documents (archive_serial_number)`,
		`CREATE UNIQUE INDEX documents_checksum ON documents (checksum)`,
		`CREATE UNIQUE INDEX documents_filename ON documents (filename)`,
		`CREATE UNIQUE INDEX documents_archive_filename ON documents (archive_filename)`,
		`CREATE INDEX documents_created ON documents (created, id)`,
		`CREATE INDEX documents_title ON documents (title_key, id)`,
		`CREATE INDEX documents_added ON documents (added, id)`,
		`CREATE INDEX documents_modified ON documents (modified, id)`,
		`CREATE INDEX documents_correspondent ON documents (correspondent_id, created)`,
		`CREATE INDEX documents_document_type ON documents (document_type_id, created)`,

		`CREATE TABLE document_tags (
	document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	PRIMARY KEY (document_id, tag_id)
)`,
		`CREATE INDEX document_tags_tag ON document_tags (tag_id, document_id)`,

		`CREATE TABLE users (
	id ` + pk + `,
	username VARCHAR(150) NOT NULL,
	username_key VARCHAR(600) NOT NULL,
	password VARCHAR(256) NOT NULL,
	email VARCHAR(254) NOT NULL DEFAULT '',
	first_name VARCHAR(150) NOT NULL DEFAULT '',
	last_name VARCHAR(150) NOT NULL DEFAULT '',
	is_superuser BOOLEAN NOT NULL DEFAULT FALSE,
	is_staff BOOLEAN NOT NULL DEFAULT FALSE,
	is_active BOOLEAN NOT NULL DEFAULT TRUE,
	date_joined ` + ts + ` NOT NULL,
	last_login ` + ts + `
)`,
		`CREATE UNIQUE INDEX users_username_key ON users (username_key)`,

		`CREATE TABLE tokens (
	key VARCHAR(40) PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created ` + ts + ` NOT NULL
)`,
		`CREATE UNIQUE INDEX tokens_user ON tokens (user_id)`,

		`CREATE TABLE sessions (
	digest VARCHAR(64) PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created ` + ts + ` NOT NULL,
	expires ` + ts + ` NOT NULL
)`,
		`CREATE INDEX sessions_expires ON sessions (expires)`,
		`CREATE INDEX sessions_user ON sessions (user_id)`,

		`CREATE TABLE saved_views (
	id ` + pk + `,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name VARCHAR(128) NOT NULL,
	show_on_dashboard BOOLEAN NOT NULL,
	show_in_sidebar BOOLEAN NOT NULL,
	sort_field VARCHAR(128),
	sort_reverse BOOLEAN NOT NULL DEFAULT FALSE
)`,
		`CREATE INDEX saved_views_user ON saved_views (user_id, name)`,
		`CREATE TABLE saved_view_rules (
	id ` + pk + `,
	saved_view_id INTEGER NOT NULL REFERENCES saved_views (id) ON DELETE CASCADE,
	rule_type INTEGER NOT NULL,
	value ` + text + `
)`,
		`CREATE INDEX saved_view_rules_view ON saved_view_rules (saved_view_id, id)`,

		`CREATE TABLE log_entries (
	id ` + pk + `,
	created ` + ts + ` NOT NULL,
	logger VARCHAR(64) NOT NULL DEFAULT 'paperless',
	message ` + text + ` NOT NULL,
	group_id VARCHAR(36),
	level INTEGER NOT NULL,
	document_id INTEGER REFERENCES documents (id) ON DELETE SET NULL
)`,
		`CREATE INDEX log_entries_created ON log_entries (created, id)`,
		`CREATE INDEX log_entries_group ON log_entries (group_id)`,
		`CREATE INDEX log_entries_logger ON log_entries (logger, id)`,
		`CREATE INDEX log_entries_document ON log_entries (document_id)`,
	}
	return stmts
}

// counters holds change generations that processes cache against: the
// "document_tags" row goes up with every change of a document's tags, and
// "documents" with every document added, removed or refiled (its
// correspondent, type or date changed) — in the changing transaction, by
// trigger — so in-memory copies (tag postings, per-object document counts)
// know when they are stale, whichever process made the change.
var countersSQLite = []string{
	`CREATE TABLE counters (name VARCHAR(64) PRIMARY KEY, value BIGINT NOT NULL)`,
	`INSERT INTO counters (name, value) VALUES ('document_tags', 0)`,
	`CREATE TRIGGER document_tags_inserted AFTER INSERT ON document_tags BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'document_tags'; END`,
	`CREATE TRIGGER document_tags_deleted AFTER DELETE ON document_tags BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'document_tags'; END`,
	`CREATE TRIGGER document_tags_updated AFTER UPDATE ON document_tags BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'document_tags'; END`,
	`INSERT INTO counters (name, value) VALUES ('documents', 0)`,
	`CREATE TRIGGER documents_inserted AFTER INSERT ON documents BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'documents'; END`,
	`CREATE TRIGGER documents_deleted AFTER DELETE ON documents BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'documents'; END`,
	`CREATE TRIGGER documents_refiled AFTER UPDATE OF correspondent_id, document_type_id, created ON documents BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'documents'; END`,
}

// PostgreSQL bumps once per statement, not per row.
var countersPG = []string{
	`CREATE TABLE counters (name VARCHAR(64) PRIMARY KEY, value BIGINT NOT NULL)`,
	`INSERT INTO counters (name, value) VALUES ('document_tags', 0)`,
	`INSERT INTO counters (name, value) VALUES ('documents', 0)`,
	`CREATE FUNCTION bump_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE counters SET value = value + 1 WHERE name = TG_ARGV[0];
	RETURN NULL;
END $$`,
	`CREATE TRIGGER document_tags_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON document_tags
	FOR EACH STATEMENT EXECUTE FUNCTION bump_counter('document_tags')`,
	`CREATE TRIGGER documents_changed AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF correspondent_id, document_type_id, created
	ON documents FOR EACH STATEMENT EXECUTE FUNCTION bump_counter('documents')`,
}

func init() {
	sc := script{
		sqlite: append(initialSchema("INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP", "TEXT", "VARCHAR(512)"), countersSQLite...),
		pg:     append(initialSchema("INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ", "TEXT", `VARCHAR(512) COLLATE "C"`), countersPG...),
	}
	Migrations.MustRegister(sc.run, func(ctx context.Context, db *bun.DB) error {
		var drops []string
		for _, t := range []string{"counters", "log_entries", "saved_view_rules", "saved_views", "sessions", "tokens", "users", "document_tags", "documents", "tags", "document_types", "correspondents"} {
			drops = append(drops, "DROP TABLE IF EXISTS "+t)
		}
		return script{sqlite: drops, pg: append(drops, "DROP FUNCTION IF EXISTS bump_counter")}.run(ctx, db)
	})
}
