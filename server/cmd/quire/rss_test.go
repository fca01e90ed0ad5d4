//go:build rss && linux

// The idle-memory measurement of the real binary, kept out of the normal
// test run (it takes about two minutes of mostly waiting):
//
//	go test -tags rss -run TestIdleRSS -v -count=1 ./server/cmd/quire/
//
// It builds quire, starts it on a fresh SQLite data folder and reads the
// process's resident set (VmRSS in /proc/PID/status) at rest after start,
// after rounds of Basic logins with the right password and with distinct
// wrong ones (every wrong one costs a full password hash), and at its peak
// under a flood of concurrent wrong passwords. It fails when the resident
// set 15 s after the last round exceeds idleBoundMB.
package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// settle is how long after the last request the resident set is read.
	settle = 15 * time.Second
	// idleBoundMB is the generous regression bound on the resident set
	// at rest after logins (the target is 40 MB; see docs/benchmarks.md).
	idleBoundMB = 60
)

func TestIdleRSS(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "quire")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build quire: %v\n%s", err, out)
	}

	t.Run("StartWithoutAdmin", func(t *testing.T) {
		q := startQuire(t, bin, false)
		time.Sleep(settle)
		t.Logf("RESULT idle RSS %ds after start, no QUIRE_ADMIN_*: %.1f MB", int(settle/time.Second), q.rssMB(t))
	})

	t.Run("Logins", func(t *testing.T) {
		q := startQuire(t, bin, true)
		time.Sleep(settle)
		t.Logf("RESULT idle RSS %ds after start, QUIRE_ADMIN_* set: %.1f MB", int(settle/time.Second), q.rssMB(t))
		wrong := 0
		for _, n := range []int{1, 10, 100} {
			start := time.Now()
			for range n {
				q.get(t, "admin", "secret", http.StatusOK)
				wrong++
				q.get(t, "admin", fmt.Sprintf("wrong-%d", wrong), http.StatusUnauthorized)
			}
			took := time.Since(start)
			time.Sleep(settle)
			t.Logf("RESULT idle RSS %ds after %d right + %d wrong logins (%s): %.1f MB",
				int(settle/time.Second), n, n, took.Round(time.Millisecond), q.rssMB(t))
		}
		last := q.rssMB(t)

		// A flood: 100 concurrent requests with distinct wrong passwords.
		q.resetPeak(t)
		var peak float64
		done := make(chan struct{})
		var sampler sync.WaitGroup
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			for {
				if mb, err := readStatus(q.pid, "VmRSS"); err == nil {
					peak = max(peak, mb)
				}
				select {
				case <-done:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() { q.get(t, "admin", fmt.Sprintf("flood-%d", i), http.StatusUnauthorized) })
		}
		wg.Wait()
		took := time.Since(start)
		close(done)
		sampler.Wait()
		hwm := q.status(t, "VmHWM")
		time.Sleep(settle)
		after := q.rssMB(t)
		t.Logf("RESULT flood of 100 concurrent wrong passwords: answered in %s, peak RSS %.1f MB (VmHWM %.1f MB), %ds later %.1f MB",
			took.Round(time.Millisecond), peak, hwm, int(settle/time.Second), after)

		if last > idleBoundMB || after > idleBoundMB {
			t.Errorf("idle RSS after logins is %.1f MB and after the flood %.1f MB, want at most %d MB", last, after, idleBoundMB)
		}
	})
}

// quire is a running quire serve.
type quire struct {
	pid  int
	base string
}

// startQuire starts bin on a fresh data folder and waits for /healthz;
// admin sets QUIRE_ADMIN_USER=admin, QUIRE_ADMIN_PASSWORD=secret.
func startQuire(t *testing.T, bin string, admin bool) *quire {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--data-dir", t.TempDir(), "--addr", addr)
	cmd.Env = append(os.Environ(), "QUIRE_LOG_LEVEL=warn")
	if admin {
		cmd.Env = append(cmd.Env, "QUIRE_ADMIN_USER=admin", "QUIRE_ADMIN_PASSWORD=secret")
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("quire output:\n%s", stderr.String())
		}
	})
	q := &quire{pid: cmd.Process.Pid, base: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(q.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return q
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("quire did not answer /healthz within 30s: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// get requests /api/ with Basic credentials and checks the status.
func (q *quire) get(t *testing.T, user, password string, want int) {
	req, _ := http.NewRequest(http.MethodGet, q.base+"/api/", nil)
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Errorf("GET /api/ as %s: status %d, want %d", user, resp.StatusCode, want)
	}
}

// rssMB is the process's VmRSS in MB (10^6 bytes).
func (q *quire) rssMB(t *testing.T) float64 { return q.status(t, "VmRSS") }

// status reads a "kB" field of /proc/PID/status, in MB.
func (q *quire) status(t *testing.T, field string) float64 {
	mb, err := readStatus(q.pid, field)
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

// readStatus reads a "kB" field of /proc/pid/status, in MB (10^6 bytes).
func readStatus(pid int, field string) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		name, rest, ok := strings.Cut(line, ":")
		if ok && name == field {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				return 0, fmt.Errorf("parse %q: %w", line, err)
			}
			return float64(kb) * 1024 / 1e6, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// resetPeak resets VmHWM (Linux 4.0+: writing 5 to clear_refs).
func (q *quire) resetPeak(t *testing.T) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", q.pid), []byte("5"), 0); err != nil {
		t.Logf("cannot reset VmHWM (%v); it then holds the peak since start", err)
	}
}
