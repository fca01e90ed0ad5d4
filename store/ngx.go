package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/quirehq/quire/store/migrations"
)

// moreStatistics fills the counts paperless-ngx's statistics add.
func (s *Store) moreStatistics(ctx context.Context, st *Statistics) error {
	st.FileTypes = []MimeTypeCount{}
	err := whereCond(s.db(ctx).NewSelect().TableExpr("documents AS d").ColumnExpr("d.mime_type, count(*) AS n").
		Where("d.deleted_at IS NULL"), docVisible(ctx, "d")).GroupExpr("mime_type").OrderExpr("n DESC, mime_type ASC").Scan(ctx, &st.FileTypes)
	if err != nil {
		return fmt.Errorf("count documents per mime type: %w", translate(err))
	}
	var agg struct {
		Chars int64 `bun:"chars"`
		ASN   int64 `bun:"asn"`
	}
	err = whereCond(s.db(ctx).NewSelect().TableExpr("documents AS d").
		ColumnExpr("COALESCE(SUM(LENGTH(d.content)), 0) AS chars, COALESCE(MAX(d.archive_serial_number), 0) AS asn").
		Where("d.deleted_at IS NULL"), docVisible(ctx, "d")).Scan(ctx, &agg)
	if err != nil {
		return fmt.Errorf("sum document contents: %w", translate(err))
	}
	st.CharacterCount, st.CurrentASN = int(agg.Chars), int(agg.ASN)
	for _, c := range []struct {
		table string
		n     *int
	}{{"tags", &st.TagCount}, {"correspondents", &st.CorrespondentCount}, {"document_types", &st.DocumentTypeCount}} {
		n, err := whereCond(s.db(ctx).NewSelect().TableExpr(c.table+" AS o"), visibleCond(PrincipalFrom(ctx), tableModels[c.table], "o")).Count(ctx)
		if err != nil {
			return fmt.Errorf("count %s: %w", c.table, translate(err))
		}
		*c.n = int(n)
	}
	return nil
}

// uiSettings is one user's stored web UI settings.
type uiSettings struct {
	UserID   int       `bun:"user_id,pk"`
	Settings string    `bun:"settings,notnull"`
	Updated  time.Time `bun:"updated,notnull"`
}

// UISettings returns the JSON object a user's clients stored with
// SetUISettings, or an empty object when they stored none.
func (s *Store) UISettings(ctx context.Context, userID int) (map[string]any, error) {
	var rows []uiSettings
	err := s.db(ctx).NewSelect().Model(&rows).ModelTableExpr("ui_settings").Where("user_id = ?", userID).Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load ui settings of user %d: %w", userID, translate(err))
	}
	out := map[string]any{}
	if len(rows) == 1 {
		if err := json.Unmarshal([]byte(rows[0].Settings), &out); err != nil {
			return nil, fmt.Errorf("decode ui settings of user %d: %w", userID, err)
		}
	}
	return out, nil
}

// SetUISettings replaces a user's stored web UI settings. Errors:
// NotFound when the user does not exist.
func (s *Store) SetUISettings(ctx context.Context, userID int, settings map[string]any) error {
	if settings == nil {
		settings = map[string]any{}
	}
	b, err := json.Marshal(settings)
	if err != nil {
		return Errorf(Validation, "settings are not JSON: %v", err)
	}
	if _, err := s.User(ctx, userID); err != nil {
		return err
	}
	row := &uiSettings{UserID: userID, Settings: string(b), Updated: s.Now()}
	_, err = s.wdb(ctx).NewInsert().Model(row).ModelTableExpr("ui_settings").
		On("CONFLICT (user_id) DO UPDATE").Set("settings = EXCLUDED.settings").Set("updated = EXCLUDED.updated").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store ui settings of user %d: %w", userID, translate(err))
	}
	return nil
}

// RegenerateToken replaces the user's API token with a new random key
// (the old key stops working at once) and returns it. Errors: NotFound
// when the user does not exist.
func (s *Store) RegenerateToken(ctx context.Context, userID int) (*Token, error) {
	var t *Token
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.DeleteToken(ctx, userID); err != nil && ErrorCode(err) != NotFound {
			return err
		}
		var err error
		t, err = s.TokenForUser(ctx, userID)
		return err
	})
	return t, err
}

// UserToken returns the user's API token key, or nil when the user has
// none (it does not create one).
func (s *Store) UserToken(ctx context.Context, userID int) (*string, error) {
	t, err := s.tokenOfUser(ctx, userID)
	if ErrorCode(err) == NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load token of user %d: %w", userID, err)
	}
	return &t.Key, nil
}

// MigrationStatus names the newest applied migration ("" when none) and
// the migrations not applied yet; it also proves the database answers.
func (s *Store) MigrationStatus(ctx context.Context) (latest string, unapplied []string, err error) {
	m := migrate.NewMigrator(s.write, migrations.Migrations)
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("read migration status: %w", err)
	}
	unapplied = []string{}
	for _, mg := range ms {
		if mg.IsApplied() {
			latest = mg.Name
		} else {
			unapplied = append(unapplied, mg.Name)
		}
	}
	return latest, unapplied, nil
}

// DeleteUser deletes a user with their token, sessions, saved views and
// UI settings. Errors: NotFound.
func (s *Store) DeleteUser(ctx context.Context, id int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		for _, t := range []string{"tokens", "sessions", "ui_settings"} {
			if _, err := s.wdb(ctx).NewDelete().TableExpr(t).Where("user_id = ?", id).Exec(ctx); err != nil {
				return fmt.Errorf("delete %s of user %d: %w", t, id, translate(err))
			}
		}
		if err := s.enqueueUserDocuments(ctx, id); err != nil {
			return err
		}
		res, err := s.wdb(ctx).NewDelete().TableExpr("users").Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, translate(err))
		}
		return affectedOrNotFound(res, notFound("user", id))
	})
}

// NextASN is the highest archive serial number plus 1, or 1 when no
// document has one (paperless-ngx's next_asn).
func (s *Store) NextASN(ctx context.Context) (int, error) {
	var asn int64
	err := s.db(ctx).NewSelect().TableExpr("documents").
		ColumnExpr("COALESCE(MAX(archive_serial_number), 0)").Scan(ctx, &asn)
	if err != nil {
		return 0, fmt.Errorf("highest archive serial number: %w", translate(err))
	}
	return int(asn) + 1, nil
}
