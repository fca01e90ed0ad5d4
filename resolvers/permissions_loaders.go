package resolvers

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/quirehq/quire/store"
)

// permLoaders batch what groups, users and owned objects show of
// permissions: one statement per page of groups, users or objects.
type permLoaders struct {
	groupPermissions *dataloadgen.Loader[int, []string]
	groupMembers     *dataloadgen.Loader[int, []int]
	userAccess       *dataloadgen.Loader[int, *store.UserAccess]
	grants           map[store.Model]*dataloadgen.Loader[int, store.Grants]
	canChange        map[store.Model]*dataloadgen.Loader[int, bool]
}

func newPermLoaders(s *store.Store, opts []dataloadgen.Option) *permLoaders {
	l := &permLoaders{
		groupPermissions: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]string, []error) {
			return inKeyOrder[[]string](ids)(s.GroupsPermissions(ctx, ids))
		}, opts...),
		groupMembers: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([][]int, []error) {
			return inKeyOrder[[]int](ids)(s.GroupsMembers(ctx, ids))
		}, opts...),
		userAccess: dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]*store.UserAccess, []error) {
			return inKeyOrder[*store.UserAccess](ids)(s.UsersAccess(ctx, ids))
		}, opts...),
		grants:    map[store.Model]*dataloadgen.Loader[int, store.Grants]{},
		canChange: map[store.Model]*dataloadgen.Loader[int, bool]{},
	}
	for _, m := range []store.Model{store.ModelDocument, store.ModelTag, store.ModelCorrespondent,
		store.ModelDocumentType, store.ModelSavedView, store.ModelStoragePath, store.ModelCustomField} {
		l.grants[m] = dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]store.Grants, []error) {
			return inKeyOrder[store.Grants](ids)(s.ObjectGrants(ctx, m, ids))
		}, opts...)
		l.canChange[m] = dataloadgen.NewLoader(func(ctx context.Context, ids []int) ([]bool, []error) {
			return inKeyOrder[bool](ids)(s.UserCanChange(ctx, m, ids))
		}, opts...)
	}
	return l
}

func (r *Resolver) permLoaders(ctx context.Context) *permLoaders { return r.loaders(ctx).perms }
