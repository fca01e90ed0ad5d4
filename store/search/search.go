package search

import (
	"context"
	"time"
)

// Document is what the search index holds for one archived document. The
// indexer builds it from store.Document plus the names of its relations;
// names are indexed as text, ids are kept for filters and facets.
type Document struct {
	ID              int
	Title           string
	Content         string
	CorrespondentID *int
	Correspondent   string // name, "" when CorrespondentID is nil
	DocumentTypeID  *int
	DocumentType    string // name, "" when DocumentTypeID is nil
	TagIDs          []int
	Tags            []string // names, parallel to TagIDs
	ASN             *int
	Created         time.Time
	Added           time.Time
	Modified        time.Time
	// ACL holds the document's access tokens (store.ACLTokens): "public"
	// when it has no owner, else "u<id>"/"g<id>" of its owner and of every
	// user and group granted view or change. Kept as exact keywords;
	// Filter.ACL matches them.
	ACL []string
	// Notes holds the text of the document's notes (searchable like
	// content, and with the notes: field prefix).
	Notes []string
	// CustomFields holds the text of its custom field values, one
	// "name: value" per field (searchable, and with custom_fields:).
	CustomFields []string
	// CustomFieldIDs are the ids of the custom fields it carries (facets).
	CustomFieldIDs []int
}

// WriteBatch is how many documents Quire hands an engine per Index call
// (the indexer, a rebuild, an import). A write's working memory grows with
// it — about 150 KB per document in the embedded engine — while larger
// writes index a little faster; 250 keeps a rebuild of 100,000 documents
// near 500 MB.
const WriteBatch = 250

// Engine is a full-text index of documents. Implementations are safe for
// concurrent use. Index and Delete are idempotent, so the outbox worker may
// replay them after a crash. Errors: Search and MoreLike return a Validation
// *store.Error for a bad request and a NotFound one for MoreLike of a
// document that is not indexed; anything else is Internal (the engine is
// down, the disk is full).
type Engine interface {
	// Index adds or replaces documents (by ID). Re-indexing an unchanged
	// document is harmless. While a rebuild is in progress the documents
	// are written to the rebuild as well, so the swap loses no change.
	// The documents are searchable when it returns, but may not survive
	// a crash until Flush returns.
	Index(ctx context.Context, docs ...Document) error
	// Delete removes documents by ID; unknown IDs are ignored. Like Index,
	// durable once Flush returns.
	Delete(ctx context.Context, ids ...int) error
	// Flush waits until every Index and Delete that returned is durable.
	// A caller that must not lose a change (the indexer, before it
	// removes the change from the outbox) calls it.
	Flush(ctx context.Context) error
	// Search runs a parsed query. With req.Filter.ACL set, everything in
	// the result — hits, total, facets and the corrected query (see
	// Vocab.CorrectFor) — is computed over the visible documents only.
	Search(ctx context.Context, req Request) (*Result, error)
	// MoreLike finds documents similar to document id (its top key terms,
	// see KeyTerms), excluding id itself. req.Query is ignored; filter,
	// sort, paging and highlights apply.
	MoreLike(ctx context.Context, id int, req Request) (*Result, error)
	// Autocomplete returns up to limit indexed content words starting with
	// term (folded like the index), ordered by tf·idf (see Vocab.Complete).
	// With acl non-nil it returns only words that occur in a document
	// carrying one of those access tokens (see Vocab.CompleteFor).
	Autocomplete(ctx context.Context, term string, limit int, acl []string) ([]string, error)
	// Count returns the number of indexed documents.
	Count(ctx context.Context) (int, error)
	// IDs returns the IDs of every indexed document, ascending.
	IDs(ctx context.Context) ([]int, error)
	// Layout returns the layout version the live index was written in and
	// the one this Quire writes. A layout is what an index holds and how
	// (fields, their analysis, their encoding); an engine raises its
	// version when a change makes an index written before answer wrongly,
	// and an index in another layout is rebuilt at start.
	Layout(ctx context.Context) (live, current int, err error)
	// BeginRebuild starts building a fresh index beside the live one, or
	// resumes the rebuild left unfinished by an earlier process. Only one
	// rebuild exists at a time.
	BeginRebuild(ctx context.Context) (Rebuild, error)
	// Close releases files and connections; the engine is unusable after.
	Close() error
}

// Rebuild is a fresh index being filled beside the live one. Feed it every
// document in ascending ID order (in batches), then Commit to swap it in
// atomically; searches keep using the old index until then. A rebuild is
// durable: if the process stops, BeginRebuild returns it again and
// LastID says where to continue (WHERE id > LastID ORDER BY id).
type Rebuild interface {
	// LastID is the highest document ID durably indexed into the rebuild
	// (0 for a fresh one). It may trail the last Index by a few thousand
	// documents, which an interrupted rebuild indexes again.
	LastID() int
	// Index adds a batch of documents to the new index.
	Index(ctx context.Context, docs ...Document) error
	// Checkpoint makes everything indexed so far durable and advances
	// LastID past it (an interrupted rebuild calls it before it stops).
	Checkpoint(ctx context.Context) error
	// Commit makes the new index the live one and drops the old one.
	Commit(ctx context.Context) error
	// Abort throws the new index away; the live index is untouched.
	Abort(ctx context.Context) error
}

