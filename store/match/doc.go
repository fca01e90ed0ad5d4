// Package match decides which correspondents, document types and tags a
// document's content matches (paperless-ng's matching algorithms: none,
// any, all, literal, regex, fuzzy, auto) and holds the classifier that
// the "auto" algorithm predicts with.
//
// The rules are pure functions over store.Matching and a text. Word
// boundaries follow Python's re module (Unicode \w), not Go's ASCII-only
// \b. User regular expressions (algorithm "regex") are evaluated with
// github.com/dlclark/regexp2, a backtracking engine whose syntax is close
// to Python's re (lookarounds, backreferences, Unicode \w and \b), under a
// time limit; an invalid expression matches nothing.
//
// It imports store (for the entity types) and nothing above it.
package match
