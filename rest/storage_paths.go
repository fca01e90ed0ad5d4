package rest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/quirehq/quire/store"
)

// Storage paths (paperless-ngx only, NGX.md §7.2): a matching object with a
// file-name template `path`, an owner and grants.

// storagePathJSON is a storage path in NGX.md §7.1's key order.
type storagePathJSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Path              string `json:"path"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	DocumentCount     *int   `json:"document_count,omitempty"`
	ngxOwnership
}

// storagePathParams are the filters of /api/storage_paths/ (NGX.md §7).
var storagePathParams = listQuery(storagePathFilters().params(), storagePathOrders().names())

// storagePathNames maps resolver fields to wire names.
var storagePathNames = map[string]string{
	"matchingAlgorithm": "matching_algorithm", "isInsensitive": "is_insensitive", "ownerId": "owner",
}

// storagePathFilters are id, id__in and the name and path lookups.
func storagePathFilters() filterSet[store.StoragePathFilter] {
	type F = store.StoragePathFilter
	s := filterSet[F]{
		{param{"id", "integer", "id"}, func(f *F, v string) string {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msgEnterNumber
			}
			f.IDs = intersect(f.IDs, []int{n})
			return ""
		}},
		{param{"id__in", "integers", "id is one of (comma-separated)"}, func(f *F, v string) string {
			ids, ok := intList(v, true)
			if !ok {
				return msgEnterNumber
			}
			if len(ids) > 0 {
				f.IDs = intersect(f.IDs, ids)
			}
			return ""
		}},
	}
	s = append(s, textFilters("name", "name", func(f *F) **store.TextFilter { return &f.Name })...)
	s = append(s, textFilters("path", "path", func(f *F) **store.TextFilter { return &f.Path })...)
	return s
}

func storagePathOrders() orderSet[store.NameOrder] {
	return append(nameOrders(false), orderDef[store.NameOrder]{"path", func(desc bool) store.NameOrder {
		return store.NameOrder{Field: store.NameOrderPath, Direction: dir(desc)}
	}})
}

func (a *API) storagePaths() *resource[store.StoragePath, store.StoragePathFilter, store.NameOrder, store.StoragePathInput] {
	q, m := a.res.Query(), a.res.Mutation()
	return &resource[store.StoragePath, store.StoragePathFilter, store.NameOrder, store.StoragePathInput]{
		filters: storagePathFilters(),
		orders:  storagePathOrders(),
		names:   staticNames(storagePathNames),
		list: func(ctx context.Context, f *store.StoragePathFilter, o []store.NameOrder, page, size *int) ([]store.StoragePath, int, int, error) {
			l, err := q.StoragePaths(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		ids: func(ctx context.Context, f *store.StoragePathFilter, o []store.NameOrder) ([]int, error) {
			return a.res.StoragePathIDs(ctx, f, o)
		},
		get: q.StoragePath,
		input: func(b *body, ri *reqInfo) store.StoragePathInput {
			var in store.StoragePathInput
			in.Name, in.Match, in.MatchingAlgorithm, in.IsInsensitive = matchingFields(b, ri)
			in.Path, _ = b.str("path", false, false)
			return in // owner and set_permissions: permissionArgs
		},
		create:  m.CreateStoragePath,
		replace: a.res.ReplaceStoragePath,
		patch:   m.UpdateStoragePath,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteStoragePath(ctx, id); return err },
		render:  a.renderStoragePaths,
	}
}

// renderStoragePaths serialises storage paths with their owner and
// user_can_change, or with ?full_perms=true their grants.
func (a *API) renderStoragePaths(ctx context.Context, r *http.Request, items []store.StoragePath, computed bool) (any, error) {
	out := make([]storagePathJSON, len(items))
	full, _ := boolStyle(r.URL.Query().Get("full_perms"))
	var grants map[int]store.Grants
	if full {
		ids := make([]int, len(items))
		for i, p := range items {
			ids[i] = p.ID
		}
		var err error
		if grants, err = a.res.StoragePathGrants(ctx, ids); err != nil {
			return nil, err
		}
	}
	for i, p := range items {
		out[i] = storagePathJSON{ID: p.ID, Slug: p.Slug, Name: p.Name, Path: p.Path, Match: p.Match,
			MatchingAlgorithm: int(p.MatchingAlgorithm), IsInsensitive: p.IsInsensitive}
		out[i].Owner = p.OwnerID
		if full {
			g := grants[p.ID]
			out[i].Permissions = &ngxPerms{View: ngxHolders{orEmpty(g.View.Users), orEmpty(g.View.Groups)},
				Change: ngxHolders{orEmpty(g.Change.Users), orEmpty(g.Change.Groups)}}
		}
	}
	return out, each(len(items), func(i int) error {
		if !full {
			ok, err := a.res.StoragePathUserCanChange(ctx, items[i].ID)
			if err != nil {
				return err
			}
			out[i].UserCanChange = &ok
		}
		if !computed {
			return nil
		}
		n, err := a.res.StoragePathDocumentCount(ctx, items[i].ID)
		out[i].DocumentCount = &n
		return err
	})
}

// storagePathTest is POST /api/storage_paths/test/ {"path": "…",
// "document": id}: the file name the template gives the document, as a
// JSON string (NGX.md §7.2).
func (a *API) storagePathTest() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := a.readBody(w, r, false)
		if b == nil {
			return
		}
		path, _ := b.str("path", false, false)
		doc, _ := b.pk("document", false)
		if path == nil && b.errs["path"] == nil {
			b.fail("path", msgRequired)
		}
		if doc == nil && b.errs["document"] == nil {
			b.fail("document", msgRequired)
		}
		if b.errs != nil {
			a.fieldErrors(w, r, b.errs)
			return
		}
		out, err := a.res.Query().TestStoragePath(r.Context(), *path, *doc)
		if err != nil {
			a.writeError(w, r, err, map[string]string{"documentId": "document"})
			return
		}
		a.writeJSON(w, r, http.StatusOK, out)
	}
}

// orEmpty is ids, or an empty list for nil (JSON [] rather than null).
func orEmpty(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}
