package consume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/store/files"
)

// Config is the consumer's configuration. The zero value of every field
// but DataDir is a usable default.
type Config struct {
	DataDir    string // required: staging, failed and scratch folders live here
	MediaDir   string // stored documents; default <DataDir>/media
	ConsumeDir string // watched folder; default <DataDir>/consume
	// DisableWatcher turns the consume-folder watcher off.
	DisableWatcher bool

	Workers      int           // concurrent consumptions in this process; default 1
	MaxAttempts  int           // tries of a task whose tool timed out or crashed; default 3
	RetryBackoff time.Duration // first retry delay, doubled each time; default 10s
	Lease        time.Duration // task lease (a dead worker's task is retaken after it); default 2m
	Poll         time.Duration // how often idle workers look for tasks; default 1s

	MaxUploadSize int64 // bytes; 0 means 200 MiB; negative means no limit

	WatchPoll time.Duration // consume-folder polling interval (beside fsnotify); default 10s
	StableFor time.Duration // a file is taken once unchanged this long; default 2s

	FilenameFormat          string // PAPERLESS_FILENAME_FORMAT
	FilenameParseTransforms []Transform
	DateOrder               string // PAPERLESS_DATE_ORDER, default "DMY"
	FilenameDateOrder       string // PAPERLESS_FILENAME_DATE_ORDER, "" = no date search in names
	DeleteDuplicates        bool   // PAPERLESS_CONSUMER_DELETE_DUPLICATES
	Location                *time.Location

	Parse parse.Config
	Tools parse.ToolConfig

	// ClassifierInterval is how often the classifier checks whether its
	// training data changed (and retrains); default 1h, negative disables.
	ClassifierInterval time.Duration

	// OrphanAge is how long a file in the originals, archive or thumbnail
	// folder that no document refers to is left alone (measured from
	// when it was placed) before the sweeper moves it to
	// <DataDir>/lost+found; default 1h, negative disables. It must exceed
	// the longest consumption transaction.
	OrphanAge time.Duration

	// EmptyTrashDelay is how long a deleted document stays in the trash
	// before the sweeper deletes it, files included, for good; default 30
	// days (paperless-ngx's EMPTY_TRASH_DELAY).
	EmptyTrashDelay time.Duration

	// Owner names this process in task leases; default host-pid-random.
	Owner string

	// DefaultOwner is the username that owns documents consumed without an
	// uploader (the consume folder); "" leaves them unowned, everyone's.
	// An upload belongs to its uploader whatever this says.
	DefaultOwner string
	// DefaultGrants are given on every consumed document: usernames and
	// group names that may view it, and that may change it.
	DefaultGrants DefaultGrants
}

// DefaultGrants are the per-object permissions every consumed document
// gets (QUIRE_CONSUMER_DEFAULT_VIEW_USERS and its siblings), by name.
type DefaultGrants struct {
	ViewUsers, ViewGroups, ChangeUsers, ChangeGroups []string
}

func (g DefaultGrants) empty() bool {
	return len(g.ViewUsers)+len(g.ViewGroups)+len(g.ChangeUsers)+len(g.ChangeGroups) == 0
}

