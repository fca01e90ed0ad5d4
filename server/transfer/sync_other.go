//go:build !linux

package transfer

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/quirehq/quire/store/files"
)

// syncFiles makes the files just written durable: an fsync of each, then
// of each folder holding them.
func syncFiles(_ files.Layout, paths []string) error {
	dirs := map[string]bool{}
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		if err := files.SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}
