// Package typesense implements search.Engine on a Typesense server (tested
// against 0.24.1) through typesense-go.
//
// Documents live in a collection named <alias>_<unixnano>; searches,
// writes and counts go through the alias, so a rebuild fills a new
// collection and Commit points the alias at it (no downtime), then drops
// the old one. Several Quire processes may share the cluster: a rebuild is
// announced through the alias <alias>_rebuild, and every process writes
// its changes to the announced collection too.
//
// Quire analyses text itself (search.Analyze) and sends Typesense the folded
// tokens, so both engines tokenise alike. Matching is exact on Quire's
// side. The exact words and phrases a match must contain or lack go into
// q (with num_typos 0, no prefixes and no dropped words, Typesense matches
// them exactly, and ranks by them); the rest becomes a filter_by
// expression over word arrays (t_title, t_corr, t_type, tag, and t_cx for
// the content's words beyond ASCII) and over the content's string field,
// with prefixes, wildcards and typos expanded to concrete words through
// the vocabulary (search.Vocab, kept in a local file per collection).
// Vocabulary statistics are local to the process that indexes (README,
// "Running several replicas").
//
// It may import store/search and typesense-go; nothing above store.
package typesense

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/typesense/typesense-go/v2/typesense"
	"github.com/typesense/typesense-go/v2/typesense/api"
	"github.com/typesense/typesense-go/v2/typesense/api/pointer"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

// Config configures Open.
type Config struct {
	URL      string // http://host:8108
	APIKey   string
	Alias    string // default "quire_documents"
	StatsDir string // local folder for vocabulary statistics (the data dir's index/typesense)
	Logger   *slog.Logger
	Timeout  time.Duration // per request; default 30s
	// Contents returns the content of those of the documents ids that
	// exist, for highlights (required). Quire's database holds the text,
	// so Typesense does not keep a copy: that would cost a fifth of its
	// indexing speed.
	Contents func(ctx context.Context, ids []int) (map[int]string, error)
}

// Engine is the Typesense implementation of search.Engine.
type Engine struct {
	cfg    Config
	client *typesense.Client
	http   *http.Client
	log    *slog.Logger

	mu   sync.RWMutex
	live *coll
	rb   *rebuild
}

type coll struct {
	name  string
	vocab *search.Vocab
}

// Open connects to Typesense, creating the alias and a first collection if
// needed, and reopens an unfinished rebuild (its collection and local
// statistics) so live writes reach it again.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Contents == nil {
		return nil, errors.New("typesense: no source of document contents (Config.Contents)")
	}
	if cfg.Alias == "" {
		cfg.Alias = "quire_documents"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if err := os.MkdirAll(cfg.StatsDir, 0o755); err != nil {
		return nil, fmt.Errorf("create typesense statistics folder: %w", err)
	}
	e := &Engine{
		cfg:    cfg,
		client: typesense.NewClient(typesense.WithServer(cfg.URL), typesense.WithAPIKey(cfg.APIKey), typesense.WithConnectionTimeout(cfg.Timeout)),
		http:   &http.Client{Timeout: cfg.Timeout},
		log:    cfg.Logger,
	}
	target := ""
	if a, err := e.client.Alias(cfg.Alias).Retrieve(ctx); err == nil {
		target = a.CollectionName
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("typesense alias %s: %w", cfg.Alias, err)
	}
	if target == "" {
		name, err := e.createCollection(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := e.client.Aliases().Upsert(ctx, cfg.Alias, &api.CollectionAliasSchema{CollectionName: name}); err != nil {
			return nil, fmt.Errorf("typesense alias %s: %w", cfg.Alias, err)
		}
		target = name
	}
	v, err := search.OpenVocab(e.vocabPath(target), false)
	if err != nil {
		return nil, err
	}
	e.live = &coll{name: target, vocab: v}
	if err := e.adoptCollections(ctx, target); err != nil {
		v.Close()
		return nil, err
	}
	return e, nil
}

// staleAfter is how old a collection of this alias must be, neither live
// nor announced as a rebuild, before Open drops it: a younger one may be
// another process's rebuild between its creation and its announcement.
var staleAfter = time.Hour

// abandonAfter is how long after it started another process's announced
// rebuild is taken to be abandoned (its process gone for good), so that
// BeginRebuild may replace it.
var abandonAfter = 24 * time.Hour

// adoptCollections sorts the alias's other collections at Open: the
// unfinished rebuild of this process (its statistics are in StatsDir) is
// reopened, so live writes reach it again; the rebuild another process
// announced is left to it; the rest, once older than staleAfter, dropped.
func (e *Engine) adoptCollections(ctx context.Context, live string) error {
	announced, err := e.rebuildTarget(ctx)
	if err != nil {
		return err
	}
	cols, err := e.client.Collections().Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("typesense collections: %w", err)
	}
	for _, c := range cols {
		if !strings.HasPrefix(c.Name, e.cfg.Alias+"_") || c.Name == live {
			continue
		}
		_, statErr := os.Stat(e.vocabPath(c.Name))
		own := statErr == nil
		if own && e.rb == nil && e.layoutOf(c.Name) == layoutVersion {
			rv, err := search.OpenVocab(e.vocabPath(c.Name), true)
			if err == nil {
				e.rb = &rebuild{e: e, c: &coll{name: c.Name, vocab: rv}}
				if c.Name != announced {
					if err := e.announce(ctx, c.Name); err != nil {
						return err
					}
				}
				continue
			}
			e.log.Warn("search: unreadable statistics of an unfinished rebuild", "collection", c.Name, "error", err)
		}
		switch {
		case own:
			// this process's, but in another layout (or unreadable)
			if err := e.withdraw(ctx, c.Name); err != nil {
				return err
			}
		case c.Name == announced:
			e.log.Info("search: another Quire process is rebuilding the index; writes reach its collection too", "collection", c.Name)
			continue
		case c.CreatedAt != nil && time.Since(time.Unix(*c.CreatedAt, 0)) < staleAfter:
			continue
		}
		e.log.Info("search: dropping stale typesense collection", "collection", c.Name)
		e.client.Collection(c.Name).Delete(ctx)
		os.Remove(e.vocabPath(c.Name))
	}
	return nil
}

