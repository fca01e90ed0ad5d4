package consume

import (
	"context"

	"github.com/quirehq/quire/store"
)

// defaultOwner returns the id of Config.DefaultOwner, or nil when none is
// set or the user does not exist (then the task's log says so and the
// document stays unowned: a missing account never stops consumption).
func (s *Service) defaultOwner(ctx context.Context, rl *runLog) *int {
	if s.cfg.DefaultOwner == "" {
		return nil
	}
	u, err := s.store.UserByUsername(ctx, s.cfg.DefaultOwner)
	if err != nil {
		rl.add(store.LevelWarning, "QUIRE_CONSUMER_DEFAULT_OWNER: user %q not found, the document stays unowned", s.cfg.DefaultOwner)
		return nil
	}
	return &u.ID
}

// defaultGrants resolves Config.DefaultGrants to the permissions to set on
// a new document, or nil when there are none. Names that name no user or
// group are left out, with a warning in the task's log.
func (s *Service) defaultGrants(ctx context.Context, rl *runLog) *store.PermissionsUpdate {
	g := s.cfg.DefaultGrants
	if g.empty() {
		return nil
	}
	users := func(setting string, names []string) *[]int {
		ids := []int{}
		for _, n := range names {
			u, err := s.store.UserByUsername(ctx, n)
			if err != nil {
				rl.add(store.LevelWarning, "%s: user %q not found, left out", setting, n)
				continue
			}
			ids = append(ids, u.ID)
		}
		return &ids
	}
	groups := func(setting string, names []string) *[]int {
		ids := []int{}
		for _, n := range names {
			gr, err := s.store.GroupByName(ctx, n)
			if err != nil {
				rl.add(store.LevelWarning, "%s: group %q not found, left out", setting, n)
				continue
			}
			ids = append(ids, gr.ID)
		}
		return &ids
	}
	return &store.PermissionsUpdate{
		View: &store.HoldersUpdate{Users: users("QUIRE_CONSUMER_DEFAULT_VIEW_USERS", g.ViewUsers),
			Groups: groups("QUIRE_CONSUMER_DEFAULT_VIEW_GROUPS", g.ViewGroups)},
		Change: &store.HoldersUpdate{Users: users("QUIRE_CONSUMER_DEFAULT_CHANGE_USERS", g.ChangeUsers),
			Groups: groups("QUIRE_CONSUMER_DEFAULT_CHANGE_GROUPS", g.ChangeGroups)},
		Created: true,
	}
}

// givenFields returns the custom field values given with the upload
// whose fields still exist (checked when the upload was accepted; one
// deleted since is left out, with a warning in the task's log).
func (s *Service) givenFields(ctx context.Context, t *store.ConsumptionTask, rl *runLog) ([]store.CustomFieldValueInput, error) {
	if len(t.OverrideCustomFields) == 0 {
		return nil, nil
	}
	ids := make([]int, len(t.OverrideCustomFields))
	for i, v := range t.OverrideCustomFields {
		ids[i] = v.FieldID
	}
	exist, err := s.store.CustomFieldsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []store.CustomFieldValueInput
	for _, v := range t.OverrideCustomFields {
		if exist[v.FieldID] == nil {
			rl.add(store.LevelWarning, "Custom field %d given with the upload no longer exists, left out", v.FieldID)
			continue
		}
		out = append(out, v)
	}
	return out, nil
}
