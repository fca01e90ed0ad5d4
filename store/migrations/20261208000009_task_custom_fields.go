package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// taskCustomFields adds the custom field values given with an upload
// (paperless-ngx's post_document custom_fields, a JSON list) to
// consumption tasks; the consumer sets them on the document it makes.
func init() {
	up := []string{`ALTER TABLE consumption_tasks ADD COLUMN override_custom_fields TEXT`}
	down := []string{`ALTER TABLE consumption_tasks DROP COLUMN override_custom_fields`}
	Migrations.MustRegister(script{sqlite: up, pg: up}.run, func(ctx context.Context, db *bun.DB) error {
		return script{sqlite: down, pg: down}.run(ctx, db)
	})
}
