package match

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/quirehq/quire/store"
)

func TestClassifier(t *testing.T) {
	ip := func(i int) *int { return &i }
	// Correspondents 1 (auto) and 2 (auto), 3 (not auto); tag 10 auto.
	tr := NewTrainer([]int{1, 2}, []int{5}, []int{10})
	add := func(id int, text string, corr *int, typ *int, tags ...int) {
		tr.Add(store.TrainingDocument{ID: id, Content: text, CorrespondentID: corr, DocumentTypeID: typ, TagIDs: tags})
	}
	for i := 0; i < 10; i++ {
		add(i*4+1, fmt.Sprintf("electricity bill kilowatt hours meter reading %d power company", i), ip(1), ip(5), 10)
		add(i*4+2, fmt.Sprintf("bank statement account balance transfer interest %d", i), ip(2), nil)
		add(i*4+3, fmt.Sprintf("holiday postcard beach sunshine greetings %d", i), ip(3), nil)
		add(i*4+4, fmt.Sprintf("insurance policy premium coverage claim %d", i), nil, nil)
	}
	c := tr.Classifier()
	cases := []struct {
		text string
		corr *int
		typ  *int
		tags []int
	}{
		{"your power company: meter reading and kilowatt hours", ip(1), ip(5), []int{10}},
		{"account balance after the transfer", ip(2), nil, nil},
		{"greetings from the beach", nil, nil, nil}, // correspondent 3 is not auto: "other"
		{"insurance claim", nil, nil, nil},
	}
	check := func(c *Classifier) {
		t.Helper()
		for _, cs := range cases {
			p := c.Predict(cs.text)
			if !eq(p.CorrespondentID, cs.corr) || !eq(p.DocumentTypeID, cs.typ) || !slices.Equal(p.TagIDs, cs.tags) {
				t.Errorf("%q: got %v %v %v", cs.text, show(p.CorrespondentID), show(p.DocumentTypeID), p.TagIDs)
			}
		}
	}
	check(c)
	var buf bytes.Buffer
	if err := c.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	c2, err := DecodeClassifier(&buf)
	if err != nil {
		t.Fatal(err)
	}
	check(c2)
	if c2.DataHash != c.DataHash || c.DataHash == "" {
		t.Error("data hash not kept")
	}
	// The same data hashes the same; different data differently.
	tr2 := NewTrainer([]int{1, 2}, []int{5}, []int{10})
	tr2.Add(store.TrainingDocument{ID: 1, Content: "x"})
	if tr2.DataHash() == c.DataHash {
		t.Error("different data, same hash")
	}
	var empty *Classifier
	if p := empty.Predict("anything"); p.CorrespondentID != nil || len(p.TagIDs) != 0 {
		t.Error("nil classifier predicted something")
	}
}

func eq(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func show(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
