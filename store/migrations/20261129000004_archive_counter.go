package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The "archive" counter goes up with every change the first migration's
// counters do not see: any edit of a document row, and any change to tags,
// correspondents, document types and saved views. With it, the sum of all
// counters rows rises with every committed change to what the API shows,
// so it versions cached responses (store.Version) across processes.
var archiveTables = []string{"documents", "tags", "correspondents", "document_types", "saved_views", "saved_view_rules"}

func archiveCounterSQLite() []string {
	stmts := []string{`INSERT INTO counters (name, value) VALUES ('archive', 0)`}
	for _, t := range archiveTables {
		events := []string{"INSERT", "UPDATE", "DELETE"}
		if t == "documents" {
			events = []string{"UPDATE"} // inserts and deletes bump "documents"
		}
		for _, ev := range events {
			stmts = append(stmts, `CREATE TRIGGER archive_`+t+`_`+ev+` AFTER `+ev+` ON `+t+` BEGIN
	UPDATE counters SET value = value + 1 WHERE name = 'archive'; END`)
		}
	}
	return stmts
}

func archiveCounterPG() []string {
	stmts := []string{`INSERT INTO counters (name, value) VALUES ('archive', 0)`}
	for _, t := range archiveTables {
		events := "INSERT OR UPDATE OR DELETE OR TRUNCATE"
		if t == "documents" {
			events = "UPDATE"
		}
		stmts = append(stmts, `CREATE TRIGGER archive_`+t+`_changed AFTER `+events+` ON `+t+`
	FOR EACH STATEMENT EXECUTE FUNCTION bump_counter('archive')`)
	}
	return stmts
}

func init() {
	sc := script{sqlite: archiveCounterSQLite(), pg: archiveCounterPG()}
	Migrations.MustRegister(sc.run, func(ctx context.Context, db *bun.DB) error {
		var down script
		for _, t := range archiveTables {
			for _, ev := range []string{"INSERT", "UPDATE", "DELETE"} {
				down.sqlite = append(down.sqlite, "DROP TRIGGER IF EXISTS archive_"+t+"_"+ev)
			}
			down.pg = append(down.pg, "DROP TRIGGER IF EXISTS archive_"+t+"_changed ON "+t)
		}
		del := "DELETE FROM counters WHERE name = 'archive'"
		down.sqlite, down.pg = append(down.sqlite, del), append(down.pg, del)
		return down.run(ctx, db)
	})
}
