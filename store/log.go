package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// LogEntry returns the log entry with the given id, or a NotFound error.
func (s *Store) LogEntry(ctx context.Context, id int) (*LogEntry, error) {
	e := new(LogEntry)
	err := s.db(ctx).NewSelect().Model(e).Where("?TableAlias.id = ?", id).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("log entry", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load log entry %d: %w", id, err)
	}
	return e, nil
}

// LogEntries returns one page of the log entries matching f, ordered by
// created then id in the given direction ("" is newest first), and the
// total number that match.
func (s *Store) LogEntries(ctx context.Context, f LogFilter, order Direction, p Page) ([]LogEntry, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if order == "" {
		order = Desc
	}
	dir, err := direction(order)
	if err != nil {
		return nil, 0, err
	}
	var conds []cond
	conds = append(conds, intConds("?TableAlias.level", f.Level)...)
	conds = append(conds, s.dateConds("?TableAlias.created", f.Created)...)
	if f.Group != nil {
		conds = append(conds, cond{"?TableAlias.group_id = ?", []any{*f.Group}})
	}
	if len(f.GroupIn) > 0 {
		conds = append(conds, cond{"?TableAlias.group_id IN (?)", []any{bun.In(f.GroupIn)}})
	}
	if f.Logger != nil {
		conds = append(conds, cond{"?TableAlias.logger = ?", []any{*f.Logger}})
	}
	if f.DocumentID != nil {
		conds = append(conds, cond{"?TableAlias.document_id = ?", []any{*f.DocumentID}})
	}
	entries := []LogEntry{}
	total, err := where(s.db(ctx).NewSelect().Model(&entries), conds).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count log entries: %w", err)
	}
	if total == 0 {
		return entries, 0, nil
	}
	_, limit, offset := p.Limit(int(total))
	err = where(s.db(ctx).NewSelect().Model(&entries), conds).
		OrderExpr("?TableAlias.created " + dir + ", ?TableAlias.id " + dir).
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list log entries: %w", err)
	}
	return entries, int(total), nil
}

// AddLogEntries stores log entries and sets their ids. A zero Created
// becomes now; an empty Logger becomes "paperless".
func (s *Store) AddLogEntries(ctx context.Context, entries ...LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	now := s.Now()
	for i := range entries {
		e := &entries[i]
		if e.Created.IsZero() {
			e.Created = now
		}
		e.Created = e.Created.UTC()
		if e.Logger == "" {
			e.Logger = "paperless"
		}
	}
	if _, err := s.wdb(ctx).NewInsert().Model(&entries).Exec(ctx); err != nil {
		return fmt.Errorf("add log entries: %w", translate(err))
	}
	return nil
}

// LogNames returns the distinct logger names, sorted.
func (s *Store) LogNames(ctx context.Context) ([]string, error) {
	names := []string{}
	err := s.db(ctx).NewSelect().TableExpr("log_entries").ColumnExpr("DISTINCT logger").OrderExpr("logger").Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("list log names: %w", err)
	}
	return names, nil
}
