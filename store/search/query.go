package search

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field is an index field a query clause is restricted to.
type Field string

// Query fields. FieldDefault searches title, content, correspondent,
// document type, notes, custom field values and tags (a tag only as a
// whole name); the field names are paperless-ngx's (notes, custom_fields).
const (
	FieldDefault       Field = ""
	FieldTitle         Field = "title"
	FieldContent       Field = "content"
	FieldCorrespondent Field = "correspondent"
	FieldType          Field = "type"
	FieldTag           Field = "tag"
	FieldASN           Field = "asn"
	FieldCreated       Field = "created"
	FieldAdded         Field = "added"
	FieldModified      Field = "modified"
	FieldNotes         Field = "notes"
	FieldCustomFields  Field = "custom_fields"
)

var fieldNames = map[string]Field{
	"title": FieldTitle, "content": FieldContent, "correspondent": FieldCorrespondent,
	"type": FieldType, "document_type": FieldType, "tag": FieldTag, "tags": FieldTag,
	"asn": FieldASN, "archive_serial_number": FieldASN,
	"created": FieldCreated, "added": FieldAdded, "modified": FieldModified,
	"notes": FieldNotes, "note": FieldNotes, "custom_fields": FieldCustomFields, "custom_field": FieldCustomFields,
}

// Query is a parsed query: the text the user typed and its syntax tree.
// The zero Query matches nothing.
type Query struct {
	Text string
	Root Node // nil matches nothing
}

// Node is a query syntax tree node: *Term, *Phrase, *And, *Or, *Not,
// *DateRange, *NumberRange or *All.
type Node interface{ node() }

// Term matches one word in Field. Term is folded (see Fold). Exactly one of
// the match modes applies: Prefix (term is a prefix, from `foo*`), Pattern
// (a folded wildcard pattern with * and ?), or exact with up to Fuzzy edits
// (Levenshtein distance; 1 from 4 letters, 2 from 8, 0 in quotes). For
// FieldTag, Term is a whole folded tag name. Start and End locate the word
// in Query.Text (for corrected_query).
type Term struct {
	Field      Field
	Term       string
	Prefix     bool
	Pattern    string
	Fuzzy      int
	Boost      float64 // 0 means 1
	Start, End int
}

// Phrase matches consecutive words in Field (stop words are skipped on both
// sides, so "bank of america" matches "bank america").
type Phrase struct {
	Field Field
	Terms []string
	Boost float64
}

// And matches documents matching every clause; clauses that are *Not
// exclude.
type And struct{ Nodes []Node }

// Or matches documents matching any clause.
type Or struct{ Nodes []Node }

// Not matches documents not matching Node.
type Not struct{ Node Node }

// DateRange matches documents whose date Field lies in [From, To); a zero
// bound is open.
type DateRange struct {
	Field    Field
	From, To time.Time
}

// NumberRange matches documents whose numeric Field (ASN) lies in
// [From, To]; nil bounds are open.
type NumberRange struct {
	Field    Field
	From, To *int
}

// All matches every document (`*`, or a query made only of exclusions).
type All struct{}

func (*Term) node()        {}
func (*Phrase) node()      {}
func (*And) node()         {}
func (*Or) node()          {}
func (*Not) node()         {}
func (*DateRange) node()   {}
func (*NumberRange) node() {}
func (*All) node()         {}

// Limits of the query parser. A query over one is a *ParseError.
const (
	MaxQueryLength = 4096 // bytes
	MaxQueryTerms  = 128
	// MaxWildcardTerms bounds the prefix and wildcard words (`inv*`,
	// `b?nk`, `tag:in*`) of one query.
	MaxWildcardTerms = 8
	// MaxWildcards bounds the `*` and `?` of one word (a run of `*`
	// counts once).
	MaxWildcards = 8
	maxDepth     = 32
)

// MaxExpansion is how many indexed words one prefix, wildcard or typo
// term expands to at most (the first in alphabetical order); so a query
// expands to at most MaxWildcardTerms × MaxExpansion words through its
// wildcards, on any index.
const MaxExpansion = 256

