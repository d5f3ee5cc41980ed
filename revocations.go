package fief

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRevocationKeep is how long [Revocations] keeps a user's "not
// before" when [RevocationsConfig.Keep] is zero: a day, the lifetime of
// Fief's access tokens by default. A token issued before the revocation has
// expired by then.
const DefaultRevocationKeep = 24 * time.Hour

// RevocationsConfig configures [NewRevocations]. The zero value is usable.
type RevocationsConfig struct {
	// Keep is how long a revocation is kept after its "not before": the
	// longest lifetime of the tenant's access tokens. Zero means
	// [DefaultRevocationKeep].
	Keep time.Duration
	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time
}

// Revocations is a set of per-user "not before" times: an access token of a
// revoked user is refused when it was issued (iat) at or before the user's
// "not before", or carries no iat. Give it to [Config.Revocations] and
// [Client.ValidateAccessToken] refuses such tokens with [ErrTokenRevoked];
// fiefwebhook fills it from Fief's webhooks (a deleted user, a reset password,
// a removed permission or role, a deactivation).
//
// Make it with [NewRevocations]; it is safe for concurrent use, and one set
// may serve several clients. Lookups take no lock. Each entry is kept for
// [RevocationsConfig.Keep] after its "not before", then forgotten.
type Revocations struct {
	keep  time.Duration
	clock func() time.Time

	m sync.Map     // user ID -> time.Time ("not before")
	n atomic.Int64 // entries in m: lookups skip the map when 0

	mu      sync.Mutex // serializes writers; guards pruneAt and hooks
	pruneAt int64      // prune the expired entries when n reaches it
	hooks   []func(userID string, notBefore time.Time)
}

// NewRevocations returns an empty set.
func NewRevocations(cfg RevocationsConfig) *Revocations {
	r := &Revocations{keep: cfg.Keep, clock: cfg.Clock, pruneAt: 64}
	if r.keep <= 0 {
		r.keep = DefaultRevocationKeep
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	return r
}

// Keep returns how long an entry is kept after its "not before".
func (r *Revocations) Keep() time.Duration { return r.keep }

// Revoke makes the user's tokens issued at or before notBefore invalid. A
// later "not before" replaces an earlier one; an earlier one, or one older
// than [Revocations.Keep], changes nothing. It reports whether the set
// changed, and then calls the functions registered with
// [Revocations.OnRevoke].
func (r *Revocations) Revoke(userID string, notBefore time.Time) bool {
	userID = strings.ToLower(userID)
	if userID == "" || !r.clock().Before(notBefore.Add(r.keep)) {
		return false
	}
	notBefore = notBefore.Round(0) // no monotonic reading: it may come from another process
	r.mu.Lock()
	if old, ok := r.m.Load(userID); ok && !notBefore.After(old.(time.Time)) {
		r.mu.Unlock()
		return false
	}
	if _, loaded := r.m.Swap(userID, notBefore); !loaded {
		if r.n.Add(1) >= r.pruneAt {
			r.prune()
		}
	}
	hooks := r.hooks
	r.mu.Unlock()
	for _, h := range hooks {
		h(userID, notBefore)
	}
	return true
}

// prune forgets the expired entries, and sets the next pruning at twice the
// remaining count, so that pruning costs O(1) per Revoke. r.mu is held.
func (r *Revocations) prune() {
	now := r.clock()
	r.m.Range(func(k, v any) bool {
		if !now.Before(v.(time.Time).Add(r.keep)) {
			r.m.Delete(k)
			r.n.Add(-1)
		}
		return true
	})
	r.pruneAt = max(64, 2*r.n.Load())
}

// NotBefore returns the user's "not before", if the user is revoked: a
// server-side session store ends the sessions begun at or before it, and a
// sealed-cookie session whose sign-in is not after it is refused.
func (r *Revocations) NotBefore(userID string) (time.Time, bool) {
	if r.n.Load() == 0 {
		return time.Time{}, false
	}
	v, ok := r.m.Load(userID)
	if !ok {
		if v, ok = r.m.Load(strings.ToLower(userID)); !ok {
			return time.Time{}, false
		}
	}
	nb := v.(time.Time)
	if !r.clock().Before(nb.Add(r.keep)) {
		return time.Time{}, false
	}
	return nb, true
}

// Revoked reports whether a token of the user issued at issuedAt (the zero
// time for a token without iat) is refused.
func (r *Revocations) Revoked(userID string, issuedAt time.Time) bool {
	nb, ok := r.NotBefore(userID)
	return ok && (issuedAt.IsZero() || !issuedAt.After(nb))
}

// OnRevoke registers fn, called after every [Revocations.Revoke] that changed
// the set, with the user's ID and new "not before", on the goroutine that
// revoked: for example to delete the user's server-side sessions. fn must not
// call Revoke.
func (r *Revocations) OnRevoke(fn func(userID string, notBefore time.Time)) {
	if fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = append(r.hooks[:len(r.hooks):len(r.hooks)], fn)
}

// All calls yield with each current entry, until it returns false: what to
// write to a shared store.
func (r *Revocations) All(yield func(userID string, notBefore time.Time) bool) {
	now := r.clock()
	r.m.Range(func(k, v any) bool {
		nb := v.(time.Time)
		if !now.Before(nb.Add(r.keep)) {
			return true
		}
		return yield(k.(string), nb)
	})
}

// Len returns the number of entries, expired ones not yet forgotten
// included.
func (r *Revocations) Len() int { return int(r.n.Load()) }
