package consume

import (
	"os"
	"syscall"
	"time"
)

// changeTime is when a file's inode last changed (st_ctime): linking or
// renaming it sets it, so it tells when a file was placed, where its
// modification time is the upload's. The later of the two, to be safe.
func changeTime(info os.FileInfo) time.Time {
	t := info.ModTime()
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		if c := time.Unix(st.Ctim.Sec, st.Ctim.Nsec); c.After(t) {
			t = c
		}
	}
	return t
}