// MaxCorrections is how many unknown words of a query corrected_query
// looks for a close indexed word for (the first ones).
const MaxCorrections = 8

// FuzzyFor returns the edit distance allowed for a word of n letters:
// 0 below 4, 1 from 4, 2 from 8.
func FuzzyFor(term string) int {
	n := utf8.RuneCountInString(term)
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// Parse parses a query in the language paperless users type:
//
//	bank statement            all words must match (in any default field)
//	bank OR invoice           either (operators upper-case only)
//	bank NOT invoice, -invoice  exclusion (bank AND NOT invoice too)
//	"bank statement"          phrase
//	(a OR b) c                grouping
//	title:x content:x correspondent:x type:x tag:x   field-restricted (tag: whole tag name)
//	notes:x custom_fields:x   a document's notes, its custom field values ("name: value")
//	title:(a OR b)            a group restricted to a field
//	inv*  b?nk                prefix and wildcard
//	asn:123 asn:[10 to 20]    archive serial number
//	created:2020 created:2020-11 created:2020-11-30 created:20201130 created:30.11.2020
//	created:today created:yesterday created:"last week" created:"this month"
//	added:[-1 week to now] created:[2020 to 2021] modified:[2020-01-01 to]
//	word^2                    boost
//
// Words are folded like the index; stop words are dropped; words of 4 or
// more letters tolerate one typo, of 8 or more two (not in quotes, not with
// wildcards). Date words are resolved against now in loc (UTC when nil). A
// malformed query is a *ParseError; an empty query (or one of only stop
// words) parses to the zero-Root Query, which matches nothing.
func Parse(q string, now time.Time, loc *time.Location) (Query, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(q) > MaxQueryLength {
		return Query{}, &ParseError{Pos: MaxQueryLength, Message: fmt.Sprintf("the query is longer than %d characters", MaxQueryLength)}
	}
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, "\uFFFD")
	}
	p := &parser{s: q, now: now.In(loc), loc: loc}
	root, err := p.parseOr(FieldDefault, 0)
	if err != nil {
		return Query{}, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		if p.s[p.i] == ')' {
			return Query{}, p.errf("unbalanced ')' (no matching '(')")
		}
		return Query{}, p.errf("unexpected %q", p.s[p.i:p.i+1])
	}
	return Query{Text: q, Root: normalize(root)}, nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(q string) Query {
	pq, err := Parse(q, time.Now(), time.UTC)
	if err != nil {
		panic(err)
	}
	return pq
}

type parser struct {
	s         string
	i         int
	now       time.Time
	loc       *time.Location
	terms     int
	wildcards int // prefix and wildcard words so far
}

func (p *parser) errf(format string, args ...any) *ParseError {
	return &ParseError{Pos: p.i, Message: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !unicode.IsSpace(r) && r != '\u200b' && r != '\ufeff' {
			return
		}
		p.i += n
	}
}

// peekWord returns the next bare word (up to space or a delimiter).
func (p *parser) peekWord() string {
	j := p.i
	for j < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[j:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
			break
		}
		j += n
	}
	return p.s[p.i:j]
}

func (p *parser) atOperator(op string) bool {
	p.skipSpace()
	w := p.peekWord()
	return w == op
}

