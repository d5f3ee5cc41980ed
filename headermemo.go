package fief

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"sync/atomic"
)

// maxMemoHeaders bounds the header memo. A tenant signs with a handful of
// keys, so its tokens carry a handful of distinct protected headers; the
// memo is emptied when it would grow past this.
const maxMemoHeaders = 32

// headerMemo remembers, for each protected-header segment that go-jose has
// parsed, accepted and seen verified by one of the tenant's keys, the key ID
// it names.
//
// Why a hand-written step next to go-jose: every token of a tenant key
// carries the same protected header, byte for byte, and go-jose decodes it
// twice per token with its own JSON decoder, which made uncached validation
// cost 1.5× the bare RS256 verification at RSA-2048 (the performance target
// is 1.3×). With the memo, a token whose header segment is byte-identical to
// one go-jose accepted skips only that re-parse: the signature is checked by
// crypto/rsa (what go-jose calls, on the same signing input: the compact
// form is canonical, see checkCompact, so go-jose's re-encoding of the
// segments gives back the token's own bytes) with the key of the remembered
// kid. Nothing is parsed by hand: a header seen for the first time, or any
// other header, goes through go-jose. Only headers of tokens whose signature
// a tenant key verified are remembered, so a client cannot fill the memo.
type headerMemo struct {
	mu   sync.Mutex                        // serializes writers
	kids atomic.Pointer[map[string]string] // header segment -> kid; never modified once stored
}

// lookup returns the kid of a remembered header segment.
func (m *headerMemo) lookup(header string) (kid string, ok bool) {
	p := m.kids.Load()
	if p == nil {
		return "", false
	}
	kid, ok = (*p)[header]
	return kid, ok
}

// remember records that go-jose accepted header, naming kid, and that a
// tenant key verified a token under it. Readers never lock: each change
// stores a new map.
func (m *headerMemo) remember(header, kid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var old map[string]string
	if p := m.kids.Load(); p != nil {
		old = *p
	}
	if _, ok := old[header]; ok {
		return
	}
	next := make(map[string]string, len(old)+1)
	if len(old) < maxMemoHeaders {
		for h, k := range old {
			next[h] = k
		}
	}
	next[header] = kid
	m.kids.Store(&next)
}

// splitCompact returns the protected-header segment, the signing input and
// the signature segment of a token that passed checkCompact.
func splitCompact(token string) (header, signingInput, signature string) {
	last := strings.LastIndexByte(token, '.')
	return token[:strings.IndexByte(token, '.')], token[:last], token[last+1:]
}

// verifyRS256 checks an RS256 signature over signingInput, as go-jose's
// RS256 verifier does (SHA-256, then PKCS #1 v1.5 by crypto/rsa).
func verifyRS256(key *rsa.PublicKey, signingInput string, sig []byte) error {
	sum := sha256.Sum256([]byte(signingInput))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig)
}

// decodeSegment decodes a canonical unpadded base64url segment.
func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
