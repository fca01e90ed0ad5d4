package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// SavedView returns the user's saved view with the given id, or one
// granted to the user or one of their groups. Another user's view is
// NotFound, like a missing one.
func (s *Store) SavedView(ctx context.Context, userID, id int) (*SavedView, error) {
	v := new(SavedView)
	c := savedViewCond(ctx, userID, "?TableAlias", PermView, PermChange)
	err := s.db(ctx).NewSelect().Model(v).Where("?TableAlias.id = ?", id).Where(c.sql, c.args...).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("saved view", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load saved view %d: %w", id, err)
	}
	return v, nil
}

// SavedViews returns one page of the user's saved views (their own and
// those granted to them or their groups), ordered by name
// case-insensitively then id, and the total.
func (s *Store) SavedViews(ctx context.Context, userID int, p Page) ([]SavedView, int, error) {
	views := []SavedView{}
	c := savedViewCond(ctx, userID, "?TableAlias", PermView, PermChange)
	total, err := s.db(ctx).NewSelect().Model(&views).Where(c.sql, c.args...).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count saved views: %w", err)
	}
	if total == 0 {
		return views, 0, nil
	}
	_, limit, offset := p.Limit(int(total))
	nameKey := s.fold("?TableAlias.name")
	if s.IsPostgres() {
		nameKey += ` COLLATE "C"`
	}
	err = s.db(ctx).NewSelect().Model(&views).Where(c.sql, c.args...).
		OrderExpr(nameKey + ", ?TableAlias.id").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list saved views: %w", err)
	}
	return views, int(total), nil
}

// CreateSavedView stores a saved view owned by the user, with its rules.
// Name is required (Validation on field "name" when blank).
func (s *Store) CreateSavedView(ctx context.Context, userID int, in SavedViewInput) (*SavedView, error) {
	v := &SavedView{UserID: userID}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := applySavedView(v, in); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewInsert().Model(v).Exec(ctx); err != nil {
			return err
		}
		rules, _ := in.FilterRules.ValueOK()
		return s.insertSavedViewRules(ctx, v.ID, rules)
	})
	if err != nil {
		return nil, fmt.Errorf("create saved view: %w", err)
	}
	return v, nil
}

// UpdateSavedView changes the set fields of the user's saved view
// (NotFound for a missing or another user's view). Set FilterRules
// replace all rules; absent ones keep them.
func (s *Store) UpdateSavedView(ctx context.Context, userID, id int, in SavedViewInput) (*SavedView, error) {
	var v *SavedView
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if v, err = s.SavedView(ctx, userID, id); err != nil {
			return err
		}
		if err := s.maySaveView(ctx, userID, id); err != nil {
			return err
		}
		if err := applySavedView(v, in); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewUpdate().Model(v).WherePK().Exec(ctx); err != nil {
			return err
		}
		rules, ok := in.FilterRules.ValueOK()
		if !ok {
			return nil
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("saved_view_rules").Where("saved_view_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return s.insertSavedViewRules(ctx, id, rules)
	})
	if err != nil {
		return nil, fmt.Errorf("update saved view %d: %w", id, err)
	}
	return v, nil
}

func applySavedView(v *SavedView, in SavedViewInput) error {
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
	}
	if v.Name == "" {
		return &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{"name": {"This field may not be blank."}}}
	}
	if in.ShowOnDashboard != nil {
		v.ShowOnDashboard = *in.ShowOnDashboard
	}
	if in.ShowInSidebar != nil {
		v.ShowInSidebar = *in.ShowInSidebar
	}
	if f, ok := in.SortField.ValueOK(); ok {
		v.SortField = f
	}
	if in.SortReverse != nil {
		v.SortReverse = *in.SortReverse
	}
	if n, ok := in.PageSize.ValueOK(); ok {
		v.PageSize = n
	}
	if m, ok := in.DisplayMode.ValueOK(); ok {
		v.DisplayMode = m
	}
	if f, ok := in.DisplayFields.ValueOK(); ok {
		v.DisplayFields = nil
		if len(f) > 0 {
			v.DisplayFields = f
		}
	}
	return nil
}

// SavedViewDisplayMode is how a saved view lays out its documents
// (paperless-ngx's display_mode values).
type SavedViewDisplayMode string

// The display modes.
const (
	DisplayTable      SavedViewDisplayMode = "table"
	DisplaySmallCards SavedViewDisplayMode = "smallCards"
	DisplayLargeCards SavedViewDisplayMode = "largeCards"
)

// Valid reports whether m is one of the display modes.
func (m SavedViewDisplayMode) Valid() bool {
	return m == DisplayTable || m == DisplaySmallCards || m == DisplayLargeCards
}

// displayFields are the columns a saved view may show (NGX.md §9.1),
// besides custom_field_<id>.
var displayFields = map[string]bool{"title": true, "created": true, "added": true, "tag": true,
	"correspondent": true, "documenttype": true, "storagepath": true, "note": true, "owner": true,
	"shared": true, "asn": true, "pagecount": true}

// DisplayFieldProblem says why name cannot be a saved view's display
// field ("" when it can): a known column, or custom_field_<id> (whether
// that field exists is CustomFieldDisplayProblems' question).
func DisplayFieldProblem(name string) string {
	if _, ok := displayCustomField(name); ok || displayFields[name] {
		return ""
	}
	return "Invalid field: " + name
}

func (s *Store) insertSavedViewRules(ctx context.Context, viewID int, in []SavedViewRuleInput) error {
	if len(in) == 0 {
		return nil
	}
	rules := make([]SavedViewRule, len(in))
	for i, r := range in {
		rules[i] = SavedViewRule{SavedViewID: viewID, RuleType: r.RuleType, Value: r.Value}
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&rules).Exec(ctx); err != nil {
		return fmt.Errorf("store saved view rules: %w", err)
	}
	return nil
}

// DeleteSavedView deletes the user's saved view and its rules (NotFound
// for a missing or another user's view).
func (s *Store) DeleteSavedView(ctx context.Context, userID, id int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.SavedView(ctx, userID, id); err != nil {
			return err
		}
		if err := s.maySaveView(ctx, userID, id); err != nil {
			return err
		}
		if _, err := s.wdb(ctx).NewDelete().TableExpr("saved_views").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete saved view %d: %w", id, err)
		}
		return nil
	})
}

// SavedViewRulesByViews returns the rules of each view, in creation order.
// Every requested id has an entry (empty when the view has no rules).
func (s *Store) SavedViewRulesByViews(ctx context.Context, viewIDs []int) (map[int][]SavedViewRule, error) {
	out := make(map[int][]SavedViewRule, len(viewIDs))
	for _, id := range viewIDs {
		out[id] = []SavedViewRule{}
	}
	if len(viewIDs) == 0 {
		return out, nil
	}
	var rules []SavedViewRule
	err := s.db(ctx).NewSelect().Model(&rules).Where("?TableAlias.saved_view_id IN (?)", bun.In(uniqueInts(viewIDs))).
		OrderExpr("?TableAlias.saved_view_id, ?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load saved view rules: %w", err)
	}
	for _, r := range rules {
		out[r.SavedViewID] = append(out[r.SavedViewID], r)
	}
	return out, nil
}
