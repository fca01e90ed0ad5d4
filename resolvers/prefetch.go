package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// DocumentRelations says which relations of a list's documents a caller
// will read, so the list resolver loads those (and only those) up front.
// TagIDs alone is cheaper than Tags (which implies the ids).
type DocumentRelations struct{ Tags, TagIDs, Correspondents, DocumentTypes bool }

type relationsKey struct{}

// WithDocumentRelations tells the document list resolvers which relations
// the caller outside GraphQL will read (the REST layer needs only tag ids).
func WithDocumentRelations(ctx context.Context, rel DocumentRelations) context.Context {
	return context.WithValue(ctx, relationsKey{}, rel)
}

// wantedRelations finds which relations the GraphQL selection of the
// current list field reads under `items`; outside GraphQL, those named by
// WithDocumentRelations, or all.
func wantedRelations(ctx context.Context) DocumentRelations {
	if rel, ok := ctx.Value(relationsKey{}).(DocumentRelations); ok {
		return rel
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return DocumentRelations{Tags: true, TagIDs: true, Correspondents: true, DocumentTypes: true}
	}
	op := graphql.GetOperationContext(ctx)
	var want DocumentRelations
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		if f.Name != "items" {
			continue
		}
		for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
			switch sub.Name {
			case "tags":
				want.Tags = true
			case "tagIds":
				want.TagIDs = true
			case "correspondent":
				want.Correspondents = true
			case "documentType":
				want.DocumentTypes = true
			}
		}
	}
	return want
}

// prefetch loads the relations of a page of documents in one query each
// and primes the request's loaders with them, so the per-item field
// resolvers find them cached. (Left to the loaders' batching window alone,
// a page's keys can straddle two batches on a busy machine; priming makes
// the number of queries per page fixed.)
func (r *Resolver) prefetch(ctx context.Context, docs []store.Document) error {
	if len(docs) == 0 {
		return nil
	}
	want := wantedRelations(ctx)
	l := r.loaders(ctx)
	ids := make([]int, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	switch {
	case want.Tags:
		tags, err := r.Store.TagsByDocuments(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			l.tagsByDocument.Prime(id, tags[id])
			tagIDs := make([]int, len(tags[id]))
			for i, t := range tags[id] {
				tagIDs[i] = t.ID
			}
			l.tagIDsByDocument.Prime(id, tagIDs)
		}
	case want.TagIDs:
		tagIDs, err := r.Store.TagIDsByDocuments(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			l.tagIDsByDocument.Prime(id, tagIDs[id])
		}
	}
	if want.Correspondents {
		ids := referenced(docs, func(d store.Document) *int { return d.CorrespondentID })
		rows, err := r.Store.CorrespondentsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for i := range rows {
			l.correspondentByID.Prime(rows[i].ID, &rows[i])
		}
	}
	if want.DocumentTypes {
		ids := referenced(docs, func(d store.Document) *int { return d.DocumentTypeID })
		rows, err := r.Store.DocumentTypesByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for i := range rows {
			l.documentTypeByID.Prime(rows[i].ID, &rows[i])
		}
	}
	return r.prefetchArchiveModel(ctx, ids)
}

// prefetchArchiveModel primes what the page's items select of the archive
// model — custom fields with their definitions, the document grants
// behind permissions and isSharedByRequester, notes and their counts — so
// a page costs one statement for custom fields and one for grants and
// note counts together, whatever the loaders' batching window does.
func (r *Resolver) prefetchArchiveModel(ctx context.Context, ids []int) error {
	sel := itemSelection(ctx)
	l := r.loaders(ctx)
	if sel["customFields"] {
		vals, err := r.Store.CustomFieldValuesByDocuments(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			v := vals[id]
			if v == nil {
				v = []store.CustomFieldInstance{}
			}
			l.customFields.byDocument.Prime(id, v)
			for i := range v {
				l.customFields.byID.Prime(v[i].FieldID, v[i].Field())
			}
		}
	}
	if sel["permissions"] || sel["isSharedByRequester"] {
		var grants map[int]store.Grants
		var err error
		if sel["notesCount"] && !sel["notes"] {
			var counts map[int]int
			if grants, counts, err = r.Store.DocumentGrantsAndNoteCounts(ctx, ids); err != nil {
				return err
			}
			for _, id := range ids {
				l.notes.noteCountByDocument.Prime(id, counts[id])
			}
			sel["notesCount"] = false // primed
		} else if grants, err = r.Store.ObjectGrants(ctx, store.ModelDocument, ids); err != nil {
			return err
		}
		for _, id := range ids {
			l.perms.grants[store.ModelDocument].Prime(id, grants[id])
		}
	}
	return r.prefetchNotes(ctx, ids, sel["notes"], sel["notesCount"]) // notes.go
}

// itemSelection returns the names of the fields the GraphQL selection of
// the current list field reads under `items` (empty outside GraphQL).
func itemSelection(ctx context.Context) map[string]bool {
	out := map[string]bool{}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return out
	}
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		if f.Name != "items" {
			continue
		}
		for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
			out[sub.Name] = true
		}
	}
	return out
}

// referenced returns the distinct non-nil ids that docs reference.
func referenced(docs []store.Document, ref func(store.Document) *int) []int {
	var ids []int
	for _, d := range docs {
		if id := ref(d); id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	return ids
}
