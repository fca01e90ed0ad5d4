// Package bleve is Quire's embedded search engine: a bleve v2 (scorch)
// index in a folder of the data directory, implementing search.Engine.
//
// Layout of the folder (the data dir's index/):
//
//	CURRENT        name of the live generation
//	REBUILD        name of the generation being rebuilt (only during a rebuild)
//	g<unixnano>/   one generation: bleve/ (the index) and vocab.db (search.Vocab)
//
// A rebuild fills a new generation; Commit rewrites CURRENT atomically
// (write a temporary file, fsync, rename) and removes the old generation.
// While a rebuild is open, Index and Delete write to both generations.
//
// It may import store/search and bleve; nothing above store.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/registry"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	bolt "go.etcd.io/bbolt"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search"
)

const analyzerName = "quire"

type quireAnalyzer struct{}

// Analyze runs search.Analyze, so bleve's terms are exactly Quire's. It
// is what the mapping names (and what the builder's test compares with);
// documents are indexed through build, whose text fields carry their
// tokens already analysed.
func (quireAnalyzer) Analyze(input []byte) analysis.TokenStream {
	toks := search.Analyze(string(input))
	out := make(analysis.TokenStream, len(toks))
	for i, t := range toks {
		out[i] = &analysis.Token{Start: t.Start, End: t.End, Term: []byte(t.Term), Position: t.Pos + 1, Type: analysis.AlphaNumeric}
	}
	return out
}

// textField is a text field whose tokens were analysed beforehand: its
// Analyze builds bleve's term frequencies straight from them, in a
// handful of allocations (bleve's TextField makes a token stream first
// and several allocations per term).
type textField struct {
	name  string
	value []byte
	opts  index.FieldIndexingOptions
	toks  []search.Token
	freqs index.TokenFrequencies
}

func (f *textField) Name() string                        { return f.name }
func (f *textField) ArrayPositions() []uint64            { return nil }
func (f *textField) Options() index.FieldIndexingOptions { return f.opts }
func (f *textField) Value() []byte                       { return f.value }
func (f *textField) NumPlainTextBytes() uint64           { return uint64(len(f.value)) }
func (f *textField) EncodedFieldType() byte              { return 't' } // as bleve's TextField
func (f *textField) AnalyzedLength() int                 { return len(f.toks) }

func (f *textField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Size is an estimate of the memory the field holds.
func (f *textField) Size() int {
	return 128 + len(f.name) + len(f.value) + 48*len(f.toks)
}

func (f *textField) Analyze() {
	at := make(map[string]int32, len(f.toks)/2+1)
	var counts []int32
	size := 0
	for _, t := range f.toks {
		i, ok := at[t.Term]
		if !ok {
			i = int32(len(counts))
			at[t.Term] = i
			counts = append(counts, 0)
			size += len(t.Term)
		}
		counts[i]++
	}
	vectors := f.opts.IncludeTermVectors()
	tfs := make([]index.TokenFreq, len(counts))
	var locs []index.TokenLocation
	var ptrs []*index.TokenLocation
	if vectors {
		locs = make([]index.TokenLocation, len(f.toks))
		ptrs = make([]*index.TokenLocation, len(f.toks))
	}
	terms := make([]byte, 0, size)
	f.freqs = make(index.TokenFrequencies, len(counts))
	off := 0
	for term, i := range at {
		tf := &tfs[i]
		start := len(terms)
		terms = append(terms, term...)
		tf.Term = terms[start:len(terms):len(terms)]
		if !f.opts.SkipFreqNorm() {
			tf.SetFrequency(int(counts[i]))
		}
		if vectors {
			tf.Locations = ptrs[off : off : off+int(counts[i])]
			off += int(counts[i])
		}
		f.freqs[term] = tf
	}
	if vectors {
		for j, t := range f.toks {
			locs[j] = index.TokenLocation{Start: t.Start, End: t.End, Position: t.Pos + 1}
			tf := &tfs[at[t.Term]]
			tf.Locations = append(tf.Locations, &locs[j])
		}
	}
}

func init() {
	_ = registry.RegisterAnalyzer(analyzerName, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
		return quireAnalyzer{}, nil
	})
}

// Options configure Open.
type Options struct {
	Logger *slog.Logger // nil: discard
}

// Engine is the bleve implementation of search.Engine.
type Engine struct {
	root string
	log  *slog.Logger
	lock *os.File // holds the folder's LOCK (see Open)

	mu   sync.RWMutex
	live *generation
	rb   *rebuild
}

type generation struct {
	name    string
	dir     string
	layout  int // the layout version it was written in (layoutVersion)
	idx     bleve.Index
	vocab   *search.Vocab
	persist persistence
	acl     aclCache // bitmaps of documents carrying access tokens (acl.go)
}

