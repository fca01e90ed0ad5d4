package auth

// HashPassword encodes a new password with the authenticator's
// parameters (resolvers.PasswordHasher: profile and user changes).
func (a *Authenticator) HashPassword(password string) string { return a.params.Hash(password) }
