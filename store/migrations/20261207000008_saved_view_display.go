package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// How a saved view shows its documents (paperless-ngx's page_size,
// display_mode and display_fields): null means the client's default.
// display_fields holds a JSON array of field names.
func init() {
	up := []string{
		`ALTER TABLE saved_views ADD COLUMN page_size INTEGER`,
		`ALTER TABLE saved_views ADD COLUMN display_mode TEXT`,
		`ALTER TABLE saved_views ADD COLUMN display_fields TEXT`,
	}
	down := []string{
		`ALTER TABLE saved_views DROP COLUMN display_fields`,
		`ALTER TABLE saved_views DROP COLUMN display_mode`,
		`ALTER TABLE saved_views DROP COLUMN page_size`,
	}
	Migrations.MustRegister(script{sqlite: up, pg: up}.run, func(ctx context.Context, db *bun.DB) error {
		return script{sqlite: down, pg: down}.run(ctx, db)
	})
}
