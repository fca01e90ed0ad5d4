// Package store is Quire's database layer: the bun entities, their
// queries and mutations on SQLite or PostgreSQL, the filters and orderings
// of the document archive, the one error type (Error) every layer passes
// upwards, and the schema migrations.
//
// Every method takes a context first; store.InTx runs several calls in one
// transaction. Text lookups are case-insensitive for all of Unicode on both
// databases: *_key columns hold case-folded text, and SQLite gets Go
// functions (quire_fold, quire_date_part) for what it lacks.
//
// The package must not import anything above it: graph, resolvers, rest
// or server.
package store
