package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/consume"
	"github.com/quirehq/quire/server/consume/bridge"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// Version is Quire's version, reported in logs and X-Version headers.
const Version = "0.1.0"

// shutdownTimeout bounds how long in-flight requests may finish after a signal.
const shutdownTimeout = 15 * time.Second

// Run is the whole program: it parses args (without the program name) and
// the environment, then serves until ctx is cancelled or SIGINT/SIGTERM
// arrives. Subcommands (commandLines): createsuperuser, reindex, import,
// export, version; `quire help` is `quire --help`.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "createsuperuser":
			return runCreateSuperuser(ctx, args[1:], getenv, stdin, stdout, stderr)
		case "reindex":
			return runReindex(ctx, args[1:], getenv, stdout, stderr)
		case "import":
			return runImport(ctx, args[1:], getenv, stdout, stderr)
		case "export":
			return runExport(ctx, args[1:], getenv, stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, "quire", Version)
			return nil
		case "serve":
			args = args[1:]
		case "help":
			args = []string{"--help"}
		default:
			if !strings.HasPrefix(args[0], "-") {
				names := []string{"serve"}
				for _, l := range commandLines[1:] {
					names = append(names, strings.TrimPrefix(l.name, "quire "))
				}
				return fmt.Errorf("unknown command %q: the commands are %s (quire --help)", args[0], strings.Join(names, ", "))
			}
		}
	}
	cfg, err := parseConfig("quire", args, getenv, stderr, nil)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	applyMemoryLimit(cfg, getenv)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, newLogger(cfg, stderr), nil)
}

// newLogger builds the process logger from the configuration.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// app is what serve runs: the store, the consumption service, the
// resolvers over both and the authenticator.
type app struct {
	st     *store.Store
	svc    *consume.Service
	res    *resolvers.Resolver
	auth   *auth.Authenticator
	engine search.Engine
	ix     *index.Indexer
}

// close releases the search engine and the store.
func (a *app) close() {
	a.engine.Close()
	a.st.Close()
}

// openApp opens the store and prepares the consumption service, the
// resolvers and the authenticator. The caller closes app.st.
func openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, store.Config{
		DataDir:  cfg.DataDir,
		URL:      cfg.DatabaseURL,
		Logger:   logger,
		Location: cfg.TimeZone,
		// the history of documents (QUIRE_AUDIT_LOG_ENABLED)
		DisableAuditLog: cfg.DisableAuditLog,
	})
	if err != nil {
		return nil, err
	}
	cc := cfg.Consume
	if cc.DataDir == "" {
		cc.DataDir = cfg.DataDir
	}
	if cc.Location == nil {
		cc.Location = cfg.TimeZone
	}
	svc, err := consume.New(st, cc, logger.With("component", "consume"))
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("consumption: %w", err)
	}
	engine, err := openSearch(ctx, cfg, st, logger.With("component", "search"))
	if err != nil {
		st.Close()
		return nil, err
	}
	res := resolvers.New(st, logger)
	au := auth.New(st, logger, time.Now, auth.Config{CookiePrefix: cfg.CookiePrefix, TrustedOrigins: cfg.CORSAllowedOrigins, PublicOrigin: cfg.PublicURL})
	res.Credentials = au
	res.TokenThrottle = auth.NewThrottle(5, time.Minute)
	res.Consumer = bridge.Consumer{Svc: svc}
	res.TrashDelay = cfg.Consume.EmptyTrashDelay
	res.Search = engine
	res.Location = cfg.TimeZone
	res.Memo = resolvers.NewMemo(int64(cfg.ResponseCacheMB) << 20)
	ix := index.New(st, engine, logger.With("component", "index"))
	return &app{st: st, svc: svc, res: res, auth: au, engine: engine, ix: ix}, nil
}

// serve runs the HTTP server until ctx ends. ready, if not nil, receives the
// listening address once requests are being accepted (tests use port 0).
func serve(ctx context.Context, cfg Config, logger *slog.Logger, ready chan<- string) error {
	start := time.Now()
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	st, res, au := a.st, a.res, a.auth
	defer a.close()

	if cfg.AdminUser != "" {
		created, err := auth.EnsureSuperuser(ctx, st, cfg.AdminUser, cfg.AdminPassword, cfg.AdminEmail)
		if err != nil {
			return fmt.Errorf("admin user %q: %w", cfg.AdminUser, err)
		}
		logger.Info("superuser ready", "username", cfg.AdminUser, "created", created)
	}
	if has, err := st.HasUsers(ctx); err != nil {
		return err
	} else if !has {
		logger.Warn("no user exists yet: create one with `quire createsuperuser --username NAME`" +
			" (password from QUIRE_ADMIN_PASSWORD or standard input), or start with QUIRE_ADMIN_USER and QUIRE_ADMIN_PASSWORD set")
	}

	var ui []http.Handler
	if cfg.UIDir != "" {
		h, err := rest.UIHandler(cfg.UIDir, restAuth{au})
		if err != nil {
			return err
		}
		ui = append(ui, h)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// Requests outlive the signal (Shutdown lets them finish); websocket
	// connections, which Shutdown does not track, end when connCtx is
	// cancelled after it.
	connCtx, closeConns := context.WithCancel(context.WithoutCancel(ctx))
	defer closeConns()
	srv := &http.Server{
		Handler: quireVersion(limitBodies(a.svc.MaxUploadSize())(
			routesWith(apiOptions{defaultVersion: cfg.DefaultAPIVersion, links: cfg.links()}, st, res, au, logger, ui...))),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return connCtx },
	}
	// The consumer runs beside the HTTP server and stops with it: its
	// workers leave in-flight tasks leased, and the next start (or another
	// replica, once the lease expires) resumes them.
	cctx, stopConsumer := context.WithCancel(context.WithoutCancel(ctx))
	defer stopConsumer()
	consumerDone := make(chan error, 1)
	go func() { consumerDone <- a.svc.Run(cctx) }()
	// The indexer drains the search outbox; a missing or out-of-date index
	// is rebuilt in the background (searches use the old one meanwhile).
	indexerDone := make(chan struct{})
	go func() {
		defer close(indexerDone)
		go a.ix.Run(cctx)
		rebuildIfNeeded(cctx, a.ix, logger)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("quire serving", "addr", ln.Addr().String(), "version", Version,
		"database", st.Dialect(), "data_dir", cfg.DataDir, "startup_ms", time.Since(start).Milliseconds())
	if ready != nil {
		ready <- ln.Addr().String()
	}

	var runErr error
	select {
	case err := <-errc:
		runErr = fmt.Errorf("http server: %w", err)
	case err := <-consumerDone:
		consumerDone <- nil
		if err == nil {
			err = errors.New("stopped unexpectedly")
		}
		runErr = fmt.Errorf("consumer: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && runErr == nil {
		runErr = fmt.Errorf("shutdown: %w", err)
	}
	closeConns()
	stopConsumer()
	<-indexerDone
	if err := <-consumerDone; err != nil && runErr == nil {
		runErr = fmt.Errorf("consumer: %w", err)
	}
	logger.Info("stopped")
	return runErr
}