// rebuildAlias names the alias that announces a rebuild in progress to
// every Quire process sharing the Typesense cluster: each writes its
// changes to the collection it points at as well as to the live one, so
// the rebuild misses no change made through another process.
func (e *Engine) rebuildAlias() string { return e.cfg.Alias + "_rebuild" }

// rebuildTarget returns the collection the rebuild alias points at, ""
// when no rebuild is announced.
func (e *Engine) rebuildTarget(ctx context.Context) (string, error) {
	a, err := e.client.Alias(e.rebuildAlias()).Retrieve(ctx)
	if isNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("typesense alias %s: %w", e.rebuildAlias(), err)
	}
	return a.CollectionName, nil
}

func (e *Engine) announce(ctx context.Context, collection string) error {
	if _, err := e.client.Aliases().Upsert(ctx, e.rebuildAlias(), &api.CollectionAliasSchema{CollectionName: collection}); err != nil {
		return fmt.Errorf("typesense alias %s: %w", e.rebuildAlias(), err)
	}
	return nil
}

// withdraw removes the rebuild alias if it still points at collection.
func (e *Engine) withdraw(ctx context.Context, collection string) error {
	if t, err := e.rebuildTarget(ctx); err != nil || t != collection {
		return err
	}
	if _, err := e.client.Alias(e.rebuildAlias()).Delete(ctx); err != nil && !isNotFound(err) {
		return fmt.Errorf("typesense alias %s: %w", e.rebuildAlias(), err)
	}
	return nil
}

func isNotFound(err error) bool {
	var he *typesense.HTTPError
	return errors.As(err, &he) && he.Status == http.StatusNotFound
}

func (e *Engine) vocabPath(collection string) string {
	return filepath.Join(e.cfg.StatsDir, collection+".vocab")
}

// layoutVersion is the layout of the collections this Quire writes; raise
// it when a change to the schema or to what Quire sends makes a collection
// written before answer wrongly. A collection's name carries its layout:
// <alias>_<unixnano> is layout 1, <alias>_l<N>_<unixnano> layout N.
//
// Layout 2 dropped the array of all the content's words (t_content) for
// one of its words that are not plain (t_cx). Layout 3 added the access
// tokens (acl), notes and custom field text (searched by q, and as word
// arrays t_notes and t_cf), the words of every field but the content in
// one array (t_meta, for filters on the default fields) and custom field
// ids (cf_ids, a facet); a
// collection of an earlier layout, which serves until the rebuild after
// an upgrade swaps, answers a restricted search with nothing.
const layoutVersion = 3

// collectionName names a new collection of the current layout.
func (e *Engine) collectionName() string {
	if layoutVersion == 1 {
		return fmt.Sprintf("%s_%d", e.cfg.Alias, time.Now().UnixNano())
	}
	return fmt.Sprintf("%s_l%d_%d", e.cfg.Alias, layoutVersion, time.Now().UnixNano())
}

// layoutOf returns the layout version a collection's name carries.
func (e *Engine) layoutOf(name string) int {
	rest := strings.TrimPrefix(name, e.cfg.Alias+"_")
	if v, ok := strings.CutPrefix(rest, "l"); ok {
		if n, _, ok := strings.Cut(v, "_"); ok {
			if l, err := strconv.Atoi(n); err == nil {
				return l
			}
		}
	}
	return 1
}

// Layout implements search.Engine: the layout of the collection the alias
// points at now (another process may have swapped it).
func (e *Engine) Layout(ctx context.Context) (live, current int, err error) {
	a, err := e.client.Alias(e.cfg.Alias).Retrieve(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("typesense alias %s: %w", e.cfg.Alias, err)
	}
	return e.layoutOf(a.CollectionName), layoutVersion, nil
}

func (e *Engine) createCollection(ctx context.Context) (string, error) {
	return e.createNamed(ctx, e.collectionName())
}

func (e *Engine) createNamed(ctx context.Context, name string) (string, error) {
	cx := "t_cx"
	if e.layoutOf(name) < 2 {
		cx = "t_content" // layout 1's array, of all the content's words (as tests recreate it)
	}
	f := func(name, typ string, opts ...string) api.Field {
		fd := api.Field{Name: name, Type: typ}
		for _, o := range opts {
			switch o {
			case "facet":
				fd.Facet = pointer.True()
			case "sort":
				fd.Sort = pointer.True()
			case "optional":
				fd.Optional = pointer.True()
			case "noindex":
				fd.Index = pointer.False()
				fd.Optional = pointer.True()
			}
		}
		return fd
	}
	schema := &api.CollectionSchema{
		Name: name,
		Fields: []api.Field{
			f("doc_id", "int64", "sort"),
			f("title", "string"), f("content", "string"), f("correspondent", "string"), f("type", "string"),
			f("tagq", "string[]"),
			f("t_title", "string[]"), f(cx, "string[]"), f("t_corr", "string[]"), f("t_type", "string[]"),
			f("tag", "string[]"),
			f("corr_id", "int64", "facet"), f("type_id", "int64", "facet"), f("tag_ids", "int64[]", "facet"),
			f("tagged", "bool"), f("asn_f", "int64"), f("asn_a", "int64", "sort"), f("asn_d", "int64", "sort"),
			f("created", "int64", "sort"), f("added", "int64", "sort"), f("modified", "int64", "sort"),
			f("s_title", "string", "sort"), f("s_corr_a", "string", "sort"), f("s_corr_d", "string", "sort"),
			f("s_type_a", "string", "sort"), f("s_type_d", "string", "sort"),
		},
		SymbolsToIndex:      &[]string{"."},
		DefaultSortingField: pointer.String("doc_id"),
	}
	if e.layoutOf(name) >= 3 {
		schema.Fields = append(schema.Fields,
			f("notes", "string"), f("custom_fields", "string"), f("t_notes", "string[]"), f("t_cf", "string[]"), f("t_meta", "string[]"),
			f("acl", "string[]"), f("cf_ids", "int64[]", "facet"))
	}
	if _, err := e.client.Collections().Create(ctx, schema); err != nil {
		return "", fmt.Errorf("create typesense collection %s: %w", name, err)
	}
	return name, nil
}