func (p *parser) parseOr(f Field, depth int) (Node, error) {
	if depth > maxDepth {
		return nil, p.errf("the query nests too deeply")
	}
	var nodes []Node
	first, err := p.parseAnd(f, depth)
	if err != nil {
		return nil, err
	}
	nodes = append(nodes, first)
	for p.atOperator("OR") {
		p.i += 2
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] == ')' {
			return nil, p.errf("OR needs a term after it")
		}
		n, err := p.parseAnd(f, depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return &Or{Nodes: nodes}, nil
}

func (p *parser) parseAnd(f Field, depth int) (Node, error) {
	var nodes []Node
	start := true
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] == ')' {
			break
		}
		w := p.peekWord()
		if w == "OR" {
			if start {
				return nil, p.errf("OR needs a term before it")
			}
			break
		}
		if w == "AND" {
			if start {
				return nil, p.errf("AND needs a term before it")
			}
			p.i += 3
			p.skipSpace()
			if p.i >= len(p.s) || p.s[p.i] == ')' || p.peekWord() == "OR" {
				return nil, p.errf("AND needs a term after it")
			}
			continue
		}
		start = false
		n, err := p.parseUnary(f, depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return &And{Nodes: nodes}, nil
}

func (p *parser) parseUnary(f Field, depth int) (Node, error) {
	if depth > maxDepth {
		return nil, p.errf("the query nests too deeply")
	}
	p.skipSpace()
	if w := p.peekWord(); w == "NOT" {
		p.i += 3
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] == ')' || p.peekWord() == "OR" || p.peekWord() == "AND" {
			return nil, p.errf("NOT needs a term after it")
		}
		n, err := p.parseUnary(f, depth+1)
		if err != nil {
			return nil, err
		}
		return &Not{Node: n}, nil
	}
	if p.i+1 < len(p.s) && p.s[p.i] == '-' {
		r, _ := utf8.DecodeRuneInString(p.s[p.i+1:])
		if !unicode.IsSpace(r) && r != ')' {
			p.i++
			n, err := p.parseUnary(f, depth+1)
			if err != nil {
				return nil, err
			}
			return &Not{Node: n}, nil
		}
	}
	return p.parsePrimary(f, depth)
}

func (p *parser) parsePrimary(f Field, depth int) (Node, error) {
	p.skipSpace()
	switch p.s[p.i] {
	case '(':
		open := p.i
		p.i++
		n, err := p.parseOr(f, depth+1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, &ParseError{Pos: open, Message: "unbalanced '(' (missing ')')"}
		}
		p.i++
		return n, nil
	case '"':
		start := p.i
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return p.value(f, s, true, start, p.i)
	}
	start := p.i
	w := p.peekWord()
	if k := strings.IndexByte(w, ':'); k > 0 && f == FieldDefault {
		if fld, ok := fieldNames[strings.ToLower(w[:k])]; ok {
			p.i += k + 1
			if p.i >= len(p.s) {
				return nil, p.errf("%s: needs a value", w[:k])
			}
			switch p.s[p.i] {
			case '(':
				if fld == FieldASN || isDateField(fld) {
					return nil, p.errf("%s: takes a single value or a [from to to] range", w[:k])
				}
				return p.parsePrimary(fld, depth)
			case '"':
				vs := p.i
				s, err := p.quoted()
				if err != nil {
					return nil, err
				}
				return p.value(fld, s, true, vs, p.i)
			case '[', '{':
				return p.rangeValue(fld)
			}
			vs := p.i
			v := p.peekWord()
			if v == "" {
				return nil, p.errf("%s: needs a value", w[:k])
			}
			p.i += len(v)
			if isDateField(fld) && (strings.EqualFold(v, "last") || strings.EqualFold(v, "this")) {
				// created:last week (unquoted)
				save := p.i
				p.skipSpace()
				if nw := strings.ToLower(p.peekWord()); nw == "week" || nw == "month" || nw == "year" {
					p.i += len(nw)
					v += " " + nw
				} else {
					p.i = save
				}
			}
			return p.value(fld, v, false, vs, p.i)
		}
	}
	p.i += len(w)
	return p.value(f, w, false, start, p.i)
}

