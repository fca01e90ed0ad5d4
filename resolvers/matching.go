package resolvers

import (
	"context"

	"github.com/quirehq/quire/store"
)

// deref returns *p, or the zero value for nil (an absent filter).
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func (r *Resolver) createCorrespondent(ctx context.Context, in store.CorrespondentInput) (*store.Correspondent, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return createOwned(ctx, r, store.ModelCorrespondent, &in.OwnerID, func(c *store.Correspondent) int { return c.ID },
		func(ctx context.Context) (*store.Correspondent, error) { return r.Store.CreateCorrespondent(ctx, in) })
}

func (r *Resolver) updateCorrespondent(ctx context.Context, id int, in store.CorrespondentInput) (*store.Correspondent, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return updateOwned(ctx, r, store.ModelCorrespondent, id,
		func(ctx context.Context) (*store.Correspondent, error) {
			return r.Store.UpdateCorrespondent(ctx, id, in)
		},
		func(ctx context.Context) (*store.Correspondent, error) { return r.Store.Correspondent(ctx, id) })
}

func (r *Resolver) createDocumentType(ctx context.Context, in store.DocumentTypeInput) (*store.DocumentType, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return createOwned(ctx, r, store.ModelDocumentType, &in.OwnerID, func(d *store.DocumentType) int { return d.ID },
		func(ctx context.Context) (*store.DocumentType, error) { return r.Store.CreateDocumentType(ctx, in) })
}

func (r *Resolver) updateDocumentType(ctx context.Context, id int, in store.DocumentTypeInput) (*store.DocumentType, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return updateOwned(ctx, r, store.ModelDocumentType, id,
		func(ctx context.Context) (*store.DocumentType, error) { return r.Store.UpdateDocumentType(ctx, id, in) },
		func(ctx context.Context) (*store.DocumentType, error) { return r.Store.DocumentType(ctx, id) })
}

func (r *Resolver) createTag(ctx context.Context, in store.TagInput) (*store.Tag, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, true)
	validateColor(fe, in.Color)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return createOwned(ctx, r, store.ModelTag, &in.OwnerID, func(t *store.Tag) int { return t.ID },
		func(ctx context.Context) (*store.Tag, error) { return r.Store.CreateTag(ctx, in) })
}

func (r *Resolver) updateTag(ctx context.Context, id int, in store.TagInput) (*store.Tag, error) {
	trimName(in.Name)
	fe := store.FieldErrors{}
	validateMatching(fe, matchingInput{in.Name, in.Match, in.MatchingAlgorithm}, false)
	validateColor(fe, in.Color)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return updateOwned(ctx, r, store.ModelTag, id,
		func(ctx context.Context) (*store.Tag, error) { return r.Store.UpdateTag(ctx, id, in) },
		func(ctx context.Context) (*store.Tag, error) { return r.Store.Tag(ctx, id) })
}
