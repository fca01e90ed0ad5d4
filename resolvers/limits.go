package resolvers

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/quirehq/quire/graph"
	"github.com/quirehq/quire/store"
)

// Limits bound what one GraphQL request may cost before any resolver runs.
// A request over a limit is refused with one short error whose
// extensions.code names the limit:
//
//	REQUEST_TOO_LARGE  the JSON body is over MaxBodyBytes (HTTP 413)
//	BAD_REQUEST        the body is no JSON object (a batch array, bad JSON; HTTP 400)
//	QUERY_TOO_LARGE    the query text is over MaxQueryBytes or MaxTokens
//	QUERY_TOO_DEEP     selections nest deeper than MaxDepth
//	TOO_MANY_ALIASES   more than MaxAliases aliased fields
//	TOO_MANY_FIELDS    more than MaxFields field selections
//	COMPLEXITY_LIMIT_EXCEEDED  the cost is over MaxComplexity
//
// Depth, aliases and fields are counted on the parsed document before it is
// validated, with every fragment spread expanded where it is used (so a
// fragment used ten times counts ten times, and repeating one field 20,000
// times counts 20,000 even though execution would merge the copies), and
// introspection fields (__schema, __type) count like any other.
type Limits struct {
	MaxBodyBytes  int64 // a JSON POST body
	MaxUploadSize int64 // an uploaded file (a multipart body: this plus MaxBodyBytes); negative: no limit
	MaxQueryBytes int   // the query text
	MaxTokens     int   // lexical tokens of the query text
	MaxDepth      int   // nesting of selection sets
	MaxAliases    int   // aliased fields, fragments expanded
	MaxFields     int   // field selections, fragments expanded
	MaxComplexity int   // gqlgen's complexity; a paged list costs its page size times its items
}

// DefaultLimits are the limits Handler uses (its upload limit is the
// consumer's when the consumer has a MaxUploadSize method): 1 MiB bodies, 1 GiB uploads,
// 64 KiB and 15,000 tokens of query text, depth 20, 50 aliases, 1,000
// fields and complexity 50,000. GraphiQL's introspection query (depth 15,
// 225 fields expanded) fits.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:  1 << 20,
		MaxUploadSize: 1 << 30,
		MaxQueryBytes: 64 << 10,
		MaxTokens:     15000,
		MaxDepth:      20,
		MaxAliases:    50,
		MaxFields:     1000,
		MaxComplexity: 50000,
	}
}

// Error codes of refused requests (see Limits).
const (
	CodeRequestTooLarge = "REQUEST_TOO_LARGE"
	CodeBadRequest      = "BAD_REQUEST"
	CodeQueryTooLarge   = "QUERY_TOO_LARGE"
	CodeQueryTooDeep    = "QUERY_TOO_DEEP"
	CodeTooManyAliases  = "TOO_MANY_ALIASES"
	CodeTooManyFields   = "TOO_MANY_FIELDS"
	CodeCancelled       = "CANCELLED"
)

func limitError(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}

