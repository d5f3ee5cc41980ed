package fiefredis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// maxPendingDrops bounds the user-info deletions remembered while Redis is
// unreachable; beyond it, the oldest entries are left to expire with their TTL.
const maxPendingDrops = 10_000

// UserInfoCache is a [fiefhttp.UserInfoCache] in Redis, shared by every
// instance: user info fetched by one instance serves the others, and a
// user.updated webhook drops it for all. Each entry expires TTL after it was
// set. Make it with [NewUserInfoCache]; it is safe for concurrent use.
//
// It never makes a request wait for long: each call is bounded by
// [Options.Timeout] ([DefaultReadTimeout] by default), and after a failure
// calls fail at once (Get as a miss) for [DefaultRetryInterval]. A deletion
// that fails is remembered and made when Redis answers again.
type UserInfoCache struct {
	o   Options
	ttl time.Duration
	brk *breaker

	mu      sync.Mutex
	pending map[string]struct{} // user IDs whose deletion failed
}

var _ fiefhttp.UserInfoCache = (*UserInfoCache)(nil)

// NewUserInfoCache returns a cache whose entries live for ttl (zero or less
// means [fiefhttp.DefaultUserInfoCacheTTL]). It does no I/O.
func NewUserInfoCache(o Options, ttl time.Duration) (*UserInfoCache, error) {
	o, err := o.resolve(DefaultReadTimeout)
	if err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = fiefhttp.DefaultUserInfoCacheTTL
	}
	return &UserInfoCache{
		o: o, ttl: ttl,
		brk:     &breaker{what: "user-info cache", interval: DefaultRetryInterval, clock: o.Clock, logger: o.Logger},
		pending: make(map[string]struct{}),
	}, nil
}

func (c *UserInfoCache) key(userID string) string { return c.o.Prefix + "userinfo:" + userID }

// Get implements [fiefhttp.UserInfoCache]. While Redis is known to be
// unreachable it answers a miss at once, without error.
func (c *UserInfoCache) Get(ctx context.Context, userID string) (fief.UserInfo, time.Time, bool, error) {
	if c.brk.open() {
		return nil, time.Time{}, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	b, err := c.o.Client.Get(ctx, c.key(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		c.recovered(ctx)
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	var e userInfoEntry
	if err := json.Unmarshal(b, &e); err != nil || e.Info == nil {
		return nil, time.Time{}, false, fmt.Errorf("fiefredis: user info of %s: not an entry of this cache", userID)
	}
	return e.Info, time.UnixMilli(e.StoredAt), true, nil
}

// userInfoEntry is what the cache stores under a user's key.
type userInfoEntry struct {
	StoredAt int64         `json:"t"` // Unix milliseconds
	Info     fief.UserInfo `json:"i"`
}

// Set implements [fiefhttp.UserInfoCache]. While Redis is known to be
// unreachable it does nothing.
func (c *UserInfoCache) Set(ctx context.Context, userID string, info fief.UserInfo) error {
	if c.brk.open() {
		return nil
	}
	b, err := json.Marshal(userInfoEntry{StoredAt: c.o.Clock().UnixMilli(), Info: info})
	if err != nil {
		return fmt.Errorf("fiefredis: user info of %s: %w", userID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	if err := c.o.Client.Set(ctx, c.key(userID), b, c.ttl).Err(); err != nil {
		return c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	return nil
}

// Delete implements [fiefhttp.UserInfoCache]. A deletion that fails is
// remembered and made when Redis answers again.
func (c *UserInfoCache) Delete(ctx context.Context, userID string) error {
	if c.brk.open() {
		c.remember(userID)
		return c.brk.errOpen()
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	if err := c.o.Client.Del(ctx, c.key(userID)).Err(); err != nil {
		c.remember(userID)
		return c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	return nil
}

func (c *UserInfoCache) remember(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) < maxPendingDrops {
		c.pending[userID] = struct{}{}
	}
}

// recovered makes the deletions that failed, once Redis answers.
func (c *UserInfoCache) recovered(ctx context.Context) {
	c.brk.ok(ctx)
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	keys := make([]string, 0, len(c.pending))
	for id := range c.pending {
		keys = append(keys, c.key(id))
	}
	clear(c.pending)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
	defer cancel()
	if err := c.o.Client.Del(ctx, keys...).Err(); err != nil {
		// Cluster: keys of several slots in one DEL fail; one at a time then.
		for _, k := range keys {
			if err := c.o.Client.Del(ctx, k).Err(); err != nil {
				c.mu.Lock()
				c.pending[k[len(c.key("")):]] = struct{}{}
				c.mu.Unlock()
			}
		}
	}
}

// Check reports whether Redis answers: nil, or an [ErrUnavailable].
func (c *UserInfoCache) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	if err := c.o.Client.Ping(ctx).Err(); err != nil {
		return c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	return nil
}
