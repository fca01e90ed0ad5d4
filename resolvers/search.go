package resolvers

import (
	"context"
	"time"

	"github.com/quirehq/quire/graph/model"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// SearchArgs is one search: a query in paperless's language (or, for
// MoreLike, a document), document filters, an optional field order
// (relevance otherwise), a page and whether to count facets.
type SearchArgs struct {
	Query    string
	MoreLike *int
	Filter   *store.DocumentFilter
	Order    *store.DocumentOrder
	Page     int
	PageSize int
	Facets   bool
}

func (r *Resolver) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// Search runs a full-text search and loads the hits' documents (one
// query, plus the relations the caller reads). A page past the end has
// no hits but the exact total. The caller's permissions are part of the
// engine's query (searchFilter sets Filter.ACL), so hits, total, facets
// and the corrected query only ever count documents they may see.
// Errors: Validation (field "query") for an unparsable query, NotFound
// for MoreLike of an unknown document or one the caller may not see.
func (r *Resolver) SearchDocuments(ctx context.Context, a SearchArgs) (*model.SearchResult, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	if r.Search == nil {
		return nil, store.Errorf(store.Internal, "no search engine configured")
	}
	req := search.Request{Page: max(a.Page, 1), PageSize: a.PageSize, Highlight: true, Facets: a.Facets}
	if a.PageSize <= 0 {
		req.PageSize = search.DefaultPageSize
	}
	if a.PageSize > search.MaxPageSize {
		return nil, &store.Error{Code: store.Validation, Message: "invalid input",
			Fields: map[string][]string{"pageSize": {"Ensure this value is less than or equal to 1000."}}}
	}
	if a.Order != nil {
		req.Sort = searchSort(*a.Order)
	}
	f, err := r.searchFilter(ctx, a.Filter)
	if err != nil {
		return nil, err
	}
	req.Filter = f

	var res *search.Result
	if a.MoreLike != nil {
		if _, err := r.Store.Document(ctx, *a.MoreLike); err != nil {
			return nil, err
		}
		res, err = r.Search.MoreLike(ctx, *a.MoreLike, req)
	} else {
		q, perr := search.Parse(a.Query, time.Now(), r.loc())
		if perr != nil {
			return nil, perr
		}
		req.Query = q
		res, err = r.Search.Search(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	return r.searchResult(ctx, req, res)
}

// searchResult loads the hits' documents (skipping hits of documents
// deleted since they were indexed) and shapes the page.
func (r *Resolver) searchResult(ctx context.Context, req search.Request, res *search.Result) (*model.SearchResult, error) {
	_, size := req.Offset()
	ids := make([]int, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	docs, err := r.Store.DocumentsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	if err := r.prefetch(ctx, docs); err != nil {
		return nil, err
	}
	byID := make(map[int]*store.Document, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	out := &model.SearchResult{
		TotalCount: res.Total, Page: max(req.Page, 1), PageSize: size,
		PageCount: search.PageCount(res.Total, size), CorrectedQuery: res.CorrectedQuery,
		Hits: []model.SearchHit{},
	}
	for _, h := range res.Hits {
		d, ok := byID[h.ID]
		if !ok {
			continue // deleted since indexed; the outbox removes it soon
		}
		hit := model.SearchHit{ID: h.ID, Score: h.Score, Rank: h.Rank, Document: d,
			Highlights: [][]search.Segment{}, HighlightHTML: search.HTML(h.Highlights)}
		for _, f := range h.Highlights {
			hit.Highlights = append(hit.Highlights, f)
		}
		if res.MaxScore > 0 {
			n := h.Score / res.MaxScore
			hit.NormalizedScore = &n
		}
		out.Hits = append(out.Hits, hit)
	}
	if res.Facets != nil {
		fields, err := r.visibleFieldCounts(ctx, res.Facets.CustomFields)
		if err != nil {
			return nil, err
		}
		out.Facets = &model.SearchFacets{
			Tags: objectCounts(res.Facets.Tags), Correspondents: objectCounts(res.Facets.Correspondents),
			DocumentTypes: objectCounts(res.Facets.DocumentTypes), CustomFields: objectCounts(fields),
			NoCorrespondent: res.Facets.NoCorrespondent, NoDocumentType: res.Facets.NoDocumentType,
		}
	}
	return out, nil
}

// visibleFieldCounts keeps the custom field facet counts of the fields the
// caller may see: a hidden field's id is not shown, even with a count.
func (r *Resolver) visibleFieldCounts(ctx context.Context, counts map[int]int) (map[int]int, error) {
	if len(counts) == 0 || !store.PrincipalFrom(ctx).Restricted() {
		return counts, nil
	}
	ids := make([]int, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	fields, err := r.Store.CustomFieldsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int]int, len(fields))
	for id := range fields {
		out[id] = counts[id]
	}
	return out, nil
}

func objectCounts(m map[int]int) []store.ObjectCount {
	out := make([]store.ObjectCount, 0, len(m))
	for id, n := range m {
		out = append(out, store.ObjectCount{ID: id, DocumentCount: n})
	}
	sortCounts(out)
	return out
}

// sortCounts orders by count descending, then id.
func sortCounts(c []store.ObjectCount) {
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && (c[j].DocumentCount > c[j-1].DocumentCount ||
			c[j].DocumentCount == c[j-1].DocumentCount && c[j].ID < c[j-1].ID); j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

// Autocomplete returns up to limit indexed words starting with term, best
// (tf·idf) first; a caller who may not see every document gets only
// words that occur in one they may see. Errors: Validation for limit < 1.
func (r *Resolver) Autocomplete(ctx context.Context, term string, limit int) ([]string, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, &store.Error{Code: store.Validation, Message: "Invalid limit",
			Fields: map[string][]string{"limit": {"Ensure this value is greater than or equal to 1."}}}
	}
	if r.Search == nil {
		return nil, store.Errorf(store.Internal, "no search engine configured")
	}
	words, err := r.Search.Autocomplete(ctx, term, min(limit, 1000), store.PrincipalFrom(ctx).ACL())
	if words == nil && err == nil {
		words = []string{}
	}
	return words, err
}

// searchSort maps a document order to the engine's sort.
func searchSort(o store.DocumentOrder) search.Sort {
	s := search.Sort{Desc: o.Direction == store.Desc}
	switch o.Field {
	case store.DocumentOrderCreated:
		s.Field = search.SortCreated
	case store.DocumentOrderModified:
		s.Field = search.SortModified
	case store.DocumentOrderAdded:
		s.Field = search.SortAdded
	case store.DocumentOrderTitle:
		s.Field = search.SortTitle
	case store.DocumentOrderCorrespondentName:
		s.Field = search.SortCorrespondent
	case store.DocumentOrderDocumentTypeName:
		s.Field = search.SortDocumentType
	case store.DocumentOrderArchiveSerialNumber:
		s.Field = search.SortASN
	default:
		return search.Sort{}
	}
	return s
}

// searchFilter translates document filters to the engine's: the ones it
// has natively map directly; anything else is evaluated by the database
// and passed as the set of allowed document ids. The caller's access
// tokens (store.Principal.ACL) restrict every search — the one place
// search applies permissions.
func (r *Resolver) searchFilter(ctx context.Context, f *store.DocumentFilter) (search.Filter, error) {
	out := search.Filter{ACL: store.PrincipalFrom(ctx).ACL()}
	if f == nil {
		return out, nil
	}
	rest := *f
	if c := f.Correspondent; c != nil && c.In == nil {
		switch {
		case c.Exact != nil && c.Isnull == nil:
			out.CorrespondentID, rest.Correspondent = c.Exact, nil
		case c.Exact == nil && c.Isnull != nil && *c.Isnull:
			out.NoCorrespondent, rest.Correspondent = true, nil
		}
	}
	if c := f.DocumentType; c != nil && c.In == nil {
		switch {
		case c.Exact != nil && c.Isnull == nil:
			out.DocumentTypeID, rest.DocumentType = c.Exact, nil
		case c.Exact == nil && c.Isnull != nil && *c.Isnull:
			out.NoDocumentType, rest.DocumentType = true, nil
		}
	}
	if t := f.Tags; t != nil && len(t.Any) == 0 && len(t.None) == 0 {
		out.TagIDsAll, rest.Tags = t.All, nil
	}
	if f.IsTagged != nil {
		out.Tagged, rest.IsTagged = f.IsTagged, nil
	}
	if tr, ok := r.dateRange(f.Created); ok {
		out.Created, rest.Created = tr, nil
	}
	if tr, ok := r.dateRange(f.Added); ok {
		out.Added, rest.Added = tr, nil
	}
	if isEmptyFilter(rest) {
		return out, nil
	}
	ids, err := r.Store.DocumentIDs(ctx, rest, nil)
	if err != nil {
		return out, err
	}
	out.IDs = ids
	return out, nil
}

// dateRange maps dateGt/dateLt (calendar dates in the server zone) to an
// instant range; other date lookups are left to the database.
func (r *Resolver) dateRange(d *store.DateFilter) (search.TimeRange, bool) {
	var tr search.TimeRange
	if d == nil || d.Year != nil || d.Month != nil || d.Day != nil || d.Gt != nil || d.Lt != nil {
		return tr, false
	}
	day := func(t time.Time, offset int) *time.Time {
		v := time.Date(t.Year(), t.Month(), t.Day()+offset, 0, 0, 0, 0, r.loc())
		return &v
	}
	if d.DateGt != nil {
		tr.From = day(*d.DateGt, 1) // strictly after the day
	}
	if d.DateLt != nil {
		tr.To = day(*d.DateLt, 0) // strictly before the day
	}
	return tr, true
}

// isEmptyFilter reports whether no field of f restricts anything.
func isEmptyFilter(f store.DocumentFilter) bool {
	return f.IDs == nil && f.Title == nil && f.Content == nil && f.TitleContent == nil && f.Search == nil &&
		f.ArchiveSerialNumber == nil && f.Created == nil && f.Added == nil && f.Modified == nil &&
		f.Correspondent == nil && f.CorrespondentName == nil && f.DocumentType == nil &&
		f.DocumentTypeName == nil && f.Tags == nil && f.TagName == nil && f.IsTagged == nil && f.IsInInbox == nil
}
