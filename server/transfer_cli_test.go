package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportExportNGXCommands runs `quire import` on a paperless-ngx 3.x
// export and `quire export --format ngx --split-manifest` of the result,
// and checks the report and the written layout.
func TestImportExportNGXCommands(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"QUIRE_DATA_DIR": t.TempDir()}
	var out, errOut strings.Builder
	if err := Run(ctx, []string{"import", "../testdata/paperless-ngx-export-3.x"}, env(vars), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"Export format: paperless-ngx 3.x (version 3.0.5).", "Imported 3 of 3 documents", "Also 1 group, 1 storage path, 2 custom fields, 2 custom field values, 1 note, 1 share link, 1 history record",
		"Skipped, having no place in Quire", "1 × paperless_mail.mailrule: Quire has no such objects"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("import report lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"Reading the manifest…", "paperless-ngx 3.x export (3 documents): importing users", "Applying per-object permissions…",
		"Bringing the search index up to date…", "3/3 documents"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("progress output lacks %q:\n%s", want, errOut.String())
		}
	}
	dir := t.TempDir()
	out.Reset()
	if err := Run(ctx, []string{"export", "--format", "ngx", "--split-manifest", "--no-thumbnail", dir}, env(vars), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "Exported 3 of 3 documents") {
		t.Errorf("export said:\n%s", out.String())
	}
	var meta map[string]string
	b, _ := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if json.Unmarshal(b, &meta) != nil || meta["version"] == "" {
		t.Errorf("metadata.json = %s", b)
	}
	split, _ := filepath.Glob(filepath.Join(dir, "*-manifest.json"))
	thumbs, _ := filepath.Glob(filepath.Join(dir, "*-thumbnail.webp"))
	if len(split) != 3 || len(thumbs) != 0 {
		t.Errorf("split manifests %v, thumbnails %v", split, thumbs)
	}
	for _, bad := range [][]string{{"export", "--format", "ngy", dir}, {"export", "--split-manifest", dir}} {
		if err := Run(ctx, bad, env(vars), strings.NewReader(""), &out, &errOut); err == nil {
			t.Errorf("quire %v: no error", bad)
		}
	}
}
