// Package search is Quire's full-text search core: the Engine interface that
// both search engines implement (the embedded bleve index in the data folder,
// and Typesense at scale), the document shape they index, the query language
// (Parse turns what a user typed into a Query AST that each engine
// translates), request and result types, highlight fragments, autocomplete
// statistics (Vocab) and more-like-this key terms.
//
// Everything that must behave the same on both engines lives here and is
// engine independent: tokenisation and folding (Analyze), the parser,
// highlight fragments (computed from a document's content and the query's
// positive terms, never from engine output), the vocabulary statistics that
// rank autocomplete by tf·idf and suggest corrected queries, and the choice
// of more-like-this key terms. Engines only retrieve, filter, count, facet
// and score.
//
// Layering: this package may import store (for *store.Error) and nothing
// above it; it must not import bun, an engine, or any HTTP/GraphQL package.
// The engines live in the subpackages bleve and typesense; the conformance
// suite both must pass is searchtest.Run.
package search