// queryLimits is the handler extension that checks a query's size and shape
// before gqlgen parses and validates it (validation of a huge or fanned-out
// document is itself the expensive part). A query in the executor's cache
// passed these checks when it was first seen, so it is not checked again.
type queryLimits struct {
	l     Limits
	cache graphql.Cache[*ast.QueryDocument] // the executor's
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = queryLimits{}

func (queryLimits) ExtensionName() string                          { return "QueryLimits" }
func (queryLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (q queryLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil // a persisted-query hash alone: that query passed when it was stored
	}
	if q.cache != nil {
		if _, ok := q.cache.Get(ctx, p.Query); ok {
			return nil
		}
	}
	return q.l.check(p.Query)
}

// check refuses a query text over the limits; a syntax error is left to
// the parser that follows (it reports it with its position).
func (l Limits) check(query string) *gqlerror.Error {
	if len(query) > l.MaxQueryBytes {
		return limitError(CodeQueryTooLarge, "the query is %d bytes long; the limit is %d", len(query), l.MaxQueryBytes)
	}
	src := &ast.Source{Input: query}
	lx := lexer.New(src)
	for n := 0; ; n++ {
		if n > l.MaxTokens {
			return limitError(CodeQueryTooLarge, "the query has more than %d tokens", l.MaxTokens)
		}
		tok, err := lx.ReadToken()
		if err != nil {
			return nil
		}
		if tok.Kind == lexer.EOF {
			break
		}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil
	}
	w := walker{l: l, frags: map[string]*shape{}, doc: doc}
	for _, op := range doc.Operations {
		s := w.selections(op.SelectionSet)
		if err := l.judge(s); err != nil {
			return err
		}
	}
	// Fragments are validated even where no operation uses them.
	for _, f := range doc.Fragments {
		if err := l.judge(w.fragment(f.Name)); err != nil {
			return err
		}
	}
	return nil
}

func (l Limits) judge(s shape) *gqlerror.Error {
	switch {
	case s.depth > l.MaxDepth:
		return limitError(CodeQueryTooDeep, "the query nests %d levels deep; the limit is %d", s.depth, l.MaxDepth)
	case s.aliases > l.MaxAliases:
		return limitError(CodeTooManyAliases, "the query has more than %d aliases", l.MaxAliases)
	case s.fields > l.MaxFields:
		return limitError(CodeTooManyFields, "the query selects more than %d fields (fragments counted where they are used)", l.MaxFields)
	case s.same > maxSameName:
		return limitError(CodeTooManyFields, "the query selects one field more than %d times in one selection set (fragments counted where they are used)", maxSameName)
	}
	return nil
}

// shape is what a selection set costs with its fragments expanded; counts
// saturate just above the limits, so a fan-out of fragments cannot overflow.
type shape struct {
	fields, aliases, depth int
	// same is the most fields of one response name in one selection set,
	// fragments merged in; names counts those of this set's own level
	// (nil when empty), for the set a fragment is spread into.
	same  int
	names map[string]int
}

type walker struct {
	l     Limits
	doc   *ast.QueryDocument
	frags map[string]*shape // nil value: being computed (a cycle)
}

func (w *walker) add(a, b int, limit int) int { return min(a+b, limit+1) }

func (w *walker) selections(set ast.SelectionSet) shape {
	var s shape
	name := func(n string, k int) {
		if s.names == nil {
			s.names = make(map[string]int, len(set))
		}
		c := w.add(s.names[n], k, maxSameName)
		s.names[n] = c
		s.same = max(s.same, c)
	}
	for _, sel := range set {
		var c shape
		switch sel := sel.(type) {
		case *ast.Field:
			c = w.selections(sel.SelectionSet)
			c.fields = w.add(c.fields, 1, w.l.MaxFields)
			if sel.Alias != "" && sel.Alias != sel.Name {
				c.aliases = w.add(c.aliases, 1, w.l.MaxAliases)
			}
			c.depth = min(c.depth+1, w.l.MaxDepth+1)
			c.names = nil // the field's children are a level of their own
			respName := sel.Alias
			if respName == "" {
				respName = sel.Name
			}
			name(respName, 1)
		case *ast.InlineFragment:
			c = w.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			c = w.fragment(sel.Name)
		}
		for n, k := range c.names {
			name(n, k)
		}
		s.fields = w.add(s.fields, c.fields, w.l.MaxFields)
		s.aliases = w.add(s.aliases, c.aliases, w.l.MaxAliases)
		s.depth = max(s.depth, c.depth)
		s.same = max(s.same, c.same)
	}
	return s
}

// maxSameName bounds the fields of one response name in one selection set
// (fragments merged in). Validation compares every pair of them, and
// reports each pair whose arguments differ: 450 copies of tags(page: N)
// made 101,025 errors.
const maxSameName = 20

// fragment returns the shape of the named fragment, computed once; an
// unknown fragment or a cycle counts nothing here (validation reports it).
func (w *walker) fragment(name string) shape {
	if s, ok := w.frags[name]; ok {
		if s == nil {
			return shape{}
		}
		return *s
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return shape{}
	}
	w.frags[name] = nil
	s := w.selections(def.SelectionSet)
	w.frags[name] = &s
	return s
}

// complexity makes a paged list cost its page size (or limit) times the cost
// of one item, instead of gqlgen's default of one.
func complexity(c *graph.ComplexityRoot) {
	page := func(child int, size *int, def int) int {
		n := def
		if size != nil {
			n = max(*size, 1)
		}
		n = min(n, store.MaxPageSize)
		return 1 + n*max(child, 1)
	}
	q := &c.Query
	q.Documents = func(child int, _ *store.DocumentFilter, _ []store.DocumentOrder, _, size *int) int {
		return page(child, size, store.DefaultPageSize)
	}
	q.Correspondents = func(child int, _ *store.NameFilter, _ []store.NameOrder, _, size *int) int {
		return page(child, size, store.DefaultPageSize)
	}
	q.DocumentTypes = func(child int, _ *store.NameFilter, _ []store.NameOrder, _, size *int) int {
		return page(child, size, store.DefaultPageSize)
	}
	q.Tags = func(child int, _ *store.NameFilter, _ []store.NameOrder, _, size *int) int {
		return page(child, size, store.DefaultPageSize)
	}
	q.SavedViews = func(child int, _, size *int) int { return page(child, size, store.DefaultPageSize) }
	q.LogEntries = func(child int, _ *store.LogFilter, _ *store.Direction, _, size *int) int {
		return page(child, size, store.DefaultPageSize)
	}
	q.Search = func(child int, _ string, _ *store.DocumentFilter, _ *store.DocumentOrder, _, size *int, _ *bool) int {
		return page(child, size, 10)
	}
	q.MoreLike = func(child int, _ int, _ *store.DocumentFilter, _, size *int) int {
		return page(child, size, 10)
	}
	q.ConsumptionTasks = func(child int, _ []store.TaskState, _ []string, limit *int) int {
		return page(child, limit, 100)
	}
}

// jsonPOST is gqlgen's POST transport with a bounded body and short
// errors: a body over the limit is refused with 413 as soon as the limit
// is passed, and one gqlgen cannot decode (bad JSON, a batch array, wrong
// field types) gets a 400 that does not quote the body back, as gqlgen's
// own message would. Batched operations are not supported: send one per
// request. The body is decoded once, by gqlgen.
type jsonPOST struct {
	transport.POST
	max int64
}

func (t jsonPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body := &boundedBody{r: http.MaxBytesReader(w, r.Body, t.max)}
	r.Body = body
	t.POST.Do(w, r, &bodyErrors{GraphExecutor: exec, w: w, body: body, max: t.max})
}

// multipartPOST is gqlgen's multipart transport refusing a declared length
// over the upload limit with 413 (gqlgen answers 200 with an error), and a
// body of unknown length (chunked) with 411: gqlgen keeps the file parts of a body shorter
// than MaxMemory in memory, and it takes an unknown length for a short one,
// so a chunked upload would be held in memory up to the upload limit.
// Browsers and HTTP clients send a Content-Length with a form.
type multipartPOST struct{ transport.MultipartForm }

func (t multipartPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if r.ContentLength < 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusLengthRequired)
		resp := exec.DispatchError(r.Context(), gqlerror.List{limitError(CodeBadRequest,
			"a multipart request needs a Content-Length header")})
		json.NewEncoder(w).Encode(resp) //nolint:errcheck // the client went away

		return
	}
	if r.ContentLength > t.MaxUploadSize {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		resp := exec.DispatchError(r.Context(), gqlerror.List{limitError(CodeRequestTooLarge,
			"the request body is larger than %d bytes", t.MaxUploadSize)})
		json.NewEncoder(w).Encode(resp) //nolint:errcheck // the client went away
		return
	}
	t.MultipartForm.Do(w, r, exec)
}

