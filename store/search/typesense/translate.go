package typesense

import (
	"fmt"
	"slices"
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
	// posLacks and negLacks, when set, stand for the leaf form "the content
	// holds none of these words", which filter_by cannot say of a string
	// field: resolve turns it into the documents that qualify.
	posLacks, negLacks []string
}

func leaf(pos, neg string) *fexpr { return &fexpr{pos: pos, neg: neg} }

var (
	matchAll  = leaf("doc_id:>=0", "doc_id:<0")
	matchNone = leaf("doc_id:<0", "doc_id:>=0")
)

func (f *fexpr) negate() *fexpr {
	if f.op == 0 {
		return &fexpr{pos: f.neg, neg: f.pos, posLacks: f.negLacks, negLacks: f.posLacks}
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
		// Typesense counts parentheses against its bound on a filter's
		// tokens (maxFilterTokens), so a leaf goes without.
		if k.op == 0 || len(k.kids) == 1 && k.kids[0].op == 0 {
			parts[i] = k.String()
		} else {
			parts[i] = "(" + k.String() + ")"
		}
	}
	return strings.Join(parts, sep)
}

// maxFilterTokens is the most tokens (conditions, operators and
// parentheses) Typesense 0.24 accepts in one filter_by; beyond it refuses
// the search ("Filter expression is not valid").
const maxFilterTokens = 100

// filterTokens counts the tokens of a rendered filter as Typesense does.
func filterTokens(filter string) int {
	if filter == "" {
		return 0
	}
	ops := strings.Count(filter, " && ") + strings.Count(filter, " || ")
	return 2*ops + 1 + strings.Count(filter, "(") + strings.Count(filter, ")")
}

// resolve gives each leaf that stands for the content lacking some words
// its filter: lacking returns the filter matching the documents whose
// content holds none of them.
func (f *fexpr) resolve(lacking func(words []string) (string, error)) error {
	if f.op == 0 {
		if f.posLacks != nil {
			pos, err := lacking(f.posLacks)
			if err != nil {
				return err
			}
			f.pos, f.posLacks = pos, nil
		}
		return nil
	}
	for _, k := range f.kids {
		if err := k.resolve(lacking); err != nil {
			return err
		}
	}
	return nil
}

// lacks reports whether f has a leaf standing for the content lacking
// words, yet to be resolved.
func (f *fexpr) lacks() bool {
	if f.op == 0 {
		return f.posLacks != nil
	}
	return slices.ContainsFunc(f.kids, (*fexpr).lacks)
}

func and(kids ...*fexpr) *fexpr { return &fexpr{op: '&', kids: kids} }
func or(kids ...*fexpr) *fexpr  { return &fexpr{op: '|', kids: kids} }

type translator struct {
	v *search.Vocab
	// cx is the array of the content's words that are not plain: t_cx,
	// or t_content (all of them) in a collection of layout 1, which
	// serves searches while a rebuild after an upgrade fills its successor
	cx string
	// x remembers the terms expanded so far (nil: none kept, no bound).
	x *expansions
	// notes is set for a collection with notes and custom field text
	// (layout 3 on)
	notes bool
}

// expansions are a query's expanded terms. Expanding a typo scans the
// whole vocabulary, so a query expands at most maxExpandedTerms terms;
// over marks one that needed more (Search refuses it).
type expansions struct {
	words map[*search.Term][]string
	over  bool
}

// maxExpandedTerms bounds the prefix, wildcard and typo terms of one query
// (more would not fit in a filter anyway: see maxFilterTokens).
const maxExpandedTerms = 24

// expanded returns the indexed words a prefix, wildcard or typo term n
// expands to, each term's once per query.
func (t translator) expanded(n *search.Term) []string {
	if t.x == nil {
		ws, _ := t.v.Expand(n, maxExpansion)
		return ws
	}
	if ws, ok := t.x.words[n]; ok {
		return ws
	}
	if len(t.x.words) >= maxExpandedTerms {
		t.x.over = true
		return []string{n.Term}
	}
	ws, _ := t.v.Expand(n, maxExpansion)
	t.x.words[n] = ws
	return ws
}

