package bleve

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/quirehq/quire/store/search"
)

// mapped is a document as bleve's mapping sees it: the reference that
// builder must match.
func mapped(d search.Document) map[string]any {
	m := map[string]any{
		fTitle: d.Title, fContent: d.Content, fCorr: d.Correspondent, fType: d.DocumentType,
		fID: float64(d.ID), fCreated: d.Created.UTC(), fAdded: d.Added.UTC(), fModified: d.Modified.UTC(),
		fSTitle: search.FoldName(d.Title),
	}
	if d.CorrespondentID != nil {
		m[fCorrID] = strconv.Itoa(*d.CorrespondentID)
		m[fSCorr] = search.FoldName(d.Correspondent)
	} else {
		m[fCorrID] = none
	}
	if d.DocumentTypeID != nil {
		m[fTypeID] = strconv.Itoa(*d.DocumentTypeID)
		m[fSType] = search.FoldName(d.DocumentType)
	} else {
		m[fTypeID] = none
	}
	if len(d.TagIDs) > 0 {
		ids := make([]string, len(d.TagIDs))
		for i, t := range d.TagIDs {
			ids[i] = strconv.Itoa(t)
		}
		m[fTagID] = ids
		m[fTagged] = "1"
	} else {
		m[fTagged] = "0"
	}
	var names []string
	for _, t := range d.Tags {
		if n := search.FoldName(t); n != "" {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		m[fTag] = names
	}
	if d.ASN != nil {
		m[fASN] = float64(*d.ASN)
	}
	if len(d.ACL) > 0 {
		m[fACL] = d.ACL
	}
	if len(d.CustomFieldIDs) > 0 {
		ids := make([]string, len(d.CustomFieldIDs))
		for i, id := range d.CustomFieldIDs {
			ids[i] = strconv.Itoa(id)
		}
		m[fCFID] = ids
	}
	// (one value each: the builder indexes several as one text with a
	// position gap between them, which the mapping cannot say)
	if len(d.Notes) > 0 {
		m[fNotes] = search.JoinValues(d.Notes)
	}
	if len(d.CustomFields) > 0 {
		m[fCustom] = search.JoinValues(d.CustomFields)
	}
	return m
}

type fieldState struct {
	options index.FieldIndexingOptions
	value   string
	length  int
	freqs   string
}

// canonical writes token frequencies with their locations in term order
// (nil and empty array positions alike: bleve treats them so).
func canonical(tf index.TokenFrequencies) string {
	terms := slices.Sorted(maps.Keys(tf))
	var b strings.Builder
	for _, term := range terms {
		f := tf[term]
		fmt.Fprintf(&b, "%s(%s)×%d:", term, f.Term, f.Frequency())
		for _, l := range f.Locations {
			fmt.Fprintf(&b, " %q%v@%d[%d,%d]", l.Field, append([]uint64{}, l.ArrayPositions...), l.Position, l.Start, l.End)
		}
		b.WriteString("; ")
	}
	return b.String()
}

// analysedFields analyses doc's fields as scorch does and keys them by name and
// array positions (the order of fields in a document is not significant).
func analysedFields(doc *document.Document) map[string]fieldState {
	out := map[string]fieldState{}
	doc.VisitFields(func(f index.Field) {
		if f.Name() == "_id" {
			return
		}
		f.Analyze()
		out[fmt.Sprint(f.Name(), f.ArrayPositions())] = fieldState{f.Options(), string(f.Value()), f.AnalyzedLength(), canonical(f.AnalyzedTokenFrequencies())}
	})
	return out
}

// atShifts is what the mapping makes of a numeric or date field, kept to
// the terms at shifts (trieField's subset of bleve's precision shifts).
func atShifts(t *testing.T, doc *document.Document, name string, w fieldState, shifts []uint) fieldState {
	t.Helper()
	doc.VisitFields(func(f index.Field) {
		if f.Name() != name {
			return
		}
		kept := index.TokenFrequencies{}
		for term, tf := range f.AnalyzedTokenFrequencies() {
			if s, err := numeric.PrefixCoded(term).Shift(); err == nil && slices.Contains(shifts, s) {
				kept[term] = tf
			}
		}
		if len(kept) != len(shifts) {
			t.Fatalf("field %s: the mapping indexes %d of the shifts %v", name, len(kept), shifts)
		}
		w.length, w.freqs = len(shifts), canonical(kept)
	})
	return w
}

// TestBuilderMatchesMapping checks that documents built by hand index
// exactly as bleve's mapping would index them: the same fields, options,
// stored values, and terms with their frequencies and positions (numbers
// and dates: the mapping's terms at trieField's shifts).
func TestBuilderMatchesMapping(t *testing.T) {
	im := indexMapping()
	at := time.Date(2021, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	seven, three, asn := 7, 3, 42
	docs := []search.Document{
		{ID: 1, Title: "Invoice 2021", Content: "Rechnung für Straße 12.5 — Müller & Søn, the invoice: é", Created: at, Added: at, Modified: at},
		{ID: 2, Title: "Ünïcödé Title", Content: "", Correspondent: "ACME Gmbh", CorrespondentID: &seven,
			DocumentType: "Bill of Lading", DocumentTypeID: &three, TagIDs: []int{4, 9}, Tags: []string{"Tax 2021", "  "},
			ASN: &asn, Created: at, Added: at.Add(time.Hour), Modified: at.Add(2 * time.Hour),
			ACL: []string{"u7", "g3", "u9"}, Notes: []string{"Call the Landlord — tomorrow!"}, CustomFields: []string{"Contract: K-4711"},
			CustomFieldIDs: []int{4, 9}},
		{ID: 30, Title: "", Content: "word word word other\nzwölf x 1.5 z.B.", Tags: []string{"Inbox"}, TagIDs: []int{1},
			Created: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ACL: []string{"public"}},
	}
	analysed := search.AnalyzeDocuments(docs)
	for i, d := range docs {
		want := document.NewDocument(docID(d.ID))
		if err := im.MapDocument(want, mapped(d)); err != nil {
			t.Fatal(err)
		}
		got, exp := analysedFields(build.document(analysed[i])), analysedFields(want)
		for name, shifts := range map[string][]uint{fID: idShifts, fCreated: dateShifts, fAdded: dateShifts, fModified: dateShifts} {
			if w, ok := exp[name+"[]"]; ok {
				exp[name+"[]"] = atShifts(t, want, name, w, shifts)
			}
		}
		if len(got) != len(exp) {
			t.Errorf("document %d: %d fields built, the mapping makes %d", d.ID, len(got), len(exp))
		}
		for k, w := range exp {
			g, ok := got[k]
			if !ok {
				t.Errorf("document %d: field %s missing", d.ID, k)
				continue
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("document %d: field %s\n got %+v\nwant %+v", d.ID, k, g, w)
			}
		}
	}
}
