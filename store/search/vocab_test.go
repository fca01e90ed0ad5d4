package search_test

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store/search"
)

func openVocab(t *testing.T, path string) *search.Vocab {
	t.Helper()
	v, err := search.OpenVocab(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// TestVocabGatheredChangesReadAsCommitted applies the same random writes —
// new documents, re-indexed ones, deletions, a document deleted and
// re-added in one write — to a vocabulary that gathers them in memory and
// to one committed after every write: every read answers alike.
func TestVocabGatheredChangesReadAsCommitted(t *testing.T) {
	dir := t.TempDir()
	gathered, committed := openVocab(t, filepath.Join(dir, "g.db")), openVocab(t, filepath.Join(dir, "c.db"))
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"invoice", "rechnung", "insurance", "invoices", "betrag", "bank", "bahn", "steuer", "miete", "konto"}
	doc := func(id int) search.Document {
		d := search.Document{ID: id, Title: words[r.IntN(len(words))] + " " + strconv.Itoa(id)}
		for range 3 + r.IntN(20) {
			d.Content += words[r.IntN(len(words))] + " "
		}
		if r.IntN(3) == 0 {
			d.Tags = []string{"Tag " + strconv.Itoa(r.IntN(3))}
		}
		return d
	}
	// a word in the file that the gathered changes remove
	gone := search.AnalyzeDocuments([]search.Document{{ID: 99, Title: "zzunique", Content: "zzunique", Tags: []string{"zztag"}}})
	for _, v := range []*search.Vocab{gathered, committed} {
		if err := v.Apply(gone, nil); err != nil {
			t.Fatal(err)
		}
		if err := v.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for range 60 {
		var docs []search.Document
		var deleted []int
		for range r.IntN(12) {
			docs = append(docs, doc(1+r.IntN(40)))
		}
		for range r.IntN(4) {
			deleted = append(deleted, 1+r.IntN(40))
		}
		docs = search.Dedupe(docs)
		an := search.AnalyzeDocuments(docs)
		if err := gathered.Apply(an, deleted); err != nil {
			t.Fatal(err)
		}
		if err := committed.Apply(an, deleted); err != nil {
			t.Fatal(err)
		}
		if err := committed.Commit(); err != nil {
			t.Fatal(err)
		}
		if r.IntN(3) > 0 {
			continue // read only now and then, so changes pile up
		}
		for _, v := range []*search.Vocab{gathered, committed} {
			v.Complete("", 1) // a read between writes
		}
	}
	for _, v := range []*search.Vocab{gathered, committed} {
		if err := v.Apply(nil, []int{99}); err != nil {
			t.Fatal(err)
		}
	}
	if err := committed.Commit(); err != nil {
		t.Fatal(err)
	}
	term := func(q string) *search.Term { return search.MustParse(q).Root.(*search.Term) }
	read := func(v *search.Vocab) []any {
		n, _ := v.Count()
		out := []any{n}
		for _, w := range append(words, "tag 0", "tag 1", "tag 2", "zzunique", "zztag") {
			s, _ := v.Stats(w)
			out = append(out, w, s, v.Known(w))
		}
		for _, p := range []string{"", "b", "in", "invoi", "x", "zz"} {
			c, _ := v.Complete(p, 50)
			out = append(out, c)
		}
		for id := 1; id <= 40; id++ {
			has, _ := v.HasDocument(id)
			counts, _ := v.ContentCounts(id)
			key, _, _ := v.KeyTerms(id, 3)
			out = append(out, has, counts, key)
		}
		for _, q := range []string{"tag:tag*", "tag:t*", "in*", "b*", "b?nk", "i*s", "invoise", "mite", "zz*", "tag:zz*", "zzuniqe"} {
			x, err := v.Expand(term(q), 3)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, q, x)
		}
		for _, w := range []string{"invoise", "bnak", "kont", "steuerr", "zzuniqe"} {
			s, _ := v.Suggest(w)
			out = append(out, s)
		}
		return out
	}
	if !gathered.Waiting() {
		t.Fatal("nothing waits in memory: the reads would not test the gathered changes")
	}
	got, want := read(gathered), read(committed)
	if !gathered.Waiting() {
		t.Fatal("a read wrote the gathered changes to the file")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("gathered vocabulary reads\n%v\ncommitted one reads\n%v", got, want)
	}
	if n, _ := committed.Count(); n == 0 {
		t.Fatal("no documents recorded: the writes tested nothing")
	}
}

// TestVocabCommitWritesGatheredChanges checks what is in the file: Apply
// alone leaves a small write in memory, Commit puts it in the file, and
// a write of search.WriteBatch documents at a time reaches the file
// without Commit once a few thousand documents are waiting.
func TestVocabCommitWritesGatheredChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.db")
	v := openVocab(t, path)
	onDisk := func() int { // the count a copy of the file holds
		t.Helper()
		cp := filepath.Join(dir, "copy.db")
		src, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := os.Create(cp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		dst.Close()
		c, err := search.OpenVocab(cp, false)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		n, _ := c.Count()
		return n
	}
	docs := func(from, n int) []search.Analyzed {
		var d []search.Document
		for id := from; id < from+n; id++ {
			d = append(d, search.Document{ID: id, Content: "word" + strconv.Itoa(id%7)})
		}
		return search.AnalyzeDocuments(d)
	}
	if err := v.Apply(docs(1, 10), nil); err != nil {
		t.Fatal(err)
	}
	if n := onDisk(); n != 0 {
		t.Fatalf("file holds %d documents before Commit", n)
	}
	if err := v.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := onDisk(); n != 10 {
		t.Fatalf("file holds %d documents after Commit, want 10", n)
	}
	next := 11
	for range 40 {
		if err := v.Apply(docs(next, search.WriteBatch), nil); err != nil {
			t.Fatal(err)
		}
		next += search.WriteBatch
	}
	if n := onDisk(); n < next-1-5000 {
		t.Fatalf("file holds %d of %d documents: changes of more than 5,000 wait in memory", n, next-1)
	}
}

// TestVocabReadsNeverCountTwice reads the number of documents while
// another goroutine records documents and commits them now and then: a
// read sees every document recorded before it began and none twice (as it
// would if it saw a commit's file with the changes it wrote still waiting
// in memory), and reads do not write the waiting changes themselves.
func TestVocabReadsNeverCountTwice(t *testing.T) {
	v := openVocab(t, filepath.Join(t.TempDir(), "v.db"))
	const batch, batches = 10, 300
	var applied atomic.Int64
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(done)
		for i := range batches {
			var docs []search.Document
			for j := range batch {
				docs = append(docs, search.Document{ID: i*batch + j + 1, Content: "common word" + strconv.Itoa(j)})
			}
			if err := v.Apply(search.AnalyzeDocuments(docs), nil); err != nil {
				errs <- err
				return
			}
			applied.Store(int64((i + 1) * batch))
			if i%5 == 4 {
				if err := v.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	reads := 0
	for running := true; running; reads++ {
		select {
		case <-done:
			running = false
		default:
		}
		before := int(applied.Load())
		n, err := v.Count()
		if err != nil {
			t.Fatal(err)
		}
		s, err := v.Stats("common")
		if err != nil {
			t.Fatal(err)
		}
		after := int(applied.Load()) + batch // one more write may be seen before it returns
		if n < before || n > after {
			t.Fatalf("read %d documents while %d to %d were recorded", n, before, after)
		}
		if s.DocFreq < before || s.DocFreq > after {
			t.Fatalf("\"common\" in %d documents while %d to %d were recorded", s.DocFreq, before, after)
		}
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if n, _ := v.Count(); n != batch*batches {
		t.Fatalf("%d documents recorded, want %d", n, batch*batches)
	}
	t.Logf("%d reads", reads)
	// reads add waiting changes without writing them
	if err := v.Apply(search.AnalyzeDocuments([]search.Document{{ID: 1, Content: "other"}}), nil); err != nil {
		t.Fatal(err)
	}
	if !v.Known("other") || !v.Waiting() {
		t.Fatal("a read wrote the waiting changes to the file, or did not see them")
	}
}

// BenchmarkVocabReadWhileWriting reads the word statistics as searches do
// while the indexer writes: each iteration records a write of
// search.WriteBatch documents, then asks whether a word is known (as a
// search does for each of its words) and completes a prefix
// (autocomplete).
//
//	go test -run '^$' -bench VocabReadWhileWriting -benchtime 40x ./store/search/
func BenchmarkVocabReadWhileWriting(b *testing.B) {
	v, err := search.OpenVocab(filepath.Join(b.TempDir(), "v.db"), false)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	var known, complete []time.Duration
	id := 1
	start := time.Now()
	for b.Loop() {
		docs := make([]search.Document, search.WriteBatch)
		for i := range docs {
			docs[i] = benchDoc(id)
			id++
		}
		if err := v.Apply(search.AnalyzeDocuments(docs), nil); err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		if !v.Known("rechnung") {
			b.Fatal("a word of every write is not known")
		}
		known = append(known, time.Since(t))
		t = time.Now()
		if c, err := v.Complete("rech", 10); err != nil || len(c) == 0 {
			b.Fatalf("autocomplete: %v %v", c, err)
		}
		complete = append(complete, time.Since(t))
	}
	b.ReportMetric(float64(id-1)/time.Since(start).Seconds(), "docs/s")
	b.ReportMetric(percentile(known, 0.5), "known-p50_ms")
	b.ReportMetric(percentile(known, 0.95), "known-p95_ms")
	b.ReportMetric(percentile(complete, 0.5), "complete-p50_ms")
	b.ReportMetric(0, "ns/op")
}

// TestCorrectBoundsSuggestions checks that corrected_query looks for close
// words for the first search.MaxCorrections unknown words only: each look
// scans the vocabulary, and a query may hold 128 words.
func TestCorrectBoundsSuggestions(t *testing.T) {
	v := openVocab(t, filepath.Join(t.TempDir(), "v.db"))
	if err := v.Apply(search.AnalyzeDocuments([]search.Document{{ID: 1, Content: "invoice"}}), nil); err != nil {
		t.Fatal(err)
	}
	var q []string
	for range search.MaxCorrections + 5 {
		q = append(q, "invoise")
	}
	got := v.Correct(search.MustParse(strings.Join(q, " ")))
	if got == nil {
		t.Fatal("no correction")
	}
	if n := strings.Count(*got, "invoice"); n != search.MaxCorrections {
		t.Fatalf("%d words corrected, want %d: %q", n, search.MaxCorrections, *got)
	}
}

// TestCompleteForIsBounded: a restricted autocomplete asks about the best
// words in Complete's order, first as many as it wants, and never about
// more than MaxAutocompleteChecks words, however few are visible.
func TestCompleteForIsBounded(t *testing.T) {
	v := openVocab(t, filepath.Join(t.TempDir(), "v.db"))
	var docs []search.Document
	for i := range 400 {
		// word w<i> occurs i+1 times: the best words have the highest i
		docs = append(docs, search.Document{ID: i + 1, Content: strings.Repeat("w"+strconv.Itoa(1000+i)+" ", i+1)})
	}
	if err := v.Apply(search.AnalyzeDocuments(docs), nil); err != nil {
		t.Fatal(err)
	}
	best, err := v.Complete("w", 400)
	if err != nil {
		t.Fatal(err)
	}
	var asked [][]string
	visibleIf := func(ok func(w string) bool) search.Visible {
		asked = nil
		return func(words []string) ([]bool, error) {
			asked = append(asked, words)
			out := make([]bool, len(words))
			for i, w := range words {
				out[i] = ok(w)
			}
			return out, nil
		}
	}
	got, err := v.CompleteFor("w", 10, visibleIf(func(string) bool { return true }))
	if err != nil || !reflect.DeepEqual(got, best[:10]) || len(asked) != 1 || len(asked[0]) != 10 {
		t.Errorf("all visible: %v (asked %v), want %v in one question of 10", got, asked, best[:10])
	}
	odd := func(w string) bool { n, _ := strconv.Atoi(w[1:]); return n%2 == 1 }
	got, _ = v.CompleteFor("w", 10, visibleIf(odd))
	var want []string
	for _, w := range best {
		if odd(w) && len(want) < 10 {
			want = append(want, w)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("odd words visible: %v, want %v", got, want)
	}
	n := 0
	got, _ = v.CompleteFor("w", 10, visibleIf(func(string) bool { return false }))
	for _, a := range asked {
		n += len(a)
	}
	if len(got) != 0 || n != search.MaxAutocompleteChecks {
		t.Errorf("nothing visible: %v after asking about %d words, want none after %d", got, n, search.MaxAutocompleteChecks)
	}
	if got, _ := v.CompleteFor("w", 10, nil); !reflect.DeepEqual(got, best[:10]) {
		t.Errorf("unrestricted: %v, want %v", got, best[:10])
	}
}
