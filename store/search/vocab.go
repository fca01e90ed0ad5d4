package search

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Vocab is the vocabulary statistics store both engines keep beside their
// index (a bbolt file): for every indexed word its total number of
// occurrences in content and the number of documents whose content
// (and, separately, whose title, correspondent or type) contains it; per
// document its word counts (so re-indexing and deleting can subtract them);
// and the folded tag names in use. It answers autocomplete by tf·idf (§9.5),
// corrected_query suggestions, more-like-this key terms and wildcard
// expansion, identically for both engines.
//
// Apply is idempotent. Writers are serialised; readers run concurrently
// with them and see the changes Apply gathered in memory added to the
// file's figures, so a read never waits for a write to the file.
type Vocab struct {
	db *bolt.DB
	mu sync.Mutex // serialises Apply and Commit
	// pend is what Apply gathered and the file does not hold yet (nil:
	// nothing). pmu guards it: writers change it under mu and pmu, readers
	// hold pmu's read lock across their file transaction, and a commit
	// clears pend under pmu in the instant its transaction lands, so a
	// reader sees either the old file and pend or the new file alone.
	pmu   sync.RWMutex
	pend  *delta
	gen   atomic.Uint64
	cache sync.Map // prefix -> cached
}

type cached struct {
	gen   uint64
	limit int
	words []string
}

var (
	bucketTerms = []byte("t")
	bucketDocs  = []byte("d")
	bucketTags  = []byte("g")
	bucketMeta  = []byte("m")
	keyCount    = []byte("n")
)

// OpenVocab opens (creating) the statistics file at path. With noSync the
// file is not fsynced per write (for a rebuild; call Sync before relying
// on it).
func OpenVocab(path string, noSync bool) (*Vocab, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true,
		FreelistType: bolt.FreelistMapType, NoSync: noSync})
	if err != nil {
		return nil, fmt.Errorf("open vocabulary %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTerms, bucketDocs, bucketTags, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init vocabulary %s: %w", path, err)
	}
	return &Vocab{db: db}, nil
}

// Close writes what Apply gathered and closes the file.
func (v *Vocab) Close() error { return errors.Join(v.Commit(), v.db.Close()) }

// Sync writes what Apply gathered and flushes the file to disk.
func (v *Vocab) Sync() error {
	if err := v.Commit(); err != nil {
		return err
	}
	return v.db.Sync()
}

// SetNoSync switches per-write fsync off (true) or on.
func (v *Vocab) SetNoSync(noSync bool) { v.db.NoSync = noSync }

// TermStats are the statistics of one word.
type TermStats struct {
	Occurrences int // in content, over all documents
	DocFreq     int // documents whose content contains it
	OtherFreq   int // documents whose title, correspondent, type, notes or custom fields contain it
}

type docTerm struct {
	term    string
	count   int  // occurrences in content
	other   bool // in title / correspondent / type / notes / custom fields
	content bool
}

// docRecord is what Vocab remembers of one document.
type docRecord struct {
	terms []docTerm
	tags  []string
}

func buildRecord(a Analyzed) docRecord {
	at := make(map[string]int32, len(a.ContentTokens)/2+8)
	terms := make([]docTerm, 0, len(a.ContentTokens)/2+8)
	add := func(toks []Token, content bool) {
		for _, t := range toks {
			i, ok := at[t.Term]
			if !ok {
				i = int32(len(terms))
				at[t.Term] = i
				terms = append(terms, docTerm{term: t.Term})
			}
			dt := &terms[i]
			if content {
				dt.count++
				dt.content = true
			} else {
				dt.other = true
			}
		}
	}
	add(a.ContentTokens, true)
	add(a.TitleTokens, false)
	add(a.CorrespondentTokens, false)
	add(a.TypeTokens, false)
	add(a.NotesTokens, false)
	add(a.CustomTokens, false)
	rec := docRecord{terms: terms}
	for _, t := range a.Tags {
		if n := FoldName(t); n != "" && !slices.Contains(rec.tags, n) {
			rec.tags = append(rec.tags, n)
		}
	}
	return rec
}