// placeholder fills empty token arrays so that != filters see a value.
const placeholder = "0empty0"

func distinct(terms []string) []string {
	seen := make(map[string]bool, len(terms))
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = append(out, placeholder)
	}
	return out
}

// notPlain returns the terms that are not plain (translate.go).
func notPlain(terms []string) []string {
	var out []string
	for _, t := range terms {
		if !plain(t) {
			out = append(out, t)
		}
	}
	return out
}

// tsDoc is the document Typesense indexes, for a collection of layout
// layout.
func tsDoc(d search.Analyzed, layout int) map[string]any {
	title, content := search.TermsOf(d.TitleTokens), search.TermsOf(d.ContentTokens)
	corr, typ := search.TermsOf(d.CorrespondentTokens), search.TermsOf(d.TypeTokens)
	var tags, tagq []string
	for _, t := range d.Tags {
		n := strings.ReplaceAll(search.FoldName(t), "`", "")
		if n == "" {
			continue
		}
		tags = append(tags, n)
		if tt := search.Terms(t); len(tt) == 1 && tt[0] == n {
			tagq = append(tagq, n)
		}
	}
	if tagq == nil {
		tagq = []string{}
	}
	tagIDs := make([]int64, len(d.TagIDs))
	for i, t := range d.TagIDs {
		tagIDs[i] = int64(t)
	}
	m := map[string]any{
		"id": strconv.Itoa(d.ID), "doc_id": d.ID,
		"title": strings.Join(title, " "), "content": strings.Join(content, " "),
		"correspondent": strings.Join(corr, " "), "type": strings.Join(typ, " "),
		"tagq": tagq, "tag": distinct(tags),
		"t_title": distinct(title), "t_cx": distinct(notPlain(content)), "t_corr": distinct(corr), "t_type": distinct(typ),
		"corr_id": 0, "type_id": 0, "tag_ids": tagIDs, "tagged": len(d.TagIDs) > 0,
		"asn_f": -1, "asn_a": int64(math.MaxInt64), "asn_d": int64(math.MinInt64),
		"created": d.Created.UnixMilli(), "added": d.Added.UnixMilli(), "modified": d.Modified.UnixMilli(),
		"s_title":  search.FoldName(d.Title),
		"s_corr_a": "\U0010FFFF", "s_corr_d": "", "s_type_a": "\U0010FFFF", "s_type_d": "",
	}
	if d.CorrespondentID != nil {
		m["corr_id"] = *d.CorrespondentID
		m["s_corr_a"], m["s_corr_d"] = search.FoldName(d.Correspondent), search.FoldName(d.Correspondent)
	}
	if d.DocumentTypeID != nil {
		m["type_id"] = *d.DocumentTypeID
		m["s_type_a"], m["s_type_d"] = search.FoldName(d.DocumentType), search.FoldName(d.DocumentType)
	}
	if d.ASN != nil {
		m["asn_f"], m["asn_a"], m["asn_d"] = *d.ASN, *d.ASN, *d.ASN
	}
	if layout < 2 {
		// the live collection until the rebuild after an upgrade swaps
		m["t_content"] = distinct(content)
	}
	if layout >= 3 {
		notes, cf := search.TermsOf(d.NotesTokens), search.TermsOf(d.CustomTokens)
		acl := d.ACL
		if acl == nil {
			acl = []string{}
		}
		cfIDs := make([]int64, len(d.CustomFieldIDs))
		for i, id := range d.CustomFieldIDs {
			cfIDs[i] = int64(id)
		}
		m["notes"], m["custom_fields"] = joinValues(d.NotesTokens), joinValues(d.CustomTokens)
		m["t_notes"], m["t_cf"] = distinct(notes), distinct(cf)
		m["t_meta"] = distinct(slices.Concat(title, corr, typ, notes, cf))
		m["acl"], m["cf_ids"] = acl, cfIDs
	}
	return m
}

// joinValues is the text q searches of a many-valued field (notes,
// custom fields): its words, with the placeholder between two values so
// that a phrase never spans them.
func joinValues(toks []search.Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
			if t.Pos > toks[i-1].Pos+1 {
				b.WriteString(placeholder + " ")
			}
		}
		b.WriteString(t.Term)
	}
	return b.String()
}

// writeTo writes to one collection. The word statistics are updated on
// another core while Typesense indexes; a failure of either fails the
// write, which the caller repeats (both are idempotent).
func (e *Engine) writeTo(ctx context.Context, c *coll, docs []search.Analyzed, deleted []int) error {
	vocabDone := make(chan error, 1)
	go func() { vocabDone <- c.vocab.Apply(docs, deleted) }()
	err := e.writeDocs(ctx, c, docs, deleted)
	return errors.Join(err, <-vocabDone)
}

