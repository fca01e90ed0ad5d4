package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/consume"
)

// Config is everything Quire needs to start, from flags and environment.
type Config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	AdminUser     string
	AdminPassword string
	AdminEmail    string
	TimeZone      *time.Location
	LogLevel      slog.Level
	LogFormat     string // "text" or "json"
	CookiePrefix  string
	UIDir         string // prebuilt paperless-compatible web frontend served at /
	// CORSAllowedOrigins are the origins of browser apps elsewhere that
	// may call /graphql and /api/ with credentials (normalised, see
	// auth.ParseOrigin); empty means no CORS headers.
	CORSAllowedOrigins []string
	// ResponseCacheMB bounds the rendered list pages kept (resolvers.Memo).
	ResponseCacheMB int
	// MemoryLimitMB is the soft heap limit (runtime/debug.SetMemoryLimit)
	// unless GOMEMLIMIT is set; 0 means none.
	MemoryLimitMB int
	// TypesenseURL selects Typesense as the search engine (else the
	// embedded index in <data>/index); TypesenseAPIKey authenticates;
	// TypesenseCollection names the alias the documents are searched
	// through (default quire_documents), so archives can share a cluster.
	TypesenseURL        string
	TypesenseAPIKey     string
	TypesenseCollection string
	// Consume configures the consumption pipeline (consume.ConfigFromEnv:
	// QUIRE_CONSUME_DIR, QUIRE_OCR_MODE, …). Its DataDir and Location
	// default to the server's.
	Consume consume.Config
	// DefaultAPIVersion is the /api/ version of requests that name none on
	// the routes paperless-ng has (QUIRE_DEFAULT_API_VERSION: 0, 1, 2, 9
	// or 10; see rest.ParseVersion).
	DefaultAPIVersion string
	// PublicURL (QUIRE_URL) and TrustedProxies (QUIRE_TRUSTED_PROXIES)
	// decide the scheme and host of absolute links (rest.Links).
	PublicURL      string
	TrustedProxies string
	// DisableAuditLog stops recording the history of documents
	// (QUIRE_AUDIT_LOG_ENABLED=false).
	DisableAuditLog bool
	// Args are the command's positional arguments (import, export: DIR).
	Args []string
}

// links is the REST layer's rule for absolute links (checked by
// parseConfig).
func (c Config) links() rest.Links {
	l, _ := rest.ParseLinks(c.PublicURL, c.TrustedProxies)
	return l
}

// setting is one configuration value: its environment names (Quire's first,
// then paperless-ng's aliases) and its flag, if any. A setting with only
// set matters to those commands alone ("quire", "quire createsuperuser"):
// the others neither take its flag nor list it.
type setting struct {
	env   []string
	flag  string
	def   string
	help  string
	only  []string
	apply func(c *Config, v string) error
}

// commandLine is one of Quire's commands as --help shows it: its name,
// positional arguments, usage and what it does.
type commandLine struct {
	name  string
	args  []string
	usage string
	about string
}

// commandLines are Quire's commands; Run dispatches them.
var commandLines = []commandLine{
	{name: "quire", usage: "quire [serve] [flags]",
		about: "serve the archive: paperless-ng's /api/, GraphQL at /graphql, the consumer (the default command)"},
	{name: "quire createsuperuser", usage: "quire createsuperuser [--username NAME] [--email MAIL] [flags]",
		about: "create a superuser, or make a user one and set its password (QUIRE_ADMIN_PASSWORD, or one line on standard input)"},
	{name: "quire reindex", usage: "quire reindex [flags]",
		about: "rebuild the search index from the database, with progress (safe to interrupt: run it again to continue)"},
	{name: "quire import", args: []string{"DIR"}, usage: "quire import DIR [--batch N] [flags]",
		about: "read a paperless-ng (0.9.x, 1.x) or paperless-ngx (1.x–3.x) export from DIR into the archive and the search index (run it again to continue)"},
	{name: "quire export", args: []string{"DIR"}, usage: "quire export DIR [flags]",
		about: "write the archive to DIR in paperless-ng's (default) or paperless-ngx 3.x's exporter format (manifest.json and the files)"},
	{name: "quire version", usage: "quire version", about: "print Quire's version"},
}

// lineOf returns the command line named name ("quire import").
func lineOf(name string) commandLine {
	for _, l := range commandLines {
		if l.name == name {
			return l
		}
	}
	return commandLine{name: name, usage: name + " [flags]"}
}