// layoutVersion is the layout of the index this Quire writes; raise it
// when a change to the mapping, the analysis or the encodings makes an
// index written before answer wrongly. Each generation records its own in
// its LAYOUT file; generations from before the file are layout 1.
//
// Layout 2 added the access tokens (acl), notes, custom field text and
// custom field ids. A restricted search of a layout 1 generation (which
// serves until the rebuild after an upgrade swaps) finds nothing: its
// documents carry no tokens.
const layoutVersion = 2

// readLayout returns the layout version recorded in generation folder dir.
func readLayout(dir string) (int, error) {
	s, err := readName(filepath.Join(dir, "LAYOUT"))
	if err != nil || s == "" {
		return 1, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", filepath.Join(dir, "LAYOUT"), err)
	}
	return n, nil
}

// indexConfig opens every bleve index with unsafe_batch: a batch returns
// once it is searchable, and bleve's persister writes it to disk in the
// background while the next one is built. Flush waits for the disk.
// bolt_timeout bounds the wait for the index's bolt lock, which only
// another process (or a platform without the folder's LOCK, see Open)
// could hold: without it bolt waits forever.
var indexConfig = map[string]any{"unsafe_batch": true, "eventCallbackName": eventCallback, "bolt_timeout": "2s"}

// eventCallback is the name under which Quire's bleve event callback is
// registered: it calls persistedHook (set by tests only) each time bleve's
// persister has written a snapshot; blocking in the hook holds the
// persister, so a test can keep batches off the disk for as long as it
// needs to.
const eventCallback = "quire"

var persistedHook atomic.Pointer[func()]

func init() {
	scorch.RegistryEventCallbacks[eventCallback] = func(ev scorch.Event) bool {
		if ev.Kind == scorch.EventKindPersisterProgress {
			if h := persistedHook.Load(); h != nil {
				(*h)()
			}
		}
		return true
	}
}

// persistence counts the batches a generation accepted and those bleve has
// written to disk (its persisted callbacks fire in order, once a batch is
// on disk — bleve retries a failed write and calls them after the retry
// succeeds — so a later batch on disk means every earlier one is too).
type persistence struct {
	mu        sync.Mutex
	submitted uint64
	persisted uint64
	err       error         // a failed write to disk, reported by the next wait
	changed   chan struct{} // closed and replaced whenever persisted moves
}