// writeDocs writes to collection c — to the live one through the alias,
// which another process's rebuild may have moved.
func (e *Engine) writeDocs(ctx context.Context, c *coll, docs []search.Analyzed, deleted []int) error {
	return e.writeNamed(ctx, e.addressOf(c), e.layoutOf(c.name), docs, deleted)
}

// addressOf is the name requests give collection c: the alias for the
// live one, which another process's rebuild may have moved.
func (e *Engine) addressOf(c *coll) string {
	if c == e.live {
		return e.cfg.Alias
	}
	return c.name
}

func (e *Engine) writeNamed(ctx context.Context, name string, layout int, docs []search.Analyzed, deleted []int) error {
	if len(deleted) > 0 {
		for start := 0; start < len(deleted); start += 500 {
			chunk := deleted[start:min(start+500, len(deleted))]
			if _, err := e.client.Collection(name).Documents().Delete(ctx, &api.DeleteDocumentsParams{FilterBy: pointer.String("doc_id:" + intList(chunk))}); err != nil && !isNotFound(err) {
				return fmt.Errorf("typesense delete: %w", err)
			}
		}
	}
	if len(docs) > 0 {
		body := make([]any, len(docs))
		for i, d := range docs {
			body[i] = tsDoc(d, layout)
		}
		res, err := e.client.Collection(name).Documents().Import(ctx, body, &api.ImportDocumentsParams{Action: pointer.String("upsert"), BatchSize: pointer.Int(200)})
		if err != nil {
			return fmt.Errorf("typesense import: %w", err)
		}
		for i, r := range res {
			if !r.Success {
				return fmt.Errorf("typesense import of document %d: %s", docs[i].ID, r.Error)
			}
		}
	}
	return nil
}

func intList(ids []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	b.WriteByte(']')
	return b.String()
}

// Index implements search.Engine.
func (e *Engine) Index(ctx context.Context, docs ...search.Document) error {
	return e.write(ctx, search.Dedupe(docs), nil)
}

// Delete implements search.Engine.
func (e *Engine) Delete(ctx context.Context, ids ...int) error {
	return e.write(ctx, nil, ids)
}

func (e *Engine) write(ctx context.Context, raw []search.Document, ids []int) error {
	docs := search.AnalyzeDocuments(raw)
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return store.Errorf(store.Internal, "search engine is closed")
	}
	if err := e.writeTo(ctx, e.live, docs, ids); err != nil {
		return err
	}
	if e.rb != nil {
		if err := e.writeTo(ctx, e.rb.c, docs, ids); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		return nil
	}
	// A rebuild announced by another process gets the change too (its
	// word statistics are that process's). Checked on every write: the
	// change is committed in the database before it is queued, so a
	// rebuild announced after this check reads it from there.
	t, err := e.rebuildTarget(ctx)
	if err != nil {
		return err
	}
	// (a rebuild in another layout, by another version of Quire, is left to
	// that version: it cannot read what this one writes)
	if t != "" && t != e.live.name && e.layoutOf(t) == layoutVersion {
		if err := e.writeNamed(ctx, t, layoutVersion, docs, ids); err != nil && !isNotFound(err) {
			return fmt.Errorf("rebuild of another process: %w", err)
		}
	}
	return nil
}

// IDs implements search.Engine: the collection the alias points at,
// exported as a stream of document numbers.
func (e *Engine) IDs(ctx context.Context) ([]int, error) {
	return e.export(ctx, e.cfg.Alias, "")
}

// export streams the numbers of a collection's documents that match
// filter (all when it is ""), in order.
func (e *Engine) export(ctx context.Context, collection, filter string) ([]int, error) {
	// an export of a large collection takes longer than one request may
	client := *e.http
	client.Timeout = 0
	path := "/collections/" + url.PathEscape(collection) + "/documents/export?include_fields=doc_id"
	if filter != "" {
		path += "&filter_by=" + url.QueryEscape(filter)
	}
	resp, err := e.send(ctx, &client, http.MethodGet, path, nil)
	if err != nil {
		return nil, fmt.Errorf("typesense export: %w", err)
	}
	defer resp.Body.Close()
	var ids []int
	dec := json.NewDecoder(resp.Body)
	for {
		var d struct {
			DocID int `json:"doc_id"`
		}
		if err := dec.Decode(&d); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("typesense export: %w", err)
		}
		ids = append(ids, d.DocID)
	}
	slices.Sort(ids)
	return ids, nil
}

// render readies tq's filter for filter_by. Where the query needs
// documents whose content lacks some words (a NOT that q cannot say, such
// as "invoice OR -bank"), it first exports the numbers of those whose
// content holds them within the query's scope and the request's filter —
// a cost in their number, paid only by such queries — and filters on the
// ranges between. A document indexed in between is not among them: the
// search sees the index as it was a moment earlier.
func (e *Engine) render(ctx context.Context, c *coll, tq tsQuery, f search.Filter) error {
	if tq.filter == nil {
		return nil
	}
	var within []string
	if tq.scope != nil {
		within = append(within, "("+tq.scope.String()+")")
	}
	if fe := filterExpr(f); fe != "" {
		within = append(within, "("+fe+")")
	}
	return tq.filter.resolve(func(ws []string) (string, error) {
		holding, err := e.export(ctx, e.addressOf(c), strings.Join(append([]string{"content:" + quoteList(ws)}, within...), " && "))
		if err != nil {
			return "", err
		}
		return outside(holding), nil
	})
}

