//go:build !linux

package parse

import "syscall"

// toolProcAttr puts a tool in its own process group; the watchdog
// (watchGroup) alone kills it when this process ends, as there is no
// parent-death signal here.
func toolProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// lockThread has nothing to do without a parent-death signal.
func lockThread() (unlock func()) { return func() {} }
