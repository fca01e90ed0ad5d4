package server

import (
	"context"
	"errors"

	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/typesense"
)

// openSearch opens the configured search engine: Typesense when a URL is
// set, else the embedded index in <data>/index.
func openSearch(ctx context.Context, cfg Config, st *store.Store, logger *slog.Logger) (search.Engine, error) {
	dir := filepath.Join(cfg.DataDir, "index")
	if cfg.TypesenseURL != "" {
		e, err := typesense.Open(ctx, typesense.Config{
			URL: cfg.TypesenseURL, APIKey: cfg.TypesenseAPIKey, Alias: cfg.TypesenseCollection,
			StatsDir: filepath.Join(dir, "typesense"), Logger: logger,
			Contents: st.DocumentContents, // highlights read the text from the database
		})
		if err != nil {
			return nil, fmt.Errorf("search engine (Typesense at %s): %w", cfg.TypesenseURL, err)
		}
		return e, nil
	}
	e, err := bleve.Open(dir, bleve.Options{Logger: logger})
	var locked *bleve.LockedError
	if errors.As(err, &locked) {
		return nil, err // it names the folder
	}
	if err != nil {
		return nil, fmt.Errorf("search index in %s: %w", dir, err)
	}
	return e, nil
}

// runReindex is `quire reindex`: it rebuilds the search index from the
// database with a progress bar, resuming an interrupted rebuild; the live
// index keeps serving until the new one is swapped in.
func runReindex(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := openCommand(ctx, "quire reindex", args, getenv, stderr, nil)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		return err
	}
	defer c.close()
	ctx, st, logger := c.ctx, c.st, c.logger
	eng, err := openSearch(ctx, c.cfg, st, logger)
	var locked *bleve.LockedError
	if errors.As(err, &locked) {
		return fmt.Errorf("%w; stop it and run `quire reindex` again (the embedded index is rebuilt by one process at a time; with Typesense a rebuild runs beside running servers)", err)
	}
	if err != nil {
		return err
	}
	defer eng.Close()

	bar := newProgressBar(stderr, "indexing")
	ix := index.New(st, eng, logger)
	start := time.Now()
	err = ix.Rebuild(ctx, bar.update)
	bar.finish()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "Interrupted: run `quire reindex` again to continue where it stopped.")
		return errors.New("reindex interrupted")
	}
	if err != nil {
		return err
	}
	// Changes made while rebuilding are queued; apply them now.
	if err := ix.Drain(ctx); err != nil {
		return fmt.Errorf("apply changes made during the rebuild: %w", err)
	}
	n, _ := eng.Count(ctx)
	fmt.Fprintf(stdout, "Search index rebuilt: %d documents in %s.\n", n, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// progressBar draws a rebuild's progress: redrawn in place on a terminal,
// a line every 10% otherwise (logs, CI).
type progressBar struct {
	w        io.Writer
	label    string
	tty      bool
	start    time.Time
	lastDraw time.Time
	lastTen  int
	drawn    bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, label: label, tty: tty, start: time.Now()}
}

func (p *progressBar) update(done, total int) {
	now := time.Now()
	if total <= 0 {
		total = max(done, 1)
	}
	frac := float64(done) / float64(total)
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-3)
	eta := "ETA ?"
	switch {
	case done >= total:
		eta = "done in " + now.Sub(p.start).Round(100*time.Millisecond).String()
	case done > 0:
		eta = "ETA " + time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second).String()
	}
	line := fmt.Sprintf("%s %s %d/%d documents (%3.0f%%) %.0f docs/s, %s",
		p.label, bar(frac, 30), done, total, 100*frac, rate, eta)
	if p.tty {
		if now.Sub(p.lastDraw) < 100*time.Millisecond && done < total {
			return
		}
		fmt.Fprintf(p.w, "\r%s\033[K", line)
		p.lastDraw, p.drawn = now, true
		return
	}
	if ten := int(frac * 10); ten > p.lastTen || done == total {
		p.lastTen = ten
		fmt.Fprintln(p.w, line)
	}
}

func (p *progressBar) finish() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

// bar renders [=====>    ].
func bar(frac float64, width int) string {
	n := int(frac * float64(width))
	n = min(max(n, 0), width)
	s := strings.Repeat("=", n)
	if n < width {
		s += ">" + strings.Repeat(" ", width-n-1)
	}
	return "[" + s + "]"
}

// rebuildIfNeeded rebuilds the search index when it is missing or does not
// match the archive, logging progress every 10%.
func rebuildIfNeeded(ctx context.Context, ix *index.Indexer, logger *slog.Logger) {
	need, why, err := ix.CheckAtStart(ctx)
	if err != nil {
		logger.Warn("could not check the search index", "error", err)
		return
	}
	if !need {
		return
	}
	logger.Info("rebuilding the search index in the background", "reason", why)
	start, lastTen := time.Now(), -1
	err = ix.Rebuild(ctx, func(done, total int) {
		if ten := done * 10 / max(total, 1); ten > lastTen {
			lastTen = ten
			logger.Info("search index rebuild", "done", done, "total", total)
		}
	})
	switch {
	case ctx.Err() != nil:
		logger.Info("search index rebuild interrupted; it resumes at the next start")
	case store.ErrorCode(err) == store.Conflict:
		logger.Info("the search index is being rebuilt by another Quire process", "detail", store.ErrorMessage(err))
	case err != nil:
		logger.Error("search index rebuild failed; run `quire reindex`", "error", err)
	default:
		logger.Info("search index rebuilt", "duration_ms", time.Since(start).Milliseconds())
	}
}
