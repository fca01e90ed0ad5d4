package consume

import (
	"fmt"
	"syscall"
)

// Storage reports the size of the file system holding the data folder
// and the bytes still available to Quire there.
func (s *Service) Storage() (total, available uint64, err error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(s.cfg.DataDir, &fs); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", s.cfg.DataDir, err)
	}
	return fs.Blocks * uint64(fs.Bsize), fs.Bavail * uint64(fs.Bsize), nil
}
