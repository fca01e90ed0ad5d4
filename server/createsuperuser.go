package server

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
)

// runCreateSuperuser is `quire createsuperuser`: it creates a superuser, or
// makes an existing user one and sets its password. The password comes from
// QUIRE_ADMIN_PASSWORD or, failing that, the first line of standard input.
func runCreateSuperuser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var username, email string
	cfg, err := parseConfig("quire createsuperuser", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "user name (default: QUIRE_ADMIN_USER)")
		fs.StringVar(&email, "email", "", "e-mail address")
	})
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if username == "" {
		username = cfg.AdminUser
	}
	if username == "" {
		return errors.New("createsuperuser: --username is required")
	}
	password := cfg.AdminPassword
	if password == "" {
		fmt.Fprintf(stderr, "Password for %s (one line on standard input): ", username)
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		fmt.Fprintln(stderr)
	}
	if password == "" {
		return errors.New("createsuperuser: empty password (set QUIRE_ADMIN_PASSWORD or pipe it on standard input)")
	}
	if email == "" {
		email = cfg.AdminEmail
	}
	logger := newLogger(cfg, stderr)
	st, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, URL: cfg.DatabaseURL, Logger: logger, Location: cfg.TimeZone})
	if err != nil {
		return err
	}
	defer st.Close()
	created, err := auth.EnsureSuperuser(ctx, st, username, password, email)
	if err != nil {
		return fmt.Errorf("createsuperuser: %w", err)
	}
	if created {
		fmt.Fprintf(stdout, "Superuser %s created.\n", username)
	} else {
		fmt.Fprintf(stdout, "Superuser %s updated.\n", username)
	}
	return nil
}