// settings is the configuration table; README.md documents the same table.
func settings() []setting {
	serve := []string{"quire"}
	admin := []string{"quire", "quire createsuperuser"}
	return []setting{
		{env: []string{"QUIRE_ADDR", "PAPERLESS_BIND_ADDR"}, flag: "addr", def: "127.0.0.1:8000",
			help: "address to listen on (host:port)", only: serve, apply: func(c *Config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("%q is not host:port", v)
				}
				c.Addr = v
				return nil
			}},
		{env: []string{"QUIRE_DATA_DIR", "PAPERLESS_DATA_DIR"}, flag: "data-dir", def: "./data",
			help: "folder for the database, index and files", apply: func(c *Config, v string) error {
				if v == "" {
					return errors.New("must not be empty")
				}
				abs, err := filepath.Abs(v)
				if err != nil {
					return err
				}
				c.DataDir = abs
				return nil
			}},
		{env: []string{"QUIRE_DATABASE_URL", "PAPERLESS_DATABASE_URL"}, help: "postgres://user:pass@host:port/db (default: SQLite in the data folder)",
			apply: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				u, err := url.Parse(v)
				if err != nil {
					return errors.New("not a URL")
				}
				switch u.Scheme {
				case "postgres", "postgresql", "sqlite":
				default:
					return fmt.Errorf("scheme %q is not postgres:// or sqlite:", u.Scheme)
				}
				c.DatabaseURL = v
				return nil
			}},
		{env: []string{"QUIRE_TYPESENSE_URL"}, help: "http://host:8108 of a Typesense cluster (default: the embedded index in the data folder)",
			apply: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("%q is not an http(s):// URL", v)
				}
				c.TypesenseURL = strings.TrimRight(v, "/")
				return nil
			}},
		{env: []string{"QUIRE_TYPESENSE_API_KEY"}, help: "Typesense API key (required with QUIRE_TYPESENSE_URL)",
			apply: func(c *Config, v string) error { c.TypesenseAPIKey = v; return nil }},
		{env: []string{"QUIRE_TYPESENSE_COLLECTION"}, help: "Typesense alias of this archive's documents (default quire_documents; one per archive sharing a cluster)",
			apply: func(c *Config, v string) error {
				for _, r := range v {
					if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
						return fmt.Errorf("%q: use letters, digits, _ and -", v)
					}
				}
				c.TypesenseCollection = v
				return nil
			}},
		{env: []string{"QUIRE_ADMIN_USER", "PAPERLESS_ADMIN_USER"}, only: admin, help: "create or update this superuser at start",
			apply: func(c *Config, v string) error { c.AdminUser = v; return nil }},
		{env: []string{"QUIRE_ADMIN_PASSWORD", "PAPERLESS_ADMIN_PASSWORD"}, only: admin, help: "its password",
			apply: func(c *Config, v string) error { c.AdminPassword = v; return nil }},
		{env: []string{"QUIRE_ADMIN_MAIL", "PAPERLESS_ADMIN_MAIL"}, only: admin, help: "its e-mail address",
			apply: func(c *Config, v string) error { c.AdminEmail = v; return nil }},
		{env: []string{"QUIRE_TIME_ZONE", "PAPERLESS_TIME_ZONE"}, def: "UTC", help: "time zone for dates (IANA name)",
			apply: func(c *Config, v string) error {
				loc, err := time.LoadLocation(v)
				if err != nil {
					return fmt.Errorf("unknown time zone %q", v)
				}
				c.TimeZone = loc
				return nil
			}},
		{env: []string{"QUIRE_LOG_LEVEL", "PAPERLESS_LOGGING_LEVEL"}, def: "info", help: "debug, info, warn or error",
			apply: func(c *Config, v string) error {
				return c.LogLevel.UnmarshalText([]byte(strings.ToLower(v)))
			}},
		{env: []string{"QUIRE_LOG_FORMAT"}, def: "text", help: "text or json",
			apply: func(c *Config, v string) error {
				if v != "text" && v != "json" {
					return fmt.Errorf("%q is not text or json", v)
				}
				c.LogFormat = v
				return nil
			}},
		{env: []string{"QUIRE_UI_DIR"}, flag: "ui-dir", help: "folder of a prebuilt paperless-compatible web frontend to serve at /",
			only: serve, apply: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				abs, err := filepath.Abs(v)
				if err != nil {
					return err
				}
				if _, err := os.Stat(filepath.Join(abs, "index.html")); err != nil {
					return fmt.Errorf("%s has no index.html", abs)
				}
				c.UIDir = abs
				return nil
			}},
		{env: []string{"QUIRE_COOKIE_PREFIX", "PAPERLESS_COOKIE_PREFIX"}, help: "prefix for the session and CSRF cookie names",
			only: serve, apply: func(c *Config, v string) error { c.CookiePrefix = v; return nil }},
		{env: []string{"QUIRE_CORS_ALLOWED_ORIGINS", "PAPERLESS_CORS_ALLOWED_HOSTS"}, help: "comma-separated origins (https://app.example) of browser apps that may call /graphql and /api/ with credentials",
			only: serve, apply: func(c *Config, v string) error {
				var bad []string
				for o := range strings.SplitSeq(v, ",") {
					if strings.TrimSpace(o) == "" {
						continue
					}
					o, err := auth.ParseOrigin(o)
					if err != nil {
						bad = append(bad, err.Error())
						continue
					}
					c.CORSAllowedOrigins = append(c.CORSAllowedOrigins, o)
				}
				if len(bad) > 0 {
					return errors.New(strings.Join(bad, "; "))
				}
				return nil
			}},
		{env: []string{"QUIRE_DEFAULT_API_VERSION"}, def: "1", help: "/api/ version of requests that name none: 1 or 2 (paperless-ng 1.x), 0 (paperless-ng 0.9 clients), 9 or 10 (paperless-ngx); routes only paperless-ngx has answer them as 10",
			only: serve, apply: func(c *Config, v string) error {
				if _, err := rest.ParseVersion(v); err != nil {
					return err
				}
				c.DefaultAPIVersion = strings.TrimSpace(v)
				return nil
			}},
		{env: []string{"QUIRE_URL", "PAPERLESS_URL"}, help: "https://host[:port] clients reach Quire at (behind a proxy): the scheme and host of every absolute link",
			only: serve, apply: func(c *Config, v string) error {
				if _, err := rest.ParseLinks(v, ""); err != nil {
					return err
				}
				c.PublicURL = v
				return nil
			}},
		{env: []string{"QUIRE_TRUSTED_PROXIES"}, help: "comma-separated IP addresses and CIDR prefixes of proxies whose X-Forwarded-Proto and X-Forwarded-Host set absolute links (without QUIRE_URL)",
			only: serve, apply: func(c *Config, v string) error {
				if _, err := rest.ParseLinks("", v); err != nil {
					return err
				}
				c.TrustedProxies = v
				return nil
			}},
		{env: []string{"QUIRE_RESPONSE_CACHE_MB"}, def: "32", help: "memory for rendered list pages kept until the archive changes (0: none)",
			only: serve, apply: megabytes(func(c *Config) *int { return &c.ResponseCacheMB })},
		{env: []string{"QUIRE_AUDIT_LOG_ENABLED", "PAPERLESS_AUDIT_LOG_ENABLED"}, def: "true", help: "record the history of documents: who changed what, when (true or false)",
			apply: func(c *Config, v string) error {
				switch strings.ToLower(strings.TrimSpace(v)) {
				case "true", "t", "yes", "y", "1", "on":
					c.DisableAuditLog = false
				case "false", "f", "no", "n", "0", "off":
					c.DisableAuditLog = true
				default:
					return fmt.Errorf("%q is not true or false", v)
				}
				return nil
			}},
		{env: []string{"QUIRE_MEMORY_LIMIT_MB"}, def: "0", help: "soft limit of the Go heap, for containers: the collector works harder near it (0: none; GOMEMLIMIT wins)",
			apply: megabytes(func(c *Config) *int { return &c.MemoryLimitMB })},
	}
}

