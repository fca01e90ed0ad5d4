package resolvers_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire/store"
)

// TestGlobalSearchStoragePathsCustomFieldsGroups: globalSearch lists the
// storage paths, custom fields and (for a superuser) groups whose name
// contains the query, counted in total.
func TestGlobalSearchStoragePathsCustomFieldsGroups(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		str := func(s string) *string { return &s }
		text := store.FieldString
		if _, err := e.st.CreateStoragePath(ctx, store.StoragePathInput{Name: str("Ledger path"), Path: str("ledger/{{ title }}")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateCustomField(ctx, store.CustomFieldInput{Name: str("Ledger no"), DataType: &text}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.CreateGroup(ctx, &store.Group{Name: "Ledger team"}, nil); err != nil {
			t.Fatal(err)
		}
		var gs struct {
			GlobalSearch struct {
				Total        int
				StoragePaths []struct{ Name, Path string }
				CustomFields []struct{ Name string }
				Groups       []struct{ Name string }
			}
		}
		e.mustDo(`{ globalSearch(query: "ledger") { total storagePaths { name path } customFields { name } groups { name } } }`, &gs)
		g := gs.GlobalSearch
		if len(g.StoragePaths) != 1 || g.StoragePaths[0].Path != "ledger/{{ title }}" || len(g.CustomFields) != 1 ||
			len(g.Groups) != 1 || g.Total != 3 {
			t.Fatalf("global search %+v", g)
		}
	})
}