func (p *parser) quoted() (string, error) {
	start := p.i
	end := strings.IndexByte(p.s[p.i+1:], '"')
	if end < 0 {
		return "", &ParseError{Pos: start, Message: "unterminated quote"}
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s, nil
}

func isDateField(f Field) bool {
	return f == FieldCreated || f == FieldAdded || f == FieldModified
}

func (p *parser) countTerm() error {
	p.terms++
	if p.terms > MaxQueryTerms {
		return p.errf("the query has more than %d terms", MaxQueryTerms)
	}
	return nil
}

// countWildcard counts a prefix or wildcard word starting at start.
func (p *parser) countWildcard(start int) error {
	p.wildcards++
	if p.wildcards > MaxWildcardTerms {
		return &ParseError{Pos: start, Message: fmt.Sprintf("the query has more than %d words with * or ?", MaxWildcardTerms)}
	}
	return nil
}

// clip shortens s to n bytes (on a rune boundary) for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// collapseStars replaces each run of '*' in pat by one.
func collapseStars(pat string) string {
	if !strings.Contains(pat, "**") {
		return pat
	}
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		if pat[i] == '*' && i > 0 && pat[i-1] == '*' {
			continue
		}
		b.WriteByte(pat[i])
	}
	return b.String()
}

var boostRE = regexp.MustCompile(`\^([0-9]+(?:\.[0-9]+)?)$`)

// value turns one word or quoted string in field f into a node (nil when it
// holds only stop words or punctuation).
func (p *parser) value(f Field, v string, quoted bool, start, end int) (Node, error) {
	if err := p.countTerm(); err != nil {
		return nil, err
	}
	boost := 0.0
	if !quoted {
		if m := boostRE.FindStringSubmatchIndex(v); m != nil {
			boost, _ = strconv.ParseFloat(v[m[2]:m[3]], 64)
			v = v[:m[0]]
		}
	}
	switch {
	case isDateField(f):
		from, to, err := p.datePeriod(v)
		if err != nil {
			return nil, &ParseError{Pos: start, Message: err.Error()}
		}
		return &DateRange{Field: f, From: from, To: to}, nil
	case f == FieldASN:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, &ParseError{Pos: start, Message: fmt.Sprintf("asn: %q is not a number", v)}
		}
		return &NumberRange{Field: f, From: &n, To: &n}, nil
	case f == FieldTag:
		name := FoldName(v)
		if !quoted && strings.HasSuffix(name, "*") && !strings.ContainsAny(strings.TrimRight(name, "*"), "*?") {
			name = strings.TrimRight(name, "*")
			if name == "" {
				return nil, nil
			}
			if err := p.countWildcard(start); err != nil {
				return nil, err
			}
			return &Term{Field: f, Term: name, Prefix: true, Boost: boost, Start: start, End: end}, nil
		}
		if name == "" {
			return nil, nil
		}
		return &Term{Field: f, Term: name, Boost: boost, Start: start, End: end}, nil
	}
	if !quoted && v == "*" {
		return &All{}, nil
	}
	if !quoted && strings.ContainsAny(v, "*?") {
		pat := Fold(strings.Trim(v, ".,;:!'`"))
		// keep only word characters and wildcards
		var b strings.Builder
		for _, r := range pat {
			if isWordRune(r) || r == '*' || r == '?' || r == '.' {
				b.WriteRune(r)
			}
		}
		pat = collapseStars(b.String())
		lit := strings.TrimRight(pat, "*")
		if lit == "" || strings.Trim(pat, "*?") == "" {
			return &All{}, nil
		}
		if n := strings.Count(pat, "*") + strings.Count(pat, "?"); n > MaxWildcards {
			return nil, &ParseError{Pos: start, Message: fmt.Sprintf("a word may hold at most %d wildcards (* or ?), %q has %d", MaxWildcards, clip(v, 40), n)}
		}
		if err := p.countWildcard(start); err != nil {
			return nil, err
		}
		if !strings.ContainsAny(lit, "*?") {
			return &Term{Field: f, Term: lit, Prefix: true, Boost: boost, Start: start, End: end}, nil
		}
		head := lit[:strings.IndexAny(lit, "*?")]
		return &Term{Field: f, Term: head, Pattern: pat, Boost: boost, Start: start, End: end}, nil
	}
	toks := Analyze(v)
	switch len(toks) {
	case 0:
		return nil, nil
	case 1:
		t := &Term{Field: f, Term: toks[0].Term, Boost: boost, Start: start, End: end}
		if !quoted {
			t.Fuzzy = FuzzyFor(t.Term)
			t.Start, t.End = start+toks[0].Start, start+toks[0].End
		}
		return t, nil
	}
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = t.Term
	}
	return &Phrase{Field: f, Terms: terms, Boost: boost}, nil
}

