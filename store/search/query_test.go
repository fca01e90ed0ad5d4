package search

import (
	"testing"
	"time"
)

func TestParseShapes(t *testing.T) {
	now := time.Date(2021, 3, 17, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		q    string
		want string
	}{
		{"bank", "*search.Term"},
		{"bank statement", "*search.And"},
		{"bank OR invoice", "*search.Or"},
		{"-bank", "*search.And"},
		{`"bank statement"`, "*search.Phrase"},
		{"created:2020", "*search.DateRange"},
		{"asn:[1 to 5]", "*search.NumberRange"},
		{"*", "*search.All"},
		{"the", "<nil>"},
	} {
		q, err := Parse(c.q, now, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if got := typeName(q.Root); got != c.want {
			t.Errorf("%q: %s, want %s", c.q, got, c.want)
		}
	}
	q, _ := Parse("statment inv* tag:Inbox", now, nil)
	a := q.Root.(*And)
	if tm := a.Nodes[0].(*Term); tm.Fuzzy != 2 || tm.Term != "statment" || q.Text[tm.Start:tm.End] != "statment" {
		t.Errorf("fuzzy term %+v", tm)
	}
	if tm := a.Nodes[1].(*Term); !tm.Prefix || tm.Term != "inv" {
		t.Errorf("prefix term %+v", tm)
	}
	if tm := a.Nodes[2].(*Term); tm.Field != FieldTag || tm.Term != "inbox" {
		t.Errorf("tag term %+v", tm)
	}
}

func typeName(n Node) string {
	switch n.(type) {
	case nil:
		return "<nil>"
	case *Term:
		return "*search.Term"
	case *Phrase:
		return "*search.Phrase"
	case *And:
		return "*search.And"
	case *Or:
		return "*search.Or"
	case *DateRange:
		return "*search.DateRange"
	case *NumberRange:
		return "*search.NumberRange"
	case *All:
		return "*search.All"
	}
	return "?"
}

func TestHTML(t *testing.T) {
	n0, n5 := 0, 5
	got := HTML([]Fragment{{{Text: "a <b> "}, {Text: "Bank", Term: &n0}}, {{Text: "x", Term: &n5}}})
	want := `a &lt;b&gt; <span class="match term0">Bank</span> ... <span class="match term0">x</span>`
	if got != want {
		t.Errorf("got %s", got)
	}
}

func TestAnalyze(t *testing.T) {
	got := Terms("Die Gebühr (1.5 EUR) für Straße, z.B. a I")
	want := []string{"die", "gebuhr", "1.5", "eur", "fur", "strasse", "z.b"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}
