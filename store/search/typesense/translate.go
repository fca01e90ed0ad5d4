package typesense

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/quirehq/quire/store/search"
)

// fexpr is a filter_by expression that can be negated (filter_by has no
// NOT: negation is pushed down to the leaves with De Morgan's laws).
type fexpr struct {
	op       byte // '&', '|', or 0 for a leaf
	kids     []*fexpr
	pos, neg string // leaf forms
}

func leaf(pos, neg string) *fexpr { return &fexpr{pos: pos, neg: neg} }

var (
	matchAll  = leaf("doc_id:>=0", "doc_id:<0")
	matchNone = leaf("doc_id:<0", "doc_id:>=0")
)

func (f *fexpr) negate() *fexpr {
	if f.op == 0 {
		return leaf(f.neg, f.pos)
	}
	out := &fexpr{op: '&'}
	if f.op == '&' {
		out.op = '|'
	}
	for _, k := range f.kids {
		out.kids = append(out.kids, k.negate())
	}
	return out
}

func (f *fexpr) String() string {
	if f.op == 0 {
		return f.pos
	}
	if len(f.kids) == 1 {
		return f.kids[0].String()
	}
	sep := " && "
	if f.op == '|' {
		sep = " || "
	}
	parts := make([]string, len(f.kids))
	for i, k := range f.kids {
		parts[i] = "(" + k.String() + ")"
	}
	return strings.Join(parts, sep)
}

func and(kids ...*fexpr) *fexpr { return &fexpr{op: '&', kids: kids} }
func or(kids ...*fexpr) *fexpr  { return &fexpr{op: '|', kids: kids} }

type translator struct{ v *search.Vocab }

// maxExpansion caps the words a prefix, wildcard or typo expands to.
const maxExpansion = 256

func tokenFields(f search.Field) []string {
	switch f {
	case search.FieldTitle:
		return []string{"t_title"}
	case search.FieldContent:
		return []string{"t_content"}
	case search.FieldCorrespondent:
		return []string{"t_corr"}
	case search.FieldType:
		return []string{"t_type"}
	}
	return []string{"t_title", "t_content", "t_corr", "t_type"}
}

// words matches any of the words in any of the fields.
func words(fields []string, ws []string) *fexpr {
	if len(ws) == 0 {
		return matchNone
	}
	l := quoteList(ws)
	var kids []*fexpr
	for _, f := range fields {
		kids = append(kids, leaf(f+":="+l, f+":!="+l))
	}
	return or(kids...)
}

func (t translator) node(n search.Node) *fexpr {
	switch n := n.(type) {
	case *search.All:
		return matchAll
	case *search.Term:
		return t.term(n)
	case *search.Phrase:
		// adjacency is only checked through q (top-level phrases)
		var kids []*fexpr
		for _, f := range tokenFields(n.Field) {
			var all []*fexpr
			for _, w := range n.Terms {
				all = append(all, words([]string{f}, []string{w}))
			}
			kids = append(kids, and(all...))
		}
		return or(kids...)
	case *search.And:
		var kids []*fexpr
		for _, c := range n.Nodes {
			if nt, ok := c.(*search.Not); ok {
				kids = append(kids, t.node(nt.Node).negate())
				continue
			}
			kids = append(kids, t.node(c))
		}
		return and(kids...)
	case *search.Or:
		var kids []*fexpr
		for _, c := range n.Nodes {
			kids = append(kids, t.node(c))
		}
		return or(kids...)
	case *search.Not:
		return t.node(n.Node).negate()
	case *search.DateRange:
		var kids []*fexpr
		if !n.From.IsZero() {
			kids = append(kids, leaf(fmt.Sprintf("%s:>=%d", n.Field, n.From.UnixMilli()), fmt.Sprintf("%s:<%d", n.Field, n.From.UnixMilli())))
		}
		if !n.To.IsZero() {
			kids = append(kids, leaf(fmt.Sprintf("%s:<%d", n.Field, n.To.UnixMilli()), fmt.Sprintf("%s:>=%d", n.Field, n.To.UnixMilli())))
		}
		if len(kids) == 0 {
			return matchAll
		}
		return and(kids...)
	case *search.NumberRange:
		kids := []*fexpr{leaf("asn_f:>=0", "asn_f:<0")}
		if n.From != nil {
			kids = append(kids, leaf("asn_f:>="+strconv.Itoa(*n.From), "asn_f:<"+strconv.Itoa(*n.From)))
		}
		if n.To != nil {
			kids = append(kids, leaf("asn_f:<="+strconv.Itoa(*n.To), "asn_f:>"+strconv.Itoa(*n.To)))
		}
		return and(kids...)
	}
	return matchNone
}

func (t translator) term(n *search.Term) *fexpr {
	if n.Field == search.FieldTag {
		if n.Prefix {
			ws, _ := t.v.Expand(n, maxExpansion)
			return words([]string{"tag"}, ws)
		}
		return words([]string{"tag"}, []string{n.Term})
	}
	var ws []string
	if n.Prefix || n.Pattern != "" || t.v.TypoAllowed(n) {
		ws, _ = t.v.Expand(n, maxExpansion)
	} else {
		ws = []string{n.Term}
	}
	fields := tokenFields(n.Field)
	e := words(fields, ws)
	if n.Field == search.FieldDefault && n.Pattern == "" && !n.Prefix {
		e.kids = append(e.kids, words([]string{"tag"}, []string{n.Term}).kids...)
	}
	return e
}

// queryText is Typesense's q: the exact words and phrases every match must
// contain (top-level, positive), which Typesense ranks by; "*" when there
// are none.
func (t translator) queryText(root search.Node) string {
	var parts []string
	add := func(n search.Node) {
		switch n := n.(type) {
		case *search.Term:
			if n.Field == search.FieldTag || n.Prefix || n.Pattern != "" || t.v.TypoAllowed(n) {
				return
			}
			parts = append(parts, n.Term)
		case *search.Phrase:
			parts = append(parts, `"`+strings.Join(n.Terms, " ")+`"`)
		}
	}
	if a, ok := root.(*search.And); ok {
		for _, c := range a.Nodes {
			add(c)
		}
	} else {
		add(root)
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, " ")
}
