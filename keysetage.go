package fief

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// KeySetStatus describes the key set a [Client] holds, for a startup or
// health check: how old it is and whether the client still trusts it. It is
// returned by [Client.KeySetStatus].
type KeySetStatus struct {
	// Loaded reports whether a key set was ever fetched.
	Loaded bool
	// Keys is the number of signing keys of the set.
	Keys int
	// LoadedAt is when the set was last fetched successfully, by the
	// client's clock.
	LoadedAt time.Time
	// Age is the time since LoadedAt.
	Age time.Duration
	// MaxAge is the age past which the next validation fetches the set
	// again: [Config.JWKSMaxAge], or the key set answer's shorter
	// Cache-Control max-age.
	MaxAge time.Duration
	// MaxStaleness is [Config.JWKSMaxStaleness]: past this age, with Fief
	// unreachable, validations answer [ErrUnavailable].
	MaxStaleness time.Duration
	// Stale reports that Age is past MaxAge: the next validation refreshes
	// the set (and keeps the old keys if Fief cannot be reached).
	Stale bool
	// Expired reports that Age is past MaxStaleness: until a refresh
	// succeeds, validations answer [ErrUnavailable].
	Expired bool
	// LastAttempt is when the set was last fetched, successfully or not.
	LastAttempt time.Time
	// LastError is the error of the last fetch, nil if it succeeded.
	LastError error
}

// KeySetStatus returns the state of the client's key set. It does no I/O:
// the set is fetched by validations (see [Config.JWKSMaxAge]).
func (c *Client) KeySetStatus() KeySetStatus {
	ks := c.keys
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	st := KeySetStatus{
		Loaded:       !ks.loadedAt.IsZero(),
		Keys:         len(ks.all),
		LoadedAt:     ks.loadedAt,
		MaxAge:       ks.maxAge,
		MaxStaleness: c.s.maxStaleness,
		LastAttempt:  ks.lastFetch,
		LastError:    ks.lastErr,
	}
	if !st.Loaded {
		st.MaxAge = c.s.maxKeyAge
		return st
	}
	st.Age = c.s.clock().Sub(ks.loadedAt)
	st.Stale = st.Age >= st.MaxAge
	st.Expired = st.Age >= st.MaxStaleness
	return st
}

// cacheMaxAge reads the freshness lifetime a Cache-Control header gives:
// max-age, or zero for no-cache and no-store. ok is false when the header
// says neither (Fief's key set answer carries no Cache-Control).
func cacheMaxAge(h http.Header) (time.Duration, bool) {
	found := false
	var age time.Duration
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-cache", "no-store":
				return 0, true
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
				if err != nil || n < 0 {
					continue
				}
				if n > int64(365*24*time.Hour/time.Second) {
					n = int64(365 * 24 * time.Hour / time.Second)
				}
				if d := time.Duration(n) * time.Second; !found || d < age {
					age = d
				}
				found = true
			}
		}
	}
	return age, found
}
