package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// cond is one SQL condition with its bun-formatted arguments.
type cond struct {
	sql  string
	args []any
}

func where(q *bun.SelectQuery, conds []cond) *bun.SelectQuery {
	for _, c := range conds {
		q = q.Where(c.sql, c.args...)
	}
	return q
}

// fold wraps a SQL text expression in the database's Unicode-aware
// case folding: quire_fold on SQLite, lower() on PostgreSQL.
func (s *Store) fold(expr string) string {
	if s.IsPostgres() {
		return fmt.Sprintf(s.pgLower, expr)
	}
	return sqliteFoldFunc + "(" + expr + ")"
}

// textConds returns the conditions of a TextFilter on col. When key is
// true, col holds foldKey'd text (a *_key column) and the value is folded
// in Go, which makes the comparison identical on both databases;
// otherwise the database folds both sides. Empty values are ignored.
func (s *Store) textConds(col string, key bool, tf *TextFilter) []cond {
	if tf == nil {
		return nil
	}
	var out []cond
	like := func(v *string, pre, post string) {
		if v == nil || *v == "" {
			return
		}
		if key {
			out = append(out, cond{col + ` LIKE ? ESCAPE '\'`, []any{pre + escapeLike(foldKey(*v)) + post}})
			return
		}
		out = append(out, cond{s.fold(col) + ` LIKE ` + s.fold("?") + ` ESCAPE '\'`, []any{pre + escapeLike(*v) + post}})
	}
	like(tf.Istartswith, "", "%")
	like(tf.Iendswith, "%", "")
	like(tf.Icontains, "%", "%")
	if v := tf.Iexact; v != nil && *v != "" {
		if key {
			out = append(out, cond{col + ` = ?`, []any{foldKey(*v)}})
		} else {
			out = append(out, cond{s.fold(col) + ` = ` + s.fold("?"), []any{*v}})
		}
	}
	return out
}

// containsCond matches rows where the folded col contains v.
func (s *Store) containsCond(col string, key bool, v string) cond {
	cs := s.textConds(col, key, &TextFilter{Icontains: &v})
	return cs[0]
}

func intConds(col string, f *IntFilter) []cond {
	if f == nil {
		return nil
	}
	var out []cond
	add := func(op string, v *int) {
		if v != nil {
			out = append(out, cond{col + " " + op + " ?", []any{*v}})
		}
	}
	add("=", f.Exact)
	add(">", f.Gt)
	add(">=", f.Gte)
	add("<", f.Lt)
	add("<=", f.Lte)
	if f.Isnull != nil {
		out = append(out, isnullCond(col, *f.Isnull))
	}
	return out
}

// absentRefConds are the conditions of an IDFilter on a reference no row
// has yet (a document's owner or storage path before they exist): every
// row's reference is null, so Exact and In select nothing, None and
// Isnull=true everything, Isnull=false nothing.
func absentRefConds(f *IDFilter) []cond {
	if f == nil {
		return nil
	}
	if f.Exact != nil || len(f.In) > 0 || (f.Isnull != nil && !*f.Isnull) {
		return []cond{{sql: "FALSE"}}
	}
	return nil
}

func isnullCond(col string, isnull bool) cond {
	if isnull {
		return cond{sql: col + " IS NULL"}
	}
	return cond{sql: col + " IS NOT NULL"}
}

func idConds(col string, f *IDFilter) []cond {
	if f == nil {
		return nil
	}
	var out []cond
	if f.Exact != nil {
		out = append(out, cond{col + " = ?", []any{*f.Exact}})
	}
	if len(f.In) > 0 {
		out = append(out, cond{col + " IN (?)", []any{bun.In(f.In)}})
	}
	if len(f.None) > 0 {
		out = append(out, cond{"(" + col + " IS NULL OR " + col + " NOT IN (?))", []any{bun.In(f.None)}})
	}
	if f.Isnull != nil {
		out = append(out, isnullCond(col, *f.Isnull))
	}
	return out
}

