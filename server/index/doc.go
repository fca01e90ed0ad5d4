// Package index keeps the full-text search index in step with the
// database. Database triggers queue every change to a document (or to the
// names it carries) in the search outbox, in the changing transaction; the
// Indexer drains that queue into the search engine after commit, retrying
// with backoff while the engine is down, so no write ever fails or is lost
// because of search. Rebuild walks the whole archive into a fresh index in
// bounded memory, resumably, and swaps it in.
//
// It imports store and store/search; only server imports it.
package index
