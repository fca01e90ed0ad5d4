package rest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"
)

// resource wires a paperless model endpoint (DRF ModelViewSet) to its
// resolvers: T is the entity, F its filter, O its sort key and In its
// write input. Every handler parses, calls one resolver, and serialises.
// Nil functions mean the operation does not exist.
type resource[T, F, O, In any] struct {
	filters filterSet[F]
	// ngxFilters, when set, replace filters for the paperless-ngx
	// versions (9, 10).
	ngxFilters filterSet[F]
	orders     orderSet[O]
	// ngxOrders, when set, reads ?ordering= in versions 9 and 10.
	ngxOrders func(q url.Values) []O
	// names maps resolver field names to this endpoint's wire names.
	names func(in *reqInfo) map[string]string

	list func(ctx context.Context, f *F, order []O, page, size *int) (items []T, served, total int, err error)
	// ids returns the ids of every row matching f, in list order: the v9
	// envelope's `all` (one ids-only query, never paging).
	ids func(ctx context.Context, f *F, order []O) ([]int, error)
	// displayCount adds the ngx tags' display_count (the number listed,
	// plus descendants) to the envelope; tagDescendants counts the tags
	// among the ids of every match and their descendants.
	displayCount   bool
	tagDescendants func(ctx context.Context, ids []int) (int, error)
	// selection answers the ngx documents' ?include_selection_data=true
	// for the ids of every match.
	selection func(ctx context.Context, r *http.Request, ids []int) (any, error)
	get       func(ctx context.Context, id int) (*T, error)
	input     func(b *body, in *reqInfo) In
	create    func(ctx context.Context, in In) (*T, error)
	replace   func(ctx context.Context, id int, in In) (*T, error)
	patch     func(ctx context.Context, id int, in In) (*T, error)
	del       func(ctx context.Context, id int) error
	// render serialises items; computed is false for a POST response,
	// whose computed fields (document_count, …) are left out.
	render func(ctx context.Context, r *http.Request, items []T, computed bool) (any, error)
}

// query documents the list's parameters.
func (res *resource[T, F, O, In]) query() []param {
	return listQuery(res.filters.params(), res.orders.names())
}

func (res *resource[T, F, O, In]) fieldNames(in *reqInfo) map[string]string {
	if res.names == nil {
		return nil
	}
	return res.names(in)
}

// handleList is GET on the collection.
func (res *resource[T, F, O, In]) handleList(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		version := info(r).version
		filters := res.filters
		if version >= 9 && res.ngxFilters != nil {
			filters = res.ngxFilters
		}
		f, bad := filters.parse(q)
		if bad != nil {
			a.fieldErrors(w, r, bad)
			return
		}
		p, ok := parsePage(q)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
			return
		}
		order := res.orders.parse(q)
		if version >= 9 && res.ngxOrders != nil {
			order = res.ngxOrders(q)
		}
		body, err := a.res.Rendered(r.Context(), renderKey(r), func(ctx context.Context) ([]byte, error) {
			items, served, total, err := res.list(ctx, &f, order, &p.number, &p.size)
			if err != nil {
				return nil, err
			}
			out, err := res.render(ctx, r, items, true)
			if err != nil {
				return nil, err
			}
			env, ok := pageEnvelope(r, p, served, total, out)
			if !ok {
				return nil, errInvalidPage
			}
			if err := res.ngxEnvelope(ctx, r, version, &env, &f, order); err != nil {
				return nil, err
			}
			return encodeJSON(env)
		})
		switch {
		case errors.Is(err, errInvalidPage):
			a.writeJSON(w, r, http.StatusNotFound, detail("Invalid page."))
		case err != nil:
			a.writeError(w, r, err, res.fieldNames(info(r)))
		default:
			a.writeBody(w, r, http.StatusOK, body)
		}
	}
}

// ngxEnvelope adds the paperless-ngx keys to a list envelope: `all` in
// version 9 (ids of every match, from one ids-only query), and the tags'
// display_count in 9 and 10. Versions 1 and 2 get no `all`: measured, it
// costs their pages 13–21 % (500 correspondents) to 11× (100k documents,
// unfiltered), see docs/benchmarks.md.
func (res *resource[T, F, O, In]) ngxEnvelope(ctx context.Context, r *http.Request, version int, env *envelope, f *F, order []O) error {
	if version < 9 {
		return nil
	}
	if res.displayCount {
		n := env.Count
		if res.tagDescendants != nil && res.ids != nil {
			ids, err := res.ids(ctx, f, order)
			if err != nil {
				return err
			}
			if n, err = res.tagDescendants(ctx, ids); err != nil {
				return err
			}
		}
		env.DisplayCount = &n
	}
	withSelection := false
	if res.selection != nil {
		withSelection, _ = boolStyle(r.URL.Query().Get("include_selection_data"))
	}
	if res.ids == nil || (version != 9 && !withSelection) {
		return nil
	}
	ids, err := res.ids(ctx, f, order)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []int{}
	}
	if version == 9 {
		env.All = &ids
	}
	if withSelection {
		if env.SelectionData, err = res.selection(ctx, r, ids); err != nil {
			return err
		}
	}
	return nil
}

