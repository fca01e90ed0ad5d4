//go:build !linux

package consume

import (
	"os"
	"time"
)

// changeTime falls back to the modification time where st_ctime is not
// read; files.Place keeps an upload's modification time, so on such
// systems keep Config.OrphanAge above how long a task can wait in the
// queue.
func changeTime(info os.FileInfo) time.Time { return info.ModTime() }