// outside is a filter matching every document number but ids (in order).
// Typesense 0.24 cannot say != of a number, so it lists the ranges
// between them.
func outside(ids []int) string {
	var b strings.Builder
	from, n := 0, 0
	for _, id := range ids {
		if id > from {
			if n > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d..%d", from, id-1)
			n++
		}
		from = max(from, id+1)
	}
	if n == 0 {
		return fmt.Sprintf("doc_id:>=%d", from)
	}
	return fmt.Sprintf("(doc_id:[%s] || doc_id:>=%d)", b.String(), from)
}

// Count implements search.Engine.
func (e *Engine) Count(ctx context.Context) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c, err := e.client.Collection(e.cfg.Alias).Retrieve(ctx)
	if err != nil {
		return 0, fmt.Errorf("typesense collection: %w", err)
	}
	if c.NumDocuments == nil {
		return 0, nil
	}
	return int(*c.NumDocuments), nil
}

// Autocomplete implements search.Engine.
func (e *Engine) Autocomplete(ctx context.Context, term string, limit int, acl []string) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return nil, store.Errorf(store.Internal, "search engine is closed")
	}
	return e.live.vocab.CompleteFor(search.Fold(strings.TrimSpace(term)), limit, e.visible(ctx, e.live, acl))
}

// Flush implements search.Engine: Typesense acknowledges a write once its
// raft log holds it; Flush writes the word statistics gathered since the
// last Flush.
func (e *Engine) Flush(ctx context.Context) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return store.Errorf(store.Internal, "search engine is closed")
	}
	err := e.live.vocab.Commit()
	if e.rb != nil {
		err = errors.Join(err, e.rb.c.vocab.Commit())
	}
	return errors.Join(ctx.Err(), err)
}

// Close implements search.Engine.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	if e.rb != nil {
		errs = append(errs, e.rb.c.vocab.Close())
		e.rb = nil
	}
	if e.live != nil {
		errs = append(errs, e.live.vocab.Close())
		e.live = nil
	}
	return errors.Join(errs...)
}

// searchParams is one search of a multi_search request.
type searchParams map[string]any

type tsHit struct {
	Document  map[string]any `json:"document"`
	TextMatch float64        `json:"text_match"`
}

type tsResult struct {
	Found       int     `json:"found"`
	Hits        []tsHit `json:"hits"`
	FacetCounts []struct {
		FieldName string `json:"field_name"`
		Counts    []struct {
			Count int    `json:"count"`
			Value string `json:"value"`
		} `json:"counts"`
	} `json:"facet_counts"`
	Error string `json:"error"`
	Code  int    `json:"code"`
}

