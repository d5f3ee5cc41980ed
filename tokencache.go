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
type tokenCache struct {
	mu  sync.RWMutex
	m   map[string]*cachedToken
	max int
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
	return &tokenCache{m: make(map[string]*cachedToken), max: max}
}

// get returns the entry of token if it is still valid at now.
func (tc *tokenCache) get(token string, now time.Time, leeway time.Duration) (*cachedToken, bool) {
	tc.mu.RLock()
	e, ok := tc.m[token]
	tc.mu.RUnlock()
	if !ok || now.After(e.info.ExpiresAt.Add(leeway)) {
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
	if len(tc.m) >= tc.max {
		tc.evict(now, leeway)
	}
	token = strings.Clone(token) // not to pin the caller's larger string
	e.info.AccessToken = token
	tc.m[token] = e
}

// evict drops the expired entries, then arbitrary ones (Go's map order is
// random) until a tenth of the room is free, so that a full cache does not
// scan on every insert.
func (tc *tokenCache) evict(now time.Time, leeway time.Duration) {
	for k, e := range tc.m {
		if now.After(e.info.ExpiresAt.Add(leeway)) {
			delete(tc.m, k)
		}
	}
	target := tc.max - tc.max/10 - 1
	for k := range tc.m {
		if len(tc.m) <= target {
			break
		}
		delete(tc.m, k)
	}
}

// dropKeysNotIn drops the entries verified by a key that is not in all, the
// refreshed key set, and refuses such entries from now on.
func (tc *tokenCache) dropKeysNotIn(all []*rsa.PublicKey) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.keys = all
	for k, e := range tc.m {
		if !containsKey(all, e.key) {
			delete(tc.m, k)
		}
	}
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
	tc.mu.RLock()
	defer tc.mu.RUnlock()
	return len(tc.m)
}
