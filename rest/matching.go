package rest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/store"
)

// Correspondents, document types and tags: paperless's "matching objects".

type correspondentJSON struct {
	ID                 int       `json:"id"`
	Slug               string    `json:"slug"`
	Name               string    `json:"name"`
	Match              string    `json:"match"`
	MatchingAlgorithm  int       `json:"matching_algorithm"`
	IsInsensitive      bool      `json:"is_insensitive"`
	DocumentCount      *int      `json:"document_count,omitempty"`
	LastCorrespondence *nullTime `json:"last_correspondence,omitempty"`
}

type documentTypeJSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	DocumentCount     *int   `json:"document_count,omitempty"`
}

// tagV1JSON is a tag in API version 1 (palette index `colour`).
type tagV1JSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Colour            int    `json:"colour"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	IsInboxTag        bool   `json:"is_inbox_tag"`
	DocumentCount     *int   `json:"document_count,omitempty"`
}

// tagV2JSON is a tag in API version 2 (hex `color`, `text_color`).
type tagV2JSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Color             string `json:"color"`
	TextColor         string `json:"text_color"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	IsInboxTag        bool   `json:"is_inbox_tag"`
	DocumentCount     *int   `json:"document_count,omitempty"`
}

// ngxOwnership are the keys every owned object ends with in the
// paperless-ngx versions (NGX.md §4.3): owner, then user_can_change or,
// with ?full_perms=true, permissions (API.ownership fills them, a page at
// a time: rest/permissions_objects.go).
type ngxOwnership struct {
	Owner         *int      `json:"owner"`
	UserCanChange *bool     `json:"user_can_change,omitempty"`
	Permissions   *ngxPerms `json:"permissions,omitempty"`
}

// ngxPerms is the `permissions` object.
type ngxPerms struct {
	View   ngxHolders `json:"view"`
	Change ngxHolders `json:"change"`
}

type ngxHolders struct {
	Users  []int `json:"users"`
	Groups []int `json:"groups"`
}

type correspondentNgxJSON struct {
	ID                 int    `json:"id"`
	Slug               string `json:"slug"`
	Name               string `json:"name"`
	Match              string `json:"match"`
	MatchingAlgorithm  int    `json:"matching_algorithm"`
	IsInsensitive      bool   `json:"is_insensitive"`
	DocumentCount      *int   `json:"document_count,omitempty"`
	LastCorrespondence *any   `json:"last_correspondence,omitempty"` // a date or null
	ngxOwnership
}

type documentTypeNgxJSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	DocumentCount     *int   `json:"document_count,omitempty"`
	ngxOwnership
}

