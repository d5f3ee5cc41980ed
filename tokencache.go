package fief

import (
	"crypto/rsa"
	"strings"
	"sync"
	"time"
)

// tokenCache remembers access tokens whose signature and claims were
// verified, so that a token seen again costs a map lookup instead of an RSA
// verification. It is keyed by the whole token: a cached signature never
// vouches for another header or payload. An entry is never used after the
// token's exp (plus leeway); entries signed by a key that left the key set
// are dropped when the set is refreshed. Requirements are not cached: they
// are checked on every call.
//
// Lookups take no lock (sync.Map: since Go 1.24 a concurrent hash-trie whose
// loads are lock-free), so that the goroutines of a server reading the same
// popular token do not contend on a shared reader count; writers, which
// follow an RSA verification, are serialized by mu.
type tokenCache struct {
	m   sync.Map // token -> *cachedToken
	max int

	mu sync.Mutex // serializes put and dropKeysNotIn; guards n and keys
	n  int        // entries in m
	// keys is the key set as of its last refresh (nil before the first):
	// put refuses an entry of another key, which a validation that raced
	// with the refresh may bring after dropKeysNotIn ran.
	keys []*rsa.PublicKey
}

type cachedToken struct {
	info AccessTokenInfo // never modified once cached
	key  *rsa.PublicKey  // the key that verified it
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max}
}

// get returns the entry of token if it is still valid at now.
func (tc *tokenCache) get(token string, now time.Time, leeway time.Duration) (*cachedToken, bool) {
	v, ok := tc.m.Load(token)
	if !ok {
		return nil, false
	}
	e := v.(*cachedToken)
	if now.After(e.info.ExpiresAt.Add(leeway)) {
		return nil, false
	}
	return e, true
}

func (tc *tokenCache) put(token string, e *cachedToken, now time.Time, leeway time.Duration) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.keys != nil && !containsKey(tc.keys, e.key) {
		return
	}
	if tc.n >= tc.max {
		tc.evict(now, leeway)
	}
	token = strings.Clone(token) // not to pin the caller's larger string
	e.info.AccessToken = token
	if _, loaded := tc.m.Swap(token, e); !loaded {
		tc.n++
	}
}

// evict drops the expired entries, then arbitrary ones (in the map's hash
// order) until a tenth of the room is free, so that a full cache does not
// scan on every insert. tc.mu is held.
func (tc *tokenCache) evict(now time.Time, leeway time.Duration) {
	tc.deleteIf(func(e *cachedToken) bool { return now.After(e.info.ExpiresAt.Add(leeway)) })
	target := tc.max - tc.max/10 - 1
	tc.deleteIf(func(*cachedToken) bool { return tc.n > target })
}

// deleteIf deletes the entries for which drop is true. tc.mu is held.
func (tc *tokenCache) deleteIf(drop func(*cachedToken) bool) {
	tc.m.Range(func(k, v any) bool {
		if drop(v.(*cachedToken)) {
			if _, loaded := tc.m.LoadAndDelete(k); loaded {
				tc.n--
			}
		}
		return true
	})
}

// drop forgets token, such as one whose user was revoked.
func (tc *tokenCache) drop(token string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if _, loaded := tc.m.LoadAndDelete(token); loaded {
		tc.n--
	}
}

// dropRefused forgets the tokens that rev refuses.
func (tc *tokenCache) dropRefused(rev *Revocations) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.deleteIf(func(e *cachedToken) bool {
		_, refused := rev.Refuses(e.info.ID, e.info.IssuedAt, e.info.Permissions)
		return refused
	})
}

// dropKeysNotIn drops the entries verified by a key that is not in all, the
// refreshed key set, and refuses such entries from now on.
func (tc *tokenCache) dropKeysNotIn(all []*rsa.PublicKey) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.keys = all
	tc.deleteIf(func(e *cachedToken) bool { return !containsKey(all, e.key) })
}

func containsKey(all []*rsa.PublicKey, k *rsa.PublicKey) bool {
	for _, a := range all {
		if a.Equal(k) {
			return true
		}
	}
	return false
}

// len returns the number of entries, for tests.
func (tc *tokenCache) len() int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.n
}
