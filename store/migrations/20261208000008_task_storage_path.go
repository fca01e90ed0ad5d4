package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// taskStoragePath adds the storage path given with an upload
// (paperless-ngx's post_document storage_path) to consumption tasks; the
// consumer files the document it makes under it, ahead of matching.
func init() {
	up := []string{`ALTER TABLE consumption_tasks ADD COLUMN override_storage_path_id INTEGER`}
	down := []string{`ALTER TABLE consumption_tasks DROP COLUMN override_storage_path_id`}
	Migrations.MustRegister(script{sqlite: up, pg: up}.run, func(ctx context.Context, db *bun.DB) error {
		return script{sqlite: down, pg: down}.run(ctx, db)
	})
}
