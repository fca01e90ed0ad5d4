package match

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/quirehq/quire/store"
)

// RegexTimeout bounds one regular-expression search (catastrophic
// backtracking in a user's pattern must not stall consumption).
const RegexTimeout = time.Second

// FuzzyThreshold is the partial ratio (0–100) at or above which the
// fuzzy algorithm matches.
const FuzzyThreshold = 90

// Matches reports whether content matches m under m's algorithm, with
// paperless-ng's rules (API.md §11.4): the content is lower-cased first;
// an empty match never matches; "any"/"all" match whole words (a quoted
// group is one word whose inner whitespace runs match any whitespace run);
// "literal" matches the whole string between word boundaries; "regex"
// searches the pattern; "fuzzy" compares the partial ratio with
// FuzzyThreshold; "none" and "auto" never match by rule.
func Matches(m store.Matching, content string) bool {
	ok, _ := MatchesErr(m, content)
	return ok
}

// MatchesErr is Matches that also returns why a regular expression could
// not be evaluated (invalid pattern or time-out), so the caller can log
// it; the match result is then false.
func MatchesErr(m store.Matching, content string) (bool, error) {
	if strings.TrimSpace(m.Match) == "" {
		return false, nil
	}
	text := strings.ToLower(content)
	pattern := m.Match
	if m.IsInsensitive {
		pattern = strings.ToLower(pattern)
	}
	switch m.MatchingAlgorithm {
	case store.MatchAny:
		for _, w := range Words(pattern) {
			if containsWord(text, w) {
				return true, nil
			}
		}
		return false, nil
	case store.MatchAll:
		words := Words(pattern)
		for _, w := range words {
			if !containsWord(text, w) {
				return false, nil
			}
		}
		return len(words) > 0, nil
	case store.MatchLiteral:
		return containsWord(text, []string{pattern}), nil
	case store.MatchRegex:
		re, err := compileRegex(m.Match, m.IsInsensitive)
		if err != nil {
			return false, err
		}
		return re.MatchString(text)
	case store.MatchFuzzy:
		a, b := stripPunct(m.Match), stripPunct(text)
		if m.IsInsensitive {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		return PartialRatio(a, b) >= FuzzyThreshold, nil
	}
	return false, nil
}

// ValidateRegex reports whether pattern compiles in the dialect the
// "regex" algorithm uses, with the compiler's message.
func ValidateRegex(pattern string) error {
	_, err := compileRegex(pattern, false)
	return err
}

type regexKey struct {
	pattern     string
	insensitive bool
}

var regexCache sync.Map // regexKey -> *regexp2.Regexp

func compileRegex(pattern string, insensitive bool) (*regexp2.Regexp, error) {
	k := regexKey{pattern, insensitive}
	if re, ok := regexCache.Load(k); ok {
		return re.(*regexp2.Regexp), nil
	}
	opts := regexp2.None
	if insensitive {
		opts |= regexp2.IgnoreCase
	}
	re, err := regexp2.Compile(pythonNames.Replace(pattern), opts)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = RegexTimeout
	regexCache.Store(k, re)
	return re, nil
}

// pythonNames rewrites Python's named-group syntax into regexp2's.
var pythonNames = strings.NewReplacer("(?P<", "(?<")

var (
	termRE  = regexp.MustCompile(`"([^"]+)"|(\S+)`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// Words splits a match string into the words of the "any" and "all"
// algorithms: a double-quoted group is one word; each word is returned as
// its whitespace-separated pieces, which must appear separated by runs of
// whitespace.
func Words(match string) [][]string {
	var out [][]string
	for _, t := range termRE.FindAllStringSubmatch(match, -1) {
		term := t[1]
		if term == "" {
			term = t[2]
		}
		term = strings.TrimSpace(spaceRE.ReplaceAllString(term, " "))
		if term == "" {
			continue
		}
		out = append(out, strings.Split(term, " "))
	}
	return out
}

// isWord is Python re's Unicode \w: alphanumerics and the underscore.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// boundary is Python re's \b at byte offset i of s.
func boundary(s string, i int) bool {
	before, after := false, false
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		before = isWord(r)
	}
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		after = isWord(r)
	}
	return before != after
}

// containsWord reports whether the pieces, joined by whitespace runs,
// occur in text between word boundaries (the regex \bp1\s+p2…\b).
func containsWord(text string, pieces []string) bool {
	if len(pieces) == 0 || pieces[0] == "" {
		return false
	}
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], pieces[0])
		if i < 0 {
			return false
		}
		start := from + i
		if boundary(text, start) {
			if end, ok := matchRest(text, start+len(pieces[0]), pieces[1:]); ok && boundary(text, end) {
				return true
			}
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		if size == 0 {
			size = 1
		}
		from = start + size
	}
	return false
}

// matchRest matches `\s+piece` for each piece from offset i.
func matchRest(text string, i int, pieces []string) (int, bool) {
	for _, p := range pieces {
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += size
		}
		if j == i || !strings.HasPrefix(text[j:], p) {
			return 0, false
		}
		i = j + len(p)
	}
	return i, true
}

// stripPunct removes every character that is neither a word character nor
// whitespace (Python re.sub(r'[^\w\s]', ”, s)).
func stripPunct(s string) string {
	return strings.Map(func(r rune) rune {
		if isWord(r) || unicode.IsSpace(r) {
			return r
		}
		return -1
	}, s)
}