// submit counts one batch and returns the callback bleve calls once it is
// on disk (or fails to get there).
func (p *persistence) submit() func(error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.submitted++
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return func(err error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.persisted++
		if err != nil && p.err == nil {
			p.err = err
		}
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// wait blocks until every batch submitted before the call is on disk.
func (p *persistence) wait(ctx context.Context) error {
	p.mu.Lock()
	target := p.submitted
	p.mu.Unlock()
	for {
		p.mu.Lock()
		if p.persisted >= target {
			err := p.err
			p.err = nil
			p.mu.Unlock()
			if err != nil {
				return fmt.Errorf("write search index to disk: %w", err)
			}
			return nil
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (g *generation) close() error {
	return errors.Join(g.idx.Close(), g.vocab.Close())
}

// Open opens (creating) the index in dir. An unfinished rebuild found there
// is reopened and receives live writes again; BeginRebuild resumes it.
// The folder belongs to one Engine at a time (Close gives it up, as does
// the end of the process): while another has it open, in this process or
// another, Open fails at once with a *LockedError.
func Open(dir string, opts Options) (*Engine, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index folder: %w", err)
	}
	lock, err := lockIndex(dir)
	if err != nil {
		return nil, err
	}
	e, err := open(dir, log)
	if err != nil {
		lock.Close()
		return nil, err
	}
	e.lock = lock
	return e, nil
}

// open is Open once the folder is locked.
func open(dir string, log *slog.Logger) (*Engine, error) {
	e := &Engine{root: dir, log: log}
	cur, err := readName(filepath.Join(dir, "CURRENT"))
	if err != nil {
		return nil, err
	}
	if cur == "" {
		g, err := e.create()
		if err != nil {
			return nil, err
		}
		if err := writeName(filepath.Join(dir, "CURRENT"), g.name); err != nil {
			g.close()
			return nil, err
		}
		e.live = g
	} else {
		g, err := e.openGen(cur, false)
		if err != nil {
			return nil, err
		}
		e.live = g
	}
	if rbName, err := readName(filepath.Join(dir, "REBUILD")); err != nil {
		e.live.close()
		return nil, err
	} else if rbName != "" && rbName != e.live.name {
		g, err := e.openGen(rbName, true)
		switch {
		case err != nil:
			log.Warn("search: dropping unreadable rebuild", "generation", rbName, "error", err)
		case g.layout != layoutVersion:
			g.close()
			log.Info("search: dropping a rebuild in another layout", "generation", rbName, "layout", g.layout, "current", layoutVersion)
		default:
			e.rb = &rebuild{e: e, g: g}
		}
		if e.rb == nil {
			os.RemoveAll(filepath.Join(dir, rbName))
			os.Remove(filepath.Join(dir, "REBUILD"))
		}
	}
	e.removeStale()
	return e, nil
}

// removeStale deletes generation folders that are neither live nor rebuilding.
func (e *Engine) removeStale() {
	ents, _ := os.ReadDir(e.root)
	for _, ent := range ents {
		n := ent.Name()
		if !ent.IsDir() || !strings.HasPrefix(n, "g") || n == e.live.name || (e.rb != nil && n == e.rb.g.name) {
			continue
		}
		e.log.Info("search: removing stale index generation", "generation", n)
		os.RemoveAll(filepath.Join(e.root, n))
	}
}

func readName(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func writeName(path, name string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.WriteString(name + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func (e *Engine) create() (*generation, error) {
	name := fmt.Sprintf("g%d", time.Now().UnixNano())
	dir := filepath.Join(e.root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index generation: %w", err)
	}
	// Created with bleve's defaults, so the mapping is on disk before it
	// is reopened for unsafe batches.
	if err := writeName(filepath.Join(dir, "LAYOUT"), strconv.Itoa(layoutVersion)); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "bleve")
	idx, err := bleve.New(path, indexMapping())
	if err == nil {
		err = idx.Close()
	}
	if err == nil {
		idx, err = bleve.OpenUsing(path, indexConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	v, err := search.OpenVocab(filepath.Join(dir, "vocab.db"), false)
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &generation{name: name, dir: dir, layout: layoutVersion, idx: idx, vocab: v}, nil
}

func (e *Engine) openGen(name string, noSync bool) (*generation, error) {
	dir := filepath.Join(e.root, name)
	layout, err := readLayout(dir)
	if err != nil {
		return nil, err
	}
	idx, err := bleve.OpenUsing(filepath.Join(dir, "bleve"), indexConfig)
	if errors.Is(err, bolt.ErrTimeout) {
		// A process that does not take the folder's LOCK (an earlier
		// Quire) holds the index.
		return nil, &LockedError{Dir: e.root}
	}
	if err != nil {
		return nil, fmt.Errorf("open bleve index %s: %w", name, err)
	}
	v, err := search.OpenVocab(filepath.Join(dir, "vocab.db"), noSync)
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &generation{name: name, dir: dir, layout: layout, idx: idx, vocab: v}, nil
}

// Index field names.
const (
	fTitle    = "title"
	fContent  = "content"
	fCorr     = "correspondent"
	fType     = "type"
	fTag      = "tag"
	fCorrID   = "corr_id"
	fTypeID   = "type_id"
	fTagID    = "tag_id"
	fTagged   = "tagged"
	fASN      = "asn"
	fID       = "id"
	fCreated  = "created"
	fAdded    = "added"
	fModified = "modified"
	fSTitle   = "s_title"
	fSCorr    = "s_corr"
	fSType    = "s_type"
	fNotes    = "notes"
	fCustom   = "custom_fields"
	fACL      = "acl"
	fCFID     = "cf_id"
	none      = "none"
)

func indexMapping() mapping.IndexMapping {
	text := func(store, vectors bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	num := func() *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	date := func() *mapping.FieldMapping {
		f := bleve.NewDateTimeFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, text(false, true))
	dm.AddFieldMappingsAt(fContent, text(true, true))
	dm.AddFieldMappingsAt(fCorr, text(false, true))
	dm.AddFieldMappingsAt(fType, text(false, true))
	dm.AddFieldMappingsAt(fNotes, text(false, true))
	dm.AddFieldMappingsAt(fCustom, text(false, true))
	dm.AddFieldMappingsAt(fACL, kw(false))
	dm.AddFieldMappingsAt(fCFID, kw(true))
	dm.AddFieldMappingsAt(fTag, kw(false))
	dm.AddFieldMappingsAt(fCorrID, kw(true))
	dm.AddFieldMappingsAt(fTypeID, kw(true))
	dm.AddFieldMappingsAt(fTagID, kw(true))
	dm.AddFieldMappingsAt(fTagged, kw(false))
	dm.AddFieldMappingsAt(fSTitle, kw(true))
	dm.AddFieldMappingsAt(fSCorr, kw(true))
	dm.AddFieldMappingsAt(fSType, kw(true))
	dm.AddFieldMappingsAt(fASN, num())
	dm.AddFieldMappingsAt(fID, num())
	dm.AddFieldMappingsAt(fCreated, date())
	dm.AddFieldMappingsAt(fAdded, date())
	dm.AddFieldMappingsAt(fModified, date())
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = keyword.Name
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

func docID(id int) string { return strconv.Itoa(id) }

// builder makes bleve documents without the mapping's reflection, with
// each field's options taken from the mapping — so a document indexes
// exactly as the mapping would index it (see the test), and the text is
// analysed once for the index and the word statistics.
type builder struct {
	opts    map[string]index.FieldIndexingOptions
	keyword analysis.Analyzer
}

var build = func() builder {
	im := indexMapping().(*mapping.IndexMappingImpl)
	b := builder{opts: map[string]index.FieldIndexingOptions{}, keyword: im.AnalyzerNamed(keyword.Name)}
	for name, dm := range im.DefaultMapping.Properties {
		b.opts[name] = dm.Fields[0].Options()
	}
	return b
}()

func (b builder) document(a search.Analyzed) *document.Document {
	doc := document.NewDocument(docID(a.ID))
	text := func(name, value string, toks []search.Token) {
		doc.AddField(&textField{name: name, value: []byte(value), opts: b.opts[name], toks: toks})
	}
	kw := func(name, value string, pos []uint64) {
		doc.AddField(document.NewTextFieldCustom(name, pos, []byte(value), b.opts[name], b.keyword))
	}
	num := func(name string, v float64) {
		doc.AddField(document.NewNumericFieldWithIndexingOptions(name, nil, v, b.opts[name]))
	}
	date := func(name string, t time.Time) {
		if f, err := document.NewDateTimeFieldWithIndexingOptions(name, nil, t.UTC(), time.RFC3339, b.opts[name]); err == nil {
			// a date bleve cannot represent is left out, as the mapping does
			doc.AddField(&trieField{Field: f, v: t.UnixNano(), shifts: dateShifts})
		}
	}
	text(fTitle, a.Title, a.TitleTokens)
	text(fContent, a.Content, a.ContentTokens)
	text(fCorr, a.Correspondent, a.CorrespondentTokens)
	text(fType, a.DocumentType, a.TypeTokens)
	if len(a.NotesTokens) > 0 {
		text(fNotes, search.JoinValues(a.Notes), a.NotesTokens)
	}
	if len(a.CustomTokens) > 0 {
		text(fCustom, search.JoinValues(a.CustomFields), a.CustomTokens)
	}
	for i, t := range a.ACL {
		kw(fACL, t, []uint64{uint64(i)})
	}
	for i, id := range a.CustomFieldIDs {
		kw(fCFID, strconv.Itoa(id), []uint64{uint64(i)})
	}
	doc.AddField(&trieField{Field: document.NewNumericFieldWithIndexingOptions(fID, nil, float64(a.ID), b.opts[fID]),
		v: numeric.Float64ToInt64(float64(a.ID)), shifts: idShifts})
	date(fCreated, a.Created)
	date(fAdded, a.Added)
	date(fModified, a.Modified)
	kw(fSTitle, search.FoldName(a.Title), nil)
	if a.CorrespondentID != nil {
		kw(fCorrID, strconv.Itoa(*a.CorrespondentID), nil)
		kw(fSCorr, search.FoldName(a.Correspondent), nil)
	} else {
		kw(fCorrID, none, nil)
	}
	if a.DocumentTypeID != nil {
		kw(fTypeID, strconv.Itoa(*a.DocumentTypeID), nil)
		kw(fSType, search.FoldName(a.DocumentType), nil)
	} else {
		kw(fTypeID, none, nil)
	}
	if len(a.TagIDs) > 0 {
		for i, t := range a.TagIDs {
			kw(fTagID, strconv.Itoa(t), []uint64{uint64(i)})
		}
		kw(fTagged, "1", nil)
	} else {
		kw(fTagged, "0", nil)
	}
	i := 0
	for _, t := range a.Tags {
		if n := search.FoldName(t); n != "" {
			kw(fTag, n, []uint64{uint64(i)})
			i++
		}
	}
	if a.ASN != nil {
		num(fASN, float64(*a.ASN))
	}
	return doc
}

func (g *generation) write(docs []search.Document, deleted []int) error {
	if len(docs) == 0 && len(deleted) == 0 {
		return nil
	}
	// The word statistics are independent of the bleve index: they are
	// updated on the other core meanwhile. A failure of either fails the
	// write, which the caller repeats (both are idempotent).
	analyzed := search.AnalyzeDocuments(docs)
	vocabDone := make(chan error, 1)
	go func() { vocabDone <- g.vocab.Apply(analyzed, deleted) }()
	err := g.writeIndex(analyzed, deleted)
	return errors.Join(err, <-vocabDone)
}

func (g *generation) writeIndex(docs []search.Analyzed, deleted []int) error {
	b := g.idx.NewBatch()
	for _, id := range deleted {
		b.Delete(docID(id))
	}
	for _, d := range docs {
		if err := b.IndexAdvanced(build.document(d)); err != nil {
			return fmt.Errorf("index document %d: %w", d.ID, err)
		}
	}
	persisted := g.persist.submit()
	b.SetPersistedCallback(persisted)
	if err := g.idx.Batch(b); err != nil {
		persisted(err) // bleve dropped the batch: count it, report it
		return fmt.Errorf("write index batch: %w", err)
	}
	return nil
}

// Index implements search.Engine.
func (e *Engine) Index(ctx context.Context, docs ...search.Document) error {
	return e.write(ctx, docs, nil)
}

// Delete implements search.Engine.
func (e *Engine) Delete(ctx context.Context, ids ...int) error {
	return e.write(ctx, nil, ids)
}

func (e *Engine) write(ctx context.Context, docs []search.Document, ids []int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	docs = search.Dedupe(docs)
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return store.Errorf(store.Internal, "search index is closed")
	}
	if err := e.live.write(docs, ids); err != nil {
		return err
	}
	if e.rb != nil {
		if err := e.rb.g.write(docs, ids); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	return nil
}

// Flush implements search.Engine: it waits until bleve has written every
// batch accepted so far — to the live index and to a rebuild — to disk,
// and writes the word statistics gathered since the last Flush.
func (e *Engine) Flush(ctx context.Context) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return store.Errorf(store.Internal, "search index is closed")
	}
	err := errors.Join(e.live.persist.wait(ctx), e.live.vocab.Commit())
	if e.rb != nil {
		err = errors.Join(err, e.rb.g.persist.wait(ctx), e.rb.g.vocab.Commit())
	}
	return err
}

// Stats returns bleve's statistics of the live index (segment counts,
// bytes on disk, merge and persistence counters).
func (e *Engine) Stats() map[string]any {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return nil
	}
	m, _ := e.live.idx.StatsMap()["index"].(map[string]any)
	return m
}

// Count implements search.Engine.
func (e *Engine) Count(ctx context.Context) (int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n, err := e.live.idx.DocCount()
	return int(n), err
}

// IDs implements search.Engine: the live documents of one snapshot.
func (e *Engine) IDs(ctx context.Context) ([]int, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return nil, store.Errorf(store.Internal, "search index is closed")
	}
	r, err := e.live.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	it, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("list indexed documents: %w", err)
	}
	defer it.Close()
	var ids []int
	for {
		if len(ids)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		in, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("list indexed documents: %w", err)
		}
		if in == nil {
			break
		}
		ext, err := r.ExternalID(in)
		if err != nil {
			return nil, fmt.Errorf("list indexed documents: %w", err)
		}
		if id, err := strconv.Atoi(ext); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Layout implements search.Engine.
func (e *Engine) Layout(ctx context.Context) (live, current int, err error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return 0, 0, store.Errorf(store.Internal, "search index is closed")
	}
	return e.live.layout, layoutVersion, nil
}

// Autocomplete implements search.Engine.
func (e *Engine) Autocomplete(ctx context.Context, term string, limit int, acl []string) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.live == nil {
		return nil, store.Errorf(store.Internal, "search index is closed")
	}
	return e.live.vocab.CompleteFor(search.Fold(strings.TrimSpace(term)), limit, e.visible(ctx, e.live, acl))
}

// Close implements search.Engine.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	if e.rb != nil {
		errs = append(errs, e.rb.g.close())
		e.rb = nil
	}
	if e.live != nil {
		errs = append(errs, e.live.close())
		e.live = nil
	}
	if e.lock != nil {
		errs = append(errs, e.lock.Close())
		e.lock = nil
	}
	return errors.Join(errs...)
}

// Search implements search.Engine.
func (e *Engine) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.live
	if g == nil {
		return nil, store.Errorf(store.Internal, "search index is closed")
	}
	res := &search.Result{Hits: []search.Hit{}}
	if req.Query.Root == nil {
		return res, nil
	}
	tr := translator{v: g.vocab}
	q := tr.node(req.Query.Root)
	out, err := e.run(ctx, g, q, req, req.Query.Root)
	if err != nil {
		return nil, err
	}
	out.CorrectedQuery, err = g.vocab.CorrectFor(req.Query, e.visible(ctx, g, req.Filter.ACL), search.Found(req.Query.Root, out.Total))
	if err != nil {
		return nil, fmt.Errorf("corrected query: %w", err)
	}
	return out, nil
}

// MoreLike implements search.Engine.
func (e *Engine) MoreLike(ctx context.Context, id int, req search.Request) (*search.Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.live
	terms, found, err := g.vocab.KeyTerms(id, 20)
	if err != nil {
		return nil, fmt.Errorf("more like %d: %w", id, err)
	}
	if !found {
		return nil, store.Errorf(store.NotFound, "document %d is not indexed", id)
	}
	res := &search.Result{Hits: []search.Hit{}}
	if len(terms) == 0 {
		return res, nil
	}
	var or search.Or
	var qs []query.Query
	for _, t := range terms {
		or.Nodes = append(or.Nodes, &search.Term{Field: search.FieldContent, Term: t})
		tq := query.NewTermQuery(t)
		tq.SetField(fContent)
		qs = append(qs, tq)
	}
	q := query.NewBooleanQuery(nil, qs, []query.Query{query.NewDocIDQuery([]string{docID(id)})})
	return e.run(ctx, g, q, req, &or)
}

func (e *Engine) run(ctx context.Context, g *generation, q query.Query, req search.Request, hl search.Node) (*search.Result, error) {
	offset, size := req.Offset()
	if f := filterQuery(req.Filter); f != nil {
		q = query.NewConjunctionQuery([]query.Query{q, f})
	}
	q = g.withACL(q, req.Filter.ACL)
	sr := bleve.NewSearchRequestOptions(q, size, offset, false)
	if req.Highlight {
		sr.Fields = []string{fContent}
	}
	sr.SortByCustom(sortOrder(req.Sort))
	if req.Facets {
		sr.AddFacet("tags", bleve.NewFacetRequest(fTagID, 100000))
		sr.AddFacet("corr", bleve.NewFacetRequest(fCorrID, 100000))
		sr.AddFacet("type", bleve.NewFacetRequest(fTypeID, 100000))
		sr.AddFacet("cf", bleve.NewFacetRequest(fCFID, 100000))
	}
	r, err := g.search(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("bleve search: %w", err)
	}
	res := &search.Result{Total: int(r.Total), Hits: make([]search.Hit, 0, len(r.Hits))}
	if req.Sort.Field == search.SortRelevance {
		res.MaxScore = r.MaxScore
	}
	var h *search.Highlighter
	var contents []string
	if req.Highlight {
		h = search.NewHighlighter(hl, g.vocab.TypoAllowed)
	}
	for i, m := range r.Hits {
		id, err := strconv.Atoi(m.ID)
		if err != nil {
			continue
		}
		hit := search.Hit{ID: id, Rank: offset + i}
		if req.Sort.Field == search.SortRelevance {
			hit.Score = m.Score
		}
		res.Hits = append(res.Hits, hit)
		if h != nil {
			c, _ := m.Fields[fContent].(string)
			contents = append(contents, c)
		}
	}
	if h != nil {
		for i, f := range h.Page(contents) {
			res.Hits[i].Highlights = f
		}
	}
	if req.Facets {
		res.Facets = &search.Facets{Tags: map[int]int{}, Correspondents: map[int]int{}, DocumentTypes: map[int]int{}, CustomFields: map[int]int{}}
		fill := func(name string, m map[int]int, noneCount *int) {
			fr := r.Facets[name]
			if fr == nil || fr.Terms == nil {
				return
			}
			for _, t := range fr.Terms.Terms() {
				if t.Term == none {
					if noneCount != nil {
						*noneCount = t.Count
					}
					continue
				}
				if id, err := strconv.Atoi(t.Term); err == nil {
					m[id] = t.Count
				}
			}
		}
		fill("tags", res.Facets.Tags, nil)
		fill("corr", res.Facets.Correspondents, &res.Facets.NoCorrespondent)
		fill("type", res.Facets.DocumentTypes, &res.Facets.NoDocumentType)
		fill("cf", res.Facets.CustomFields, nil)
	}
	return res, nil
}

func sortOrder(s search.Sort) bsearch.SortOrder {
	idAsc := &bsearch.SortField{Field: fID, Type: bsearch.SortFieldAsNumber, Missing: bsearch.SortFieldMissingLast}
	f := func(name string, typ bsearch.SortFieldType) bsearch.SortOrder {
		return bsearch.SortOrder{&bsearch.SortField{Field: name, Desc: s.Desc, Type: typ, Missing: bsearch.SortFieldMissingLast}, idAsc}
	}
	switch s.Field {
	case search.SortCreated:
		return f(fCreated, bsearch.SortFieldAsDate)
	case search.SortModified:
		return f(fModified, bsearch.SortFieldAsDate)
	case search.SortAdded:
		return f(fAdded, bsearch.SortFieldAsDate)
	case search.SortTitle:
		return f(fSTitle, bsearch.SortFieldAsString)
	case search.SortCorrespondent:
		return f(fSCorr, bsearch.SortFieldAsString)
	case search.SortDocumentType:
		return f(fSType, bsearch.SortFieldAsString)
	case search.SortASN:
		return f(fASN, bsearch.SortFieldAsNumber)
	}
	// score only: a tie-break field would load doc values for every hit
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}

func termQ(field, term string) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

// withACL restricts q to the documents carrying one of the access tokens
// acl (nil: q unchanged; empty: nothing), leaving scores alone (acl.go).
func (g *generation) withACL(q query.Query, acl []string) query.Query {
	if acl == nil {
		return q
	}
	if len(acl) == 0 {
		return query.NewMatchNoneQuery()
	}
	return newACLQuery(q, acl, &g.acl)
}

// visible answers search.Visible for a searcher restricted to the access
// tokens acl (nil when acl is nil): a word is visible when a document
// carrying one of them holds it in a text field or as a whole tag name.
// Each word costs one searcher over the snapshot, stopped at its first
// match.
func (e *Engine) visible(ctx context.Context, g *generation, acl []string) search.Visible {
	if acl == nil {
		return nil
	}
	return func(words []string) ([]bool, error) {
		out := make([]bool, len(words))
		if len(acl) == 0 {
			return out, nil
		}
		r, err := g.reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		tr := translator{v: g.vocab}
		m := g.idx.Mapping()
		for i, w := range words {
			q := g.withACL(tr.term(&search.Term{Term: w}), acl)
			s, err := q.Searcher(ctx, r, m, bsearch.SearcherOptions{Score: "none"})
			if err != nil {
				return nil, fmt.Errorf("look up %q: %w", w, err)
			}
			sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
			dm, err := s.Next(sctx)
			s.Close()
			if err != nil {
				return nil, fmt.Errorf("look up %q: %w", w, err)
			}
			out[i] = dm != nil
		}
		return out, nil
	}
}

func filterQuery(f search.Filter) query.Query {
	var must []query.Query
	if f.IDs != nil {
		ids := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ids[i] = docID(id)
		}
		if len(ids) == 0 {
			return query.NewMatchNoneQuery()
		}
		must = append(must, query.NewDocIDQuery(ids))
	}
	if f.CorrespondentID != nil {
		must = append(must, termQ(fCorrID, strconv.Itoa(*f.CorrespondentID)))
	}
	if f.NoCorrespondent {
		must = append(must, termQ(fCorrID, none))
	}
	if f.DocumentTypeID != nil {
		must = append(must, termQ(fTypeID, strconv.Itoa(*f.DocumentTypeID)))
	}
	if f.NoDocumentType {
		must = append(must, termQ(fTypeID, none))
	}
	for _, t := range f.TagIDsAll {
		must = append(must, termQ(fTagID, strconv.Itoa(t)))
	}
	if f.Tagged != nil {
		v := "0"
		if *f.Tagged {
			v = "1"
		}
		must = append(must, termQ(fTagged, v))
	}
	for _, r := range []struct {
		field string
		tr    search.TimeRange
	}{{fCreated, f.Created}, {fAdded, f.Added}} {
		if r.tr.From == nil && r.tr.To == nil {
			continue
		}
		var from, to time.Time
		if r.tr.From != nil {
			from = r.tr.From.UTC()
		}
		if r.tr.To != nil {
			to = r.tr.To.UTC()
		}
		must = append(must, dateRange(r.field, from, to))
	}
	if len(must) == 0 {
		return nil
	}
	if len(must) == 1 {
		return must[0]
	}
	return query.NewConjunctionQuery(must)
}

