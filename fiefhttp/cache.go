package fiefhttp

import (
	"container/list"
	"context"
	"sync"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// UserInfoCache stores users' claims by user ID, so that [Auth.CurrentUser]
// does not call Fief's userinfo endpoint on every request. Implementations
// must be safe for concurrent use. An error from Get is treated as a miss,
// and one from Set or Delete is logged: the cache is never required for a
// request to succeed. The maps given to Set and returned by Get are not
// modified by fiefhttp.
//
// fiefhttp does not trust a hit blindly: claims whose "sub" is not the
// requested user, and claims stored at or before a revocation of the user
// (see [fief.Config].Revocations), are a miss.
type UserInfoCache interface {
	// Get returns the claims of the user, when they were stored, and
	// whether they were found.
	Get(ctx context.Context, userID string) (info fief.UserInfo, storedAt time.Time, ok bool, err error)
	// Set stores the claims of the user.
	Set(ctx context.Context, userID string, info fief.UserInfo) error
	// Delete removes the user's claims, if any.
	Delete(ctx context.Context, userID string) error
}

// Defaults of [NewMemoryUserInfoCache].
const (
	DefaultUserInfoCacheSize = 10_000
	DefaultUserInfoCacheTTL  = 5 * time.Minute
)

// MemoryUserInfoCache is an in-memory [UserInfoCache], bounded in entries,
// whose entries expire a fixed time after they were set. Make it with
// [NewMemoryUserInfoCache]; it is safe for concurrent use.
type MemoryUserInfoCache struct {
	mu    sync.RWMutex
	m     map[string]*list.Element // of *memoryEntry
	order *list.List               // oldest Set first, hence soonest expiry first
	max   int
	ttl   time.Duration
	now   func() time.Time
}

type memoryEntry struct {
	userID  string
	info    fief.UserInfo
	stored  time.Time
	expires time.Time
}

// NewMemoryUserInfoCache returns a cache holding at most maxEntries users,
// each for ttl after it was set. When full, the oldest entry is dropped.
// Zero or negative values mean [DefaultUserInfoCacheSize] and
// [DefaultUserInfoCacheTTL].
func NewMemoryUserInfoCache(maxEntries int, ttl time.Duration) *MemoryUserInfoCache {
	return newMemoryUserInfoCache(maxEntries, ttl, time.Now)
}

// newMemoryUserInfoCache is NewMemoryUserInfoCache on the clock now: the
// default cache of a [WebFlow] runs on its client's clock, the clock of
// its revocations.
func newMemoryUserInfoCache(maxEntries int, ttl time.Duration, now func() time.Time) *MemoryUserInfoCache {
	if maxEntries <= 0 {
		maxEntries = DefaultUserInfoCacheSize
	}
	if ttl <= 0 {
		ttl = DefaultUserInfoCacheTTL
	}
	return &MemoryUserInfoCache{
		m:     make(map[string]*list.Element),
		order: list.New(),
		max:   maxEntries,
		ttl:   ttl,
		now:   now,
	}
}

// Get implements [UserInfoCache]. It never returns an error.
func (c *MemoryUserInfoCache) Get(_ context.Context, userID string) (fief.UserInfo, time.Time, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[userID]
	if !ok {
		return nil, time.Time{}, false, nil
	}
	ent := e.Value.(*memoryEntry)
	if !c.now().Before(ent.expires) {
		return nil, time.Time{}, false, nil
	}
	return ent.info, ent.stored, true, nil
}

// Set implements [UserInfoCache]. It stores a deep copy of info, so that the
// caller may go on modifying its map. It never returns an error.
func (c *MemoryUserInfoCache) Set(_ context.Context, userID string, info fief.UserInfo) error {
	info = fief.UserInfo(cloneMap(info))
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, ok := c.m[userID]; ok {
		c.order.Remove(e)
		delete(c.m, userID)
	}
	// Expired entries are at the front; drop them, then the oldest while full.
	for f := c.order.Front(); f != nil; f = c.order.Front() {
		ent := f.Value.(*memoryEntry)
		if now.Before(ent.expires) && len(c.m) < c.max {
			break
		}
		c.order.Remove(f)
		delete(c.m, ent.userID)
	}
	c.m[userID] = c.order.PushBack(&memoryEntry{userID: userID, info: info, stored: now, expires: now.Add(c.ttl)})
	return nil
}

// Delete implements [UserInfoCache]. It never returns an error.
func (c *MemoryUserInfoCache) Delete(_ context.Context, userID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[userID]; ok {
		c.order.Remove(e)
		delete(c.m, userID)
	}
	return nil
}

// len returns the number of entries, expired ones not yet dropped included.
func (c *MemoryUserInfoCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// cloneMap deep-copies the JSON-shaped values of a claims map.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case fief.UserInfo:
		return fief.UserInfo(cloneMap(v))
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		return append([]string(nil), v...)
	}
	return v
}

// usableUserInfo reports whether a hit of a [UserInfoCache] may stand for
// the claims of userID: they are the claims of that very user (their "sub",
// whatever the cache holds), and they were stored after the user's last
// revocation, if any.
func usableUserInfo(client *fief.Client, userID string, info fief.UserInfo, storedAt time.Time) bool {
	if info.ID() != userID {
		return false
	}
	if rv := client.Revocations(); rv != nil {
		if _, refused := rv.Refuses(userID, storedAt, nil); refused {
			return false
		}
	}
	return true
}
