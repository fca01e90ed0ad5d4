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
func PeakRSSMB() float64 { return float64(procStatusKB()["VmHWM"]) / 1024 }

// procStatusKB reads the kB figures of /proc/self/status (VmHWM, RssAnon,
// …) by name; none where /proc is missing.
func procStatusKB() map[string]int {
	b, _ := os.ReadFile("/proc/self/status")
	out := map[string]int{}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		v, kB := strings.CutSuffix(strings.TrimSpace(v), " kB")
		if !ok || !kB {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			out[k] = n
		}
	}
	return out
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

// RSSSampler records the largest anonymous (RssAnon: heap, stacks) and
// file-backed (RssFile: mapped files, such as an index's segments) parts
// of this process's resident set, sampled every 50 ms until Stop. VmHWM
// counts both, and the file-backed pages are the kernel's to drop.
type RSSSampler struct {
	stop      chan struct{}
	done      chan struct{}
	anon, fil int // kB
}

// SampleRSS starts an RSSSampler.
func SampleRSS() *RSSSampler {
	s := &RSSSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *RSSSampler) sample() {
	st := procStatusKB()
	s.anon, s.fil = max(s.anon, st["RssAnon"]), max(s.fil, st["RssFile"])
}

// Stop ends the sampling and returns the peaks in MiB.
func (s *RSSSampler) Stop() (anonMB, fileMB float64) {
	close(s.stop)
	<-s.done
	return float64(s.anon) / 1024, float64(s.fil) / 1024
}