func (r docRecord) encode() []byte {
	buf := make([]byte, 0, 16*len(r.terms)+8)
	buf = binary.AppendUvarint(buf, uint64(len(r.terms)))
	for _, t := range r.terms {
		buf = binary.AppendUvarint(buf, uint64(len(t.term)))
		buf = append(buf, t.term...)
		flags := uint64(t.count) << 1
		if t.other {
			flags |= 1
		}
		buf = binary.AppendUvarint(buf, flags)
	}
	buf = binary.AppendUvarint(buf, uint64(len(r.tags)))
	for _, t := range r.tags {
		buf = binary.AppendUvarint(buf, uint64(len(t)))
		buf = append(buf, t...)
	}
	return buf
}

var errCorrupt = errors.New("corrupt vocabulary record")

func decodeRecord(b []byte) (docRecord, error) {
	var r docRecord
	next := func() (uint64, error) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errCorrupt
		}
		b = b[n:]
		return x, nil
	}
	str := func() (string, error) {
		l, err := next()
		if err != nil || uint64(len(b)) < l {
			return "", errCorrupt
		}
		s := string(b[:l])
		b = b[l:]
		return s, nil
	}
	n, err := next()
	if err != nil {
		return r, err
	}
	r.terms = make([]docTerm, 0, n)
	for range n {
		s, err := str()
		if err != nil {
			return r, err
		}
		f, err := next()
		if err != nil {
			return r, err
		}
		r.terms = append(r.terms, docTerm{term: s, count: int(f >> 1), other: f&1 == 1, content: f>>1 > 0})
	}
	n, err = next()
	if err != nil {
		return r, err
	}
	for range n {
		s, err := str()
		if err != nil {
			return r, err
		}
		r.tags = append(r.tags, s)
	}
	return r, nil
}

func docKey(id int) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(id))
	return k[:]
}

func decodeStats(b []byte) TermStats {
	var s [3]uint64
	for i := range s {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		s[i] = x
		b = b[n:]
	}
	return TermStats{Occurrences: int(s[0]), DocFreq: int(s[1]), OtherFreq: int(s[2])}
}

func encodeStats(s TermStats) []byte {
	buf := make([]byte, 0, 12)
	buf = binary.AppendUvarint(buf, uint64(s.Occurrences))
	buf = binary.AppendUvarint(buf, uint64(s.DocFreq))
	buf = binary.AppendUvarint(buf, uint64(s.OtherFreq))
	return buf
}

// delta is a change to the statistics not yet in the file: per-word and
// per-tag differences, the documents' new records (nil: forgotten) and the
// change in the number of documents.
type delta struct {
	at    map[string]int32
	terms []TermStats
	keys  []string // terms[i] belongs to keys[i]
	tags  map[string]int
	docs  map[int][]byte
	n     int // change in the number of documents
}

func newDelta() *delta {
	return &delta{at: map[string]int32{}, tags: map[string]int{}, docs: map[int][]byte{}}
}

// word returns the change of word k, adding it if new.
func (d *delta) word(k string) *TermStats {
	i, ok := d.at[k]
	if !ok {
		i = int32(len(d.terms))
		d.at[k] = i
		d.terms = append(d.terms, TermStats{})
		d.keys = append(d.keys, k)
	}
	return &d.terms[i]
}

func (d *delta) add(r docRecord, sign int) {
	for _, t := range r.terms {
		s := d.word(t.term)
		s.Occurrences += sign * t.count
		if t.count > 0 {
			s.DocFreq += sign
		}
		if t.other {
			s.OtherFreq += sign
		}
	}
	for _, g := range r.tags {
		d.tags[g] += sign
	}
	d.n += sign
}

// merge adds o to d.
func (d *delta) merge(o *delta) {
	for i, k := range o.keys {
		s, x := d.word(k), o.terms[i]
		s.Occurrences += x.Occurrences
		s.DocFreq += x.DocFreq
		s.OtherFreq += x.OtherFreq
	}
	for g, n := range o.tags {
		d.tags[g] += n
	}
	maps.Copy(d.docs, o.docs)
	d.n += o.n
}

// commitEvery is how many documents' changes Apply gathers in memory
// before it writes them to the file: a write of 250 documents changes
// ~15,000 words, 2,000 documents ~55,000 (the common words are counted
// once), and each file transaction rewrites most of the word pages.
const commitEvery = 2000