func (p *parser) rangeValue(f Field) (Node, error) {
	start := p.i
	end := strings.IndexAny(p.s[p.i:], "]}")
	if end < 0 {
		return nil, &ParseError{Pos: start, Message: "unterminated range (missing ']')"}
	}
	body := p.s[p.i+1 : p.i+end]
	p.i += end + 1
	if err := p.countTerm(); err != nil {
		return nil, err
	}
	if f != FieldASN && !isDateField(f) {
		return nil, &ParseError{Pos: start, Message: fmt.Sprintf("ranges work on created, added, modified and asn, not on %s", f)}
	}
	words := strings.Fields(body)
	k := -1
	for i, w := range words {
		if strings.EqualFold(w, "to") {
			k = i
			break
		}
	}
	if k < 0 {
		return nil, &ParseError{Pos: start, Message: "a range needs the form [from to to]"}
	}
	lo, hi := strings.Join(words[:k], " "), strings.Join(words[k+1:], " ")
	lo, hi = strings.Trim(lo, `"`), strings.Trim(hi, `"`)
	if f == FieldASN {
		r := &NumberRange{Field: f}
		for _, b := range []struct {
			s   string
			dst **int
		}{{lo, &r.From}, {hi, &r.To}} {
			if b.s == "" || b.s == "*" {
				continue
			}
			n, err := strconv.Atoi(b.s)
			if err != nil {
				return nil, &ParseError{Pos: start, Message: fmt.Sprintf("asn: %q is not a number", b.s)}
			}
			*b.dst = &n
		}
		return r, nil
	}
	r := &DateRange{Field: f}
	if lo != "" && lo != "*" {
		from, _, err := p.datePeriod(lo)
		if err != nil {
			return nil, &ParseError{Pos: start, Message: err.Error()}
		}
		r.From = from
	}
	if hi != "" && hi != "*" {
		_, to, err := p.datePeriod(hi)
		if err != nil {
			return nil, &ParseError{Pos: start, Message: err.Error()}
		}
		r.To = to
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return nil, &ParseError{Pos: start, Message: "the range ends before it starts"}
	}
	return r, nil
}

var relRE = regexp.MustCompile(`^([+-]?)\s*(\d{1,4})\s*(minutes?|mins?|hours?|h|days?|d|weeks?|w|months?|years?|y)(\s+ago)?$`)

