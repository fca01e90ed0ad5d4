package typesense

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire/store/search"
)

// TestSplitFiltersOnlyWhatQCannotMatch checks which clauses of a query are
// left to Typesense's q alone and which also need filter_by.
func TestSplitFiltersOnlyWhatQCannotMatch(t *testing.T) {
	v, err := search.OpenVocab(filepath.Join(t.TempDir(), "v.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	docs := []search.Document{{ID: 1, Title: "Invoice", Content: "bank statement ελλάδα 1.5"}}
	if err := v.Apply(search.AnalyzeDocuments(docs), nil); err != nil {
		t.Fatal(err)
	}
	tr := translator{v: v}
	for _, c := range []struct {
		query, q string
		filter   []string // parts the filter must contain ("" alone: no filter)
	}{
		{"invoice bank", "invoice bank", []string{""}},
		{`"bank statement" invoice`, `"bank statement" invoice`, []string{""}},
		{"1.5", "1.5", []string{""}},
		{"invoice -bank", "invoice", []string{"t_content:!=[`bank`]"}},
		{"title:invoice bank", "invoice bank", []string{"t_title:=[`invoice`]"}},
		{"invoise", "*", []string{"t_content:=[`invoise`,`invoice`]"}}, // unknown: a typo allowed
		{"inv* bank", "bank", []string{"`invoice`"}},
		{"invoice OR bank", "*", []string{"t_content:=[`invoice`]", "||", "t_content:=[`bank`]"}},
		{"ελλάδα bank", "ελλαδα bank", []string{"t_content:=[`ελλαδα`]"}}, // beyond ASCII: filtered too
		{"tag:inbox bank", "bank", []string{"tag:=[`inbox`]"}},
	} {
		q, filter := tr.split(search.MustParse(c.query).Root)
		if q != c.q {
			t.Errorf("%q: q = %q, want %q", c.query, q, c.q)
		}
		for _, part := range c.filter {
			if part == "" && filter != "" || !strings.Contains(filter, part) {
				t.Errorf("%q: filter %q, want it to contain %q", c.query, filter, part)
			}
		}
		if strings.Contains(c.query, "bank") && !strings.Contains(c.query, "-bank") && !strings.Contains(c.query, " OR ") &&
			strings.Contains(filter, "`bank`") {
			t.Errorf("%q: filter %q also matches the exact word bank, which q matches", c.query, filter)
		}
	}
}