// Apply records documents (replacing what was recorded for their IDs) and
// forgets deleted IDs. Unknown deleted IDs are ignored. The change is
// seen by every read at once; it reaches the file with the changes of
// the writes after it, at Commit (or Sync) or once commitEvery documents'
// changes are waiting, whichever comes first — so call Commit before
// relying on it being on disk. After a failure, Apply may be repeated
// (it is idempotent).
func (v *Vocab) Apply(docs []Analyzed, deleted []int) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	defer v.gen.Add(1)
	w := newDelta()
	err := v.db.View(func(tx *bolt.Tx) error {
		stored := tx.Bucket(bucketDocs)
		remove := func(id int) error {
			old, ok := w.docs[id]
			if p := v.pend; !ok && p != nil { // v.pend only changes under v.mu
				old, ok = p.docs[id]
			}
			if !ok {
				old = stored.Get(docKey(id))
			}
			if old == nil {
				return nil
			}
			r, err := decodeRecord(old)
			if err != nil {
				return fmt.Errorf("document %d: %w", id, err)
			}
			w.add(r, -1)
			w.docs[id] = nil
			return nil
		}
		for _, id := range deleted {
			if err := remove(id); err != nil {
				return err
			}
		}
		for _, d := range docs {
			if err := remove(d.ID); err != nil {
				return err
			}
			r := buildRecord(d)
			w.add(r, +1)
			w.docs[d.ID] = r.encode()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update vocabulary: %w", err)
	}
	v.pmu.Lock()
	if v.pend == nil {
		v.pend = w
	} else {
		v.pend.merge(w)
	}
	waiting := len(v.pend.docs)
	v.pmu.Unlock()
	if waiting >= commitEvery {
		return v.commitLocked()
	}
	return nil
}

// Commit writes the changes Apply gathered to the file (and to the disk,
// unless the file was opened without syncing).
func (v *Vocab) Commit() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.commitLocked()
}

// view runs fn in a read transaction of the file, with the changes
// waiting in memory (nil: none), which fn must add to what the file says
// and must not change.
func (v *Vocab) view(fn func(tx *bolt.Tx, p *delta) error) error {
	v.pmu.RLock()
	defer v.pmu.RUnlock()
	return v.db.View(func(tx *bolt.Tx) error { return fn(tx, v.pend) })
}

// stats returns word k's statistics: the file's plus those waiting in p.
func (p *delta) stats(tb *bolt.Bucket, k string) TermStats {
	b := []byte(k)
	return p.with(b, decodeStats(tb.Get(b)))
}

// with returns statistics s of word k with the change waiting in p added.
func (p *delta) with(k []byte, s TermStats) TermStats {
	if p != nil {
		if i, ok := p.at[string(k)]; ok {
			d := p.terms[i]
			s.Occurrences += d.Occurrences
			s.DocFreq += d.DocFreq
			s.OtherFreq += d.OtherFreq
		}
	}
	return s
}

// count returns the number of documents: the file's plus p's change.
func (p *delta) count(tx *bolt.Tx) int {
	n := decodeStats(tx.Bucket(bucketMeta).Get(keyCount)).Occurrences
	if p != nil {
		n += p.n
	}
	return max(n, 0)
}

// record returns document id's encoded record (nil: not recorded).
func (p *delta) record(tx *bolt.Tx, id int) []byte {
	if p != nil {
		if rec, ok := p.docs[id]; ok {
			return rec
		}
	}
	return tx.Bucket(bucketDocs).Get(docKey(id))
}

// tagged reports whether a folded tag name is in use.
func (p *delta) tagged(tx *bolt.Tx, g string) bool {
	n := decodeStats(tx.Bucket(bucketTags).Get([]byte(g))).Occurrences
	if p != nil {
		n += p.tags[g]
	}
	return n > 0
}

