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
	"github.com/fief-dev/fief-go/internal/seal"
)

// maxPendingDrops bounds the user-info deletions remembered while Redis is
// unreachable; beyond it, the oldest entries are left to expire with their TTL.
const maxPendingDrops = 10_000

// UserInfoCacheConfig configures [NewUserInfoCache].
type UserInfoCacheConfig struct {
	// Config is the Redis client, the prefix, the Keys that seal the
	// entries (required) and the timeout of each call (zero means
	// [DefaultReadTimeout]).
	Config
	// TTL is how long an entry lives after it was set. Zero means
	// fiefhttp.DefaultUserInfoCacheTTL.
	TTL time.Duration
}

// UserInfoCache is a [fiefhttp.UserInfoCache] in Redis, shared by every
// instance: user info fetched by one instance serves the others, and a
// user.updated webhook drops it for all. Each entry expires TTL after it was
// set. Make it with [NewUserInfoCache]; it is safe for concurrent use.
//
// Entries are sealed (AES-256-GCM, a key derived from [Config.Keys], the
// entry's Redis key as associated data) and carry the time they were
// stored: read access to Redis exposes no user's claims, and an entry
// written by someone without the keys, copied under another user's key,
// or whose "sub" is not the user asked for, is a miss.
//
// It never makes a request wait for long: each call is bounded by
// [Config.Timeout] ([DefaultReadTimeout] by default), and after a failure
// calls fail at once (Get as a miss) for [DefaultRetryInterval]. A deletion
// that fails is remembered and made when Redis answers again.
type UserInfoCache struct {
	c       Config
	ttl     time.Duration
	brk     *breaker
	sealer  *seal.Sealer
	refused *refusals

	mu      sync.Mutex
	pending map[string]struct{} // user IDs whose deletion failed
}

var _ fiefhttp.UserInfoCache = (*UserInfoCache)(nil)

// NewUserInfoCache returns a cache. It does no I/O.
func NewUserInfoCache(cfg UserInfoCacheConfig) (*UserInfoCache, error) {
	c, err := cfg.Config.resolve("UserInfoCacheConfig", DefaultReadTimeout)
	if err != nil {
		return nil, err
	}
	if err := c.checkKeys("UserInfoCacheConfig"); err != nil {
		return nil, err
	}
	s, err := seal.New(c.Keys, infoUserInfo)
	if err != nil {
		return nil, &fief.ConfigError{Field: "fiefredis.UserInfoCacheConfig.Keys", Reason: err.Error()}
	}
	ttl := cfg.TTL
	if ttl <= 0 {
		ttl = fiefhttp.DefaultUserInfoCacheTTL
	}
	return &UserInfoCache{
		c: c, ttl: ttl, sealer: s,
		refused: &refusals{who: "user-info cache", logger: c.Logger, clock: c.Clock},
		brk:     &breaker{what: "user-info cache", interval: DefaultRetryInterval, clock: c.Clock, logger: c.Logger},
		pending: make(map[string]struct{}),
	}, nil
}

func (c *UserInfoCache) key(userID string) string { return c.c.Prefix + "userinfo:" + userID }

// userInfoRecord is what an entry holds, sealed.
type userInfoRecord struct {
	StoredAt int64         `json:"at"` // µs since the epoch
	Info     fief.UserInfo `json:"info"`
}

// Get implements [fiefhttp.UserInfoCache]: the user's info and the time it
// was stored. While Redis is known to be unreachable it answers a miss at
// once, without error. An entry that does not open with the keys, or whose
// "sub" is not userID, is a miss.
func (c *UserInfoCache) Get(ctx context.Context, userID string) (fief.UserInfo, time.Time, bool, error) {
	if c.brk.open() {
		return nil, time.Time{}, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.c.Timeout)
	defer cancel()
	key := c.key(userID)
	b, err := c.c.Client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		c.recovered(ctx)
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	plain, err := c.sealer.Open(key, b)
	if err != nil {
		c.refused.refuse(ctx, "an entry", fmt.Errorf("user info of %s: %w", userID, err))
		return nil, time.Time{}, false, nil
	}
	var rec userInfoRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		return nil, time.Time{}, false, nil
	}
	if sub, _ := rec.Info["sub"].(string); sub != userID {
		c.refused.refuse(ctx, "an entry", fmt.Errorf("user info stored under %s is of another user", userID))
		return nil, time.Time{}, false, nil
	}
	return rec.Info, time.UnixMicro(rec.StoredAt), true, nil
}

// Set implements [fiefhttp.UserInfoCache]. While Redis is known to be
// unreachable it does nothing.
func (c *UserInfoCache) Set(ctx context.Context, userID string, info fief.UserInfo) error {
	if c.brk.open() {
		return nil
	}
	plain, err := json.Marshal(userInfoRecord{StoredAt: c.c.Clock().UnixMicro(), Info: info})
	if err != nil {
		return fmt.Errorf("fiefredis: user info of %s: %w", userID, err)
	}
	key := c.key(userID)
	ctx, cancel := context.WithTimeout(ctx, c.c.Timeout)
	defer cancel()
	if err := c.c.Client.Set(ctx, key, c.sealer.Seal(key, plain), c.ttl).Err(); err != nil {
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
	ctx, cancel := context.WithTimeout(ctx, c.c.Timeout)
	defer cancel()
	if err := c.c.Client.Del(ctx, c.key(userID)).Err(); err != nil {
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
	users := make([]string, 0, len(c.pending))
	for id := range c.pending {
		users = append(users, id)
	}
	clear(c.pending)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.c.Timeout)
	defer cancel()
	// One DEL per key: in a Cluster, the keys live in different slots.
	cmds, err := c.c.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, u := range users {
			p.Del(ctx, c.key(u))
		}
		return nil
	})
	for i, u := range users {
		if err != nil && (i >= len(cmds) || cmds[i].Err() != nil) {
			c.remember(u)
		}
	}
}

// Check reports whether Redis answers: nil, or an [ErrUnavailable].
func (c *UserInfoCache) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.c.Timeout)
	defer cancel()
	if err := c.c.Client.Ping(ctx).Err(); err != nil {
		return c.brk.fail(ctx, err)
	}
	c.recovered(ctx)
	return nil
}
