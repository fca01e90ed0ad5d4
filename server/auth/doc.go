// Package auth decides who is making a request: it verifies passwords
// (argon2id, plus Django's pbkdf2_sha256 for users imported from
// paperless), resolves HTTP Basic, `Authorization: Token` and session
// cookie credentials to a store.User with paperless-ng's (DRF's) exact
// failure messages, issues and ends browser sessions, checks Django's CSRF
// rule for session-authenticated requests, and provides the middleware
// that puts the user into the request context.
//
// auth imports store and the standard library only; it must not import
// graph, resolvers, rest or a search engine. It never logs passwords,
// tokens, cookie values or password hashes.
package auth
