package server

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalEndsCommand: a command busy in a step that does not
// watch its context ends at the second SIGINT, killed by the signal.
func TestSecondSignalEndsCommand(t *testing.T) {
	if d := os.Getenv("QUIRE_TEST_STUCK_CHILD"); d != "" {
		c, err := openCommand(context.Background(), "quire reindex", []string{"--data-dir", d}, os.Getenv, os.Stderr, nil)
		if err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("ready\n")
		<-c.ctx.Done()
		os.Stdout.WriteString("cancelled\n")
		select {} // a step that ignores the context
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondSignalEndsCommand$")
	cmd.Env = append(os.Environ(), "QUIRE_TEST_STUCK_CHILD="+t.TempDir())
	var out safeBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("child never printed %q: %q", s, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("ready")
	cmd.Process.Signal(syscall.SIGINT)
	waitFor("cancelled")
	time.Sleep(50 * time.Millisecond) // let the handler be reset
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("child ended with %v", err)
		}
		if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
			t.Fatalf("child ended with %v, want killed by SIGINT", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second SIGINT did not end the command")
	}
}