func (v *Vocab) commitLocked() error {
	p := v.pend
	if p == nil {
		return nil
	}
	err := v.update(func(tx *bolt.Tx) error {
		tb, db, gb, mb := tx.Bucket(bucketTerms), tx.Bucket(bucketDocs), tx.Bucket(bucketTags), tx.Bucket(bucketMeta)
		ids := slices.Sorted(maps.Keys(p.docs))
		for _, id := range ids {
			var err error
			if rec := p.docs[id]; rec == nil {
				err = db.Delete(docKey(id))
			} else {
				err = db.Put(docKey(id), rec)
			}
			if err != nil {
				return err
			}
		}
		order := make([]int32, 0, len(p.keys))
		for i, d := range p.terms {
			if d != (TermStats{}) {
				order = append(order, int32(i))
			}
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(p.keys[a], p.keys[b]) })
		for _, i := range order {
			k, d := []byte(p.keys[i]), p.terms[i]
			s := decodeStats(tb.Get(k))
			s.Occurrences += d.Occurrences
			s.DocFreq += d.DocFreq
			s.OtherFreq += d.OtherFreq
			var err error
			if s.DocFreq <= 0 && s.OtherFreq <= 0 {
				err = tb.Delete(k)
			} else {
				err = tb.Put(k, encodeStats(s))
			}
			if err != nil {
				return err
			}
		}
		for g, d := range p.tags {
			if d == 0 {
				continue
			}
			n := int(decodeStats(gb.Get([]byte(g))).Occurrences) + d
			var err error
			if n <= 0 {
				err = gb.Delete([]byte(g))
			} else {
				err = gb.Put([]byte(g), encodeStats(TermStats{Occurrences: n}))
			}
			if err != nil {
				return err
			}
		}
		return mb.Put(keyCount, encodeStats(TermStats{Occurrences: p.count(tx)}))
	})
	if err != nil {
		return fmt.Errorf("update vocabulary: %w", err)
	}
	return nil
}

// update runs fn in a write transaction and, in the instant it lands,
// clears the changes waiting in memory (which fn wrote), so that no reader
// counts them twice. Only the landing waits for readers, not fn.
func (v *Vocab) update(fn func(tx *bolt.Tx) error) error {
	tx, err := v.db.Begin(true)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	v.pmu.Lock()
	defer v.pmu.Unlock()
	if err := tx.Commit(); err != nil {
		return err
	}
	v.pend = nil
	return nil
}

// Count returns the number of recorded documents.
func (v *Vocab) Count() (int, error) {
	var n int
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		n = p.count(tx)
		return nil
	})
	return n, err
}

// Stats returns the statistics of a folded word (zero when unknown).
func (v *Vocab) Stats(term string) (TermStats, error) {
	var s TermStats
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		s = p.stats(tx.Bucket(bucketTerms), term)
		return nil
	})
	return s, err
}

// HasDocument reports whether document id is recorded.
func (v *Vocab) HasDocument(id int) (bool, error) {
	var ok bool
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		ok = p.record(tx, id) != nil
		return nil
	})
	return ok, err
}

type scored struct {
	word  string
	score float64
}

// worse orders by score ascending, then word ascending (so the heap root is
// the entry to drop first: ties keep the greater word).
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.word < b.word
}

