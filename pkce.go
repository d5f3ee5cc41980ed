package fief

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// GenerateCodeVerifier returns a fresh PKCE code verifier: 96 random bytes,
// base64url-encoded (128 characters), as the official Python client makes.
func GenerateCodeVerifier() string {
	return randomString(96)
}

// CodeChallenge returns the PKCE challenge of verifier with the S256
// method, the only one this package sends (RFC 7636 §4.2 and RFC 9700
// §2.1.1 steer clients away from "plain"): the SHA-256 of verifier,
// base64url-encoded without padding. It equals x/oauth2's
// S256ChallengeFromVerifier.
func CodeChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validationHash returns the hash Fief puts in an ID token's c_hash (of the
// authorization code) and at_hash (of the access token): the left half of
// the SHA-256 of value, base64url-encoded without padding.
func validationHash(value string) string {
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
