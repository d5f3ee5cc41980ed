package fief

import (
	"cmp"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRevocationKeep is how long [Revocations] keeps an entry after its
// "not before" when [RevocationsConfig.Keep] is zero: 30 days, the default
// lifetime of a fiefhttp session. A revocation must outlive every session it
// ends: a sealed-cookie session cannot be recalled, so the check of each
// request is all that stops it, for as long as the session could live.
const DefaultRevocationKeep = 30 * 24 * time.Hour

// DefaultMaxRevokedUsers is how many users [Revocations] holds entries for
// when [RevocationsConfig.MaxUsers] is zero: about 300 MB at the bound
// (290 bytes per user with one entry, measured on amd64). The memory is
// used only by the entries Fief's webhooks made.
const DefaultMaxRevokedUsers = 1_000_000

// RevocationKind says what a [Revocation] does.
type RevocationKind int

// The kinds of [Revocation].
const (
	// RevokeTokens refuses the user's tokens issued at or before
	// NotBefore (or without iat), and the sessions signed in at or before
	// it: a deleted user, a reset password, a removed permission or role.
	RevokeTokens RevocationKind = iota + 1
	// BlockUser refuses every token and session of the user, whatever its
	// iat, until an [UnblockUser] with a later NotBefore lifts it, or until
	// Until when set: an inactive user, whom Fief still refreshes, or a
	// deleted one.
	BlockUser
	// UnblockUser lifts the user's [BlockUser] whose NotBefore is not after
	// its own. When it lifts one, it is remembered (until NotBefore + Keep)
	// so that the block delivered again later, with its earlier NotBefore,
	// changes nothing; without a block to lift it changes nothing.
	UnblockUser
	// RevokePermission refuses the tokens issued at or before NotBefore
	// (or without iat) that carry Permission: of the user, or of every
	// user when UserID is "". A NotBefore in the future (a grace) also
	// refuses the tokens issued until then: Fief may still mint tokens with
	// the permission for a moment after it announced its removal.
	RevokePermission
)

var kindNames = [...]string{RevokeTokens: "revoke_tokens", BlockUser: "block_user", UnblockUser: "unblock_user", RevokePermission: "revoke_permission"}

// String returns the kind's name, such as "revoke_tokens".
func (k RevocationKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "RevocationKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText encodes the kind as its name, for stores and buses.
func (k RevocationKind) MarshalText() ([]byte, error) {
	if k <= 0 || int(k) >= len(kindNames) {
		return nil, &ConfigError{"RevocationKind", "unknown kind " + strconv.Itoa(int(k))}
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (k *RevocationKind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n != "" && n == string(b) {
			*k = RevocationKind(i)
			return nil
		}
	}
	return &ConfigError{"RevocationKind", "unknown kind " + strconv.Quote(string(b))}
}

// Revocation is one entry of [Revocations]: what it refuses, and until
// when it is kept. Its JSON encoding, for stores and buses, begins with the
// kind and the user (fiefredis finds a user's blocks by that prefix).
type Revocation struct {
	Kind RevocationKind `json:"kind"`
	// UserID is the user's ID, a UUID (stored lower case, as Fief writes
	// the sub claim); "" only for a RevokePermission of every user.
	UserID string `json:"user,omitempty"`
	// Permission is the permission's codename (RevokePermission only).
	Permission string `json:"permission,omitempty"`
	// NotBefore is the time of the event: tokens issued at or before it
	// are refused (RevokeTokens, RevokePermission); for BlockUser and
	// UnblockUser it orders a block and its lifting.
	NotBefore time.Time `json:"not_before"`
	// Until is when the entry may be forgotten. Zero means NotBefore +
	// [Revocations.Keep], except for BlockUser, where it means "until
	// lifted by an UnblockUser".
	Until time.Time `json:"until,omitzero"`
}

// refuses reports whether rv, live, refuses a token of its user issued at
// issuedAt carrying permissions.
func (rv *Revocation) refuses(issuedAt time.Time, permissions []string) bool {
	switch rv.Kind {
	case BlockUser:
		return true
	case RevokeTokens:
		return issuedAt.IsZero() || !issuedAt.After(rv.NotBefore)
	case RevokePermission:
		return (issuedAt.IsZero() || !issuedAt.After(rv.NotBefore)) && slices.Contains(permissions, rv.Permission)
	}
	return false
}

// live reports whether rv is kept at now.
func (rv *Revocation) live(now time.Time) bool { return rv.Until.IsZero() || now.Before(rv.Until) }

// RevocationsConfig configures [NewRevocations]. The zero value is usable.
type RevocationsConfig struct {
	// Keep is how long an entry is kept after its "not before": at least
	// the longest life of what it refuses, the tenant's access tokens and
	// the application's sessions (fiefhttp.NewWebFlow refuses a client
	// whose Keep is shorter than its SessionLifetime). Zero means
	// [DefaultRevocationKeep].
	Keep time.Duration
	// MaxUsers bounds the users the set holds entries for. At the bound,
	// the expired entries are forgotten first; if that is not enough, the
	// users whose entries expire soonest are forgotten (standing blocks
	// last), a sixty-fourth of the bound at a time, with a warning to
	// Logger: their tokens issued before the revocation are accepted
	// again. Zero means [DefaultMaxRevokedUsers].
	MaxUsers int
	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time
	// Logger receives the warning of the bound. Nil means [slog.Default].
	Logger *slog.Logger
}

// Revocations is the set of what Fief said must no longer be accepted: per
// user "not before" times, standing blocks of inactive or deleted users,
// and per-permission "not before" times (see [Revocation]). Give it to
// [Config.Revocations] and [Client.ValidateAccessToken] refuses such tokens
// with [ErrTokenRevoked]; fiefhttp ends such sessions; fiefwebhook fills it
// from Fief's webhooks.
//
// Make it with [NewRevocations]; it is safe for concurrent use, and one set
// may serve several clients. Lookups take no lock. Each entry is kept until
// its [Revocation.Until], then forgotten.
type Revocations struct {
	keep     time.Duration
	maxUsers int
	clock    func() time.Time
	logger   *slog.Logger

	users  sync.Map                     // user ID -> []Revocation, never modified once stored
	n      atomic.Int64                 // entries in users: lookups skip the map when 0
	tenant atomic.Pointer[[]Revocation] // RevokePermission of every user

	mu      sync.Mutex // serializes writers; guards pruneAt and hooks
	pruneAt int64      // prune the expired entries when n reaches it
	hooks   []*func(Revocation)
}

// NewRevocations returns an empty set.
func NewRevocations(cfg RevocationsConfig) *Revocations {
	r := &Revocations{keep: cfg.Keep, maxUsers: cfg.MaxUsers, clock: cfg.Clock, logger: cfg.Logger, pruneAt: 64}
	if r.keep <= 0 {
		r.keep = DefaultRevocationKeep
	}
	if r.maxUsers <= 0 {
		r.maxUsers = DefaultMaxRevokedUsers
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	r.tenant.Store(new([]Revocation))
	return r
}

// Keep returns how long an entry is kept after its "not before", when its
// Until is not set.
func (r *Revocations) Keep() time.Duration { return r.keep }

// Revoke is Apply of a [RevokeTokens]: the user's tokens issued at or
// before notBefore, and sessions signed in at or before it, are refused
// for [Revocations.Keep].
func (r *Revocations) Revoke(userID string, notBefore time.Time) bool {
	return r.Apply(Revocation{Kind: RevokeTokens, UserID: userID, NotBefore: notBefore})
}

// normalize checks rv and fills its Until; ok is false for an entry that
// refuses nothing (malformed, or expired at now).
func (r *Revocations) normalize(rv Revocation, now time.Time) (Revocation, bool) {
	rv.UserID = strings.ToLower(rv.UserID)
	rv.NotBefore = rv.NotBefore.Round(0) // no monotonic reading: it may come from another process
	rv.Until = rv.Until.Round(0)
	switch rv.Kind {
	case RevokeTokens, UnblockUser:
		if rv.UserID == "" || rv.NotBefore.IsZero() {
			return rv, false
		}
		rv.Permission = ""
	case BlockUser:
		if rv.UserID == "" {
			return rv, false
		}
		rv.Permission = ""
		return rv, rv.live(now)
	case RevokePermission:
		if rv.Permission == "" || rv.NotBefore.IsZero() {
			return rv, false
		}
	default:
		return rv, false
	}
	if rv.Until.IsZero() {
		rv.Until = rv.NotBefore.Add(r.keep)
	}
	return rv, rv.live(now)
}

// sameSlot reports whether a and b are entries of one slot: a user has at
// most one entry of each kind, one per permission for RevokePermission, and
// a BlockUser and an UnblockUser share theirs.
func sameSlot(a, b *Revocation) bool {
	switch a.Kind {
	case BlockUser, UnblockUser:
		return b.Kind == BlockUser || b.Kind == UnblockUser
	case RevokePermission:
		return b.Kind == RevokePermission && a.Permission == b.Permission
	}
	return a.Kind == b.Kind
}

// supersedes reports whether rv changes a set whose entry in its slot is
// old.
func supersedes(rv, old *Revocation) bool {
	switch rv.Kind {
	case BlockUser:
		if old.Kind == UnblockUser {
			return rv.NotBefore.IsZero() || rv.NotBefore.After(old.NotBefore)
		}
		// A standing block, or one that lasts longer, replaces one.
		return !old.Until.IsZero() && (rv.Until.IsZero() || rv.Until.After(old.Until))
	case UnblockUser:
		if old.Kind == BlockUser {
			return old.NotBefore.IsZero() || !old.NotBefore.After(rv.NotBefore)
		}
		return rv.NotBefore.After(old.NotBefore)
	}
	return rv.NotBefore.After(old.NotBefore) || (rv.NotBefore.Equal(old.NotBefore) && rv.Until.After(old.Until))
}

// Apply adds rv to the set. A later "not before" replaces an earlier one of
// the same kind (and permission); an earlier one, an expired one or a
// malformed one changes nothing. It reports whether the set changed, and
// then calls the functions registered with [Revocations.OnRevoke] with rv,
// its user ID lower case and its Until filled in.
func (r *Revocations) Apply(rv Revocation) bool {
	now := r.clock()
	rv, ok := r.normalize(rv, now)
	if !ok {
		return false
	}
	r.mu.Lock()
	var changed bool
	if rv.UserID == "" {
		changed = r.applyTenant(rv, now)
	} else {
		changed = r.applyUser(rv, now)
	}
	hooks := r.hooks
	r.mu.Unlock()
	if changed {
		for _, h := range hooks {
			(*h)(rv)
		}
	}
	return changed
}

// merge returns entries with rv in its slot, the expired entries dropped,
// or nil, false when rv changes nothing.
func merge(entries []Revocation, rv Revocation, now time.Time) ([]Revocation, bool) {
	out := make([]Revocation, 0, len(entries)+1)
	found := false
	for i := range entries {
		e := &entries[i]
		if !e.live(now) {
			continue
		}
		if sameSlot(&rv, e) {
			if !supersedes(&rv, e) {
				return nil, false
			}
			found = true
			continue
		}
		out = append(out, *e)
	}
	if rv.Kind == UnblockUser && !found {
		return nil, false // nothing to lift: no need to remember it
	}
	return append(out, rv), true
}

// applyUser applies rv, of a user. r.mu is held.
func (r *Revocations) applyUser(rv Revocation, now time.Time) bool {
	var entries []Revocation
	if v, ok := r.users.Load(rv.UserID); ok {
		entries = v.([]Revocation)
	} else if rv.Kind == UnblockUser {
		return false // nothing to lift: no need to remember it
	}
	out, ok := merge(entries, rv, now)
	if !ok {
		return false
	}
	if _, loaded := r.users.Swap(rv.UserID, out); !loaded {
		if r.n.Add(1) >= r.pruneAt {
			r.prune(now)
		}
	}
	return true
}

// applyTenant applies rv, of every user. r.mu is held.
func (r *Revocations) applyTenant(rv Revocation, now time.Time) bool {
	out, ok := merge(*r.tenant.Load(), rv, now)
	if ok {
		r.tenant.Store(&out)
	}
	return ok
}

// expiry is when the last of entries expires, the zero time for never.
func expiry(entries []Revocation) time.Time {
	var last time.Time
	for _, e := range entries {
		if e.Until.IsZero() {
			return time.Time{}
		}
		if e.Until.After(last) {
			last = e.Until
		}
	}
	return last
}

// prune forgets the expired entries, then, above the bound, the users whose
// entries expire soonest; it sets the next pruning at twice the remaining
// count, so that pruning costs O(1) per Apply. r.mu is held.
func (r *Revocations) prune(now time.Time) {
	type user struct {
		id  string
		end time.Time
	}
	var live []user
	r.users.Range(func(k, v any) bool {
		entries := v.([]Revocation)
		end := expiry(entries)
		if !end.IsZero() && !now.Before(end) {
			r.users.Delete(k)
			r.n.Add(-1)
		} else {
			live = append(live, user{k.(string), end})
		}
		return true
	})
	if len(live) >= r.maxUsers {
		// Never-expiring (standing blocks) sort last.
		slices.SortFunc(live, func(a, b user) int {
			switch {
			case a.end.IsZero() || b.end.IsZero():
				return cmp.Compare(boolInt(a.end.IsZero()), boolInt(b.end.IsZero()))
			}
			return a.end.Compare(b.end)
		})
		drop := len(live) - r.maxUsers + max(1, r.maxUsers/64)
		for _, u := range live[:drop] {
			r.users.Delete(u.id)
			r.n.Add(-1)
		}
		r.logger.Warn("fief: revocations at their bound: the users whose entries expire soonest are forgotten; their tokens issued before the revocation are accepted again",
			"max_users", r.maxUsers, "forgotten", drop)
	}
	r.pruneAt = min(int64(r.maxUsers), max(64, 2*r.n.Load()))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Refuses reports whether a token of userID issued at issuedAt (the zero
// time when unknown: a token without iat) carrying permissions, or a
// session of userID signed in at issuedAt, is refused, and the entry that
// refuses it. A session check passes no permissions: a RevokePermission
// refuses the session's tokens, not its sign-in; fiefhttp then ends a session
// whose token is refused as revoked, so the user signs in again.
func (r *Revocations) Refuses(userID string, issuedAt time.Time, permissions []string) (Revocation, bool) {
	tenant := *r.tenant.Load()
	if r.n.Load() == 0 && len(tenant) == 0 {
		return Revocation{}, false
	}
	now := r.clock()
	if len(permissions) > 0 {
		for i := range tenant {
			if rv := &tenant[i]; rv.live(now) && rv.refuses(issuedAt, permissions) {
				return *rv, true
			}
		}
	}
	if r.n.Load() == 0 {
		return Revocation{}, false
	}
	v, ok := r.users.Load(userID)
	if !ok {
		if v, ok = r.users.Load(strings.ToLower(userID)); !ok {
			return Revocation{}, false
		}
	}
	entries := v.([]Revocation)
	for i := range entries {
		if rv := &entries[i]; rv.live(now) && rv.refuses(issuedAt, permissions) {
			return *rv, true
		}
	}
	return Revocation{}, false
}

// OnRevoke registers fn, called after every [Revocations.Apply] that changed
// the set, with the entry applied, on the goroutine that applied it: for
// example to delete the user's server-side sessions. fn must not call
// Apply. stop unregisters fn; it may be called more than once.
func (r *Revocations) OnRevoke(fn func(Revocation)) (stop func()) {
	if fn == nil {
		return func() {}
	}
	h := &fn
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = append(r.hooks[:len(r.hooks):len(r.hooks)], h)
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if i := slices.Index(r.hooks, h); i >= 0 {
			r.hooks = slices.Delete(slices.Clone(r.hooks), i, i+1)
		}
	}
}

// All returns the live entries, with their Until filled in: what to write
// to a shared store.
func (r *Revocations) All() iter.Seq[Revocation] {
	return func(yield func(Revocation) bool) {
		now := r.clock()
		for _, rv := range *r.tenant.Load() {
			if rv.live(now) && !yield(rv) {
				return
			}
		}
		r.users.Range(func(_, v any) bool {
			for _, rv := range v.([]Revocation) {
				if rv.live(now) && !yield(rv) {
					return false
				}
			}
			return true
		})
	}
}

// reason describes why rv refuses a token of userID, for an error.
func (rv Revocation) reason(userID string) string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch rv.Kind {
	case BlockUser:
		return "user " + userID + " is blocked (inactive or deleted)"
	case RevokePermission:
		return "permission " + strconv.Quote(rv.Permission) + " revoked; tokens issued until " + ts(rv.NotBefore) + " that carry it are refused"
	}
	return "user " + userID + " revoked at " + ts(rv.NotBefore)
}