// errInvalidPage is a page number past the last page.
var errInvalidPage = errors.New("invalid page")

// renderKey names what a list page's JSON depends on besides the user and
// the data: the path, query, API version and (for the absolute next and
// previous links) scheme and host.
func renderKey(r *http.Request) string {
	return "v" + strconv.Itoa(info(r).version) + " " + origin(r) + r.URL.Path + "?" + r.URL.RawQuery
}

// pathID reads the {id} of a detail route; non-numeric ids are not found.
func pathID(r *http.Request) (int, bool) {
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	return id, err == nil
}

// handleGet is GET on a detail route.
func (res *resource[T, F, O, In]) handleGet(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		v, err := res.get(r.Context(), id)
		res.respond(a, w, r, http.StatusOK, v, err, true)
	}
}

// respond serialises one object, or writes the error.
func (res *resource[T, F, O, In]) respond(a *API, w http.ResponseWriter, r *http.Request, status int, v *T, err error, computed bool) {
	if err != nil {
		a.writeError(w, r, err, res.fieldNames(info(r)))
		return
	}
	out, err := res.render(r.Context(), r, []T{*v}, computed)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	body, err := encodeJSON(out)
	if err != nil {
		a.writeError(w, r, err, nil)
		return
	}
	// render returns a one-element list: strip the brackets.
	a.writeBody(w, r, status, body[1:len(body)-1])
}

// readInput parses the body into In, answering 400 for unreadable fields.
// In the paperless-ngx versions the returned request's context also
// carries the body's owner and set_permissions (permissions_objects.go).
func (res *resource[T, F, O, In]) readInput(a *API, w http.ResponseWriter, r *http.Request) (In, *http.Request, bool) {
	var zero In
	b := a.readBody(w, r, false)
	if b == nil {
		return zero, r, false
	}
	in := res.input(b, info(r))
	if info(r).ngx() {
		r = r.WithContext(permissionArgs(r.Context(), b))
	}
	if b.errs != nil {
		a.fieldErrors(w, r, b.errs)
		return zero, r, false
	}
	return in, r, true
}

// handleCreate is POST on the collection: 201 with the object, without
// its computed fields.
func (res *resource[T, F, O, In]) handleCreate(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, r, ok := res.readInput(a, w, r)
		if !ok {
			return
		}
		v, err := res.create(r.Context(), in)
		res.respond(a, w, r, http.StatusCreated, v, err, false)
	}
}

// handleUpdate is PUT (replace) or PATCH on a detail route.
func (res *resource[T, F, O, In]) handleUpdate(a *API, replace bool) http.HandlerFunc {
	call := res.patch
	if replace {
		call = res.replace
	}
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		in, r, ok := res.readInput(a, w, r)
		if !ok {
			return
		}
		v, err := call(r.Context(), id, in)
		res.respond(a, w, r, http.StatusOK, v, err, true)
	}
}

// handleDelete is DELETE on a detail route: 204.
func (res *resource[T, F, O, In]) handleDelete(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			a.writeJSON(w, r, http.StatusNotFound, detail("Not found."))
			return
		}
		if err := res.del(r.Context(), id); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		writeNoContent(w)
	}
}

// collectionOps are GET (and POST when the resource creates) on the list.
func (res *resource[T, F, O, In]) collectionOps(a *API, schema string) []op {
	ops := []op{{Method: "GET", Summary: "List", Handler: res.handleList(a), Status: 200, Result: schema + "Page"}}
	if res.create != nil {
		ops = append(ops, op{Method: "POST", Summary: "Create", Handler: res.handleCreate(a), Status: 201, Body: schema, Result: schema})
	}
	return ops
}

// detailOps are GET, PUT, PATCH and DELETE on one object.
func (res *resource[T, F, O, In]) detailOps(a *API, schema string) []op {
	return []op{
		{Method: "GET", Summary: "Retrieve", Handler: res.handleGet(a), Status: 200, Result: schema},
		{Method: "PUT", Summary: "Replace (all required fields)", Handler: res.handleUpdate(a, true), Status: 200, Body: schema, Result: schema},
		{Method: "PATCH", Summary: "Change the given fields", Handler: res.handleUpdate(a, false), Status: 200, Body: schema, Result: schema},
		{Method: "DELETE", Summary: "Delete", Handler: res.handleDelete(a), Status: 204},
	}
}

// each runs fn for 0..n-1 concurrently, so that the resolvers' dataloaders
// see all keys of a page at once and batch them into one query.
func each(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
