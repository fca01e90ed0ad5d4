package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// A document's page count (paperless-ngx's page_count): null until
// consumption or a reader fills it in.
func init() {
	up := []string{`ALTER TABLE documents ADD COLUMN page_count INTEGER`}
	down := []string{`ALTER TABLE documents DROP COLUMN page_count`}
	Migrations.MustRegister(script{sqlite: up, pg: up}.run, func(ctx context.Context, db *bun.DB) error {
		return script{sqlite: down, pg: down}.run(ctx, db)
	})
}
