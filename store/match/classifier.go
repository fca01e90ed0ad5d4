package match

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/quirehq/quire/store"
)

// ClassifierVersion is the format of an encoded Classifier; a file of
// another version is ignored (the classifier is retrained).
const ClassifierVersion = 1

// maxTokens caps the tokens read from one document.
const maxTokens = 20000

// Classifier predicts the correspondent, document type and tags of a
// document from its content: a multinomial naive Bayes model over word
// counts with Laplace smoothing.
//
// Training (Trainer): every filed document (no inbox tag) is tokenised
// (lower-cased runs of letters and digits, at least two long, at most
// maxTokens per document) and its word counts are added to the totals
// and to the counts of each label it carries. Only objects whose
// algorithm is "auto" are labels. The correspondent and the document type
// are each one multi-class problem whose classes are the auto objects plus
// "other" (all remaining documents, counted as totals minus the labelled
// counts); each auto tag is a yes/no problem. A problem with fewer than
// two classes present is not trained and predicts nothing.
//
// Prediction scores log P(class) + Σ n_w log P(w | class) per class and
// picks the best; a tag is predicted when "yes" beats "no".
type Classifier struct {
	Version  int    `json:"version"`
	DataHash string `json:"data_hash"` // of the training data; unchanged data is not retrained
	Docs     int    `json:"docs"`
	// Total counts every word over all training documents; Labels counts
	// per label ("c<id>", "d<id>", "t<id>").
	Total     counts            `json:"total"`
	Labels    map[string]*label `json:"labels"`
	vocabSize int
}

type counts struct {
	Words map[string]int `json:"words"`
	Sum   int            `json:"sum"`
}

func (c *counts) add(words map[string]int) {
	if c.Words == nil {
		c.Words = map[string]int{}
	}
	for w, n := range words {
		c.Words[w] += n
		c.Sum += n
	}
}

type label struct {
	Docs int    `json:"docs"`
	C    counts `json:"counts"`
}

// Prediction is what the classifier proposes for one document; nil or
// empty means no proposal.
type Prediction struct {
	CorrespondentID *int
	DocumentTypeID  *int
	TagIDs          []int
}

// Tokenize returns the word counts the classifier sees in text.
func Tokenize(text string) map[string]int {
	out := map[string]int{}
	n := 0
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if len([]rune(f)) < 2 {
			continue
		}
		out[f]++
		if n++; n >= maxTokens {
			break
		}
	}
	return out
}

// Trainer accumulates training documents into a Classifier.
type Trainer struct {
	auto map[string]bool // labels whose object uses the auto algorithm
	c    *Classifier
	hash hashWriter
}

// NewTrainer starts training for the given auto objects (ids of the
// correspondents, document types and tags whose algorithm is auto).
func NewTrainer(correspondents, documentTypes, tags []int) *Trainer {
	t := &Trainer{auto: map[string]bool{}, c: &Classifier{Version: ClassifierVersion, Labels: map[string]*label{}}, hash: newHash()}
	for _, p := range []struct {
		prefix string
		ids    []int
	}{{"c", correspondents}, {"d", documentTypes}, {"t", tags}} {
		ids := slices.Clone(p.ids)
		slices.Sort(ids)
		for _, id := range ids {
			k := p.prefix + strconv.Itoa(id)
			t.auto[k] = true
			t.hash.str(k)
		}
	}
	return t
}

// Add adds one training document.
func (t *Trainer) Add(d store.TrainingDocument) {
	var labels []string
	if d.CorrespondentID != nil {
		labels = append(labels, "c"+strconv.Itoa(*d.CorrespondentID))
	}
	if d.DocumentTypeID != nil {
		labels = append(labels, "d"+strconv.Itoa(*d.DocumentTypeID))
	}
	for _, id := range d.TagIDs {
		labels = append(labels, "t"+strconv.Itoa(id))
	}
	t.hash.int(d.ID)
	t.hash.str(d.Content)
	words := Tokenize(d.Content)
	t.c.Docs++
	t.c.Total.add(words)
	for _, l := range labels {
		if !t.auto[l] {
			continue
		}
		t.hash.str(l)
		lb := t.c.Labels[l]
		if lb == nil {
			lb = &label{}
			t.c.Labels[l] = lb
		}
		lb.Docs++
		lb.C.add(words)
	}
}

// DataHash is the fingerprint of the data added so far (compare it with a
// stored classifier's DataHash to skip retraining unchanged data).
func (t *Trainer) DataHash() string { return t.hash.sum() }