// dateConds returns the conditions of a DateFilter on a timestamp column.
// Year and the Date* bounds become ranges of instants (start of the day or
// year in the server zone), so they use indexes and agree on both
// databases; Month and Day extract the part in the server zone.
func (s *Store) dateConds(col string, f *DateFilter) []cond {
	if f == nil {
		return nil
	}
	var out []cond
	if f.Year != nil {
		from := time.Date(*f.Year, 1, 1, 0, 0, 0, 0, s.loc).UTC()
		to := time.Date(*f.Year+1, 1, 1, 0, 0, 0, 0, s.loc).UTC()
		out = append(out, cond{col + " >= ? AND " + col + " < ?", []any{from, to}})
	}
	if f.Month != nil {
		out = append(out, cond{s.datePart("month", col) + " = ?", []any{*f.Month}})
	}
	if f.Day != nil {
		out = append(out, cond{s.datePart("day", col) + " = ?", []any{*f.Day}})
	}
	if f.DateGt != nil {
		y, m, d := f.DateGt.Date()
		out = append(out, cond{col + " >= ?", []any{time.Date(y, m, d+1, 0, 0, 0, 0, s.loc).UTC()}})
	}
	if f.DateLt != nil {
		y, m, d := f.DateLt.Date()
		out = append(out, cond{col + " < ?", []any{time.Date(y, m, d, 0, 0, 0, 0, s.loc).UTC()}})
	}
	if f.DateGte != nil {
		y, m, d := f.DateGte.Date()
		out = append(out, cond{col + " >= ?", []any{time.Date(y, m, d, 0, 0, 0, 0, s.loc).UTC()}})
	}
	if f.DateLte != nil {
		y, m, d := f.DateLte.Date()
		out = append(out, cond{col + " < ?", []any{time.Date(y, m, d+1, 0, 0, 0, 0, s.loc).UTC()}})
	}
	if f.Gt != nil {
		out = append(out, cond{col + " > ?", []any{f.Gt.UTC()}})
	}
	if f.Gte != nil {
		out = append(out, cond{col + " >= ?", []any{f.Gte.UTC()}})
	}
	if f.Lt != nil {
		out = append(out, cond{col + " < ?", []any{f.Lt.UTC()}})
	}
	if f.Lte != nil {
		out = append(out, cond{col + " <= ?", []any{f.Lte.UTC()}})
	}
	return out
}

// datePart returns a SQL expression for the year, month or day of a
// timestamp column in the server zone.
func (s *Store) datePart(part, col string) string {
	zone := quoteLiteral(s.loc.String())
	if s.IsPostgres() {
		return fmt.Sprintf("CAST(EXTRACT(%s FROM (%s AT TIME ZONE %s)) AS INTEGER)", part, col, zone)
	}
	return fmt.Sprintf("%s('%s', %s, %s)", sqliteDatePartFunc, part, col, zone)
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// direction validates d ("" is ascending) and returns its SQL keyword.
func direction(d Direction) (string, error) {
	switch d {
	case "", Asc:
		return "ASC", nil
	case Desc:
		return "DESC", nil
	}
	return "", &Error{Code: Validation, Message: fmt.Sprintf("unknown sort direction %q", d), Fields: map[string][]string{"direction": {fmt.Sprintf("%q is not a valid choice.", d)}}}
}

// nullsEdge returns the NULLS clause that puts missing values first when
// ascending and last when descending.
func nullsEdge(dir string) string {
	if dir == "ASC" {
		return " NULLS FIRST"
	}
	return " NULLS LAST"
}

// uniqueInts returns ids without duplicates, in first-seen order.
func uniqueInts(ids []int) []int {
	seen := make(map[int]bool, len(ids))
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// existingIDs returns which of ids exist in table.
func (s *Store) existingIDs(ctx context.Context, table string, ids []int) (map[int]bool, error) {
	out := make(map[int]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var found []int
	err := s.db(ctx).NewSelect().TableExpr(table).Column("id").Where("id IN (?)", bun.In(uniqueInts(ids))).Scan(ctx, &found)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", table, err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// missingIDs returns the ids (in input order, once each) that table lacks.
func (s *Store) missingIDs(ctx context.Context, table string, ids []int) ([]int, error) {
	found, err := s.existingIDs(ctx, table, ids)
	if err != nil {
		return nil, err
	}
	var missing []int
	for _, id := range uniqueInts(ids) {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// countInts runs a "SELECT key, count" query and returns the map, with a
// zero for every id in ids that has no row.
func countInts(ctx context.Context, q *bun.SelectQuery, ids []int) (map[int]int, error) {
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		out[id] = 0
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID    int `bun:"id"`
		Count int `bun:"n"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Count
	}
	return out, nil
}

// isNoRows reports whether err says a single-row query found nothing.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// sortedInts returns a sorted copy of ids.
func sortedInts(ids []int) []int {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
