package search

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is one indexed word: Term is its folded form, Start and End are byte
// offsets of the original spelling in the analysed text, Pos its position
// among the kept tokens (stop words leave no gap, so "bank of america"
// matches the phrase "bank america" on both engines).
type Token struct {
	Term       string
	Start, End int
	Pos        int
}

// MaxTokenRunes is the longest word that is indexed; longer runs (OCR noise,
// base64) are skipped.
const MaxTokenRunes = 64

// stopWords are Whoosh's English stop words (paperless' analyzer).
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be by can for from have if in is it may not of on or
		tbd that the this to us we when will with yet you your`) {
		if len(w) > maxStopWordLen {
			panic("stop word longer than maxStopWordLen: " + w)
		}
		stopWords[w] = true
	}
}

// maxStopWordLen is the longest stop word's length in bytes.
const maxStopWordLen = 4

// IsStopWord reports whether a folded word is dropped by Analyze.
func IsStopWord(term string) bool { return stopWords[term] }

// Analyze splits text into index tokens like paperless' (Whoosh) standard
// analyzer, plus accent folding: a token is a run of letters and digits,
// where a dot between two such characters stays inside (1.5, z.B); it is
// lower-cased and folded (é→e, ß→ss, æ→ae), and stop words, 1-character
// tokens and tokens longer than MaxTokenRunes are dropped. Both engines
// index these terms, so both tokenize alike.
func Analyze(text string) []Token {
	if text == "" {
		return nil
	}
	out := make([]Token, 0, len(text)/8+1) // OCR text averages a word per 7–8 bytes
	scanTokens(text, func(t Token) { out = append(out, t) })
	return out
}

// scanTokens calls yield with each token Analyze returns, in order,
// without collecting them.
func scanTokens(text string, yield func(Token)) {
	pos := 0
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		i += n
		for i < len(text) {
			r, n = utf8.DecodeRuneInString(text[i:])
			if isWordRune(r) {
				i += n
				continue
			}
			if r == '.' && i+1 < len(text) {
				r2, _ := utf8.DecodeRuneInString(text[i+1:])
				if isWordRune(r2) {
					i += n
					continue
				}
			}
			break
		}
		word := text[start:i]
		term := Fold(word)
		if n := utf8.RuneCountInString(term); n < 2 || n > MaxTokenRunes || (len(term) <= maxStopWordLen && stopWords[term]) {
			continue
		}
		yield(Token{Term: term, Start: start, End: i, Pos: pos})
		pos++
	}
}

// Analyzed is a document with its text fields analysed: done once per
// write and shared by the engine's index and the word statistics.
type Analyzed struct {
	Document
	TitleTokens, ContentTokens, CorrespondentTokens, TypeTokens []Token
	// NotesTokens and CustomTokens are the tokens of Notes and
	// CustomFields, whose values are joined by "\n" (Start and End are
	// offsets in the joined text); positions leave a gap of ValueGap
	// between two values, so a phrase never spans two notes.
	NotesTokens, CustomTokens []Token
}

// ValueGap is the position gap between two values of a many-valued text
// field (notes, custom fields).
const ValueGap = 100

// JoinValues is the text a many-valued field is indexed as: its values
// joined by "\n".
func JoinValues(vs []string) string { return strings.Join(vs, "\n") }

// AnalyzeValues analyses the values of a many-valued text field as
// Analyze does the text JoinValues makes of them, with a position gap
// of ValueGap between two values.
func AnalyzeValues(vs []string) []Token {
	var out []Token
	off, pos := 0, 0
	for _, v := range vs {
		n := 0
		scanTokens(v, func(t Token) {
			t.Start += off
			t.End += off
			t.Pos += pos
			out = append(out, t)
			n++
		})
		off += len(v) + 1
		if n > 0 {
			pos = out[len(out)-1].Pos + ValueGap
		}
	}
	return out
}

// AnalyzeDocuments analyses docs, spreading them over the processor's cores.
func AnalyzeDocuments(docs []Document) []Analyzed {
	out := make([]Analyzed, len(docs))
	one := func(i int) {
		d := docs[i]
		out[i] = Analyzed{Document: d, TitleTokens: Analyze(d.Title), ContentTokens: Analyze(d.Content),
			CorrespondentTokens: Analyze(d.Correspondent), TypeTokens: Analyze(d.DocumentType),
			NotesTokens: AnalyzeValues(d.Notes), CustomTokens: AnalyzeValues(d.CustomFields)}
	}
	spread(len(docs), len(docs)/16, func(int) func(int) { return one })
	return out
}

// spread calls, for each i in [0, n), a function that worker(w) returned,
// sharing the i out among up to workers goroutines, one per core (on this
// goroutine, worker 0 alone, when that leaves fewer than two). A worker
// may hold state of its own; its function is called by one goroutine.
func spread(n, workers int, worker func(w int) func(i int)) {
	workers = min(runtime.GOMAXPROCS(0), workers, n)
	if workers < 2 {
		do := worker(0)
		for i := range n {
			do(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		do := worker(w)
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}

// TermsOf returns the terms of analysed tokens.
func TermsOf(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

// Terms returns the folded terms of Analyze(text).
func Terms(text string) []string {
	return TermsOf(Analyze(text))
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

var foldSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// Fold lower-cases s and removes diacritics (NFD, drop combining marks),
// with a few letters that do not decompose spelt out (ß→ss, ø→o). It is
// how both the index and queries compare words. ASCII and the Latin-1 and
// Latin Extended-A/B letters go through a table; anything else takes the
// general path.
func Fold(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s)+4)
	copy(b, s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r >= foldTableEnd || r == utf8.RuneError {
			return foldSlow(s)
		}
		f := foldTable[r-utf8.RuneSelf]
		if f == foldNeedsContext {
			return foldSlow(s)
		}
		b = append(b, f...)
		i += n
	}
	return string(b)
}

// foldTable holds Fold of each rune from U+0080 to foldTableEnd
// (exclusive), computed by foldSlow; foldNeedsContext marks runes whose
// fold is not a function of the rune alone (combining marks, …).
var foldTable = func() []string {
	t := make([]string, foldTableEnd-utf8.RuneSelf)
	for r := rune(utf8.RuneSelf); r < foldTableEnd; r++ {
		f := foldSlow(string(r))
		if unicode.Is(unicode.Mn, r) || !utf8.ValidString(f) || strings.ContainsFunc(f, func(c rune) bool { return c >= utf8.RuneSelf && unicode.In(c, unicode.M) }) {
			f = foldNeedsContext
		}
		t[r-utf8.RuneSelf] = f
	}
	return t
}()

const (
	foldTableEnd     = 0x250 // end of Latin Extended-B
	foldNeedsContext = "\x00"
)

// foldSlow is Fold's general path.
func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if rep, ok := foldSpecial[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// FoldName folds a whole name (a tag) for exact comparison: Fold plus
// collapsed white space.
func FoldName(s string) string {
	return strings.Join(strings.Fields(Fold(s)), " ")
}