// datePeriod resolves a date expression to the period it names.
func (p *parser) datePeriod(s string) (from, to time.Time, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	now, loc := p.now, p.loc
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc) }
	today := day(now)
	switch s {
	case "now":
		return now, now.Add(time.Second), nil
	case "today":
		return today, today.AddDate(0, 0, 1), nil
	case "yesterday":
		return today.AddDate(0, 0, -1), today, nil
	case "tomorrow":
		return today.AddDate(0, 0, 1), today.AddDate(0, 0, 2), nil
	case "this week", "last week":
		wd := (int(today.Weekday()) + 6) % 7 // Monday = 0
		mon := today.AddDate(0, 0, -wd)
		if s == "last week" {
			mon = mon.AddDate(0, 0, -7)
		}
		return mon, mon.AddDate(0, 0, 7), nil
	case "this month", "last month":
		m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		if s == "last month" {
			m = m.AddDate(0, -1, 0)
		}
		return m, m.AddDate(0, 1, 0), nil
	case "this year", "last year":
		y := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
		if s == "last year" {
			y = y.AddDate(-1, 0, 0)
		}
		return y, y.AddDate(1, 0, 0), nil
	}
	if m := relRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] != "+" && (m[1] == "-" || m[4] != "") {
			n = -n
		}
		var t time.Time
		switch m[3][0] {
		case 'm':
			if strings.HasPrefix(m[3], "mo") {
				t = now.AddDate(0, n, 0)
			} else {
				t = now.Add(time.Duration(n) * time.Minute)
			}
		case 'h':
			t = now.Add(time.Duration(n) * time.Hour)
		case 'd':
			t = now.AddDate(0, 0, n)
		case 'w':
			t = now.AddDate(0, 0, 7*n)
		case 'y':
			t = now.AddDate(n, 0, 0)
		}
		if t.After(now) {
			return now, t, nil
		}
		return t, now.Add(time.Second), nil
	}
	for _, l := range []struct {
		layout string
		unit   int // 0 year, 1 month, 2 day
	}{{"2006", 0}, {"2006-01", 1}, {"200601", 1}, {"2006-01-02", 2}, {"20060102", 2}, {"02.01.2006", 2}, {"2.1.2006", 2}, {"2006/01/02", 2}, {"01.2006", 1}} {
		t, e := time.ParseInLocation(l.layout, s, loc)
		if e != nil {
			continue
		}
		switch l.unit {
		case 0:
			return t, t.AddDate(1, 0, 0), nil
		case 1:
			return t, t.AddDate(0, 1, 0), nil
		default:
			return t, t.AddDate(0, 0, 1), nil
		}
	}
	if t, e := time.ParseInLocation("2006-01-02T15:04:05", s, loc); e == nil {
		return t, t.Add(time.Second), nil
	}
	if t, e := time.Parse(time.RFC3339, strings.ToUpper(s)); e == nil {
		return t, t.Add(time.Second), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%q is not a date (try 2020, 2020-11, 2020-11-30, today, yesterday, \"last week\", -1 week, now)", s)
}

// normalize flattens nested And/Or, removes nil clauses and gives an And of
// only exclusions an All clause to exclude from.
func normalize(n Node) Node {
	switch n := n.(type) {
	case nil:
		return nil
	case *And:
		var out []Node
		pos := false
		for _, c := range n.Nodes {
			if nt, ok := c.(*Not); ok {
				inner := normalize(nt.Node)
				if a, ok := inner.(*And); ok && len(a.Nodes) == 2 {
					if _, all := a.Nodes[0].(*All); all {
						if dn, ok := a.Nodes[1].(*Not); ok {
							inner = nil
							out = append(out, dn.Node) // double negation
							pos = true
						}
					}
				}
				if inner != nil {
					out = append(out, &Not{Node: inner})
				}
				continue
			}
			c = normalize(c)
			if c == nil {
				continue
			}
			if a, ok := c.(*And); ok {
				out = append(out, a.Nodes...)
				pos = true
				continue
			}
			if _, ok := c.(*Not); !ok {
				pos = true
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil
		}
		if !pos {
			out = append([]Node{&All{}}, out...)
		}
		if len(out) == 1 {
			return out[0]
		}
		return &And{Nodes: out}
	case *Or:
		var out []Node
		for _, c := range n.Nodes {
			c = normalize(c)
			if c == nil {
				continue
			}
			if o, ok := c.(*Or); ok {
				out = append(out, o.Nodes...)
				continue
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil
		}
		if len(out) == 1 {
			return out[0]
		}
		return &Or{Nodes: out}
	case *Not:
		return normalize(&And{Nodes: []Node{n}})
	}
	return n
}

// Walk calls fn for n and every node below it, parents first; when fn
// returns false for a node its children are skipped.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *And:
		for _, c := range n.Nodes {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range n.Nodes {
			Walk(c, fn)
		}
	case *Not:
		Walk(n.Node, fn)
	}
}

// PositiveTerms returns the term and phrase leaves that can make a document
// match (everything not under a Not), for highlighting.
func PositiveTerms(n Node) []Node {
	var out []Node
	Walk(n, func(n Node) bool {
		switch n.(type) {
		case *Not:
			return false
		case *Term, *Phrase:
			out = append(out, n)
		}
		return true
	})
	return out
}
