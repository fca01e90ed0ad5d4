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

// inQ reports whether n, a top-level positive clause, goes into
// Typesense's q, which Typesense ranks by: an exact word or a phrase.
func (t translator) inQ(n search.Node) bool {
	switch n := n.(type) {
	case *search.Term:
		return n.Field != search.FieldTag && !n.Prefix && n.Pattern == "" && !t.v.TypoAllowed(n) && n.Term != ""
	case *search.Phrase:
		return len(n.Terms) > 0
	}
	return false
}

// coveredByQ reports whether q alone matches n, so it needs no filter as
// well. Typesense matches q's words exactly (no typos, no prefixes, none
// dropped), each in any of the query_by fields, and a phrase's words next
// to each other in one field. A clause on one field needs the filter, and
// so does a word with a character beyond ASCII, which Typesense may
// segment or normalise otherwise than Quire (it would match too much).
func (t translator) coveredByQ(n search.Node) bool {
	switch n := n.(type) {
	case *search.Term:
		return n.Field == search.FieldDefault && t.inQ(n) && plain(n.Term)
	case *search.Phrase:
		if n.Field != search.FieldDefault || !t.inQ(n) {
			return false
		}
		for _, w := range n.Terms {
			if !plain(w) {
				return false
			}
		}
		return true
	}
	return false
}

// plain reports whether term consists of ASCII letters, digits and dots:
// a word Typesense tokenizes exactly as Quire's analyzer does (accents are
// folded away before, so most European words are plain).
func plain(term string) bool {
	for i := 0; i < len(term); i++ {
		c := term[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return term != ""
}

// topLevel is the query's top-level clauses, which must all match.
func topLevel(root search.Node) []search.Node {
	if a, ok := root.(*search.And); ok {
		return a.Nodes
	}
	return []search.Node{root}
}

// split translates the query into Typesense's q — the exact words and
// phrases every match must contain, "*" when there are none — and
// filter_by for the rest ("" when q says everything).
func (t translator) split(root search.Node) (q, filter string) {
	var parts []string
	var rest []*fexpr
	for _, n := range topLevel(root) {
		if t.inQ(n) {
			if p, ok := n.(*search.Phrase); ok {
				parts = append(parts, `"`+strings.Join(p.Terms, " ")+`"`)
			} else {
				parts = append(parts, n.(*search.Term).Term)
			}
		}
		if !t.coveredByQ(n) {
			if nt, ok := n.(*search.Not); ok {
				rest = append(rest, t.node(nt.Node).negate())
			} else {
				rest = append(rest, t.node(n))
			}
		}
	}
	q = "*"
	if len(parts) > 0 {
		q = strings.Join(parts, " ")
	}
	switch len(rest) {
	case 0:
	case 1:
		filter = rest[0].String()
	default:
		filter = and(rest...).String()
	}
	return q, filter
}
