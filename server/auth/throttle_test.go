package auth

import (
	"testing"
	"time"
)

func TestThrottleAllowsRatePerWindowPerKey(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	th := NewThrottle(5, time.Minute)
	th.Now = func() time.Time { return now }
	for i := range 5 {
		if _, ok := th.Allow("192.0.2.1"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		now = now.Add(time.Second)
	}
	wait, ok := th.Allow("192.0.2.1")
	if ok {
		t.Fatal("sixth attempt in a minute allowed")
	}
	if wait != 55*time.Second {
		t.Fatalf("wait %v, want 55s (the first attempt leaves the window then)", wait)
	}
	if _, ok := th.Allow("192.0.2.2"); !ok {
		t.Fatal("another client is throttled too")
	}
	now = now.Add(55 * time.Second)
	if _, ok := th.Allow("192.0.2.1"); !ok {
		t.Fatal("still refused after the oldest attempt left the window")
	}
	if _, ok := th.Allow("192.0.2.1"); ok {
		t.Fatal("one slot freed, two attempts allowed")
	}
}

func TestThrottleForgetsIdleClients(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	th := NewThrottle(1, time.Minute)
	th.Now = func() time.Time { return now }
	for _, k := range []string{"a", "b", "c"} {
		th.Allow(k)
	}
	now = now.Add(2 * time.Minute)
	th.Allow("d")
	if n := len(th.history); n != 1 {
		t.Fatalf("history holds %d clients after the others went idle, want 1", n)
	}
}