// Request is one search. Zero values mean: no filter, relevance order, page
// 1, DefaultPageSize hits, no highlights, no facets.
type Request struct {
	Query     Query // from Parse; the zero Query matches nothing
	Filter    Filter
	Sort      Sort
	Page      int // 1-based; < 1 is treated as 1
	PageSize  int // <= 0 means DefaultPageSize; capped at MaxPageSize
	Highlight bool
	Facets    bool // fill Result.Facets
}

// Page sizes.
const (
	DefaultPageSize = 10
	MaxPageSize     = 1000
)

// Filter narrows a search to documents matching every set field; it is
// combined with the query by AND. Date bounds are instants: From is
// inclusive, To exclusive (the caller turns created__date__gt=D into
// From = start of the day after D in the server's zone).
type Filter struct {
	// IDs restricts the search to these documents when non-nil (an empty,
	// non-nil slice matches nothing).
	IDs []int
	// CorrespondentID and DocumentTypeID select one related object.
	CorrespondentID *int
	DocumentTypeID  *int
	// NoCorrespondent and NoDocumentType select documents without one.
	NoCorrespondent bool
	NoDocumentType  bool
	// TagIDsAll: documents carrying all of these tags.
	TagIDsAll []int
	// Tagged: true for documents with at least one tag, false for none.
	Tagged *bool
	// Created and Added restrict the dates.
	Created TimeRange
	Added   TimeRange
	// ACL restricts the search to documents carrying at least one of
	// these access tokens (see Document.ACL and store.Principal.ACL);
	// nil means no restriction, an empty non-nil slice matches nothing.
	// Engines apply it inside the query, so totals, facets, pages and
	// more-like-this only ever count visible documents.
	ACL []string
}

// TimeRange is a half-open interval [From, To); a nil bound is open.
type TimeRange struct {
	From *time.Time
	To   *time.Time
}

// SortField names what a search is ordered by.
type SortField string

// Sort fields. Relevance is the default; field sorts put documents without
// a value (no ASN, no correspondent) last and break ties by ID ascending.
const (
	SortRelevance     SortField = ""
	SortCreated       SortField = "created"
	SortModified      SortField = "modified"
	SortAdded         SortField = "added"
	SortTitle         SortField = "title"
	SortCorrespondent SortField = "correspondent"
	SortDocumentType  SortField = "document_type"
	SortASN           SortField = "asn"
)

// Sort is the order of a result list. Desc reverses a field sort; relevance
// is always best first.
type Sort struct {
	Field SortField
	Desc  bool
}

// Result is one page of hits.
type Result struct {
	// Total is the exact number of matching documents.
	Total int
	// MaxScore is the best score of the whole result list (for
	// normalising scores so the best hit is 1.0); 0 when sorting by a field.
	MaxScore float64
	Hits     []Hit
	// Facets counts the matching documents per tag, correspondent and
	// document type id (only when Request.Facets).
	Facets *Facets
	// CorrectedQuery is a spelling suggestion when some query word is not
	// in the index and a close indexed word is (paperless' corrected_query);
	// nil otherwise.
	CorrectedQuery *string
}

// Hit is one matching document.
type Hit struct {
	ID    int
	Score float64 // engine specific, higher is better; 0 when sorting by a field
	Rank  int     // 0-based position in the whole result list
	// Highlights holds up to 3 fragments of the content around matched
	// words (only with Request.Highlight), see Highlight.
	Highlights []Fragment
}

// Facets holds per-id document counts for the whole result list; ids that
// no matching document references are absent.
type Facets struct {
	Tags            map[int]int
	Correspondents  map[int]int
	DocumentTypes   map[int]int
	NoCorrespondent int
	NoDocumentType  int
	// CustomFields counts matching documents per custom field id.
	CustomFields map[int]int
}

// Offset returns the index of the first hit of the page and the page size,
// normalising Page and PageSize as documented on Request.
func (r Request) Offset() (offset, size int) {
	size = r.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	if size > MaxPageSize {
		size = MaxPageSize
	}
	page := r.Page
	if page < 1 {
		page = 1
	}
	const maxOffset = 1 << 30
	if page > maxOffset/size {
		return maxOffset, size
	}
	return (page - 1) * size, size
}

// PageCount returns ceil(total/size).
func PageCount(total, size int) int {
	if size <= 0 || total <= 0 {
		return 0
	}
	return (total + size - 1) / size
}

// Dedupe keeps the last version of each document ID in docs (engines
// apply a batch as one write, in which an ID may appear once).
func Dedupe(docs []Document) []Document {
	if len(docs) < 2 {
		return docs
	}
	seen := make(map[int]int, len(docs))
	out := make([]Document, 0, len(docs))
	for _, d := range docs {
		if i, ok := seen[d.ID]; ok {
			out[i] = d
			continue
		}
		seen[d.ID] = len(out)
		out = append(out, d)
	}
	return out
}