// Classifier returns the trained classifier.
func (t *Trainer) Classifier() *Classifier {
	t.c.DataHash = t.DataHash()
	t.c.vocabSize = len(t.c.Total.Words)
	return t.c
}

// Encode writes the classifier as JSON.
func (c *Classifier) Encode(w io.Writer) error {
	return json.NewEncoder(w).Encode(c)
}

// DecodeClassifier reads a classifier written by Encode. A file of
// another format version gives an error (retrain).
func DecodeClassifier(r io.Reader) (*Classifier, error) {
	c := new(Classifier)
	if err := json.NewDecoder(r).Decode(c); err != nil {
		return nil, fmt.Errorf("decode classifier: %w", err)
	}
	if c.Version != ClassifierVersion {
		return nil, errors.New("decode classifier: format version changed")
	}
	if c.Labels == nil {
		c.Labels = map[string]*label{}
	}
	c.vocabSize = len(c.Total.Words)
	return c, nil
}

// Predict proposes a correspondent, a document type and tags for content.
func (c *Classifier) Predict(content string) Prediction {
	var p Prediction
	if c == nil || c.Docs == 0 {
		return p
	}
	words := Tokenize(content)
	p.CorrespondentID = c.predictClass("c", words)
	p.DocumentTypeID = c.predictClass("d", words)
	for k, lb := range c.Labels {
		if !strings.HasPrefix(k, "t") || lb.Docs == 0 || lb.Docs == c.Docs {
			continue
		}
		rest := c.rest([]*label{lb})
		if c.score(&lb.C, lb.Docs, words) > c.score(&rest.C, rest.Docs, words) {
			id, _ := strconv.Atoi(k[1:])
			p.TagIDs = append(p.TagIDs, id)
		}
	}
	slices.Sort(p.TagIDs)
	return p
}

// predictClass picks among the labels with prefix and "other".
func (c *Classifier) predictClass(prefix string, words map[string]int) *int {
	var keys []string
	var labels []*label
	for k, lb := range c.Labels {
		if strings.HasPrefix(k, prefix) && lb.Docs > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		labels = append(labels, c.Labels[k])
	}
	rest := c.rest(labels)
	classes := len(labels)
	if rest.Docs > 0 {
		classes++
	}
	if classes < 2 {
		return nil
	}
	best, bestScore := -1, math.Inf(-1)
	if rest.Docs > 0 {
		bestScore = c.score(&rest.C, rest.Docs, words)
	}
	for i, lb := range labels {
		if s := c.score(&lb.C, lb.Docs, words); s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		return nil
	}
	id, _ := strconv.Atoi(keys[best][1:])
	return &id
}

// rest is the complement of labels: totals minus their counts.
func (c *Classifier) rest(labels []*label) *label {
	r := &label{Docs: c.Docs, C: counts{Words: nil, Sum: c.Total.Sum}}
	sub := map[string]int{}
	for _, lb := range labels {
		r.Docs -= lb.Docs
		r.C.Sum -= lb.C.Sum
		for w, n := range lb.C.Words {
			sub[w] += n
		}
	}
	r.C.Words = restWords{total: c.Total.Words, sub: sub}.materialise()
	return r
}

type restWords struct {
	total, sub map[string]int
}

func (r restWords) materialise() map[string]int {
	out := make(map[string]int, len(r.sub))
	for w, n := range r.sub {
		out[w] = r.total[w] - n
	}
	// Words absent from sub keep their total; score() falls back to it.
	out[restMarker] = 1
	return out
}

// restMarker flags a counts map whose missing words take their total.
const restMarker = "\x00rest"

func (c *Classifier) score(cl *counts, docs int, words map[string]int) float64 {
	const alpha = 1.0
	s := math.Log(float64(docs) / float64(c.Docs))
	denom := math.Log(float64(cl.Sum) + alpha*float64(c.vocabSize+1))
	_, isRest := cl.Words[restMarker]
	for w, n := range words {
		cnt, ok := cl.Words[w]
		if !ok && isRest {
			cnt = c.Total.Words[w]
		}
		if _, known := c.Total.Words[w]; !known {
			continue // unseen words carry no information
		}
		s += float64(n) * (math.Log(float64(cnt)+alpha) - denom)
	}
	return s
}

type hashWriter struct{ h hash.Hash }

func newHash() hashWriter { return hashWriter{sha256.New()} }

func (h hashWriter) int(n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	h.h.Write(b[:])
}

func (h hashWriter) str(s string) {
	h.int(len(s))
	h.h.Write([]byte(s))
}

func (h hashWriter) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }
