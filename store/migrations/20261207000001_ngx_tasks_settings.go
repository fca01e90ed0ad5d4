package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// ngxSchema adds what the paperless-ngx endpoints need: on consumption
// tasks the acknowledged flag, the uploader (owner_id), when a worker
// first started it, and the created date and archive serial number given
// with the upload; and ui_settings, one free-form JSON object per user
// (paperless-ngx's /api/ui_settings/). Tasks are looked up by uuid
// through the unique index the consumption migration made.
func ngxSchema(ts, boolFalse string) []string {
	return []string{
		`ALTER TABLE consumption_tasks ADD COLUMN acknowledged BOOLEAN NOT NULL DEFAULT ` + boolFalse,
		`ALTER TABLE consumption_tasks ADD COLUMN owner_id INTEGER`,
		`ALTER TABLE consumption_tasks ADD COLUMN started ` + ts,
		`ALTER TABLE consumption_tasks ADD COLUMN override_created ` + ts,
		`ALTER TABLE consumption_tasks ADD COLUMN override_asn BIGINT`,
		`CREATE TABLE ui_settings (
	user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	settings TEXT NOT NULL,
	updated ` + ts + ` NOT NULL
)`,
	}
}

func init() {
	sc := script{sqlite: ngxSchema("TIMESTAMP", "0"), pg: ngxSchema("TIMESTAMPTZ", "FALSE")}
	Migrations.MustRegister(sc.run, func(ctx context.Context, db *bun.DB) error {
		var down []string
		for _, c := range []string{"override_asn", "override_created", "started", "owner_id", "acknowledged"} {
			down = append(down, "ALTER TABLE consumption_tasks DROP COLUMN "+c)
		}
		down = append(down, "DROP TABLE IF EXISTS ui_settings")
		return script{sqlite: down, pg: down}.run(ctx, db)
	})
}
