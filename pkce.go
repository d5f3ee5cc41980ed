package fief

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// PKCE code challenge methods.
const (
	PKCEMethodS256  = "S256"
	PKCEMethodPlain = "plain"
)

// GenerateCodeVerifier returns a fresh PKCE code verifier: 96 random bytes,
// base64url-encoded (128 characters), as the official Python client makes.
func GenerateCodeVerifier() string {
	return randomString(96)
}

// CodeChallenge returns the PKCE challenge of verifier for method
// ([PKCEMethodS256] or [PKCEMethodPlain]).
func CodeChallenge(verifier, method string) (string, error) {
	switch method {
	case PKCEMethodS256:
		sum := sha256.Sum256([]byte(verifier))
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	case PKCEMethodPlain:
		return verifier, nil
	}
	return "", fmt.Errorf("fief: unknown PKCE method %q", method)
}

// ValidationHash returns the hash Fief puts in an ID token's c_hash (of the
// authorization code) and at_hash (of the access token): the left half of
// the SHA-256 of value, base64url-encoded without padding.
func ValidationHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// GenerateState returns a random string fit for the state and nonce
// parameters (32 random bytes, base64url-encoded).
func GenerateState() string {
	return randomString(32)
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b)
}
