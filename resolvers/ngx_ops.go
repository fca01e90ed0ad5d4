package resolvers

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
)

// globalSearchHits is how many objects of each kind the global search
// returns (paperless-ngx's limit).
const globalSearchHits = 3

// bulkSelection resolves a bulk edit's `all` to the ids its filter
// matches (every document without one).
func (r *Resolver) bulkSelection(ctx context.Context, b *store.BulkEdit) error {
	if !b.All {
		return nil
	}
	ids, err := r.Store.DocumentIDs(ctx, deref(b.Filter), nil)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []int{}
	}
	b.DocumentIDs = ids
	return nil
}

// bulkEditObjects deletes tags, correspondents or document types, or
// validates a permission change on them; deleted objects leave the
// documents that used them, which are re-indexed.
func (r *Resolver) bulkEditObjects(ctx context.Context, b store.BulkObjects) ([]int, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	if err := authorizeObjects(ctx, b); err != nil { // permissions_objects.go
		return nil, err
	}
	if b.Operation == store.ObjectSetPermissions {
		if _, ok := objectModels[b.ObjectType]; ok {
			return r.bulkObjectPermissions(ctx, b)
		}
	}
	var affected []int
	if b.Operation == store.ObjectDelete && len(b.ObjectIDs) > 0 {
		f := store.DocumentFilter{}
		switch b.ObjectType {
		case store.ObjectTags:
			f.Tags = &store.TagsFilter{Any: b.ObjectIDs}
		case store.ObjectCorrespondents:
			f.Correspondent = &store.IDFilter{In: b.ObjectIDs}
		case store.ObjectDocumentTypes:
			f.DocumentType = &store.IDFilter{In: b.ObjectIDs}
		case store.ObjectStoragePaths: // their documents' files move back
			f.StoragePath = &store.IDFilter{In: b.ObjectIDs}
		}
		if f.Tags != nil || f.Correspondent != nil || f.DocumentType != nil || f.StoragePath != nil {
			var err error
			if affected, err = r.Store.DocumentIDs(ctx, f, nil); err != nil {
				return nil, err
			}
		}
	}
	ids, err := r.Store.BulkEditObjects(ctx, b)
	if err != nil {
		return nil, err
	}
	if len(affected) > 0 {
		r.afterDocumentsChanged(ctx, affected, true)
	}
	return ids, nil
}

// globalSearch is paperless-ngx's object search: at most three visible
// objects of each kind (storage paths and custom fields only with their
// view_ permission) whose name (a document's title or content through the search
// engine, its title in the database with dbOnly) contains query.
func (r *Resolver) globalSearch(ctx context.Context, query string, dbOnly bool) (*model.GlobalSearchResult, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) < 3 {
		msg := "Query must be at least 3 characters"
		if query == "" {
			msg = "Query required"
		}
		return nil, &store.Error{Code: store.Validation, Message: msg, Fields: map[string][]string{"query": {msg}}}
	}
	if err := (store.NameFilter{Name: &store.TextFilter{Icontains: &query}}).Validate(); err != nil {
		return nil, err
	}
	first := store.Page{Number: 1, Size: globalSearchHits}
	name := store.NameFilter{Name: &store.TextFilter{Icontains: &query}}
	out := &model.GlobalSearchResult{SavedViews: []store.SavedView{}, Users: []store.User{}, Groups: []store.Group{},
		StoragePaths: []store.StoragePath{}, CustomFields: []store.CustomField{}}
	if out.Documents, err = r.globalSearchDocuments(ctx, query, dbOnly); err != nil {
		return nil, err
	}
	if out.Tags, _, err = r.Store.Tags(ctx, name, nil, first); err != nil {
		return nil, err
	}
	if out.Correspondents, _, err = r.Store.Correspondents(ctx, name, nil, first); err != nil {
		return nil, err
	}
	if out.DocumentTypes, _, err = r.Store.DocumentTypes(ctx, name, nil, first); err != nil {
		return nil, err
	}
	p := store.PrincipalFrom(ctx)
	if p.Has("view_storagepath") {
		if out.StoragePaths, _, err = r.Store.StoragePaths(ctx, store.StoragePathFilter{Name: name.Name}, nil, first); err != nil {
			return nil, err
		}
	}
	if p.Has("view_customfield") {
		if out.CustomFields, _, err = r.Store.CustomFields(ctx, store.CustomFieldFilter{Name: name.Name}, nil, first); err != nil {
			return nil, err
		}
	}
	views, _, err := r.Store.SavedViews(ctx, u.ID, store.Page{Number: 1, Size: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		if len(out.SavedViews) < globalSearchHits && containsFold(v.Name, query) {
			out.SavedViews = append(out.SavedViews, v)
		}
	}
	if u.IsSuperuser {
		users, err := r.Store.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range users {
			if len(out.Users) < globalSearchHits && containsFold(x.Username, query) {
				out.Users = append(out.Users, x)
			}
		}
		groups, err := r.Store.Groups(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if len(out.Groups) < globalSearchHits && containsFold(g.Name, query) {
				out.Groups = append(out.Groups, g)
			}
		}
	}
	out.Total = len(out.Documents) + len(out.SavedViews) + len(out.Tags) + len(out.Correspondents) +
		len(out.DocumentTypes) + len(out.StoragePaths) + len(out.CustomFields) + len(out.Users) + len(out.Groups)
	return out, nil
}

// globalSearchDocuments finds the documents of the global search: the
// search engine's best three, or titles containing query in the database
// (dbOnly, or no engine configured).
func (r *Resolver) globalSearchDocuments(ctx context.Context, query string, dbOnly bool) ([]store.Document, error) {
	first := store.Page{Number: 1, Size: globalSearchHits}
	if dbOnly || r.Search == nil {
		docs, _, err := r.Store.Documents(ctx, store.DocumentFilter{Title: &store.TextFilter{Icontains: &query}}, nil, first)
		return docs, err
	}
	res, err := r.SearchDocuments(ctx, SearchArgs{Query: query, PageSize: globalSearchHits})
	if err != nil {
		return nil, err
	}
	ids := make([]int, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	if len(ids) == 0 {
		return []store.Document{}, nil
	}
	docs, _, err := r.Store.Documents(ctx, store.DocumentFilter{IDs: ids}, nil, first)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]store.Document, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	out := make([]store.Document, 0, len(ids))
	for _, id := range ids { // the engine's order
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
