package search

import (
	"html"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Segment is a piece of a highlight fragment: plain text, or (Term non-nil)
// a matched word as it appears in the content with the number of its
// spelling (§9.4 `{"text":…,"term":n}`).
type Segment struct {
	Text string `json:"text"`
	Term *int   `json:"term,omitempty"`
}

// Fragment is a contiguous slice of a document's content cut into segments.
type Fragment []Segment

// Highlight limits (paperless' Whoosh settings).
const (
	HighlightMaxFragments = 3
	HighlightSurround     = 50
	HighlightMaxChars     = 200
	HighlightMaxContent   = 32768
)

// Highlighter builds highlight fragments from document content for the
// positive words of a query. Both engines use it, so fragments do not
// depend on the engine. Term numbers are shared by all Fragments calls of
// one Highlighter (paperless numbers spellings per result page); use one
// Highlighter per page. Not safe for concurrent use.
type Highlighter struct {
	m       *Matcher
	numbers map[string]int
}

// NewHighlighter returns a Highlighter for the words of q that can match
// content (default-field and content: terms and phrases, not excluded).
// typo tells which words the engine matched with typos (Vocab.TypoAllowed:
// only words not in the index), so a correctly spelt word does not light
// up its neighbours; nil treats every word that allows typos so.
func NewHighlighter(q Node, typo func(*Term) bool) *Highlighter {
	return &Highlighter{m: NewMatcher(q, FieldContent, typo), numbers: map[string]int{}}
}

// Fragments returns up to 3 fragments of content (only its first 32 768
// bytes are read) around the words the query matches, in text order; nil
// when none matches. Each fragment is a window of about 50 characters around
// its matches, at most about 200 characters; the fragments with the most
// matches are chosen.
func (h *Highlighter) Fragments(content string) []Fragment {
	if h.m.Empty() {
		return nil
	}
	content = highlightable(content)
	return h.build(content, matchesIn(content, h.m))
}

// Page returns the fragments of each of a result page's contents, as
// Fragments called on each in turn would (term numbers included), finding
// the matched words of several contents at once on the processor's cores.
func (h *Highlighter) Page(contents []string) [][]Fragment {
	out := make([][]Fragment, len(contents))
	if h.m.Empty() {
		return out
	}
	matches := make([][]Token, len(contents))
	contents = slices.Clone(contents)
	for i := range contents {
		contents[i] = highlightable(contents[i])
	}
	spread(len(contents), len(contents), func(w int) func(int) {
		m := h.m
		if w > 0 {
			m = m.clone() // a Matcher caches its answers
		}
		return func(i int) { matches[i] = matchesIn(contents[i], m) }
	})
	for i, c := range contents { // in order: term numbers are shared
		out[i] = h.build(c, matches[i])
	}
	return out
}

// highlightable is the part of content that highlights are cut from.
func highlightable(content string) string {
	if len(content) > HighlightMaxContent {
		cut := HighlightMaxContent
		for cut > 0 && !utf8.RuneStart(content[cut]) {
			cut--
		}
		content = content[:cut]
	}
	return content
}

// matchesIn returns the tokens of content that m matches.
func matchesIn(content string, m *Matcher) []Token {
	var matches []Token
	scanTokens(content, func(t Token) {
		if m.Match(t.Term) {
			matches = append(matches, t)
		}
	})
	return matches
}

// build cuts the fragments around matches out of content, numbering the
// matched spellings.
func (h *Highlighter) build(content string, matches []Token) []Fragment {
	if len(matches) == 0 {
		return nil
	}
	type frag struct{ start, end, first, last, score int }
	var frags []frag
	for i := 0; i < len(matches); {
		m := matches[i]
		start := wordStart(content, max(0, m.Start-HighlightSurround), m.Start)
		j := i + 1
		for j < len(matches) && matches[j].End-start <= HighlightMaxChars {
			j++
		}
		last := matches[j-1]
		end := wordEnd(content, min(len(content), last.End+HighlightSurround), last.End)
		frags = append(frags, frag{start: start, end: end, first: i, last: j - 1, score: j - i})
		i = j
	}
	// neighbouring windows must not overlap
	for k := 1; k < len(frags); k++ {
		if frags[k].start < frags[k-1].end {
			mid := matches[frags[k].first].Start
			if frags[k-1].end > mid {
				frags[k-1].end = mid
			}
			frags[k].start = frags[k-1].end
		}
	}
	if len(frags) > HighlightMaxFragments {
		sort.SliceStable(frags, func(a, b int) bool { return frags[a].score > frags[b].score })
		frags = frags[:HighlightMaxFragments]
		sort.Slice(frags, func(a, b int) bool { return frags[a].start < frags[b].start })
	}
	out := make([]Fragment, 0, len(frags))
	for _, f := range frags {
		var segs Fragment
		pos := f.start
		for _, m := range matches[f.first : f.last+1] {
			if m.Start > pos {
				segs = append(segs, Segment{Text: content[pos:m.Start]})
			}
			word := content[m.Start:m.End]
			n, ok := h.numbers[word]
			if !ok {
				n = len(h.numbers)
				h.numbers[word] = n
			}
			segs = append(segs, Segment{Text: word, Term: &n})
			pos = m.End
		}
		if f.end > pos {
			segs = append(segs, Segment{Text: content[pos:f.end]})
		}
		out = append(out, segs)
	}
	return out
}

// wordStart moves i forward to the start of a word (after white space), but
// not beyond limit.
func wordStart(s string, i, limit int) int {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i == 0 {
		return 0
	}
	for j := i; j < limit; {
		r, n := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) {
			return j + n
		}
		j += n
	}
	return i
}

