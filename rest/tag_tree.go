package rest

import (
	"context"
	"net/http"

	"github.com/quirehq/quire/store"
)

// nestTagChildren fills the paperless-ngx tags' `children` (NGX.md §7.3):
// each tag's visible children as full tag objects, ordered by name, each
// with its own children, level by level (one batch of loader queries per
// level, at most five levels).
func (a *API) nestTagChildren(ctx context.Context, r *http.Request, items []store.Tag, out []tagNgxJSON, computed bool) error {
	tr := a.res.Tag()
	res := a.tags()
	return each(len(items), func(i int) error {
		kids, err := tr.Children(ctx, &items[i])
		if err != nil || len(kids) == 0 {
			return err
		}
		v, err := res.render(ctx, r, kids, computed)
		if err != nil {
			return err
		}
		out[i].Children = v.([]tagNgxJSON)
		return nil
	})
}
