//go:build !unix

package bleve

import "os"

// tryLock has no lock to take here: a second process then fails when
// bleve's own database lock times out (indexConfig's bolt_timeout).
func tryLock(*os.File) (held bool, err error) { return false, nil }
