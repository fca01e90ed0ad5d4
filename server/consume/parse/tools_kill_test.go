package parse

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// toolChildEnv turns the test binary into a fake server for
// TestToolsDieWithServer: it runs one long tool through Exec.run and waits.
const toolChildEnv = "QUIRE_TOOL_CHILD_DIR"

// TestToolsDieWithServer starts a fake server (this test binary again)
// whose tool is a shell that starts a child of its own and waits, as
// ocrmypdf starts tesseract; kill -9 of the server must end both within a
// couple of seconds.
func TestToolsDieWithServer(t *testing.T) {
	if dir := os.Getenv(toolChildEnv); dir != "" {
		e := NewExec(ToolConfig{Timeout: time.Hour})
		script := fmt.Sprintf(`echo $$ > %[1]s/leader.tmp && mv %[1]s/leader.tmp %[1]s/leader; sleep 300 & echo $! > %[1]s/child.tmp && mv %[1]s/child.tmp %[1]s/child; wait`, dir)
		_, err := e.run(context.Background(), time.Hour, nil, "sh", "sh", "-c", script)
		fmt.Fprintln(os.Stderr, "tool ended:", err)
		os.Exit(3)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	srv := exec.Command(os.Args[0], "-test.run=^TestToolsDieWithServer$")
	srv.Env = append(os.Environ(), toolChildEnv+"="+dir)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	leader, child := readPID(t, filepath.Join(dir, "leader")), readPID(t, filepath.Join(dir, "child"))
	defer syscall.Kill(-leader, syscall.SIGKILL) // if the test fails

	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	deadline := time.Now().Add(2 * time.Second)
	for alive(leader) || alive(child) {
		if time.Now().After(deadline) {
			t.Fatalf("2 s after kill -9 of the server: tool alive %v, its child alive %v", alive(leader), alive(child))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readPID waits for a process id written to path.
func readPID(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tool did not write %s", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie waiting for its reaper counts
// as ended).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill
	}
	// The state follows the command name in parentheses.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