// translatorOf translates queries for collection c.
func (e *Engine) translatorOf(c *coll) translator {
	layout := e.layoutOf(c.name)
	if layout < 2 {
		return translator{v: c.vocab, cx: "t_content", x: &expansions{words: map[*search.Term][]string{}}}
	}
	return translator{v: c.vocab, cx: "t_cx", x: &expansions{words: map[*search.Term][]string{}}, notes: layout >= 3}
}

// maxExpansion caps the words a prefix, wildcard or typo expands to.
const maxExpansion = search.MaxExpansion

// tokenFields returns the fields a word of query field f is filtered in
// (none: a field the collection lacks).
func (t translator) tokenFields(f search.Field) []string {
	switch f {
	case search.FieldTitle:
		return []string{"t_title"}
	case search.FieldContent:
		return []string{"content"}
	case search.FieldCorrespondent:
		return []string{"t_corr"}
	case search.FieldType:
		return []string{"t_type"}
	case search.FieldNotes, search.FieldCustomFields:
		if !t.notes {
			return nil
		}
		if f == search.FieldNotes {
			return []string{"t_notes"}
		}
		return []string{"t_cf"}
	}
	if t.notes {
		// t_meta holds the words of every field but the content: one
		// condition instead of five keeps a filter within Typesense's
		// bound (maxFilterTokens)
		return []string{"t_meta", "content"}
	}
	return []string{"t_title", "content", "t_corr", "t_type"}
}

// words matches any of the words in any of the fields.
func (t translator) words(fields []string, ws []string) *fexpr {
	if len(ws) == 0 || len(fields) == 0 {
		return matchNone
	}
	var kids []*fexpr
	for _, f := range fields {
		if f == "content" {
			kids = append(kids, t.contentWords(ws)...)
			continue
		}
		l := quoteList(ws)
		kids = append(kids, leaf(f+":="+l, f+":!="+l))
	}
	return or(kids...)
}

// contentWords matches any of the words ws in the content. The content has
// no word array (it would cost a third of the indexing speed): a plain word
// is filtered in the string field itself, which Typesense splits into the
// same words, and the rest in t_cx, the array of the content's words that
// are not plain.
func (t translator) contentWords(ws []string) []*fexpr {
	var p, x []string
	for _, w := range ws {
		if plain(w) {
			p = append(p, w)
		} else {
			x = append(x, w)
		}
	}
	var kids []*fexpr
	if len(p) > 0 {
		kids = append(kids, &fexpr{pos: "content:" + quoteList(p), negLacks: p})
	}
	if len(x) > 0 {
		l := quoteList(x)
		kids = append(kids, leaf(t.cx+":="+l, t.cx+":!="+l))
	}
	return kids
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
		for _, f := range t.tokenFields(n.Field) {
			var all []*fexpr
			for _, w := range n.Terms {
				all = append(all, t.words([]string{f}, []string{w}))
			}
			kids = append(kids, and(all...))
		}
		if len(kids) == 0 {
			return matchNone
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
			return t.words([]string{"tag"}, t.expanded(n))
		}
		return t.words([]string{"tag"}, []string{n.Term})
	}
	e := t.words(t.tokenFields(n.Field), t.expand(n))
	if n.Field == search.FieldDefault && n.Pattern == "" && !n.Prefix {
		return or(e, t.words([]string{"tag"}, []string{n.Term}))
	}
	return e
}

