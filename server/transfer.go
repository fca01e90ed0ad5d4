package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/server/transfer"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/search/bleve"
)

// mediaLayout is the storage layout of the configuration.
func mediaLayout(cfg Config) files.Layout {
	media := cfg.Consume.MediaDir
	if media == "" {
		media = filepath.Join(cfg.DataDir, "media")
	}
	return files.Layout{Media: media}
}

// runImport is `quire import DIR`: it reads a paperless-ng export (0.9.x
// or 1.x) or a paperless-ngx one (1.x to 3.x) into the archive and the search index, with a progress bar. It
// can be run again after an interruption; what it could not import is
// listed, and then it fails.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var batch int
	c, err := openCommand(ctx, "quire import", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&batch, "batch", 250, "documents per transaction")
	})
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cfg, st, logger, dir := c.ctx, c.cfg, c.st, c.logger, c.cfg.Args[0]
	// The documents are queued for the search index in the transactions
	// that import them; with the embedded index open in a running
	// `quire serve`, that process indexes them from the queue.
	var indexer *index.Indexer
	eng, err := openSearch(ctx, cfg, st, logger)
	var locked *bleve.LockedError
	switch {
	case errors.As(err, &locked):
		fmt.Fprintf(stderr, "%v: importing without it; that process indexes the imported documents as they arrive (if it is not `quire serve`, the next `quire serve` does).\n", err)
	case err != nil:
		return err
	default:
		defer eng.Close()
		indexer = index.New(st, eng, logger)
	}

	var format *files.Format
	if cfg.Consume.FilenameFormat != "" {
		if format, err = files.ParseFormat(cfg.Consume.FilenameFormat); err != nil {
			logger.Warn("invalid filename format, using default names", "error", err)
			format = nil
		}
	}
	bar := newProgressBar(stderr, "importing")
	start := time.Now()
	rep, err := transfer.Import(ctx, st, dir, transfer.Options{
		Media: mediaLayout(cfg), Format: format, Location: cfg.TimeZone,
		Indexer: indexer, Progress: bar.update, Logger: logger, BatchSize: batch,
		Phase: func(step string) {
			if bar.drawn {
				fmt.Fprintln(stderr)
				bar.drawn = false
			}
			fmt.Fprintln(stderr, step)
		},
	})
	bar.finish()
	if rep != nil {
		printImportReport(stdout, rep, time.Since(start))
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "Interrupted: run `quire import` again with the same folder to continue where it stopped.")
		return errors.New("import interrupted")
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", dir, err)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("import %s: %d objects were not imported (listed above)", dir, len(rep.Failed))
	}
	return nil
}

// counted is "1 tag", "2 tags".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func printImportReport(w io.Writer, rep *transfer.ImportReport, took time.Duration) {
	if rep.Format != "" {
		v := ""
		if rep.Version != "" {
			v = " (version " + rep.Version + ")"
		}
		fmt.Fprintf(w, "Export format: %s%s.\n", rep.Format, v)
	}
	fmt.Fprintf(w, "Imported %d of %d documents in %s (%d already present from an earlier run), %s, %s, %s, %s, %s.\n",
		rep.Documents, rep.Total, took.Round(100*time.Millisecond), rep.AlreadyPresent,
		counted(rep.Correspondents, "correspondent"), counted(rep.DocumentTypes, "document type"),
		counted(rep.Tags, "tag"), counted(rep.SavedViews, "saved view"), counted(rep.Users, "user"))
	if n := rep.Groups + rep.StoragePaths + rep.CustomFields + rep.CustomFieldValues + rep.Notes + rep.ShareLinks + rep.ObjectPermissions + rep.Trashed + rep.History; n > 0 {
		fmt.Fprintf(w, "Also %s, %s, %s, %s, %s, %s, %s, objects with per-object permissions: %d, documents in the trash: %d.\n",
			counted(rep.Groups, "group"), counted(rep.StoragePaths, "storage path"), counted(rep.CustomFields, "custom field"),
			counted(rep.CustomFieldValues, "custom field value"), counted(rep.Notes, "note"), counted(rep.ShareLinks, "share link"),
			counted(rep.History, "history record"), rep.ObjectPermissions, rep.Trashed)
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintf(w, "Warnings (%d):\n", len(rep.Warnings))
		for _, p := range rep.Warnings {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(w, "Skipped, having no place in Quire (%d models):\n", len(rep.Skipped))
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if len(rep.Failed) > 0 {
		fmt.Fprintf(w, "Not imported (%d):\n", len(rep.Failed))
		for _, p := range rep.Failed {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
}

// runExport is `quire export DIR`: it writes the archive in paperless-ng's
// exporter format, or with --format ngx paperless-ngx 3.x's (manifest.json,
// metadata.json and the files), with a progress bar.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var format string
	var ngx transfer.NGXOptions
	c, err := openCommand(ctx, "quire export", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "ng", "`ng`: paperless-ng 1.x's format; ngx: paperless-ngx 3.x's (its document_importer reads it)")
		fs.BoolVar(&ngx.SplitManifest, "split-manifest", false, "ngx: each document in a manifest of its own (<name>-manifest.json)")
		fs.BoolVar(&ngx.DataOnly, "data-only", false, "ngx: the manifest only, no files")
		fs.BoolVar(&ngx.NoThumbnail, "no-thumbnail", false, "ngx: no thumbnails")
		fs.BoolVar(&ngx.NoArchive, "no-archive", false, "ngx: no archive versions")
		fs.BoolVar(&ngx.FolderPrefix, "use-folder-prefix", false, "ngx: files in originals/, archive/, thumbnails/ and json/")
		fs.BoolVar(&ngx.CompareChecksums, "compare-checksums", false, "ngx: a file already in DIR is current when its SHA-256 matches (default: its size and time)")
	})
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		return err
	}
	if format != "ng" && format != "ngx" {
		c.close()
		return fmt.Errorf("--format %q: want ng or ngx", format)
	}
	if format == "ng" && ngx != (transfer.NGXOptions{}) {
		c.close()
		return errors.New("--split-manifest, --data-only, --no-thumbnail, --no-archive, --use-folder-prefix and --compare-checksums need --format ngx")
	}
	defer c.close()
	ctx, cfg, st, logger, dir := c.ctx, c.cfg, c.st, c.logger, c.cfg.Args[0]
	bar := newProgressBar(stderr, "exporting")
	start := time.Now()
	rep, err := transfer.Export(ctx, st, dir, transfer.Options{Media: mediaLayout(cfg), Location: cfg.TimeZone, Progress: bar.update, Logger: logger,
		NGX: format == "ngx", NGXOptions: ngx})
	bar.finish()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "Interrupted: the manifest was not written; run `quire export` again (files already copied are kept).")
		return errors.New("export interrupted")
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w", dir, err)
	}
	fmt.Fprintf(stdout, "Exported %d of %d documents to %s in %s.\n", rep.Documents, rep.Total, dir, time.Since(start).Round(100*time.Millisecond))
	for _, sk := range rep.Skipped {
		fmt.Fprintf(stdout, "  left out: %s\n", sk)
	}
	if len(rep.Failed) > 0 {
		fmt.Fprintf(stdout, "Not exported (%d):\n", len(rep.Failed))
		for _, p := range rep.Failed {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return fmt.Errorf("export to %s: %d documents were left out (listed above)", dir, len(rep.Failed))
	}
	return nil
}