// wordEnd moves i back to the end of a word (before white space), but not
// before limit.
func wordEnd(s string, i, limit int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	if i >= len(s) {
		return len(s)
	}
	for j := i; j > limit; {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		if unicode.IsSpace(r) {
			return j - n
		}
		j -= n
	}
	return i
}

// HTML renders fragments as paperless 1.x does for `__search_hit__`:
// fragments joined by " ... ", matched words wrapped in
// <span class="match term<n mod 5>">, text HTML-escaped.
func HTML(frags []Fragment) string {
	var b strings.Builder
	for i, f := range frags {
		if i > 0 {
			b.WriteString(" ... ")
		}
		for _, s := range f {
			if s.Term == nil {
				b.WriteString(html.EscapeString(s.Text))
				continue
			}
			b.WriteString(`<span class="match term`)
			b.WriteString(strconv.Itoa(*s.Term % 5))
			b.WriteString(`">`)
			b.WriteString(html.EscapeString(s.Text))
			b.WriteString(`</span>`)
		}
	}
	return b.String()
}

// Matcher decides whether an index term matches the positive words of a
// query in a field, with the same rules the engines apply (exact, typo
// distance, prefix, wildcard). Safe for concurrent use after creation only
// if not shared; it caches answers.
type Matcher struct {
	exact   map[string]bool
	fuzzy   []*Term
	prefix  []string
	pattern []*regexp.Regexp
	cache   map[string]bool
}

// NewMatcher collects the positive terms and phrase words of q that apply to
// field f (FieldDefault terms apply to every text field); typo as for
// NewHighlighter.
func NewMatcher(q Node, f Field, typo func(*Term) bool) *Matcher {
	m := &Matcher{exact: map[string]bool{}, cache: map[string]bool{}}
	for _, n := range PositiveTerms(q) {
		switch n := n.(type) {
		case *Term:
			if n.Field != FieldDefault && n.Field != f {
				continue
			}
			switch {
			case n.Pattern != "":
				if re, err := WildcardRegexp(n.Pattern); err == nil {
					m.pattern = append(m.pattern, re)
				}
			case n.Prefix:
				m.prefix = append(m.prefix, n.Term)
			case n.Fuzzy > 0 && (typo == nil || typo(n)):
				m.exact[n.Term] = true
				m.fuzzy = append(m.fuzzy, n)
			default:
				m.exact[n.Term] = true
			}
		case *Phrase:
			if n.Field != FieldDefault && n.Field != f {
				continue
			}
			for _, t := range n.Terms {
				m.exact[t] = true
			}
		}
	}
	return m
}

// clone returns a Matcher with the same words and a cache of its own.
func (m *Matcher) clone() *Matcher {
	c := *m
	c.cache = map[string]bool{}
	return &c
}

// Empty reports whether no term can match.
func (m *Matcher) Empty() bool {
	return len(m.exact) == 0 && len(m.prefix) == 0 && len(m.pattern) == 0
}

// Match reports whether the folded term matches.
func (m *Matcher) Match(term string) bool {
	if m.exact[term] {
		return true
	}
	if v, ok := m.cache[term]; ok {
		return v
	}
	v := false
	for _, p := range m.prefix {
		if strings.HasPrefix(term, p) {
			v = true
			break
		}
	}
	if !v {
		for _, t := range m.fuzzy {
			if WithinDistance(term, t.Term, t.Fuzzy) {
				v = true
				break
			}
		}
	}
	if !v {
		for _, re := range m.pattern {
			if re.MatchString(term) {
				v = true
				break
			}
		}
	}
	if len(m.cache) < 100000 {
		m.cache[term] = v
	}
	return v
}

// WildcardRegexp compiles a folded wildcard pattern (* any run, ? one
// character) into an anchored regular expression.
func WildcardRegexp(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pat {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// WithinDistance reports whether the Levenshtein distance (insertions,
// deletions, substitutions of runes) between a and b is at most k.
func WithinDistance(a, b string, k int) bool {
	if a == b {
		return true
	}
	if k <= 0 {
		return false
	}
	// Words are short: their runes and the two rows of the table fit in
	// buffers on the stack.
	var bufA, bufB [48]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	var rowP, rowC [49]int
	prev, cur := rowP[:0], rowC[:0]
	if len(rb)+1 > len(rowP) {
		prev, cur = make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1)
	}
	prev, cur = prev[:len(rb)+1], cur[:len(rb)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= k
}

// appendRunes appends the runes of s to buf.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