// boundedBody reads a request body, noting whether it passed the limit
// and its first non-space byte.
type boundedBody struct {
	r     io.ReadCloser
	over  bool
	first byte
}

func (b *boundedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if b.first == 0 {
		if t := bytes.TrimLeft(p[:n], " \t\r\n"); len(t) > 0 {
			b.first = t[0]
		}
	}
	var tooLarge *http.MaxBytesError
	if err != nil && errors.As(err, &tooLarge) {
		b.over = true
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.r.Close() }

// bodyErrors replaces the errors gqlgen's POST transport reports before it
// creates an operation — it could not read or decode the body — by short
// ones.
type bodyErrors struct {
	graphql.GraphExecutor
	w       http.ResponseWriter
	body    *boundedBody
	max     int64
	created bool
}

func (e *bodyErrors) CreateOperationContext(ctx context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	e.created = true
	return e.GraphExecutor.CreateOperationContext(ctx, p)
}

func (e *bodyErrors) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	if e.created {
		return e.GraphExecutor.DispatchError(ctx, list)
	}
	var err *gqlerror.Error
	switch {
	case e.body.over:
		e.w.WriteHeader(http.StatusRequestEntityTooLarge)
		err = limitError(CodeRequestTooLarge, "the request body is larger than %d bytes", e.max)
	case e.body.first == '[':
		err = limitError(CodeBadRequest, "batched operations (a JSON array) are not supported; send one operation per request")
	default:
		err = limitError(CodeBadRequest, "the request body must be one JSON object with query (a string), operationName, variables and extensions (objects)")
	}
	return e.GraphExecutor.DispatchError(ctx, gqlerror.List{err})
}

// orDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct {
		v   *int
		def int
	}{{&l.MaxQueryBytes, d.MaxQueryBytes}, {&l.MaxTokens, d.MaxTokens}, {&l.MaxDepth, d.MaxDepth},
		{&l.MaxAliases, d.MaxAliases}, {&l.MaxFields, d.MaxFields}, {&l.MaxComplexity, d.MaxComplexity}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	switch {
	case l.MaxUploadSize == 0:
		l.MaxUploadSize = d.MaxUploadSize
	case l.MaxUploadSize < 0:
		l.MaxUploadSize = math.MaxInt64 - l.MaxBodyBytes
	}
	return l
}

// StopWhenGone is a field middleware that skips every resolver still to
// run once the request's context is done (the client went away, or the
// server is shutting down), and reports a resolver that failed because of
// it, as CANCELLED rather than INTERNAL. Install it before
// FieldErrorMiddleware (inside it), which then passes these errors on
// without logging them. Resolvers and store calls take the context, so
// work in flight stops where the database driver or the search engine
// checks it.
func StopWhenGone(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.IsResolver && ctx.Err() != nil {
		return nil, errCancelled()
	}
	res, err := next(ctx)
	if err != nil && ctx.Err() != nil {
		return res, errCancelled()
	}
	return res, err
}

func errCancelled() error {
	return &store.Error{Code: store.Code(CodeCancelled), Message: "the request was cancelled"}
}

// docCache is the executor's cache of parsed and validated queries, bounded
// by the total length of the query texts it holds as well as by their
// number: a parsed query takes 20 to 110 times its text's bytes, so 1,000
// queries of 64 KiB would hold gigabytes. The least recently used go first.
type docCache struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int
	bytes      int
	ll         *list.List // of *docEntry, most recent first
	m          map[string]*list.Element
}

type docEntry struct {
	query string
	doc   *ast.QueryDocument
}

func newDocCache(maxEntries, maxBytes int) *docCache {
	return &docCache{maxEntries: maxEntries, maxBytes: maxBytes, ll: list.New(), m: map[string]*list.Element{}}
}

// Get implements graphql.Cache.
func (c *docCache) Get(_ context.Context, query string) (*ast.QueryDocument, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[query]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*docEntry).doc, true
}

// Add implements graphql.Cache; a query longer than a quarter of the
// budget is not kept.
func (c *docCache) Add(_ context.Context, query string, doc *ast.QueryDocument) {
	if len(query) > c.maxBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[query]; ok {
		c.ll.MoveToFront(el)
		el.Value.(*docEntry).doc = doc
		return
	}
	c.m[query] = c.ll.PushFront(&docEntry{query: query, doc: doc})
	c.bytes += len(query)
	for c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes {
		old := c.ll.Remove(c.ll.Back()).(*docEntry)
		delete(c.m, old.query)
		c.bytes -= len(old.query)
	}
}