type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Complete returns up to limit content words starting with the folded
// prefix, best first by score(w) = occurrences(w) × ln(N / docfreq(w)),
// ties by word descending (§9.5). An empty prefix ranks the whole
// vocabulary. Results for prefixes of up to 2 characters are cached until
// the next Apply.
func (v *Vocab) Complete(prefix string, limit int) ([]string, error) {
	if limit <= 0 {
		return []string{}, nil
	}
	short := len([]rune(prefix)) <= 2
	gen := v.gen.Load()
	if short {
		if c, ok := v.cache.Load(prefix); ok {
			c := c.(cached)
			if c.gen == gen && c.limit >= limit {
				return append([]string{}, c.words[:min(limit, len(c.words))]...), nil
			}
		}
	}
	want := limit
	if short && want < 100 {
		want = 100
	}
	h := make(minHeap, 0, want+1)
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		n := float64(p.count(tx))
		p.words(tx.Bucket(bucketTerms), prefix, nil, func(k []byte, s TermStats) bool {
			if s.DocFreq <= 0 {
				return true
			}
			sc := scored{score: float64(s.Occurrences) * math.Log(n/float64(s.DocFreq)), word: string(k)}
			if sc.score < 0 || math.IsNaN(sc.score) {
				sc.score = 0
			}
			if len(h) < want {
				heap.Push(&h, sc)
			} else if worse(h[0], sc) {
				h[0] = sc
				heap.Fix(&h, 0)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("autocomplete %q: %w", prefix, err)
	}
	out := make([]string, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(scored).word
	}
	if short {
		v.cache.Store(prefix, cached{gen: gen, limit: want, words: out})
	}
	return append([]string{}, out[:min(limit, len(out))]...), nil
}

// Known reports whether a folded word occurs in any document's content,
// title, correspondent or type, or is a whole tag name.
func (v *Vocab) Known(term string) bool {
	known := false
	_ = v.view(func(tx *bolt.Tx, p *delta) error {
		s := p.stats(tx.Bucket(bucketTerms), term)
		known = s.DocFreq > 0 || s.OtherFreq > 0 || p.tagged(tx, term)
		return nil
	})
	return known
}

// TagNames returns those of the folded words that are whole tag names in
// use.
func (v *Vocab) TagNames(words []string) map[string]bool {
	out := map[string]bool{}
	_ = v.view(func(tx *bolt.Tx, p *delta) error {
		for _, w := range words {
			if p.tagged(tx, w) {
				out[w] = true
			}
		}
		return nil
	})
	return out
}

// Suggest returns the indexed word closest to an unknown folded word: the
// smallest edit distance (at most 1 for words up to 4 letters, else 2),
// then the most documents, then the smallest word. Candidates share the
// word's first letter (like most spelling correctors, to stay fast).
func (v *Vocab) Suggest(term string) (string, bool) {
	c := v.Suggestions(term, 1)
	if len(c) == 0 {
		return "", false
	}
	return c[0], true
}

// Suggestions returns up to n indexed words close to an unknown folded
// word, best first in Suggest's order.
func (v *Vocab) Suggestions(term string, n int) []string {
	if term == "" || n <= 0 {
		return nil
	}
	maxd := 2
	if len([]rune(term)) <= 4 {
		maxd = 1
	}
	type cand struct {
		w    string
		d, f int
	}
	better := func(a, b cand) bool {
		if a.d != b.d {
			return a.d < b.d
		}
		if a.f != b.f {
			return a.f > b.f
		}
		return a.w < b.w
	}
	var best []cand // sorted best first, at most n
	first := string([]rune(term)[:1])
	_ = v.view(func(tx *bolt.Tx, p *delta) error {
		p.words(tx.Bucket(bucketTerms), first, nil, func(k []byte, s TermStats) bool {
			w := string(k)
			lim := maxd
			if len(best) == n {
				lim = min(maxd, best[n-1].d)
			}
			d := -1
			for dd := 1; dd <= lim; dd++ {
				if WithinDistance(w, term, dd) {
					d = dd
					break
				}
			}
			if d < 0 || w == term {
				return true
			}
			c := cand{w, d, s.DocFreq + s.OtherFreq}
			if len(best) == n && !better(c, best[n-1]) {
				return true
			}
			i := sort.Search(len(best), func(i int) bool { return better(c, best[i]) })
			best = slices.Insert(best, i, c)
			if len(best) > n {
				best = best[:n]
			}
			return true
		})
		return nil
	})
	out := make([]string, len(best))
	for i, c := range best {
		out[i] = c.w
	}
	return out
}

// Visible reports, for each folded word, whether it occurs in a document
// the searcher may see (in a text field, or as a whole tag name); an
// engine answers it with queries filtered by the searcher's access
// tokens. A nil Visible means the searcher sees every document.
type Visible func(words []string) ([]bool, error)

// MaxSuggestionChecks is how many close words Correct considers for one
// unknown word of a searcher who sees only some documents (the best
// visible one is suggested).
const MaxSuggestionChecks = 8

// Correct returns q.Text with each plain word that is not in the index (of
// the first MaxCorrections of them)
// replaced by Suggest's choice, or nil when no word changes (paperless'
// corrected_query).
func (v *Vocab) Correct(q Query) *string {
	out, _ := v.CorrectFor(q, nil, nil)
	return out
}

// CorrectFor is Correct for a searcher who sees only the documents
// visible reports words of (nil: all): a word counts as known only when
// a visible document holds it, and a correction is the best close word a
// visible document holds — so neither the suggestion nor its absence
// tells of words in documents the searcher may not see. sure lists words
// already known to be in a visible document (a search's positive terms
// when it found something), which are not checked again. Visibility is
// asked at most twice, each time for a bounded list of words.
func (v *Vocab) CorrectFor(q Query, visible Visible, sure map[string]bool) (*string, error) {
	type repl struct {
		start, end int
		word       string
	}
	var terms []*Term
	Walk(q.Root, func(n Node) bool {
		t, ok := n.(*Term)
		if !ok || t.Prefix || t.Pattern != "" || t.Field == FieldTag || t.End > len(q.Text) || t.Start >= t.End {
			return true
		}
		if Fold(q.Text[t.Start:t.End]) == t.Term {
			terms = append(terms, t)
		}
		return true
	})
	known := make([]bool, len(terms))
	var check []string
	var checkAt []int
	for i, t := range terms {
		known[i] = v.Known(t.Term)
		if known[i] && visible != nil && !sure[t.Term] {
			check = append(check, t.Term)
			checkAt = append(checkAt, i)
		}
	}
	if len(check) > 0 {
		ok, err := visible(check)
		if err != nil {
			return nil, err
		}
		for j, i := range checkAt {
			known[i] = ok[j]
		}
	}
	// Each suggestion scans the words sharing the first letter: a query
	// of many unknown words is corrected in its first few.
	var unknown []*Term
	for i, t := range terms {
		if !known[i] && len(unknown) < MaxCorrections {
			unknown = append(unknown, t)
		}
	}
	if len(unknown) == 0 {
		return nil, nil
	}
	n := 1
	if visible != nil {
		n = MaxSuggestionChecks
	}
	cands := make([][]string, len(unknown))
	var all []string
	for i, t := range unknown {
		cands[i] = v.Suggestions(t.Term, n)
		all = append(all, cands[i]...)
	}
	ok := make(map[string]bool, len(all))
	if visible != nil && len(all) > 0 {
		all = slices.Compact(slices.Sorted(slices.Values(all)))
		res, err := visible(all)
		if err != nil {
			return nil, err
		}
		for i, w := range all {
			ok[w] = res[i]
		}
	}
	var rs []repl
	for i, t := range unknown {
		for _, c := range cands[i] {
			if visible == nil || ok[c] {
				rs = append(rs, repl{t.Start, t.End, c})
				break
			}
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].start > rs[j].start })
	out := q.Text
	for _, r := range rs {
		out = out[:r.start] + r.word + out[r.end:]
	}
	return &out, nil
}

// Found returns the words a search of root that found total documents
// proves to be in one of them: when total > 0, the exact words the query
// requires at its top level (a lone word, or the words of a top-level
// AND). CorrectFor need not check those again.
func Found(root Node, total int) map[string]bool {
	if total <= 0 {
		return nil
	}
	out := map[string]bool{}
	add := func(n Node) {
		if t, ok := n.(*Term); ok && !t.Prefix && t.Pattern == "" && t.Field != FieldTag {
			out[t.Term] = true
		}
	}
	if a, ok := root.(*And); ok {
		for _, c := range a.Nodes {
			add(c)
		}
	} else {
		add(root)
	}
	return out
}

// MaxAutocompleteChecks bounds the words CompleteFor asks visible about
// for one autocomplete.
const MaxAutocompleteChecks = 256

// CompleteFor is Complete for a searcher who sees only the documents
// visible reports words of (nil: all): it keeps, in Complete's order, the
// words a visible document holds, asking visible first about as many of
// the best words as it wants, then in rounds of twice the words still
// wanted, until it has limit of them, the words run out, or it has asked
// about MaxAutocompleteChecks words — so a prefix whose best words are
// all in documents the searcher may not see may come back short.
func (v *Vocab) CompleteFor(prefix string, limit int, visible Visible) ([]string, error) {
	if visible == nil || limit <= 0 {
		return v.Complete(prefix, limit)
	}
	out := []string{}
	asked := 0
	for len(out) < limit && asked < MaxAutocompleteChecks {
		n := limit - len(out)
		if asked > 0 {
			n *= 2
		}
		want := min(asked+n, MaxAutocompleteChecks)
		words, err := v.Complete(prefix, want)
		if err != nil {
			return nil, err
		}
		if len(words) <= asked {
			break
		}
		batch := words[asked:]
		ok, err := visible(batch)
		if err != nil {
			return nil, fmt.Errorf("autocomplete %q: %w", prefix, err)
		}
		for i, w := range batch {
			if ok[i] && len(out) < limit {
				out = append(out, w)
			}
		}
		asked = len(words)
		if len(words) < want {
			break
		}
	}
	return out, nil
}

// KeyTerms returns up to n content words that characterise document id,
// best first by (count in the document) × ln(N / docfreq); words in at most
// one document and words in every document are skipped when others exist.
// It returns a NotFound-worthy false when the document is not recorded.
func (v *Vocab) KeyTerms(id, n int) ([]string, bool, error) {
	var out []string
	found := false
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		raw := p.record(tx, id)
		if raw == nil {
			return nil
		}
		found = true
		r, err := decodeRecord(raw)
		if err != nil {
			return err
		}
		total := float64(p.count(tx))
		tb := tx.Bucket(bucketTerms)
		var cands []scored
		for _, t := range r.terms {
			if t.count == 0 {
				continue
			}
			s := p.stats(tb, t.term)
			if s.DocFreq <= 1 && total > 1 {
				continue // only in this document: finds nothing else
			}
			w := float64(t.count) * math.Log(1+total/float64(max(s.DocFreq, 1)))
			cands = append(cands, scored{word: t.term, score: w})
		}
		sort.Slice(cands, func(i, j int) bool { return worse(cands[j], cands[i]) })
		for _, c := range cands[:min(n, len(cands))] {
			out = append(out, c.word)
		}
		return nil
	})
	return out, found, err
}

