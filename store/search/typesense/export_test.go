package typesense

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/typesense/typesense-go/v2/typesense/api"
)

// SetStaleAfter changes how old an unannounced collection must be for Open
// to drop it, until the test ends.
func SetStaleAfter(t *testing.T, d time.Duration) {
	old := staleAfter
	staleAfter = d
	t.Cleanup(func() { staleAfter = old })
}

// SetAbandonAfter changes after how long another process's rebuild may be
// taken over, until the test ends.
func SetAbandonAfter(t *testing.T, d time.Duration) {
	old := abandonAfter
	abandonAfter = d
	t.Cleanup(func() { abandonAfter = old })
}

// CreateStray creates a collection of e's alias that is neither live nor
// announced, as a crashed process leaves one.
func CreateStray(ctx context.Context, e *Engine) (string, error) { return e.createCollection(ctx) }

// Collections lists the collections of e's alias.
func Collections(ctx context.Context, e *Engine) ([]string, error) {
	cols, err := e.client.Collections().Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cols {
		if strings.HasPrefix(c.Name, e.cfg.Alias+"_") {
			names = append(names, c.Name)
		}
	}
	return names, nil
}

// UseCollection creates the collection <alias>_<suffix> and points the
// alias at it, as a collection another version of Quire created.
func UseCollection(ctx context.Context, e *Engine, suffix string) error {
	name, err := e.createNamed(ctx, e.cfg.Alias+"_"+suffix)
	if err != nil {
		return err
	}
	_, err = e.client.Aliases().Upsert(ctx, e.cfg.Alias, &api.CollectionAliasSchema{CollectionName: name})
	return err
}
