package fief

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// minRSABits is the smallest signing key accepted from the key set.
const minRSABits = 2048

// keySet caches the tenant's RSA signing keys. A token with an unknown kid
// triggers a refresh, at most once per cool-down; so does the first
// validation after the set's maximum age. Concurrent refreshes are merged; a
// failed refresh keeps the keys already known, until they are older than
// the staleness limit.
type keySet struct {
	c *Client

	mu          sync.RWMutex
	byKID       map[string]*rsa.PublicKey
	all         []*rsa.PublicKey // every signing key, for tokens without kid
	lastFetch   time.Time        // last attempt, successful or not
	lastErr     error            // error of the last attempt, nil if it succeeded
	loadedAt    time.Time        // last successful fetch; zero before the first
	maxAge      time.Duration    // of the set loaded at loadedAt
	freshUntil  atomic.Int64     // loadedAt+maxAge in Unix nanoseconds, 0 before the first load
	staleLogged bool             // the staleness limit was reported since the last load

	fg fetchGroup
}

func newKeySet(c *Client) *keySet { return &keySet{c: c} }

var errUnknownKID = errors.New("no key with this kid")

// errKeySetTooStale is the cause of the ErrUnavailable answered once the key
// set could not be confirmed for longer than the staleness limit.
var errKeySetTooStale = errors.New("the key set could not be refreshed within the staleness limit")

// ensureFresh makes sure the set may be used at now: a set within its
// maximum age (or never loaded: the callers load it) is used as it is; an
// older one is refreshed first (one fetch for every concurrent caller, at
// most one per cool-down). When the refresh fails, the old keys keep
// serving until they are older than the staleness limit; past it, the
// answer is ErrUnavailable.
func (ks *keySet) ensureFresh(ctx context.Context, now time.Time) error {
	if now.UnixNano() < ks.freshUntil.Load() {
		return nil
	}
	ks.mu.RLock()
	loaded := !ks.loadedAt.IsZero()
	ks.mu.RUnlock()
	if !loaded {
		return nil
	}
	err := ks.refresh(ctx)
	if err == nil {
		return nil
	}
	ks.mu.RLock()
	age := now.Sub(ks.loadedAt)
	ks.mu.RUnlock()
	if age < ks.c.s.maxStaleness {
		return nil // keep serving with the keys known: Fief may be down for a while
	}
	ks.mu.Lock()
	first := !ks.staleLogged
	ks.staleLogged = true
	ks.mu.Unlock()
	if first {
		ks.c.s.logger.Error("fief: key set not confirmed for longer than the staleness limit; validations answer unavailable until Fief is reached",
			"age", age.Round(time.Second).String(), "limit", ks.c.s.maxStaleness.String(), "error", err)
	}
	return unavailable("jwks", fmt.Errorf("%w (%s old, limit %s): %w", errKeySetTooStale, age.Round(time.Second), ks.c.s.maxStaleness, err))
}

// key returns the key of kid, refreshing the set when kid is unknown and the
// cool-down allows, or when the set is past its maximum age.
func (ks *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if err := ks.ensureFresh(ctx, ks.c.s.clock()); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	k := ks.byKID[kid]
	ks.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	if err := ks.refresh(ctx); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	k = ks.byKID[kid]
	ks.mu.RUnlock()
	if k == nil {
		return nil, fmt.Errorf("%w %q", errUnknownKID, truncate(kid, 64))
	}
	return k, nil
}

// candidates returns every signing key, for a token without kid, loading the
// set if it was never loaded and refreshing it when it is past its maximum
// age.
func (ks *keySet) candidates(ctx context.Context) ([]*rsa.PublicKey, error) {
	if err := ks.ensureFresh(ctx, ks.c.s.clock()); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	all := ks.all
	ks.mu.RUnlock()
	if len(all) > 0 {
		return all, nil
	}
	if err := ks.refresh(ctx); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	all = ks.all
	ks.mu.RUnlock()
	if len(all) == 0 {
		return nil, unavailable("jwks", errors.New("the key set has no usable RSA signing key"))
	}
	return all, nil
}

