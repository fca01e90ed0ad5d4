package transfer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/quirehq/quire/store/files"
)

// syncFiles makes the files just written under the media folder durable,
// with their folder entries: one syncfs(2) of the media file system
// instead of an fsync per file and folder.
func syncFiles(l files.Layout, _ []string) error {
	f, err := os.Open(l.Media)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("sync %s: %w", l.Media, err)
	}
	return nil
}