// tagNgxJSON is a tag in the paperless-ngx versions: parent is its
// parent's id, children its visible children as full tag objects
// (NGX.md §7.3).
type tagNgxJSON struct {
	ID                int    `json:"id"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	Color             string `json:"color"`
	TextColor         string `json:"text_color"`
	Match             string `json:"match"`
	MatchingAlgorithm int    `json:"matching_algorithm"`
	IsInsensitive     bool   `json:"is_insensitive"`
	IsInboxTag        bool   `json:"is_inbox_tag"`
	DocumentCount     *int   `json:"document_count,omitempty"`
	ngxOwnership
	Parent   *int         `json:"parent"`
	Children []tagNgxJSON `json:"children"`
}

// wantsLastCorrespondence says whether a correspondent response carries
// last_correspondence in the paperless-ngx versions: a GET of one, or a
// list asked for it with ?last_correspondence=<non-empty>.
func wantsLastCorrespondence(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if _, detail := pathID(r); detail {
		return true
	}
	return r.URL.Query().Get("last_correspondence") != ""
}

// matchingNames are the wire names of the matching fields.
var matchingNames = map[string]string{
	"matchingAlgorithm": "matching_algorithm", "isInsensitive": "is_insensitive", "isInboxTag": "is_inbox_tag",
	"parentId": "parent",
}

func tagNames(in *reqInfo) map[string]string {
	if in.version >= 2 {
		return matchingNames
	}
	names := map[string]string{"color": "colour"}
	for k, v := range matchingNames {
		names[k] = v
	}
	return names
}

func staticNames(m map[string]string) func(*reqInfo) map[string]string {
	return func(*reqInfo) map[string]string { return m }
}

// nameFilters are the filters of the three matching endpoints.
func nameFilters() filterSet[store.NameFilter] {
	return textFilters("name", "name", func(f *store.NameFilter) **store.TextFilter { return &f.Name })
}

// ngxNameFilters are the filters of the three in the paperless-ngx
// versions: id, id__in and the name lookups; tags add is_root.
func ngxNameFilters(tags bool) filterSet[store.NameFilter] {
	type F = store.NameFilter
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
	s = append(s, nameFilters()...)
	if tags {
		s = append(s, filterDef[F]{param{"is_root", "boolean", "has no parent (true) or has one (false)"}, func(f *F, v string) string {
			if b, ok := boolStyle(v); ok {
				f.IsRoot = &b
			}
			return ""
		}})
	}
	return s
}

// nameOrders are the orderings of the three; correspondents add
// last_correspondence.
func nameOrders(lastCorrespondence bool) orderSet[store.NameOrder] {
	def := func(name string, field store.NameOrderField) orderDef[store.NameOrder] {
		return orderDef[store.NameOrder]{name, func(desc bool) store.NameOrder {
			return store.NameOrder{Field: field, Direction: dir(desc)}
		}}
	}
	s := orderSet[store.NameOrder]{
		def("name", store.NameOrderName),
		def("matching_algorithm", store.NameOrderMatchingAlgorithm),
		def("match", store.NameOrderMatch),
		def("document_count", store.NameOrderDocumentCount),
	}
	if lastCorrespondence {
		s = append(s, def("last_correspondence", store.NameOrderLastCorrespondence))
	}
	return s
}

func dir(desc bool) store.Direction {
	if desc {
		return store.Desc
	}
	return store.Asc
}

// matchingFields reads the shared fields: name, match,
// matching_algorithm (1–6, paperless's choices) and is_insensitive.
// The paperless-ngx versions also take 0 (none: never assigned).
func matchingFields(b *body, in *reqInfo) (name, match *string, algo *store.MatchingAlgorithm, insensitive *bool) {
	name, _ = b.str("name", false, true)
	match, _ = b.str("match", false, true)
	lowest := store.MatchAny
	if in.version >= 9 {
		lowest = store.MatchNone
	}
	if n, ok := b.choice("matching_algorithm", int(lowest), int(store.MatchAuto)); ok {
		algo = ptr(store.MatchingAlgorithm(*n))
	}
	insensitive, _ = b.boolean("is_insensitive")
	return
}

func (a *API) correspondents() *resource[store.Correspondent, store.NameFilter, store.NameOrder, store.CorrespondentInput] {
	q, m, cr := a.res.Query(), a.res.Mutation(), a.res.Correspondent()
	return &resource[store.Correspondent, store.NameFilter, store.NameOrder, store.CorrespondentInput]{
		filters:    nameFilters(),
		ngxFilters: ngxNameFilters(false),
		orders:     nameOrders(true),
		names:      staticNames(matchingNames),
		list: func(ctx context.Context, f *store.NameFilter, o []store.NameOrder, page, size *int) ([]store.Correspondent, int, int, error) {
			l, err := q.Correspondents(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.Correspondent,
		input: func(b *body, ri *reqInfo) store.CorrespondentInput {
			var in store.CorrespondentInput
			in.Name, in.Match, in.MatchingAlgorithm, in.IsInsensitive = matchingFields(b, ri)
			return in
		},
		create:  m.CreateCorrespondent,
		replace: a.res.ReplaceCorrespondent,
		patch:   m.UpdateCorrespondent,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteCorrespondent(ctx, id); return err },
		ids:     a.res.CorrespondentIDs,
		render: func(ctx context.Context, r *http.Request, items []store.Correspondent, computed bool) (any, error) {
			if info(r).version >= 9 {
				return a.correspondentsNgx(ctx, r, items, computed)
			}
			out := make([]correspondentJSON, len(items))
			for i, c := range items {
				out[i] = correspondentJSON{ID: c.ID, Slug: c.Slug, Name: c.Name, Match: c.Match,
					MatchingAlgorithm: int(c.MatchingAlgorithm), IsInsensitive: c.IsInsensitive}
			}
			if !computed {
				return out, nil
			}
			return out, each(len(items), func(i int) error {
				n, err := cr.DocumentCount(ctx, &items[i])
				if err != nil {
					return err
				}
				last, err := cr.LastCorrespondence(ctx, &items[i])
				if err != nil {
					return err
				}
				out[i].DocumentCount = &n
				lc := a.atPtr(last)
				out[i].LastCorrespondence = &lc
				return nil
			})
		},
	}
}

func (a *API) documentTypes() *resource[store.DocumentType, store.NameFilter, store.NameOrder, store.DocumentTypeInput] {
	q, m, tr := a.res.Query(), a.res.Mutation(), a.res.DocumentType()
	return &resource[store.DocumentType, store.NameFilter, store.NameOrder, store.DocumentTypeInput]{
		filters:    nameFilters(),
		ngxFilters: ngxNameFilters(false),
		orders:     nameOrders(false),
		names:      staticNames(matchingNames),
		list: func(ctx context.Context, f *store.NameFilter, o []store.NameOrder, page, size *int) ([]store.DocumentType, int, int, error) {
			l, err := q.DocumentTypes(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.DocumentType,
		input: func(b *body, ri *reqInfo) store.DocumentTypeInput {
			var in store.DocumentTypeInput
			in.Name, in.Match, in.MatchingAlgorithm, in.IsInsensitive = matchingFields(b, ri)
			return in
		},
		create:  m.CreateDocumentType,
		replace: a.res.ReplaceDocumentType,
		patch:   m.UpdateDocumentType,
		del:     func(ctx context.Context, id int) error { _, err := m.DeleteDocumentType(ctx, id); return err },
		ids:     a.res.DocumentTypeIDs,
		render: func(ctx context.Context, r *http.Request, items []store.DocumentType, computed bool) (any, error) {
			if info(r).version >= 9 {
				owned, err := a.ownedOf(ctx, r, store.ModelDocumentType, len(items), func(i int) (int, *int) { return items[i].ID, items[i].OwnerID })
				if err != nil {
					return nil, err
				}
				out := make([]documentTypeNgxJSON, len(items))
				for i, t := range items {
					out[i] = documentTypeNgxJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Match: t.Match,
						MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive, ngxOwnership: owned[i]}
				}
				if !computed {
					return out, nil
				}
				return out, each(len(items), func(i int) error {
					n, err := tr.DocumentCount(ctx, &items[i])
					out[i].DocumentCount = &n
					return err
				})
			}
			out := make([]documentTypeJSON, len(items))
			for i, t := range items {
				out[i] = documentTypeJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Match: t.Match,
					MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive}
			}
			if !computed {
				return out, nil
			}
			return out, each(len(items), func(i int) error {
				n, err := tr.DocumentCount(ctx, &items[i])
				out[i].DocumentCount = &n
				return err
			})
		},
	}
}

func (a *API) tags() *resource[store.Tag, store.NameFilter, store.NameOrder, store.TagInput] {
	q, m, tr := a.res.Query(), a.res.Mutation(), a.res.Tag()
	return &resource[store.Tag, store.NameFilter, store.NameOrder, store.TagInput]{
		filters:    nameFilters(),
		ngxFilters: ngxNameFilters(true),
		orders:     nameOrders(false),
		names:      tagNames,
		list: func(ctx context.Context, f *store.NameFilter, o []store.NameOrder, page, size *int) ([]store.Tag, int, int, error) {
			l, err := q.Tags(ctx, f, o, page, size)
			if err != nil {
				return nil, 0, 0, err
			}
			return l.Items, l.Page, l.TotalCount, nil
		},
		get: q.Tag,
		input: func(b *body, in *reqInfo) store.TagInput {
			var t store.TagInput
			t.Name, t.Match, t.MatchingAlgorithm, t.IsInsensitive = matchingFields(b, in)
			t.IsInboxTag, _ = b.boolean("is_inbox_tag")
			if in.version >= 9 {
				if v, ok := b.pk("parent", true); ok {
					t.ParentID = graphql.OmittableOf(v)
				}
			}
			if in.version >= 2 {
				t.Color, _ = b.str("color", false, true)
			} else if n, ok := b.choice("colour", 1, 13); ok {
				c, _ := resolvers.PaletteColor(*n)
				t.Color = &c
			}
			return t
		},
		create:         m.CreateTag,
		replace:        a.res.ReplaceTag,
		patch:          m.UpdateTag,
		del:            func(ctx context.Context, id int) error { _, err := m.DeleteTag(ctx, id); return err },
		ids:            a.res.TagIDs,
		displayCount:   true,
		tagDescendants: a.res.TagDisplayCount,
		render: func(ctx context.Context, r *http.Request, items []store.Tag, computed bool) (any, error) {
			counts := make([]*int, len(items))
			if computed {
				err := each(len(items), func(i int) error {
					n, err := tr.DocumentCount(ctx, &items[i])
					counts[i] = &n
					return err
				})
				if err != nil {
					return nil, err
				}
			}
			if info(r).version >= 9 {
				owned, err := a.ownedOf(ctx, r, store.ModelTag, len(items), func(i int) (int, *int) { return items[i].ID, items[i].OwnerID })
				if err != nil {
					return nil, err
				}
				out := make([]tagNgxJSON, len(items))
				for i, t := range items {
					text, err := tr.TextColor(ctx, &items[i])
					if err != nil {
						return nil, err
					}
					out[i] = tagNgxJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Color: t.Color, TextColor: text,
						Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
						IsInboxTag: t.IsInboxTag, DocumentCount: counts[i], ngxOwnership: owned[i], Parent: t.ParentID, Children: []tagNgxJSON{}}
				}
				return out, a.nestTagChildren(ctx, r, items, out, computed)
			}
			if info(r).version >= 2 {
				out := make([]tagV2JSON, len(items))
				for i, t := range items {
					text, err := tr.TextColor(ctx, &items[i])
					if err != nil {
						return nil, err
					}
					out[i] = tagV2JSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Color: t.Color, TextColor: text,
						Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
						IsInboxTag: t.IsInboxTag, DocumentCount: counts[i]}
				}
				return out, nil
			}
			out := make([]tagV1JSON, len(items))
			for i, t := range items {
				colour, err := tr.Colour(ctx, &items[i])
				if err != nil {
					return nil, err
				}
				out[i] = tagV1JSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Colour: colour,
					Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
					IsInboxTag: t.IsInboxTag, DocumentCount: counts[i]}
			}
			return out, nil
		},
	}
}

// correspondentsNgx serialises correspondents in the paperless-ngx
// versions: last_correspondence as a date (wantsLastCorrespondence).
func (a *API) correspondentsNgx(ctx context.Context, r *http.Request, items []store.Correspondent, computed bool) (any, error) {
	cr := a.res.Correspondent()
	owned, err := a.ownedOf(ctx, r, store.ModelCorrespondent, len(items), func(i int) (int, *int) { return items[i].ID, items[i].OwnerID })
	if err != nil {
		return nil, err
	}
	out := make([]correspondentNgxJSON, len(items))
	for i, c := range items {
		out[i] = correspondentNgxJSON{ID: c.ID, Slug: c.Slug, Name: c.Name, Match: c.Match,
			MatchingAlgorithm: int(c.MatchingAlgorithm), IsInsensitive: c.IsInsensitive, ngxOwnership: owned[i]}
	}
	if !computed {
		return out, nil
	}
	withLast := wantsLastCorrespondence(r)
	return out, each(len(items), func(i int) error {
		n, err := cr.DocumentCount(ctx, &items[i])
		if err != nil {
			return err
		}
		out[i].DocumentCount = &n
		if !withLast {
			return nil
		}
		last, err := cr.LastCorrespondence(ctx, &items[i])
		if err != nil {
			return err
		}
		var v any
		if last != nil {
			v = last.In(a.loc).Format("2006-01-02")
		}
		out[i].LastCorrespondence = &v
		return nil
	})
}
