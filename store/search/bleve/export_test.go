package bleve

import (
	"sync"
	"testing"
)

// HoldPersister makes bleve's persister stop after the next snapshot it
// writes, in every index of this process, until the returned release is
// called (or the test ends); held is closed once it has stopped.
func HoldPersister(t *testing.T) (held <-chan struct{}, release func()) {
	gate, stopped := make(chan struct{}), make(chan struct{})
	var once, stop sync.Once
	h := func() {
		stop.Do(func() { close(stopped) })
		<-gate
	}
	persistedHook.Store(&h)
	release = func() {
		once.Do(func() {
			persistedHook.Store(nil)
			close(gate)
		})
	}
	t.Cleanup(release)
	return stopped, release
}

// SliceSearches makes every search with at least minDocs live documents
// per slice run in up to n slices, until the test ends.
func SliceSearches(t *testing.T, minDocs, n int) {
	oldMin, oldMax := sliceMinDocs, sliceMax
	sliceMinDocs, sliceMax = minDocs, func() int { return n }
	t.Cleanup(func() { sliceMinDocs, sliceMax = oldMin, oldMax })
}
