// Package resolvers holds all of Quire's behaviour behind the GraphQL schema:
// validation, permissions, per-request dataloaders and the error presenter.
// The REST layer calls these same resolvers.
//
// It imports store and graph; it must not import rest or server.
package resolvers