// megabytes applies a setting that is a number of megabytes (≥ 0) to the
// field field returns.
func megabytes(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a number of megabytes", v)
		}
		*field(c) = n
		return nil
	}
}

// errHelp is returned after --help printed the usage.
var errHelp = errors.New("help requested")

// parseConfig reads the command line of command name ("quire", "quire
// import", …: see commandLines) from args — flags, and the command's
// positional arguments among them, into Config.Args — and the environment
// from getenv (flags win, then Quire's names, then paperless-ng's), and
// reports every problem at once. extra adds the command's own flags.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, error) {
	var c Config
	line := lineOf(name)
	serving := name == "quire"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var all []setting
	for _, s := range settings() {
		if s.only == nil || slices.Contains(s.only, name) {
			all = append(all, s)
		}
	}
	flagVals := map[string]*string{}
	for _, s := range all {
		if s.flag != "" {
			flagVals[s.flag] = fs.String(s.flag, "", fmt.Sprintf("%s (env %s; default %q)", s.help, s.env[0], s.def))
		}
	}
	if extra != nil {
		extra(fs)
	}
	// The flag package would print the whole usage after any mistake;
	// Quire prints it for --help only, and a mistake in one line.
	fs.SetOutput(io.Discard)
	usage := func() {
		fs.SetOutput(stderr)
		defer fs.SetOutput(io.Discard)
		if serving {
			fmt.Fprintf(stderr, "Usage:\n")
			for _, l := range commandLines {
				fmt.Fprintf(stderr, "  %s\n  \t%s\n", l.usage, l.about)
			}
			fmt.Fprintf(stderr, "\nRun `quire COMMAND --help` for a command's own flags.\n\nFlags of quire (serve):\n")
		} else {
			fmt.Fprintf(stderr, "Usage: %s\n\n%s.\n\nFlags:\n", line.usage, upperFirst(line.about))
		}
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nEnvironment (paperless-ng names in brackets are accepted too):\n")
		for _, s := range all {
			alias := ""
			if len(s.env) > 1 {
				alias = " [" + strings.Join(s.env[1:], ", ") + "]"
			}
			fmt.Fprintf(stderr, "  %s%s\n\t%s\n", s.env[0], alias, s.help)
		}
	}
	parse := func(args []string) error {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return errHelp
		}
		if err != nil {
			return fmt.Errorf("%w (usage: %s; %s --help lists the flags)", err, line.usage, name)
		}
		return nil
	}
	// Flags may stand before, between and after the positional arguments.
	if err := parse(args); err != nil {
		return c, err
	}
	for fs.NArg() > 0 && len(c.Args) < len(line.args) {
		c.Args = append(c.Args, fs.Arg(0))
		if err := parse(fs.Args()[1:]); err != nil {
			return c, err
		}
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s (usage: %s)", strings.Join(fs.Args(), " "), line.usage)
	}
	if len(c.Args) < len(line.args) {
		return c, fmt.Errorf("missing %s (usage: %s)", line.args[len(c.Args)], line.usage)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var problems []string
	for _, s := range all {
		v, from := s.def, "default"
		if s.flag != "" && set[s.flag] {
			v, from = *flagVals[s.flag], "--"+s.flag
		} else {
			for _, e := range s.env {
				if ev := getenv(e); ev != "" {
					v, from = ev, e
					break
				}
			}
		}
		if err := s.apply(&c, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", from, err))
		}
	}
	if c.TypesenseURL != "" && c.TypesenseAPIKey == "" {
		problems = append(problems, "QUIRE_TYPESENSE_URL is set but QUIRE_TYPESENSE_API_KEY is not")
	}
	// (createsuperuser reads a missing password from standard input and
	// takes --username)
	if serving && c.AdminUser != "" && c.AdminPassword == "" {
		problems = append(problems, "QUIRE_ADMIN_USER is set but QUIRE_ADMIN_PASSWORD is not")
	}
	if serving && c.AdminUser == "" && c.AdminPassword != "" {
		problems = append(problems, "QUIRE_ADMIN_PASSWORD is set but QUIRE_ADMIN_USER is not")
	}
	if c.DataDir != "" {
		if err := checkWritableDir(c.DataDir); err != nil {
			problems = append(problems, fmt.Sprintf("data folder %s: %v", c.DataDir, err))
		}
	}
	cc, err := consume.ConfigFromEnv(c.DataDir, getenv)
	if err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	cc.Location = c.TimeZone
	c.Consume = cc
	if len(problems) > 0 {
		return c, fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

// upperFirst returns s with its first letter in upper case.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkWritableDir creates dir if needed and checks that Quire can write there.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".quire-write-check-*")
	if err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// applyMemoryLimit sets the process's soft heap limit from the
// configuration, unless the GOMEMLIMIT environment variable (read by the Go
// runtime itself) is set. It is off by default (a limit makes the collector
// run more often near it): set it where the container has a memory limit.
func applyMemoryLimit(cfg Config, getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" || cfg.MemoryLimitMB <= 0 {
		return
	}
	debug.SetMemoryLimit(int64(cfg.MemoryLimitMB) << 20)
}