// nameList splits a comma-separated list of names, dropping blanks.
func nameList(v string) []string {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Transform is one PAPERLESS_FILENAME_PARSE_TRANSFORMS entry: the first
// pattern that matches the file name is replaced by Repl ($1 style).
type Transform struct {
	Pattern *regexp.Regexp
	Repl    string
}

func (c *Config) defaults() error {
	if c.DataDir == "" {
		return errors.New("consume: no data folder")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.MediaDir, filepath.Join(c.DataDir, "media"))
	def(&c.ConsumeDir, filepath.Join(c.DataDir, "consume"))
	dur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	dur(&c.RetryBackoff, 10*time.Second)
	dur(&c.Lease, 2*time.Minute)
	dur(&c.Poll, time.Second)
	dur(&c.WatchPoll, 10*time.Second)
	dur(&c.StableFor, 2*time.Second)
	dur(&c.ClassifierInterval, time.Hour)
	dur(&c.OrphanAge, time.Hour)
	dur(&c.EmptyTrashDelay, 30*24*time.Hour)
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
	if c.MaxUploadSize == 0 {
		c.MaxUploadSize = 200 << 20
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Parse.OCRMode == "" {
		c.Parse.OCRMode = parse.ModeSkip
	}
	if !parse.ValidMode(c.Parse.OCRMode) {
		return fmt.Errorf("consume: OCR mode %q is not skip, skip_noarchive, redo or force", c.Parse.OCRMode)
	}
	if c.Tools.TempDir == "" {
		c.Tools.TempDir = filepath.Join(c.DataDir, "scratch")
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomID()[:8])
	}
	return nil
}

// ConfigFromEnv reads the consumer settings from environment variables,
// Quire's names first, then paperless-ng's aliases, and reports every
// problem at once. dataDir is the server's data folder.
//
//	QUIRE_CONSUME_DIR / PAPERLESS_CONSUMPTION_DIR
//	QUIRE_MEDIA_DIR / PAPERLESS_MEDIA_ROOT
//	QUIRE_OCR_MODE / PAPERLESS_OCR_MODE (skip, skip_noarchive, redo, force;
//	    PAPERLESS_OCR_ALWAYS=true means force)
//	QUIRE_OCR_LANGUAGE / PAPERLESS_OCR_LANGUAGE
//	QUIRE_OCR_PAGES / PAPERLESS_OCR_PAGES
//	QUIRE_TASK_WORKERS / PAPERLESS_TASK_WORKERS
//	QUIRE_FILENAME_FORMAT / PAPERLESS_FILENAME_FORMAT
//	QUIRE_DATE_ORDER / PAPERLESS_DATE_ORDER
//	QUIRE_FILENAME_DATE_ORDER / PAPERLESS_FILENAME_DATE_ORDER
//	QUIRE_FILENAME_PARSE_TRANSFORMS / PAPERLESS_FILENAME_PARSE_TRANSFORMS (JSON list of {"pattern","repl"})
//	QUIRE_CONSUMER_DELETE_DUPLICATES / PAPERLESS_CONSUMER_DELETE_DUPLICATES
//	QUIRE_MAX_UPLOAD_SIZE (bytes)
//	QUIRE_CONSUMER_POLLING / PAPERLESS_CONSUMER_POLLING (seconds)
//	QUIRE_OCR_TIMEOUT (Go duration)
//	QUIRE_EMPTY_TRASH_DELAY / PAPERLESS_EMPTY_TRASH_DELAY (days, ≥ 1; default 30)
//	QUIRE_CONSUMER_DEFAULT_OWNER (a username)
//	QUIRE_CONSUMER_DEFAULT_{VIEW,CHANGE}_{USERS,GROUPS} (comma-separated names)
func ConfigFromEnv(dataDir string, getenv func(string) string) (Config, error) {
	c := Config{DataDir: dataDir}
	var errs []error
	get := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	atoi := func(name, v string, dst *int) {
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a non-negative integer", name, v))
			return
		}
		*dst = n
	}
	c.ConsumeDir = get("QUIRE_CONSUME_DIR", "PAPERLESS_CONSUMPTION_DIR")
	c.MediaDir = get("QUIRE_MEDIA_DIR", "PAPERLESS_MEDIA_ROOT")
	c.Parse.OCRMode = get("QUIRE_OCR_MODE", "PAPERLESS_OCR_MODE")
	if c.Parse.OCRMode == "" && strings.EqualFold(getenv("PAPERLESS_OCR_ALWAYS"), "true") {
		c.Parse.OCRMode = parse.ModeForce
	}
	if c.Parse.OCRMode != "" && !parse.ValidMode(c.Parse.OCRMode) {
		errs = append(errs, fmt.Errorf("QUIRE_OCR_MODE: %q is not skip, skip_noarchive, redo or force", c.Parse.OCRMode))
	}
	c.Parse.OCRLanguage = get("QUIRE_OCR_LANGUAGE", "PAPERLESS_OCR_LANGUAGE")
	atoi("QUIRE_OCR_PAGES", get("QUIRE_OCR_PAGES", "PAPERLESS_OCR_PAGES"), &c.Parse.OCRPages)
	atoi("QUIRE_TASK_WORKERS", get("QUIRE_TASK_WORKERS", "PAPERLESS_TASK_WORKERS"), &c.Workers)
	c.FilenameFormat = get("QUIRE_FILENAME_FORMAT", "PAPERLESS_FILENAME_FORMAT")
	if c.FilenameFormat != "" {
		if _, err := files.ParseFormat(c.FilenameFormat); err != nil {
			errs = append(errs, fmt.Errorf("QUIRE_FILENAME_FORMAT: %w", err))
		}
	}
	for _, o := range []struct {
		dst   *string
		names []string
	}{{&c.DateOrder, []string{"QUIRE_DATE_ORDER", "PAPERLESS_DATE_ORDER"}}, {&c.FilenameDateOrder, []string{"QUIRE_FILENAME_DATE_ORDER", "PAPERLESS_FILENAME_DATE_ORDER"}}} {
		v := strings.ToUpper(get(o.names...))
		if v != "" && !validOrder(v) {
			errs = append(errs, fmt.Errorf("%s: %q is not a date order like DMY", o.names[0], v))
		}
		*o.dst = v
	}
	if v := get("QUIRE_FILENAME_PARSE_TRANSFORMS", "PAPERLESS_FILENAME_PARSE_TRANSFORMS"); v != "" {
		ts, err := ParseTransforms(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("QUIRE_FILENAME_PARSE_TRANSFORMS: %w", err))
		}
		c.FilenameParseTransforms = ts
	}
	if v := get("QUIRE_CONSUMER_DELETE_DUPLICATES", "PAPERLESS_CONSUMER_DELETE_DUPLICATES"); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("QUIRE_CONSUMER_DELETE_DUPLICATES: %q is not a boolean", v))
		}
		c.DeleteDuplicates = b
	}
	if v := getenv("QUIRE_MAX_UPLOAD_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("QUIRE_MAX_UPLOAD_SIZE: %q is not a number of bytes", v))
		}
		c.MaxUploadSize = n
	}
	if v := get("QUIRE_CONSUMER_POLLING", "PAPERLESS_CONSUMER_POLLING"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("QUIRE_CONSUMER_POLLING: %q is not a number of seconds", v))
		} else if n > 0 {
			c.WatchPoll = time.Duration(n) * time.Second
		}
	}
	if v := get("QUIRE_EMPTY_TRASH_DELAY", "PAPERLESS_EMPTY_TRASH_DELAY"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("QUIRE_EMPTY_TRASH_DELAY: %q is not a number of days (1 or more)", v))
		} else {
			c.EmptyTrashDelay = time.Duration(n) * 24 * time.Hour
		}
	}
	c.DefaultOwner = strings.TrimSpace(getenv("QUIRE_CONSUMER_DEFAULT_OWNER"))
	c.DefaultGrants = DefaultGrants{
		ViewUsers:    nameList(getenv("QUIRE_CONSUMER_DEFAULT_VIEW_USERS")),
		ViewGroups:   nameList(getenv("QUIRE_CONSUMER_DEFAULT_VIEW_GROUPS")),
		ChangeUsers:  nameList(getenv("QUIRE_CONSUMER_DEFAULT_CHANGE_USERS")),
		ChangeGroups: nameList(getenv("QUIRE_CONSUMER_DEFAULT_CHANGE_GROUPS")),
	}
	if v := getenv("QUIRE_OCR_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("QUIRE_OCR_TIMEOUT: %q is not a duration", v))
		}
		c.Tools.OCRTimeout = d
	}
	return c, errors.Join(errs...)
}

func validOrder(s string) bool {
	switch s {
	case "DMY", "MDY", "YMD", "YDM", "DYM", "MYD":
		return true
	}
	return false
}
