package search_test

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

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
	read := func(v *search.Vocab) []any {
		n, _ := v.Count()
		out := []any{n}
		for _, w := range append(words, "tag 0", "tag 1", "tag 2") {
			s, _ := v.Stats(w)
			out = append(out, w, s, v.Known(w))
		}
		c, _ := v.Complete("", 50)
		tags, _ := v.Expand(&search.Term{Field: search.FieldTag, Term: "tag"}, 10)
		out = append(out, c, tags)
		for id := 1; id <= 40; id++ {
			has, _ := v.HasDocument(id)
			counts, _ := v.ContentCounts(id)
			key, _, _ := v.KeyTerms(id, 3)
			out = append(out, has, counts, key)
		}
		return out
	}
	got, want := read(gathered), read(committed)
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
