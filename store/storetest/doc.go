// Package storetest is the conformance suite of package store: Run
// executes every store behaviour test against a fresh store per test, and
// Open gives such a store on SQLite or PostgreSQL. Seed fills a store with
// deterministic documents for benchmarks.
//
// It imports only store, bun's test needs and the database drivers;
// only tests and benchmarks import it, never production code.
package storetest