// multiSearch posts searches in one request (the body has no URL length
// limit, so long id filters are fine).
func (e *Engine) multiSearch(ctx context.Context, searches []searchParams) ([]tsResult, error) {
	body, err := json.Marshal(map[string]any{"searches": searches})
	if err != nil {
		return nil, err
	}
	resp, err := e.send(ctx, e.http, http.MethodPost, "/multi_search", body)
	if err != nil {
		return nil, fmt.Errorf("typesense search: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("typesense search: %w", err)
	}
	var out struct {
		Results []tsResult `json:"results"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("typesense search: %w", err)
	}
	for _, r := range out.Results {
		if r.Error != "" {
			return nil, fmt.Errorf("typesense search: %s", r.Error)
		}
	}
	return out.Results, nil
}

// send makes a request of the Typesense API that typesense-go does not
// offer (a JSON body when body is not nil); an answer other than 200 is an
// error carrying the start of its body. The caller closes the response.
func (e *Engine) send(ctx context.Context, client *http.Client, method, path string, body []byte) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.cfg.URL+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-TYPESENSE-API-KEY", e.cfg.APIKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	return resp, nil
}

// Search implements search.Engine.
func (e *Engine) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c := e.live
	if c == nil {
		return nil, store.Errorf(store.Internal, "search engine is closed")
	}
	if req.Query.Root == nil || !e.canFilter(c, req.Filter) {
		return &search.Result{Hits: []search.Hit{}}, nil
	}
	tr := e.translatorOf(c)
	tq := tr.split(req.Query.Root)
	if tr.x.over {
		return nil, &search.ParseError{Message: fmt.Sprintf("the query has more than %d words to expand (with *, ? or a typo)", maxExpandedTerms)}
	}
	if err := e.render(ctx, c, tq, req.Filter); err != nil {
		return nil, err
	}
	if filterTokens(filterOf(tq, req.Filter)) > maxFilterTokens {
		return nil, &search.ParseError{Message: "the query needs more conditions than the search engine takes at once; " +
			"use fewer words with *, ? or a typo, or fewer fields and filters"}
	}
	res, err := e.run(ctx, c, tq, req, req.Query.Root)
	if err != nil {
		return nil, err
	}
	res.CorrectedQuery, err = c.vocab.CorrectFor(req.Query, e.visible(ctx, c, req.Filter.ACL), search.Found(req.Query.Root, res.Total))
	if err != nil {
		return nil, fmt.Errorf("corrected query: %w", err)
	}
	return res, nil
}

// canFilter reports whether collection c can apply filter f: a
// collection of a layout before 3 has no access tokens, so it shows a
// restricted searcher nothing.
func (e *Engine) canFilter(c *coll, f search.Filter) bool {
	return f.ACL == nil || e.layoutOf(c.name) >= 3
}

// maxMultiSearch is how many searches Typesense takes in one
// multi_search request (its limit_multi_searches default).
const maxMultiSearch = 50

// visible answers search.Visible for a searcher restricted to the access
// tokens acl (nil when acl is nil): a word is visible when a document
// carrying one of them holds it in a text field or as a whole tag name.
// The words are looked up in multi_search requests of up to
// maxMultiSearch filter-only searches that fetch no document.
func (e *Engine) visible(ctx context.Context, c *coll, acl []string) search.Visible {
	if acl == nil {
		return nil
	}
	return func(words []string) ([]bool, error) {
		out := make([]bool, len(words))
		if len(acl) == 0 || !e.canFilter(c, search.Filter{ACL: acl}) {
			return out, nil
		}
		tr := e.translatorOf(c)
		tr.x = nil
		fe := filterExpr(search.Filter{ACL: acl})
		for start := 0; start < len(words); start += maxMultiSearch {
			chunk := words[start:min(start+maxMultiSearch, len(words))]
			searches := make([]searchParams, len(chunk))
			for i, w := range chunk {
				searches[i] = searchParams{
					"collection": e.addressOf(c), "q": "*", "query_by": "title",
					"filter_by": "(" + tr.term(&search.Term{Term: w}).String() + ") && " + fe,
					"per_page":  0, "include_fields": "doc_id", "exhaustive_search": false,
				}
			}
			results, err := e.multiSearch(ctx, searches)
			if err != nil {
				return nil, err
			}
			for i, r := range results {
				out[start+i] = r.Found > 0
			}
		}
		return out, nil
	}
}

// filterOf is the filter_by of a search: the query's filter and the
// request's.
func filterOf(tq tsQuery, f search.Filter) string {
	filter := ""
	if tq.filter != nil {
		filter = tq.filter.String()
	}
	if fe := filterExpr(f); fe != "" {
		if filter == "" {
			filter = fe
		} else {
			filter = "(" + filter + ") && " + fe
		}
	}
	return filter
}

func (e *Engine) base(c *coll, tq tsQuery, req search.Request) searchParams {
	filter := filterOf(tq, req.Filter)
	queryBy := "title,content,correspondent,type,tagq"
	if e.layoutOf(c.name) >= 3 {
		queryBy += ",notes,custom_fields"
	}
	p := searchParams{
		"collection": e.addressOf(c), "q": tq.q, "query_by": queryBy,
		"num_typos": 0, "prefix": false, "drop_tokens_threshold": 0, "typo_tokens_threshold": 0,
		"highlight_fields": "none", "enable_highlight_v1": false, "exhaustive_search": false,
		"sort_by": sortBy(req.Sort, tq.ranked), "include_fields": "doc_id",
	}
	if filter != "" {
		p["filter_by"] = filter
	}
	return p
}

const maxPerPage = 250

func (e *Engine) run(ctx context.Context, c *coll, tq tsQuery, req search.Request, hl search.Node) (*search.Result, error) {
	offset, size := req.Offset()
	chunk := size
	for chunk > maxPerPage || size%chunk != 0 {
		chunk--
	}
	var searches []searchParams
	for i := 0; i < size/chunk; i++ {
		p := e.base(c, tq, req)
		p["per_page"] = chunk
		p["page"] = offset/chunk + i + 1
		if req.Facets && i == 0 {
			p["facet_by"] = "tag_ids,corr_id,type_id"
			if e.layoutOf(c.name) >= 3 {
				p["facet_by"] = "tag_ids,corr_id,type_id,cf_ids"
			}
			p["max_facet_values"] = 100000
		}
		searches = append(searches, p)
	}
	if req.Sort.Field == search.SortRelevance && offset > 0 && tq.ranked {
		p := e.base(c, tq, req)
		p["per_page"], p["page"] = 1, 1
		searches = append(searches, p)
	}
	results, err := e.multiSearch(ctx, searches)
	if err != nil {
		return nil, err
	}
	res := &search.Result{Total: results[0].Found, Hits: []search.Hit{}}
	relevance := req.Sort.Field == search.SortRelevance && tq.ranked
	for i := 0; i < size/chunk; i++ {
		for _, th := range results[i].Hits {
			hit := search.Hit{ID: intOf(th.Document["doc_id"]), Rank: offset + len(res.Hits)}
			if relevance {
				hit.Score = th.TextMatch
			}
			res.Hits = append(res.Hits, hit)
		}
	}
	if req.Highlight {
		if err := e.highlight(ctx, c, res.Hits, hl); err != nil {
			return nil, err
		}
	}
	if relevance {
		if offset == 0 && len(res.Hits) > 0 {
			res.MaxScore = res.Hits[0].Score
		} else if offset > 0 && len(results[len(results)-1].Hits) > 0 {
			res.MaxScore = results[len(results)-1].Hits[0].TextMatch
		}
	} else if req.Sort.Field == search.SortRelevance {
		for i := range res.Hits {
			res.Hits[i].Score = 1
		}
		if len(res.Hits) > 0 || res.Total > 0 {
			res.MaxScore = 1
		}
	}
	if req.Facets {
		res.Facets = &search.Facets{Tags: map[int]int{}, Correspondents: map[int]int{}, DocumentTypes: map[int]int{}, CustomFields: map[int]int{}}
		for _, fc := range results[0].FacetCounts {
			for _, ct := range fc.Counts {
				id, err := strconv.Atoi(ct.Value)
				if err != nil {
					continue
				}
				switch fc.FieldName {
				case "tag_ids":
					res.Facets.Tags[id] = ct.Count
				case "cf_ids":
					res.Facets.CustomFields[id] = ct.Count
				case "corr_id":
					if id == 0 {
						res.Facets.NoCorrespondent = ct.Count
					} else {
						res.Facets.Correspondents[id] = ct.Count
					}
				case "type_id":
					if id == 0 {
						res.Facets.NoDocumentType = ct.Count
					} else {
						res.Facets.DocumentTypes[id] = ct.Count
					}
				}
			}
		}
	}
	return res, nil
}

func intOf(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

func sortBy(s search.Sort, text bool) string {
	dir := "asc"
	if s.Desc {
		dir = "desc"
	}
	switch s.Field {
	case search.SortCreated, search.SortModified, search.SortAdded:
		return string(s.Field) + ":" + dir + ",doc_id:asc"
	case search.SortTitle:
		return "s_title:" + dir + ",doc_id:asc"
	case search.SortCorrespondent:
		return "s_corr_" + dir[:1] + ":" + dir + ",doc_id:asc"
	case search.SortDocumentType:
		return "s_type_" + dir[:1] + ":" + dir + ",doc_id:asc"
	case search.SortASN:
		return "asn_" + dir[:1] + ":" + dir + ",doc_id:asc"
	}
	if text {
		return "_text_match:desc,doc_id:asc"
	}
	return "doc_id:asc"
}

func filterExpr(f search.Filter) string {
	var parts []string
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return "doc_id:<0"
		}
		parts = append(parts, "doc_id:"+intList(f.IDs))
	}
	if f.CorrespondentID != nil {
		parts = append(parts, "corr_id:="+strconv.Itoa(*f.CorrespondentID))
	}
	if f.NoCorrespondent {
		parts = append(parts, "corr_id:=0")
	}
	if f.DocumentTypeID != nil {
		parts = append(parts, "type_id:="+strconv.Itoa(*f.DocumentTypeID))
	}
	if f.NoDocumentType {
		parts = append(parts, "type_id:=0")
	}
	for _, t := range f.TagIDsAll {
		parts = append(parts, "tag_ids:="+strconv.Itoa(t))
	}
	if f.Tagged != nil {
		parts = append(parts, "tagged:="+strconv.FormatBool(*f.Tagged))
	}
	if f.ACL != nil {
		if len(f.ACL) == 0 {
			return "doc_id:<0"
		}
		parts = append(parts, "acl:="+quoteList(f.ACL))
	}
	for _, r := range []struct {
		name string
		tr   search.TimeRange
	}{{"created", f.Created}, {"added", f.Added}} {
		if r.tr.From != nil {
			parts = append(parts, fmt.Sprintf("%s:>=%d", r.name, r.tr.From.UnixMilli()))
		}
		if r.tr.To != nil {
			parts = append(parts, fmt.Sprintf("%s:<%d", r.name, r.tr.To.UnixMilli()))
		}
	}
	return strings.Join(parts, " && ")
}

// MoreLike implements search.Engine. Candidates are the documents sharing a
// key term (Typesense filter); with relevance order they are scored here by
// Σ count × idf of the shared key terms, over the first 1,000 candidates.
func (e *Engine) MoreLike(ctx context.Context, id int, req search.Request) (*search.Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c := e.live
	terms, found, err := c.vocab.KeyTerms(id, 20)
	if err != nil {
		return nil, fmt.Errorf("more like %d: %w", id, err)
	}
	if !found {
		return nil, store.Errorf(store.NotFound, "document %d is not indexed", id)
	}
	if len(terms) == 0 || !e.canFilter(c, req.Filter) {
		return &search.Result{Hits: []search.Hit{}}, nil
	}
	var or search.Or
	for _, t := range terms {
		or.Nodes = append(or.Nodes, &search.Term{Field: search.FieldContent, Term: t})
	}
	others := leaf(fmt.Sprintf("doc_id:<%d || doc_id:>%d", id, id), "")
	tq := tsQuery{q: "*", filter: and(e.translatorOf(c).words([]string{"content"}, terms), others)}
	if req.Sort.Field != search.SortRelevance {
		return e.run(ctx, c, tq, req, &or)
	}
	// relevance: score candidates locally
	var searches []searchParams
	for page := 1; page <= 4; page++ {
		p := e.base(c, tq, search.Request{Filter: req.Filter})
		p["per_page"], p["page"] = maxPerPage, page
		searches = append(searches, p)
	}
	results, err := e.multiSearch(ctx, searches)
	if err != nil {
		return nil, err
	}
	n, _ := c.vocab.Count()
	idf := map[string]float64{}
	for _, t := range terms {
		s, _ := c.vocab.Stats(t)
		idf[t] = math.Log(1 + float64(n)/float64(max(s.DocFreq, 1)))
	}
	type cand struct {
		id    int
		score float64
	}
	var cands []cand
	for _, r := range results {
		for _, h := range r.Hits {
			cid := intOf(h.Document["doc_id"])
			counts, _ := c.vocab.ContentCounts(cid)
			sc := 0.0
			for t, w := range idf {
				if k := counts[t]; k > 0 {
					sc += math.Sqrt(float64(k)) * w * w
				}
			}
			cands = append(cands, cand{cid, sc})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].id < cands[j].id
	})
	offset, size := req.Offset()
	res := &search.Result{Total: results[0].Found, Hits: []search.Hit{}}
	if len(cands) > 0 {
		res.MaxScore = cands[0].score
	}
	var page []cand
	if offset < len(cands) {
		page = cands[offset:min(offset+size, len(cands))]
	}
	for i, cd := range page {
		res.Hits = append(res.Hits, search.Hit{ID: cd.id, Score: cd.score, Rank: offset + i})
	}
	if req.Highlight {
		if err := e.highlight(ctx, c, res.Hits, &or); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// highlight fills the hits' highlight fragments for the query hl, from
// the documents' contents as Quire's database holds them.
func (e *Engine) highlight(ctx context.Context, c *coll, hits []search.Hit, hl search.Node) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	contents, err := e.cfg.Contents(ctx, ids)
	if err != nil {
		return fmt.Errorf("highlights: %w", err)
	}
	texts := make([]string, len(hits))
	for i, h := range hits {
		texts[i] = contents[h.ID] // "" (no highlights) when it is gone
	}
	for i, f := range search.NewHighlighter(hl, c.vocab.TypoAllowed).Page(texts) {
		hits[i].Highlights = f
	}
	return nil
}

func quoteList(words []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('`')
		b.WriteString(strings.ReplaceAll(w, "`", ""))
		b.WriteByte('`')
	}
	b.WriteByte(']')
	return b.String()
}

// rebuild is a collection being filled.
type rebuild struct {
	e     *Engine
	c     *coll
	mu    sync.Mutex
	marks search.RebuildMarks
}

// BeginRebuild implements search.Engine.
func (e *Engine) BeginRebuild(ctx context.Context) (search.Rebuild, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live == nil {
		return nil, store.Errorf(store.Internal, "search engine is closed")
	}
	if e.rb != nil {
		return e.rb, nil
	}
	other, err := e.rebuildTarget(ctx)
	if err != nil {
		return nil, err
	}
	if other != "" {
		c, err := e.client.Collection(other).Retrieve(ctx)
		switch {
		case isNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("typesense collection %s: %w", other, err)
		case c.CreatedAt != nil && time.Since(time.Unix(*c.CreatedAt, 0)) > abandonAfter:
			e.log.Warn("search: taking over a rebuild abandoned by another Quire process", "collection", other,
				"started", time.Unix(*c.CreatedAt, 0))
			if _, err := e.client.Collection(other).Delete(ctx); err != nil && !isNotFound(err) {
				return nil, fmt.Errorf("typesense drop abandoned rebuild: %w", err)
			}
		default:
			return nil, store.Errorf(store.Conflict, "another Quire process is rebuilding the search index (Typesense collection %s)", other)
		}
	}
	name, err := e.createCollection(ctx)
	if err != nil {
		return nil, err
	}
	v, err := search.OpenVocab(e.vocabPath(name), true)
	if err == nil {
		err = e.announce(ctx, name)
		if err != nil {
			v.Close()
			os.Remove(e.vocabPath(name))
		}
	}
	if err != nil {
		e.client.Collection(name).Delete(ctx)
		return nil, err
	}
	e.rb = &rebuild{e: e, c: &coll{name: name, vocab: v}}
	return e.rb, nil
}

// LastID implements search.Rebuild.
func (r *rebuild) LastID() int { return r.c.vocab.RebuildLastID() }

// Index implements search.Rebuild.
func (r *rebuild) Index(ctx context.Context, docs ...search.Document) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	if r.e.rb != r {
		return store.Errorf(store.Conflict, "the rebuild was committed or aborted")
	}
	docs = search.Dedupe(docs)
	if err := r.e.writeTo(ctx, r.c, search.AnalyzeDocuments(docs), nil); err != nil {
		return err
	}
	if !r.marks.Add(docs) {
		return nil
	}
	return r.marks.Mark(r.c.vocab)
}

