package resolvers

import (
	"context"
	"fmt"
	"slices"

	"github.com/quirehq/quire/store"
)

// maxLogLines bounds the text view of one log, newest lines kept.
const maxLogLines = 5000

var levelNames = map[int]string{
	store.LevelDebug: "DEBUG", store.LevelInfo: "INFO", store.LevelWarning: "WARNING",
	store.LevelError: "ERROR", store.LevelCritical: "CRITICAL",
}

// logLines renders the newest entries of one log as paperless's log-file
// lines, oldest first: `[2020-12-01 09:12:40,123] [INFO] [paperless] message`.
// An unknown or empty log is NotFound.
func (r *Resolver) logLines(ctx context.Context, name string) ([]string, error) {
	entries, total, err := r.Store.LogEntries(ctx, store.LogFilter{Logger: &name}, store.Desc, store.Page{Number: 1, Size: maxLogLines})
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, store.Errorf(store.NotFound, "log %q not found", name)
	}
	lines := make([]string, 0, len(entries))
	for _, e := range slices.Backward(entries) {
		level, ok := levelNames[e.Level]
		if !ok {
			level = fmt.Sprint(e.Level)
		}
		ts := e.Created.UTC()
		lines = append(lines, fmt.Sprintf("[%s,%03d] [%s] [%s] %s",
			ts.Format("2006-01-02 15:04:05"), ts.Nanosecond()/1e6, level, e.Logger, e.Message))
	}
	return lines, nil
}
