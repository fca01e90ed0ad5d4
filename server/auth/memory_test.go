package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store"
)

// TestRehashEarlierDefault: a hash with Quire's earlier default (64 MiB,
// t=1, p=2) still verifies, and a login replaces it by one with the
// current DefaultParams.
func TestRehashEarlierDefault(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{Params: DefaultParams})
	old := Params{Memory: 64 * 1024, Time: 1, Threads: 2}.Hash("pw")
	u := &store.User{Username: "early", IsActive: true, Password: old}
	if err := f.st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Login(ctx, "early", "pw"); err != nil {
		t.Fatalf("login against the earlier default: %v", err)
	}
	row, err := f.st.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if row.Password == old {
		t.Fatal("hash not replaced")
	}
	if ok, rehash, err := DefaultParams.Verify("pw", row.Password); !ok || rehash || err != nil {
		t.Fatalf("new hash: ok=%v rehash=%v err=%v (%s)", ok, rehash, err, row.Password)
	}
}

// TestHashMemoryReturned: once a burst of hashes has ended, the heap
// hands their memory back to the operating system.
func TestHashMemoryReturned(t *testing.T) {
	const memMiB = 48
	f := newFixture(t, Config{Params: Params{Memory: memMiB * 1024, Time: 1, Threads: 1}})
	var releases atomic.Int32
	f.a.memory.delay = 50 * time.Millisecond
	f.a.memory.free = func() { debug.FreeOSMemory(); releases.Add(1) }
	f.mustUser(t, "alice", "pw", true)
	debug.FreeOSMemory()

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			_, err := f.a.Login(context.Background(), "alice", fmt.Sprintf("wrong-%d", i))
			if store.ErrorMessage(err) != MsgInvalidLogin {
				t.Errorf("wrong password %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for releases.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a second release would come by now
	if n := releases.Load(); n != 1 {
		t.Fatalf("burst of 4 hashes released memory %d times, want 1", n)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if held := ms.HeapSys - ms.HeapReleased; held >= memMiB<<20 {
		t.Fatalf("heap holds %d MiB from the OS after the burst, want less than one hash's %d MiB", held>>20, memMiB)
	}
}

// TestReleaseWaitsForRunningHash: no release while a hash runs; the last
// hash to finish schedules it.
func TestReleaseWaitsForRunningHash(t *testing.T) {
	var n atomic.Int32
	r := memReleaser{delay: 20 * time.Millisecond, free: func() { n.Add(1) }}
	r.begin()
	r.begin()
	r.end()
	time.Sleep(100 * time.Millisecond)
	if n.Load() != 0 {
		t.Fatal("released while a hash was running")
	}
	r.end()
	time.Sleep(100 * time.Millisecond)
	if n.Load() != 1 {
		t.Fatalf("released %d times after the last hash, want 1", n.Load())
	}
}

// TestHashQueueHonoursContext: with every hashing slot taken, a login
// waits, and gives up when its request's context ends, without hashing.
func TestHashQueueHonoursContext(t *testing.T) {
	f := newFixture(t, Config{MaxConcurrentHashes: 1})
	f.mustUser(t, "alice", "pw", true)
	f.a.hashSem <- struct{}{} // the one slot is busy
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.a.Login(ctx, "alice", "pw")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Login with every slot busy = %v, want the context's error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("gave up after %s", took)
	}
	if h := f.a.hashes.Load(); h != 0 {
		t.Fatalf("%d hashes computed", h)
	}
	<-f.a.hashSem
	if _, err := f.a.Login(context.Background(), "alice", "pw"); err != nil {
		t.Fatalf("Login once the slot is free: %v", err)
	}
}

// TestDefaultHashSlots: by default as many hashes run at once as there
// are cores (DefaultParams use one lane each).
func TestDefaultHashSlots(t *testing.T) {
	f := newFixture(t, Config{Params: DefaultParams})
	if got, want := cap(f.a.hashSem), runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("hash slots = %d, want %d (GOMAXPROCS)", got, want)
	}
}

// TestCollectBeforeNextHash: a hash that follows a finished one collects
// its dead buffer first; one after a release (or the first) does not.
func TestCollectBeforeNextHash(t *testing.T) {
	var collects, frees atomic.Int32
	r := memReleaser{delay: time.Hour, free: func() { frees.Add(1) }, collect: func() { collects.Add(1) }}
	r.begin()
	if collects.Load() != 0 {
		t.Fatal("first hash collected")
	}
	r.begin() // a second slot
	r.end()
	r.begin() // follows a finished hash
	if collects.Load() != 1 {
		t.Fatalf("collections = %d, want 1", collects.Load())
	}
	r.end()
	r.end()
	r.release() // as the timer would
	r.begin()
	if collects.Load() != 1 || frees.Load() != 1 {
		t.Fatalf("after a release: collections = %d, frees = %d, want 1 and 1", collects.Load(), frees.Load())
	}
	r.end()
}