// translator turns a search AST into a bleve query.
type translator struct{ v *search.Vocab }

var textFields = []string{fTitle, fContent, fCorr, fType, fNotes, fCustom}

func fieldsOf(f search.Field) []string {
	switch f {
	case search.FieldTitle:
		return []string{fTitle}
	case search.FieldContent:
		return []string{fContent}
	case search.FieldCorrespondent:
		return []string{fCorr}
	case search.FieldType:
		return []string{fType}
	case search.FieldNotes:
		return []string{fNotes}
	case search.FieldCustomFields:
		return []string{fCustom}
	}
	return textFields
}

func (t translator) node(n search.Node) query.Query {
	switch n := n.(type) {
	case *search.All:
		return query.NewMatchAllQuery()
	case *search.Term:
		return t.term(n)
	case *search.Phrase:
		var qs []query.Query
		for _, f := range fieldsOf(n.Field) {
			p := query.NewPhraseQuery(n.Terms, f)
			if n.Boost > 0 {
				p.SetBoost(n.Boost)
			}
			qs = append(qs, p)
		}
		return disj(qs)
	case *search.And:
		var must, not []query.Query
		for _, c := range n.Nodes {
			if nt, ok := c.(*search.Not); ok {
				not = append(not, t.node(nt.Node))
				continue
			}
			must = append(must, t.node(c))
		}
		if len(must) == 0 {
			must = append(must, query.NewMatchAllQuery())
		}
		if len(not) == 0 {
			return query.NewConjunctionQuery(must)
		}
		return query.NewBooleanQuery(must, nil, not)
	case *search.Or:
		var qs []query.Query
		for _, c := range n.Nodes {
			qs = append(qs, t.node(c))
		}
		return disj(qs)
	case *search.Not:
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{t.node(n.Node)})
	case *search.DateRange:
		return dateRange(string(n.Field), n.From, n.To)
	case *search.NumberRange:
		var lo, hi *float64
		if n.From != nil {
			f := float64(*n.From)
			lo = &f
		}
		if n.To != nil {
			f := float64(*n.To)
			hi = &f
		}
		tr := true
		q := query.NewNumericRangeInclusiveQuery(lo, hi, &tr, &tr)
		q.SetField(fASN)
		return q
	}
	return query.NewMatchNoneQuery()
}

