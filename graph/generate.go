// Package graph holds Quire's GraphQL schema (schema/*.graphqls) and the
// executor gqlgen generates from it. Everything here except this file and
// scalar/ is generated: edit the schema and run `go generate ./...`.
package graph

//go:generate sh -c "cd .. && go tool gqlgen generate --config gqlgen.yml"