// ContentCounts returns the content word counts of document id (nil when
// not recorded).
func (v *Vocab) ContentCounts(id int) (map[string]int, error) {
	var out map[string]int
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		raw := p.record(tx, id)
		if raw == nil {
			return nil
		}
		r, err := decodeRecord(raw)
		if err != nil {
			return err
		}
		out = make(map[string]int, len(r.terms))
		for _, t := range r.terms {
			if t.count > 0 {
				out[t.term] = t.count
			}
		}
		return nil
	})
	return out, err
}

// Expand lists up to limit indexed words that a prefix, wildcard or fuzzy
// term matches (for engines without those operators in filters). For a
// FieldTag term it lists whole tag names with the prefix.
func (v *Vocab) Expand(t *Term, limit int) ([]string, error) {
	var out []string
	err := v.view(func(tx *bolt.Tx, p *delta) error {
		if t.Field == FieldTag {
			out = p.tagsWith(tx, t.Term, limit)
			return nil
		}
		tb := tx.Bucket(bucketTerms)
		switch {
		case t.Pattern != "" || t.Prefix:
			var re *regexp.Regexp
			if t.Pattern != "" {
				var err error
				if re, err = WildcardRegexp(t.Pattern); err != nil {
					return err
				}
			}
			var want func([]byte) bool
			if re != nil {
				want = re.Match
			}
			p.words(tb, t.Term, want, func(k []byte, _ TermStats) bool {
				if len(out) >= limit {
					return false
				}
				out = append(out, string(k))
				return true
			})
		default:
			out = append(out, t.Term)
			if t.Fuzzy == 0 {
				return nil
			}
			n := len([]rune(t.Term))
			near := func(k []byte) bool {
				if l := len(k); l < n-t.Fuzzy || l > 4*(n+t.Fuzzy) {
					return false
				}
				w := string(k)
				return w != t.Term && WithinDistance(w, t.Term, t.Fuzzy)
			}
			p.words(tb, "", near, func(k []byte, _ TermStats) bool {
				if len(out) >= limit {
					return false
				}
				out = append(out, string(k))
				return true
			})
		}
		return nil
	})
	return out, err
}