func disj(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

func (t translator) term(n *search.Term) query.Query {
	if n.Field == search.FieldTag {
		if n.Prefix {
			q := query.NewPrefixQuery(n.Term)
			q.SetField(fTag)
			return q
		}
		return termQ(fTag, n.Term)
	}
	if n.Pattern != "" || n.Prefix {
		return t.expanded(n)
	}
	typo := t.v.TypoAllowed(n)
	var qs []query.Query
	for _, f := range fieldsOf(n.Field) {
		var q query.Query
		switch {
		case typo:
			fz := query.NewFuzzyQuery(n.Term)
			fz.SetField(f)
			fz.SetFuzziness(n.Fuzzy)
			q = fz
		default:
			tq := query.NewTermQuery(n.Term)
			tq.SetField(f)
			q = tq
		}
		if n.Boost > 0 {
			q.(query.BoostableQuery).SetBoost(n.Boost)
		}
		qs = append(qs, q)
	}
	if n.Field == search.FieldDefault && n.Pattern == "" && !n.Prefix {
		qs = append(qs, termQ(fTag, n.Term))
	}
	return disj(qs)
}

// expanded matches the words a prefix or wildcard term expands to in the
// vocabulary (at most search.MaxExpansion, as on Typesense) rather than
// bleve's own prefix and wildcard queries, whose expansion has no bound:
// `a*` on a large index would search every word starting with a.
func (t translator) expanded(n *search.Term) query.Query {
	ws, err := t.v.Expand(n, search.MaxExpansion)
	if err != nil || len(ws) == 0 {
		return query.NewMatchNoneQuery()
	}
	var qs []query.Query
	for _, f := range fieldsOf(n.Field) {
		for _, w := range ws {
			q := query.NewTermQuery(w)
			q.SetField(f)
			if n.Boost > 0 {
				q.SetBoost(n.Boost)
			}
			qs = append(qs, q)
		}
	}
	return disj(qs)
}

// rebuild is a generation being filled.
type rebuild struct {
	e  *Engine
	g  *generation
	mu sync.Mutex
	// documents indexed but not yet known to be on disk: LastID does not
	// count them yet.
	marks search.RebuildMarks
}

// BeginRebuild implements search.Engine.
func (e *Engine) BeginRebuild(ctx context.Context) (search.Rebuild, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live == nil {
		return nil, store.Errorf(store.Internal, "search index is closed")
	}
	if e.rb != nil {
		return e.rb, nil
	}
	g, err := e.create()
	if err != nil {
		return nil, err
	}
	g.vocab.SetNoSync(true)
	if err := writeName(filepath.Join(e.root, "REBUILD"), g.name); err != nil {
		g.close()
		os.RemoveAll(g.dir)
		return nil, err
	}
	e.rb = &rebuild{e: e, g: g}
	return e.rb, nil
}

// LastID implements search.Rebuild.
func (r *rebuild) LastID() int { return r.g.vocab.RebuildLastID() }

// Index implements search.Rebuild.
func (r *rebuild) Index(ctx context.Context, docs ...search.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	if r.e.rb != r {
		return store.Errorf(store.Conflict, "the rebuild was committed or aborted")
	}
	docs = search.Dedupe(docs)
	if err := r.g.write(docs, nil); err != nil {
		return err
	}
	if !r.marks.Add(docs) {
		return nil
	}
	return r.mark(ctx)
}

// Checkpoint implements search.Rebuild.
func (r *rebuild) Checkpoint(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mark(ctx)
}

// mark waits until the rebuild's batches are on disk, then advances LastID
// past them (r.mu held).
func (r *rebuild) mark(ctx context.Context) error {
	if err := r.g.persist.wait(ctx); err != nil {
		return err
	}
	return r.marks.Mark(r.g.vocab)
}

// Commit implements search.Rebuild.
func (r *rebuild) Commit(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rb != r {
		return store.Errorf(store.Conflict, "the rebuild was committed or aborted")
	}
	if err := r.mark(ctx); err != nil {
		return err
	}
	r.g.vocab.SetNoSync(false)
	if err := r.g.vocab.Sync(); err != nil {
		return err
	}
	if err := writeName(filepath.Join(e.root, "CURRENT"), r.g.name); err != nil {
		return err
	}
	os.Remove(filepath.Join(e.root, "REBUILD"))
	old := e.live
	e.live, e.rb = r.g, nil
	if err := old.close(); err != nil {
		e.log.Warn("search: closing old index generation", "error", err)
	}
	os.RemoveAll(old.dir)
	e.log.Info("search: rebuilt index swapped in", "generation", r.g.name)
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
	os.Remove(filepath.Join(e.root, "REBUILD"))
	err := r.g.close()
	os.RemoveAll(r.g.dir)
	return err
}
