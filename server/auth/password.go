package auth

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams are the argon2id parameters new hashes get: 19 MiB, two
// passes, one lane — the OWASP Password Storage Cheat Sheet's headline
// configuration (m=19 MiB, t=2, p=1). The cheat sheet lists it among
// equivalent ones (46 MiB t=1, 12 MiB t=3, 9 MiB t=4, 7 MiB t=5) that
// cost about the same time; 19 MiB with two passes keeps the memory a
// hash holds (and so the peak under a flood of logins, one hash per core
// at once) at a third of the 46 MiB one's without trading memory
// hardness for as many extra passes as the smaller ones. One lane, since
// the server bounds concurrent hashes to the cores itself. About 20 ms on
// one core of a 2-core server; verification costs the same, which is why
// Basic auth caches verified credentials (see Authenticator). Hashes with
// other parameters (Quire's earlier 64 MiB t=1 p=2 included) still verify
// and are rehashed with these at the next login.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32

	// Upper bounds on parameters read from the database, so a corrupt or
	// hostile row cannot make a login take minutes or gigabytes.
	maxMemory     = 1 << 20 // KiB (1 GiB)
	maxTime       = 64
	maxIterations = 10_000_000
)

// errMalformed reports a stored hash that cannot be parsed.
var errMalformed = errors.New("malformed password hash")

// HashPassword returns the encoded argon2id hash of password with
// DefaultParams and a random salt.
func HashPassword(password string) string { return DefaultParams.Hash(password) }

// Hash returns the encoded argon2id hash of password with a random salt,
// in Django's Argon2PasswordHasher format (so the hashes stay usable by
// paperless): argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>,
// salt and hash in unpadded standard base64.
func (p Params) Hash(password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("argon2$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches encoded, judging
// "needs rehash" against DefaultParams (see Params.Verify).
func VerifyPassword(password, encoded string) (ok, rehash bool, err error) {
	return DefaultParams.Verify(password, encoded)
}

// Verify reports whether password matches the encoded hash, comparing in
// constant time. It understands Quire's (and Django's) argon2 format and
// Django's pbkdf2_sha256 and pbkdf2_sha1. rehash is true when the password
// matched but the hash is not argon2id with exactly p: the caller should
// store p.Hash(password). A Django "unusable password" (leading "!") never
// matches and is not an error; a hash in no known format is an error.
func (p Params) Verify(password, encoded string) (ok, rehash bool, err error) {
	algo, rest, _ := strings.Cut(encoded, "$")
	switch {
	case strings.HasPrefix(encoded, "!"):
		return false, false, nil
	case algo == "argon2":
		return p.verifyArgon2(password, rest)
	case algo == "pbkdf2_sha256":
		ok, err := verifyPBKDF2(sha256.New, password, rest)
		return ok, ok, err
	case algo == "pbkdf2_sha1":
		ok, err := verifyPBKDF2(sha1.New, password, rest)
		return ok, ok, err
	}
	return false, false, fmt.Errorf("%w: unknown algorithm", errMalformed)
}

// verifyArgon2 checks "argon2id$v=19$m=…,t=…,p=…$salt$hash" (argon2i too).
func (p Params) verifyArgon2(password, rest string) (ok, rehash bool, err error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 || parts[1] != "v=19" {
		return false, false, fmt.Errorf("%w: argon2 layout", errMalformed)
	}
	var got Params
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &got.Memory, &got.Time, &got.Threads); err != nil {
		return false, false, fmt.Errorf("%w: argon2 parameters", errMalformed)
	}
	if got.Memory == 0 || got.Memory > maxMemory || got.Time == 0 || got.Time > maxTime || got.Threads == 0 {
		return false, false, fmt.Errorf("%w: argon2 parameters out of range", errMalformed)
	}
	salt, err1 := decodeB64(parts[3])
	want, err2 := decodeB64(parts[4])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, false, fmt.Errorf("%w: argon2 base64", errMalformed)
	}
	var key []byte
	switch parts[0] {
	case "argon2id":
		key = argon2.IDKey([]byte(password), salt, got.Time, got.Memory, got.Threads, uint32(len(want)))
	case "argon2i":
		key = argon2.Key([]byte(password), salt, got.Time, got.Memory, got.Threads, uint32(len(want)))
	default:
		return false, false, fmt.Errorf("%w: argon2 variant", errMalformed)
	}
	if subtle.ConstantTimeCompare(key, want) != 1 {
		return false, false, nil
	}
	return true, parts[0] != "argon2id" || got != p || len(salt) < saltLen || len(want) != keyLen, nil
}

// decodeB64 decodes standard base64 with or without padding.
func decodeB64(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// verifyPBKDF2 checks Django's "<iterations>$<salt>$<base64 hash>"; the
// salt is used as its UTF-8 text, as Django does.
func verifyPBKDF2(h func() hash.Hash, password, rest string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return false, fmt.Errorf("%w: pbkdf2 layout", errMalformed)
	}
	iter, err := strconv.Atoi(parts[0])
	if err != nil || iter < 1 || iter > maxIterations {
		return false, fmt.Errorf("%w: pbkdf2 iterations", errMalformed)
	}
	want, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("%w: pbkdf2 base64", errMalformed)
	}
	key, err := pbkdf2.Key(h, password, []byte(parts[1]), iter, len(want))
	if err != nil {
		return false, fmt.Errorf("pbkdf2: %w", err)
	}
	return subtle.ConstantTimeCompare(key, want) == 1, nil
}
