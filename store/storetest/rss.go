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

// ChildReport reads the numbers a benchmark's child process printed on a
// line "CHILD key=value …" (the last such line wins); a value that is not
// a number is left out.
func ChildReport(out []byte) map[string]float64 {
	m := map[string]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		rest, ok := strings.CutPrefix(line, "CHILD ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				m[k] = f
			}
		}
	}
	return m
}
