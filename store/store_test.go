package store_test

import (
	"testing"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// TestStore runs the conformance suite on SQLite and, when
// TEST_POSTGRES_DSN is set, PostgreSQL.
func TestStore(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) *store.Store { return storetest.Open(t, dialect) })
		})
	}
}