// refresh fetches the key set unless the last attempt is within the
// cool-down. Within the cool-down it reports the last attempt's failure, if
// it failed, so that a caller answers "unavailable" rather than "invalid".
func (ks *keySet) refresh(ctx context.Context) error {
	ks.mu.RLock()
	recent := !ks.lastFetch.IsZero() && ks.c.s.clock().Sub(ks.lastFetch) < ks.c.s.cooldown
	lastErr := ks.lastErr
	ks.mu.RUnlock()
	if recent {
		return lastErr
	}
	_, err := ks.fg.do(ctx, "jwks", func(fctx context.Context) (any, error) {
		// Re-check under the merged call: a refresh may just have finished.
		ks.mu.RLock()
		recent := !ks.lastFetch.IsZero() && ks.c.s.clock().Sub(ks.lastFetch) < ks.c.s.cooldown
		lastErr := ks.lastErr
		ks.mu.RUnlock()
		if recent {
			return nil, lastErr
		}
		return nil, ks.fetch(fctx)
	})
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrUnavailable) {
		return unavailable("jwks", err)
	}
	return err
}

func (ks *keySet) fetch(ctx context.Context) error {
	doc, err := ks.c.discovery(ctx)
	if err != nil {
		return err // not a key set failure: no cool-down
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	var header http.Header
	err = ks.c.do(ctx, request{op: "jwks", method: "GET", path: doc.jwksPath, respHeader: &header}, &raw)
	var byKID map[string]*rsa.PublicKey
	var all []*rsa.PublicKey
	if err == nil {
		byKID, all = ks.parse(raw.Keys)
		if len(all) == 0 {
			err = unavailable("jwks", errors.New("the key set has no usable RSA signing key"))
		}
	}
	if err != nil && !errors.Is(err, ErrUnavailable) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err) // a 4xx answer: still no keys to check with
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	now := ks.c.s.clock()
	ks.lastFetch = now
	ks.lastErr = err
	if err != nil {
		ks.c.s.logger.Warn("fief: key set refresh failed, keeping the known keys", "error", err)
		return err
	}
	ks.c.rsaKeys.use(all) // before the keys can be looked up
	ks.byKID, ks.all = byKID, all
	ks.loadedAt, ks.staleLogged = now, false
	ks.maxAge = ks.c.s.maxKeyAge
	if age, ok := cacheMaxAge(header); ok && age < ks.maxAge {
		ks.maxAge = age
	}
	ks.freshUntil.Store(now.Add(ks.maxAge).UnixNano())
	if ks.c.tokens != nil {
		ks.c.tokens.dropKeysNotIn(all)
	}
	ks.c.s.logger.Debug("fief: key set loaded", "keys", len(all), "max_age", ks.maxAge.String())
	return nil
}

// parse keeps the RSA signing keys of a key set, skipping (with a debug
// message) keys of other types or uses, and keys too small to trust.
func (ks *keySet) parse(raws []json.RawMessage) (map[string]*rsa.PublicKey, []*rsa.PublicKey) {
	byKID := make(map[string]*rsa.PublicKey, len(raws))
	var all []*rsa.PublicKey
	for i, raw := range raws {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			ks.c.s.logger.Debug("fief: skipping key", "index", i, "reason", err.Error())
			continue
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		switch {
		case !ok:
			ks.c.s.logger.Debug("fief: skipping non-RSA-public key", "index", i, "kid", k.KeyID)
			continue
		case k.Use != "" && k.Use != "sig":
			ks.c.s.logger.Debug("fief: skipping key not for signatures", "kid", k.KeyID, "use", k.Use)
			continue
		case k.Algorithm != "" && k.Algorithm != string(jose.RS256):
			ks.c.s.logger.Debug("fief: skipping key for another algorithm", "kid", k.KeyID, "alg", k.Algorithm)
			continue
		case pub.N.BitLen() < minRSABits:
			ks.c.s.logger.Warn("fief: skipping RSA key below 2048 bits", "kid", k.KeyID)
			continue
		}
		all = append(all, pub)
		if k.KeyID != "" {
			byKID[k.KeyID] = pub
		}
	}
	return byKID, all
}