// words calls fn, in word order, for every word in use (in some
// document) that starts with prefix and that want accepts (nil: all),
// with its statistics: the file's words with the changes waiting in p
// added, and the words only p holds. fn returns false to stop.
func (p *delta) words(tb *bolt.Bucket, prefix string, want func([]byte) bool, fn func(k []byte, s TermStats) bool) {
	pfx := []byte(prefix)
	var only []string // words only p holds, sorted
	if p != nil {
		for _, w := range p.keys {
			if strings.HasPrefix(w, prefix) && (want == nil || want([]byte(w))) && tb.Get([]byte(w)) == nil {
				only = append(only, w)
			}
		}
		slices.Sort(only)
	}
	c := tb.Cursor()
	next := func(k, val []byte) ([]byte, []byte) {
		for ; k != nil && bytes.HasPrefix(k, pfx); k, val = c.Next() {
			if want == nil || want(k) {
				return k, val
			}
		}
		return nil, nil
	}
	k, val := next(c.Seek(pfx))
	for k != nil || len(only) > 0 {
		var w []byte
		var s TermStats
		if len(only) > 0 && (k == nil || only[0] < string(k)) {
			w, s = []byte(only[0]), p.terms[p.at[only[0]]]
			only = only[1:]
		} else {
			w, s = k, p.with(k, decodeStats(val))
			k, val = next(c.Next())
		}
		if s.DocFreq <= 0 && s.OtherFreq <= 0 {
			continue // no longer in any document
		}
		if !fn(w, s) {
			return
		}
	}
}