// expand returns the words a term of a text field matches: itself, or
// those a prefix, wildcard or typo expands to.
func (t translator) expand(n *search.Term) []string {
	if n.Prefix || n.Pattern != "" || t.v.TypoAllowed(n) {
		return t.expanded(n)
	}
	return []string{n.Term}
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
	case *search.All:
		return true
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

// exclude translates NOT n, a clause of the top level, into q's
// exclusions ("-word", '-"a phrase"') where q can say it, and a filter for
// the rest of it. q excludes exactly the words and phrases coveredByQ
// would let it match, and the plain words a prefix, wildcard or typo of
// the default field expands to — but those that name a tag: q's
// exclusions look at one-word tags too (tagq), and such a term matches no
// tags. ok is false when q can say none of it: a field's word (q looks at
// every field) or a phrase of one word (q would look at the tags).
func (t translator) exclude(n search.Node) (q []string, filter *fexpr, ok bool) {
	switch n := n.(type) {
	case *search.Phrase:
		if len(n.Terms) < 2 || !t.coveredByQ(n) {
			return nil, nil, false
		}
		return []string{"-" + qForm(n)}, nil, true
	case *search.Term:
		if n.Field != search.FieldDefault || n.Term == "" {
			return nil, nil, false
		}
		if t.inQ(n) {
			// an exact word, whose tags the NOT excludes too (a tag
			// named as a plain word is in tagq: that word is its only
			// word)
			if plain(n.Term) {
				return []string{"-" + n.Term}, nil, true
			}
			return nil, t.term(n).negate(), true
		}
		// (a word allowed a typo is unknown, a tag name included: its
		// tags are none)
		ws := t.expand(n)
		named := t.v.TagNames(ws)
		var rest []string
		for _, w := range ws {
			if plain(w) && !named[w] {
				q = append(q, "-"+w)
			} else {
				rest = append(rest, w)
			}
		}
		if len(rest) > 0 {
			filter = t.words(t.tokenFields(search.FieldDefault), rest).negate()
		}
		return q, filter, true
	}
	return nil, nil, false
}

// clauses returns the query's top-level clauses, which must all match:
// nested ANDs are flattened, and NOT (a OR b) is NOT a, NOT b.
func clauses(n search.Node) []search.Node {
	switch n := n.(type) {
	case *search.And:
		var out []search.Node
		for _, c := range n.Nodes {
			out = append(out, clauses(c)...)
		}
		return out
	case *search.Not:
		switch c := n.Node.(type) {
		case *search.Or:
			var out []search.Node
			for _, o := range c.Nodes {
				out = append(out, clauses(&search.Not{Node: o})...)
			}
			return out
		case *search.Not:
			return clauses(c.Node)
		}
	}
	return []search.Node{n}
}

// tsQuery is a query translated for Typesense.
type tsQuery struct {
	// q holds the exact words and phrases every match must contain and,
	// each with a "-", those none may; "*" when there are none.
	q      string
	ranked bool   // q holds words to rank by
	filter *fexpr // the rest, nil when q says everything
	// scope, when filter needs documents lacking words, is a filter that
	// every match satisfies: only documents within it need be listed.
	scope *fexpr
}

// split translates the query into Typesense's q and a filter_by for the
// clauses q cannot match alone.
func (t translator) split(root search.Node) tsQuery {
	var parts, excluded []string
	var rest []*fexpr
	var inQ []search.Node
	for _, n := range clauses(root) {
		if nt, ok := n.(*search.Not); ok {
			if ex, f, ok := t.exclude(nt.Node); ok {
				excluded = append(excluded, ex...)
				if f != nil {
					rest = append(rest, f)
				}
				continue
			}
		}
		if t.inQ(n) {
			parts = append(parts, qForm(n))
			inQ = append(inQ, n)
		}
		if !t.coveredByQ(n) {
			if nt, ok := n.(*search.Not); ok {
				rest = append(rest, t.node(nt.Node).negate())
			} else {
				rest = append(rest, t.node(n))
			}
		}
	}
	out := tsQuery{q: "*", ranked: len(parts) > 0}
	if all := append(parts, excluded...); len(all) > 0 {
		out.q = strings.Join(all, " ")
	}
	switch len(rest) {
	case 0:
	case 1:
		out.filter = rest[0]
	default:
		out.filter = and(rest...)
	}
	if out.filter != nil && out.filter.lacks() {
		// every match satisfies q's words (their words as a filter, if
		// not next to each other) and the rest's other clauses
		var scope []*fexpr
		for _, n := range inQ {
			scope = append(scope, t.node(n))
		}
		for _, f := range rest {
			if !f.lacks() {
				scope = append(scope, f)
			}
		}
		if len(scope) > 0 {
			out.scope = and(scope...)
		}
	}
	return out
}

// qForm is a word or phrase as q writes it.
func qForm(n search.Node) string {
	if p, ok := n.(*search.Phrase); ok {
		return `"` + strings.Join(p.Terms, " ") + `"`
	}
	return n.(*search.Term).Term
}