// Checkpoint implements search.Rebuild: Typesense holds what it
// acknowledged; the word statistics are synced and LastID advanced.
func (r *rebuild) Checkpoint(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.marks.Mark(r.c.vocab)
}

// Commit implements search.Rebuild: the alias is pointed at the new
// collection, then the old collection and its statistics are dropped.
func (r *rebuild) Commit(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rb != r {
		return store.Errorf(store.Conflict, "the rebuild was committed or aborted")
	}
	r.c.vocab.SetNoSync(false)
	if err := r.c.vocab.Sync(); err != nil {
		return err
	}
	prev := e.live.name // what the alias points at, unless another process moved it
	if a, err := e.client.Alias(e.cfg.Alias).Retrieve(ctx); err == nil {
		prev = a.CollectionName
	}
	if _, err := e.client.Aliases().Upsert(ctx, e.cfg.Alias, &api.CollectionAliasSchema{CollectionName: r.c.name}); err != nil {
		return fmt.Errorf("typesense alias swap: %w", err)
	}
	old := e.live
	e.live, e.rb = r.c, nil
	old.vocab.Close()
	if err := e.withdraw(ctx, r.c.name); err != nil {
		e.log.Warn("search: withdrawing the rebuild alias", "error", err)
	}
	drop := []string{prev}
	if old.name != prev {
		drop = append(drop, old.name) // moved away from by another process's rebuild
	}
	for _, name := range drop {
		if name == r.c.name {
			continue
		}
		if _, err := e.client.Collection(name).Delete(ctx); err != nil && !isNotFound(err) {
			e.log.Warn("search: dropping old typesense collection", "collection", name, "error", err)
		}
	}
	os.Remove(e.vocabPath(old.name))
	e.log.Info("search: rebuilt collection swapped in", "collection", r.c.name)
	return nil
}

// Abort implements search.Rebuild.
func (r *rebuild) Abort(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rb != r {
		return nil
	}
	e.rb = nil
	r.c.vocab.Close()
	os.Remove(e.vocabPath(r.c.name))
	if err := e.withdraw(ctx, r.c.name); err != nil {
		return err
	}
	if _, err := e.client.Collection(r.c.name).Delete(ctx); err != nil && !isNotFound(err) {
		return fmt.Errorf("typesense drop rebuild: %w", err)
	}
	return nil
}

// DropAll deletes the alias, every collection of this engine and the local
// statistics (for tests and `quire reindex --from-scratch`).
func (e *Engine) DropAll(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cols, err := e.client.Collections().Retrieve(ctx)
	if err != nil {
		return err
	}
	e.client.Alias(e.cfg.Alias).Delete(ctx)
	e.client.Alias(e.rebuildAlias()).Delete(ctx)
	for _, c := range cols {
		if strings.HasPrefix(c.Name, e.cfg.Alias+"_") {
			e.client.Collection(c.Name).Delete(ctx)
		}
	}
	return nil
}
