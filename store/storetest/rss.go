package storetest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PeakRSSMB is this process's peak resident set (VmHWM) in MiB, 0 where
// /proc is missing. Benchmarks that run work in a child process report the
// child's own figure with it: getrusage(RUSAGE_CHILDREN) in the parent is
// no use, as Linux carries the parent's peak into a child started with a
// shared address space (as Go starts them).
func PeakRSSMB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(v, "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// CPUTime is the processor time (user and system) this process has used
// so far: differences of it measure work more steadily than wall time on
// a shared machine.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
