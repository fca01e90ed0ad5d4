package transfer

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quirehq/quire/store/files"
)

// unzipExport extracts the zip file at path (paperless-ngx's exporter
// with --zip) into a new folder below parent and returns it; the caller
// removes it. Entries that would leave the folder are refused.
func unzipExport(ctx context.Context, path, parent string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer zr.Close()
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(parent, ".import-zip-")
	if err != nil {
		return "", fmt.Errorf("extract %s: %w", path, err)
	}
	buf := make([]byte, 64<<10)
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		dst, err := files.Within(dir, filepath.FromSlash(f.Name))
		if err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("extract %s: entry %w", path, err)
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o750); err != nil {
				os.RemoveAll(dir)
				return "", err
			}
			continue
		}
		if err := extractEntry(f, dst, buf); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("extract %s from %s: %w", f.Name, path, err)
		}
	}
	return dir, nil
}

func extractEntry(f *zip.File, dst string, buf []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	in, err := f.Open()
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(out, in, buf)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// isZip reports whether path is a zip file (rather than a folder).
func isZip(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "PK\x03\x04"
}

var errNotExport = errors.New("not a folder or zip file: not a paperless export")
