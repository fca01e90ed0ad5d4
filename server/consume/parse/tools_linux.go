package parse

import (
	"runtime"
	"syscall"
)

// toolProcAttr puts a tool in its own process group and has the kernel
// kill it (SIGKILL) when the thread that started it ends, which run makes
// the same as this process ending.
func toolProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// lockThread wires the calling goroutine to its OS thread until the
// returned function is called, so the thread that starts a tool (and
// whose end sends the tool its Pdeathsig) lives as long as the tool: no
// other goroutine can lock it and end it meanwhile.
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