// tagsWith lists up to limit folded tag names in use that start with
// prefix, in order.
func (p *delta) tagsWith(tx *bolt.Tx, prefix string, limit int) []string {
	var names []string
	c := tx.Bucket(bucketTags).Cursor()
	for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
		names = append(names, string(k))
	}
	if p != nil {
		for g := range p.tags {
			if strings.HasPrefix(g, prefix) {
				names = append(names, g)
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var out []string
	for _, g := range names {
		if len(out) == limit {
			break
		}
		if p.tagged(tx, g) {
			out = append(out, g)
		}
	}
	return out
}

// SetMeta stores a named integer (engines keep their rebuild checkpoint
// here, so it is as durable as the statistics).
func (v *Vocab) SetMeta(key string, n int) error {
	return v.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("x:"+key), encodeStats(TermStats{Occurrences: n}))
	})
}

// Meta returns a named integer stored by SetMeta (0 when unset).
func (v *Vocab) Meta(key string) int {
	n := 0
	_ = v.db.View(func(tx *bolt.Tx) error {
		n = decodeStats(tx.Bucket(bucketMeta).Get([]byte("x:" + key))).Occurrences
		return nil
	})
	return n
}

// TypoAllowed reports whether an engine should match t with typos: only a
// word of 4 or more letters (t.Fuzzy > 0) that is not itself in the index
// gets the edit distance (as Typesense does by default), so a correctly
// spelt word never drags in its neighbours and both engines agree.
func (v *Vocab) TypoAllowed(t *Term) bool {
	return t.Fuzzy > 0 && t.Pattern == "" && !t.Prefix && t.Field != FieldTag && !v.Known(t.Term)
}

// metaRebuildLastID is the meta key holding a rebuild's progress.
const metaRebuildLastID = "rebuild_last_id"

// RebuildLastID is the highest document ID a rebuild fed into this
// vocabulary's index so far (0 for none).
func (v *Vocab) RebuildLastID() int { return v.Meta(metaRebuildLastID) }

// MarkRebuilt records that the rebuild holds every document up to id
// durably: it syncs the statistics, then advances RebuildLastID to id (it
// never moves back).
func (v *Vocab) MarkRebuilt(id int) error {
	last := max(v.RebuildLastID(), id)
	if err := v.Sync(); err != nil {
		return err
	}
	return v.SetMeta(metaRebuildLastID, last)
}

// RebuildMarkEvery is how many documents a rebuild indexes between two
// durability marks (waits for the disk and advances of RebuildLastID);
// an interrupted rebuild indexes at most this many again.
const RebuildMarkEvery = 5000

// RebuildMarks counts the documents a rebuild indexed since its last
// durability mark: indexed, but not yet counted by RebuildLastID.
type RebuildMarks struct{ n, last int }

// Add counts docs and reports whether a mark is due.
func (m *RebuildMarks) Add(docs []Document) bool {
	m.n += len(docs)
	for _, d := range docs {
		m.last = max(m.last, d.ID)
	}
	return m.n >= RebuildMarkEvery
}

// Mark advances v's RebuildLastID past the documents counted (call it
// once they are durable in the index).
func (m *RebuildMarks) Mark(v *Vocab) error {
	if m.n == 0 {
		return nil
	}
	if err := v.MarkRebuilt(m.last); err != nil {
		return err
	}
	m.n = 0
	return nil
}
