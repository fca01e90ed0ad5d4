//go:build !linux

package consume

import "errors"

// Storage is not measured on this system.
func (s *Service) Storage() (total, available uint64, err error) {
	return 0, 0, errors.New("storage size is only measured on Linux")
}
