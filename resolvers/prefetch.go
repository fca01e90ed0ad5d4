package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// documentRelations says which relations of a list's documents a caller
// will read.
type documentRelations struct{ tags, correspondents, documentTypes bool }

// wantedRelations finds which relations the GraphQL selection of the
// current list field reads under `items`; outside GraphQL (the REST layer
// calls resolvers directly) it wants them all.
func wantedRelations(ctx context.Context) documentRelations {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return documentRelations{true, true, true}
	}
	op := graphql.GetOperationContext(ctx)
	var want documentRelations
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		if f.Name != "items" {
			continue
		}
		for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
			switch sub.Name {
			case "tags", "tagIds":
				want.tags = true
			case "correspondent":
				want.correspondents = true
			case "documentType":
				want.documentTypes = true
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
	if want.tags {
		ids := make([]int, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		tags, err := r.Store.TagsByDocuments(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			l.tagsByDocument.Prime(id, tags[id])
		}
	}
	if want.correspondents {
		ids := referenced(docs, func(d store.Document) *int { return d.CorrespondentID })
		rows, err := r.Store.CorrespondentsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for i := range rows {
			l.correspondentByID.Prime(rows[i].ID, &rows[i])
		}
	}
	if want.documentTypes {
		ids := referenced(docs, func(d store.Document) *int { return d.DocumentTypeID })
		rows, err := r.Store.DocumentTypesByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for i := range rows {
			l.documentTypeByID.Prime(rows[i].ID, &rows[i])
		}
	}
	return nil
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
