package server

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/quirehq/quire/store"
)

// command is what an administrator subcommand (createsuperuser, reindex,
// import, export) runs with: its configuration, a context cancelled by
// SIGINT/SIGTERM, a logger and the open store.
type command struct {
	ctx    context.Context
	cfg    Config
	logger *slog.Logger
	st     *store.Store
	stop   context.CancelFunc
}

// close releases the store and the signal handler.
func (c *command) close() {
	c.st.Close()
	c.stop()
}

// errHelpShown reports a --help that printed the usage: the command ends
// without error.
var errHelpShown = errors.New("usage shown")

// openCommand parses a subcommand's flags and environment (extra adds its
// own flags) and opens the store. It returns errHelpShown after --help.
func openCommand(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*command, error) {
	cfg, err := parseConfig(name, args, getenv, stderr, extra)
	if errors.Is(err, errHelp) {
		return nil, errHelpShown
	}
	if err != nil {
		return nil, err
	}
	applyMemoryLimit(cfg, getenv)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	// The first SIGINT/SIGTERM cancels ctx, and the command ends as soon
	// as its current step allows (what it did is kept; run it again to
	// continue). From then on the signals are the runtime's again, so a
	// second one ends the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	logger := newLogger(cfg, stderr)
	st, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, URL: cfg.DatabaseURL, Logger: logger, Location: cfg.TimeZone, DisableAuditLog: cfg.DisableAuditLog})
	if err != nil {
		stop()
		return nil, err
	}
	return &command{ctx: ctx, cfg: cfg, logger: logger, st: st, stop: stop}, nil
}
