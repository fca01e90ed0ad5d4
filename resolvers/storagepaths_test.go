package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/quirehq/quire/store"
)

// TestStoragePathsGraphQL: storage paths through GraphQL — create with a
// converted template, VALIDATION with a field path for a bad one, the
// list with filter, order and allIds, Document.storagePath through a
// loader (a page of documents with their paths costs a constant number of
// statements), updateDocument's storagePathId, testStoragePath, and the
// tag tree (parent, children); on both databases.
func TestStoragePathsGraphQL(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		var created struct {
			CreateStoragePath struct {
				ID, Path, Slug string
				Owner          *string
				UserCanChange  bool
			}
		}
		e.mustDo(`mutation { createStoragePath(input: {name: "Letters", path: "{correspondent}/{title}"}) { id path slug owner userCanChange } }`, &created)
		sp := created.CreateStoragePath
		if sp.Path != "{{ correspondent }}/{{ title }}" || sp.Slug != "letters" || sp.Owner == nil || !sp.UserCanChange {
			t.Fatalf("created %+v", sp)
		}
		for tmpl, msg := range map[string]string{
			"{{ nope }}":     "Invalid variable detected.",
			"../{{ title }}": `The path must stay inside the media folder (no absolute path, no "..").`,
		} {
			err := e.wantCode(e.do(e.c, fmt.Sprintf(`mutation { createStoragePath(input: {name: "x", path: %q}) { id } }`, tmpl), nil), "VALIDATION")
			if got := err.Extensions.Fields["path"]; len(got) != 1 || got[0] != msg {
				t.Errorf("%s: fields %v", tmpl, err.Extensions.Fields)
			}
		}
		var shared struct {
			CreateStoragePath struct {
				Owner       *string
				Permissions struct{ View struct{ Users []string } }
			}
		}
		e.mustDo(`mutation { createStoragePath(input: {name: "Bills", path: "bills/{{ title }}", owner: null,
			setPermissions: {view: {users: [`+fmt.Sprint(e.user.ID)+`]}}}) { owner permissions { view { users } } } }`, &shared)
		if shared.CreateStoragePath.Owner != nil || len(shared.CreateStoragePath.Permissions.View.Users) != 1 {
			t.Errorf("unowned with a grant: %+v", shared.CreateStoragePath)
		}

		var list struct {
			StoragePaths struct {
				TotalCount int
				Items      []struct{ Name string }
				AllIds     []string
			}
		}
		e.mustDo(`{ storagePaths(filter: {path: {icontains: "BILLS"}}, orderBy: [{field: PATH}]) { totalCount items { name } allIds } }`, &list)
		if list.StoragePaths.TotalCount != 1 || list.StoragePaths.Items[0].Name != "Bills" || len(list.StoragePaths.AllIds) != 1 {
			t.Errorf("list %+v", list.StoragePaths)
		}

		tagA, _ := seedDocs(t, e, 30)
		var docs struct {
			Documents struct{ Items []struct{ ID string } }
		}
		e.mustDo(`{ documents(pageSize: 30) { items { id } } }`, &docs)
		for _, d := range docs.Documents.Items {
			e.mustDo(fmt.Sprintf(`mutation { updateDocument(id: %s, input: {storagePathId: %s}) { id } }`, d.ID, sp.ID), nil)
		}
		qc := &queryCounter{}
		e.st.QueryHook(qc)
		var page struct {
			Documents struct {
				Items []struct {
					StoragePathID *string
					StoragePath   *struct {
						Name          string
						DocumentCount int
					}
				}
			}
		}
		e.mustDo(`{ documents(pageSize: 25) { items { storagePathId storagePath { name documentCount } } } }`, &page)
		if len(page.Documents.Items) != 25 || page.Documents.Items[0].StoragePath == nil ||
			page.Documents.Items[0].StoragePath.Name != "Letters" || page.Documents.Items[0].StoragePath.DocumentCount != 30 {
			t.Fatalf("page %+v", page.Documents.Items[0])
		}
		if n := qc.n.Load(); n > 4 {
			t.Errorf("a page of 25 documents with their storage paths and counts took %d SQL statements, want ≤ 4", n)
		}

		var tested struct{ TestStoragePath string }
		e.mustDo(fmt.Sprintf(`{ testStoragePath(path: "x/{{ title }}", documentId: %s) }`, docs.Documents.Items[0].ID), &tested)
		if tested.TestStoragePath == "" || tested.TestStoragePath[:2] != "x/" {
			t.Errorf("testStoragePath %q", tested.TestStoragePath)
		}

		// The tag tree.
		var child struct{ CreateTag struct{ ID string } }
		e.mustDo(fmt.Sprintf(`mutation { createTag(input: {name: "child", parentId: %d}) { id } }`, tagA), &child)
		var tag struct {
			Tag struct {
				Children []struct {
					Name   string
					Parent struct{ ID string }
				}
			}
		}
		e.mustDo(fmt.Sprintf(`{ tag(id: %d) { children { name parent { id } } } }`, tagA), &tag)
		if len(tag.Tag.Children) != 1 || tag.Tag.Children[0].Name != "child" || tag.Tag.Children[0].Parent.ID != fmt.Sprint(tagA) {
			t.Errorf("children %+v", tag.Tag.Children)
		}
		err := e.wantCode(e.do(e.c, fmt.Sprintf(`mutation { updateTag(id: %d, input: {parentId: %s}) { id } }`, tagA, child.CreateTag.ID), nil), "VALIDATION")
		if got := err.Extensions.Fields["parentId"]; len(got) != 1 || got[0] != "Cannot set parent to a descendant." {
			t.Errorf("cycle: %v", err.Extensions.Fields)
		}
		var moved struct {
			DeleteStoragePath string
		}
		e.mustDo(fmt.Sprintf(`mutation { deleteStoragePath(id: %s) }`, sp.ID), &moved)
		notNull := false
		d, _, _ := e.st.Documents(context.Background(), store.DocumentFilter{StoragePath: &store.IDFilter{Isnull: &notNull}}, nil, store.Page{})
		if len(d) != 0 {
			t.Errorf("%d documents keep a deleted path", len(d))
		}
	})
}
