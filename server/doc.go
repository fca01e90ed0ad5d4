// Package server wires Quire together: configuration, the store, the
// resolvers, the HTTP routes (/graphql, /api/, /healthz) and background
// workers, and runs the command line (`quire`, `quire createsuperuser`).
// Nothing imports it but server/cmd/quire and end-to-end tests.
package server
