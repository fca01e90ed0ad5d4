package resolvers

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
)

// loaderWait is how long a loader collects keys before it queries. gqlgen
// resolves the fields of a list's items concurrently, so the keys of a whole
// page arrive within microseconds; a short window keeps latency low.
const loaderWait = 500 * time.Microsecond

// Loaders batch the relation lookups of one request, so a page of documents
// with their correspondents and tags costs a constant number of queries.
// They are named by access path.
type Loaders struct {
	correspondentByID         *dataloadgen.Loader[int, *store.Correspondent]
	documentTypeByID          *dataloadgen.Loader[int, *store.DocumentType]
	tagsByDocument            *dataloadgen.Loader[int, []store.Tag]
	tagIDsByDocument          *dataloadgen.Loader[int, []int]
	documentCountByCorrespond *dataloadgen.Loader[int, int]
	lastCorrespondenceByCorr  *dataloadgen.Loader[int, *time.Time]
	documentCountByType       *dataloadgen.Loader[int, int]
	documentCountByTag        *dataloadgen.Loader[int, int]
	filterRulesBySavedView    *dataloadgen.Loader[int, []store.SavedViewRule]
	storagePaths              *storagePathLoaders
	shareLinksByDocument      *dataloadgen.Loader[int, []store.ShareLink]
	notes                     *noteLoaders        // notes.go
	perms                     *permLoaders        // permissions_loaders.go
	customFields              *customFieldLoaders // customfields.go
}

// NewLoaders returns a fresh set of loaders for one request.
func NewLoaders(s *store.Store) *Loaders {
	opts := []dataloadgen.Option{dataloadgen.WithWait(loaderWait), dataloadgen.WithBatchCapacity(1000)}
	return &Loaders{
		correspondentByID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.Correspondent, []error) {
			rows, err := s.CorrespondentsByIDs(ctx, ids)
			return byID(ids, rows, err, func(c store.Correspondent) int { return c.ID }, "correspondent")
		}, opts...),
		documentTypeByID: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.DocumentType, []error) {
			rows, err := s.DocumentTypesByIDs(ctx, ids)
			return byID(ids, rows, err, func(t store.DocumentType) int { return t.ID }, "document type")
		}, opts...),
		tagsByDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.Tag, []error) {
			return inKeyOrder[[]store.Tag](ids)(s.TagsByDocuments(ctx, ids))
		}, opts...),
		tagIDsByDocument: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]int, []error) {
			return inKeyOrder[[]int](ids)(s.TagIDsByDocuments(ctx, ids))
		}, opts...),
		documentCountByCorrespond: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.CorrespondentDocumentCounts(ctx, ids))
		}, opts...),
		lastCorrespondenceByCorr: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*time.Time, []error) {
			m, err := s.LastCorrespondences(ctx, ids)
			out := make([]*time.Time, len(ids))
			if err != nil {
				return out, fill(len(ids), err)
			}
			for i, id := range ids {
				if t, ok := m[id]; ok {
					out[i] = &t
				}
			}
			return out, nil
		}, opts...),
		documentCountByType: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.DocumentTypeDocumentCounts(ctx, ids))
		}, opts...),
		documentCountByTag: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]int, []error) {
			return counts(ids)(s.TagDocumentCounts(ctx, ids))
		}, opts...),
		filterRulesBySavedView: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]store.SavedViewRule, []error) {
			return inKeyOrder[[]store.SavedViewRule](ids)(s.SavedViewRulesByViews(ctx, ids))
		}, opts...),
		// trash.go
		shareLinksByDocument: newShareLinkLoader(s, opts),

		storagePaths: newStoragePathLoaders(s, opts),
		notes:        newNoteLoaders(s, opts),
		perms:        newPermLoaders(s, opts),
		customFields: newCustomFieldLoaders(s, opts),
	}
}

// byID orders rows by the requested keys, with a NotFound error per missing key.
func byID[T any](ids []int, rows []T, err error, id func(T) int, what string) ([]*T, []error) {
	out := make([]*T, len(ids))
	if err != nil {
		return out, fill(len(ids), err)
	}
	m := make(map[int]*T, len(rows))
	for i := range rows {
		m[id(rows[i])] = &rows[i]
	}
	var errs []error
	for i, k := range ids {
		if r, ok := m[k]; ok {
			out[i] = r
			continue
		}
		if errs == nil {
			errs = make([]error, len(ids))
		}
		errs[i] = store.Errorf(store.NotFound, "%s %d not found", what, k)
	}
	return out, errs
}

// inKeyOrder turns a map into values in key order; missing keys get the
// zero value (a document without tags has an empty tag list).
func inKeyOrder[V any](ids []int) func(map[int]V, error) ([]V, []error) {
	return func(m map[int]V, err error) ([]V, []error) {
		out := make([]V, len(ids))
		if err != nil {
			return out, fill(len(ids), err)
		}
		for i, id := range ids {
			out[i] = m[id]
		}
		return out, nil
	}
}

// counts turns a count map into values in key order (missing keys count 0).
func counts(ids []int) func(map[int]int, error) ([]int, []error) { return inKeyOrder[int](ids) }

func fill(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

type loadersKey struct{}

// WithLoaders returns a context carrying fresh loaders.
func WithLoaders(ctx context.Context, s *store.Store) context.Context {
	return context.WithValue(ctx, loadersKey{}, NewLoaders(s))
}

// LoaderMiddleware gives every request its own loaders; it wraps both
// /graphql and /api.
func LoaderMiddleware(s *store.Store) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), s)))
		})
	}
}

// loaders returns the request's loaders, or fresh ones when a caller (a
// test, a background job) did not install any.
func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return NewLoaders(r.Store)
}
