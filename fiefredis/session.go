package fiefredis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// SessionStoreConfig configures [NewSessionStore]. Every zero value means
// what its comment says.
type SessionStoreConfig struct {
	// Config is the Redis client, the prefix and the timeout (zero means
	// [DefaultSessionTimeout]); the Keys are not used: fiefhttp seals the
	// records before they reach the store.
	Config
	// WaitReplicas is how many replicas must hold a session write (a
	// creation, an update, a deletion, a sign-out everywhere) before the
	// store reports it done: each is followed by Redis's WAIT, on the
	// connection that wrote it, for at most half the Timeout. Fewer
	// confirmations fail the call with [ErrUnavailable] (the request gets
	// the unavailable answer; the write may still have reached the master).
	// Zero waits for none: Redis replicates asynchronously, so a master
	// that crashes just after a write may take it with it, and the replica
	// that takes over never had it (a user signed in at that moment is
	// signed out; a session deleted at that moment comes back). With
	// Sentinel or Cluster, 1 closes that gap, at the cost of a round trip
	// to a replica per write and of failing writes while no replica
	// answers. It needs a *redis.Client or a *redis.ClusterClient.
	WaitReplicas int
}

// SessionStore is a [fiefhttp.SessionStore] and [fiefhttp.SessionLocker]
// on Redis: give one to every instance of a load-balanced application
// ([fiefhttp.WebConfig].Store), so that they share the server-side
// sessions, the memory of rotated refresh tokens, and the lock that lets
// only one instance refresh a session.
//
// Keys, under the prefix: "s:"+key holds a value (with its TTL), "u:"+user
// the index of a user's keys (for DeleteUser: a sorted set scored by each
// value's expiry, pruned of the expired ones at each write), "l:"+key a
// lock. A write of an existing key ([SessionStore.Update]) never creates
// it: a session deleted by "sign out everywhere" cannot come back from a
// request that was refreshing it. Values are encrypted by fiefhttp before
// they reach Redis. Errors of Redis are returned wrapped with
// [ErrUnavailable] (a [fief.ErrUnavailable]): the request gets the
// unavailable answer and the session is kept.
type SessionStore struct {
	rdb      redis.UniversalClient
	prefix   string
	timeout  time.Duration
	clock    func() time.Time
	replicas int
}

// NewSessionStore returns a store. It does no I/O.
func NewSessionStore(cfg SessionStoreConfig) (*SessionStore, error) {
	c, err := cfg.Config.resolve("SessionStoreConfig", DefaultSessionTimeout)
	if err != nil {
		return nil, err
	}
	switch c.Client.(type) {
	case *redis.Client, *redis.ClusterClient:
	default:
		if cfg.WaitReplicas > 0 {
			return nil, &fief.ConfigError{Field: "fiefredis.SessionStoreConfig.WaitReplicas", Reason: fmt.Sprintf("needs a *redis.Client (single node or Sentinel's failover client) or a *redis.ClusterClient, not a %T", c.Client)}
		}
	}
	if cfg.WaitReplicas < 0 {
		return nil, &fief.ConfigError{Field: "fiefredis.SessionStoreConfig.WaitReplicas", Reason: "is negative"}
	}
	return &SessionStore{rdb: c.Client, prefix: c.Prefix, timeout: c.Timeout, clock: c.Clock, replicas: cfg.WaitReplicas}, nil
}

// durably sends the commands queue adds, and waits for the replicas the
// store asks for: on key's master and one connection when it asks for
// any, as they come otherwise.
func (s *SessionStore) durably(ctx context.Context, key string, queue func(p redis.Pipeliner)) error {
	if s.replicas == 0 {
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { queue(p); return nil })
		return err
	}
	_, err := replicated(ctx, s.rdb, key, s.replicas, s.timeout/2, queue)
	return err
}

func (s *SessionStore) valueKey(key string) string   { return s.prefix + "s:" + key }
func (s *SessionStore) userKey(userID string) string { return s.prefix + "u:" + userID }
func (s *SessionStore) lockKey(key string) string    { return s.prefix + "l:" + key }

func unavailable(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// Get implements [fiefhttp.SessionStore].
func (s *SessionStore) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.rdb.Get(ctx, s.valueKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fiefhttp.ErrSessionNotFound
	}
	if err != nil {
		return nil, unavailable("session get", err)
	}
	return b, nil
}

// Create implements [fiefhttp.SessionStore] with SET NX: it stores value
// under a new key for ttl, and indexes the key under userID. When the key
// exists it returns [fiefhttp.ErrSessionExists] and writes nothing.
func (s *SessionStore) Create(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	return s.write(ctx, "session create", "NX", key, userID, value, ttl)
}

// Update implements [fiefhttp.SessionStore] with SET XX: it replaces the
// value under an existing key, for ttl. It never creates: when the key is
// gone (deleted, expired), it returns [fiefhttp.ErrSessionNotFound] and
// writes nothing.
func (s *SessionStore) Update(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	return s.write(ctx, "session update", "XX", key, userID, value, ttl)
}

// write sets the value with SET (mode "NX" or "XX") and
// indexes it in the user's sorted set, scored by its expiry. The value is
// written first, so that an Update that finds the key gone leaves the index
// alone; the index is then updated only for a key that was written, with
// ZADD XX for an Update, so that a key that DeleteUser has just popped is
// not indexed again.
func (s *SessionStore) write(ctx context.Context, op, mode, key, userID string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("fiefredis: %s with a TTL that is not positive", op)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var set *redis.StatusCmd
	err := s.durably(ctx, s.valueKey(key), func(p redis.Pipeliner) {
		set = p.SetArgs(ctx, s.valueKey(key), value, redis.SetArgs{Mode: mode, TTL: ttl})
	})
	if set != nil && set.Err() != nil {
		err = set.Err() // the SET's own answer first: not written
	}
	switch {
	case errors.Is(err, redis.Nil) && mode == "XX":
		return fiefhttp.ErrSessionNotFound
	case errors.Is(err, redis.Nil):
		return fiefhttp.ErrSessionExists
	case err != nil:
		return unavailable(op, err)
	}
	now := s.clock()
	expiry := float64(now.Add(ttl).UnixMilli())
	uk := s.userKey(userID)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		z := redis.Z{Score: expiry, Member: key}
		p.ZAddArgs(ctx, uk, redis.ZAddArgs{XX: mode == "XX", GT: true, Members: []redis.Z{z}})
		p.ZRemRangeByScore(ctx, uk, "-inf", "("+strconv.FormatInt(now.UnixMilli(), 10))
		p.ExpireGT(ctx, uk, ttl+time.Second)
		p.ExpireNX(ctx, uk, ttl+time.Second) // a new set has no TTL for GT to compare
		return nil
	})
	if err != nil {
		return unavailable(op, err)
	}
	return nil
}

// Delete implements [fiefhttp.SessionStore]. The key's entry in its user's
// index goes when its expiry has passed, or with the index.
func (s *SessionStore) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.durably(ctx, s.valueKey(key), func(p redis.Pipeliner) { p.Del(ctx, s.valueKey(key)) }); err != nil {
		return unavailable("session delete", err)
	}
	return nil
}

// deleteUserBatch bounds the keys popped from a user's index at once.
const deleteUserBatch = 100

// DeleteUser implements [fiefhttp.SessionStore]. It pops the user's keys
// from their index and deletes them, until the index is empty: a value
// created meanwhile is deleted too, or stays indexed for the next call.
func (s *SessionStore) DeleteUser(ctx context.Context, userID string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	uk := s.userKey(userID)
	for {
		zs, err := s.rdb.ZPopMin(ctx, uk, deleteUserBatch).Result()
		if err != nil {
			return unavailable("session delete user", err)
		}
		if len(zs) == 0 {
			return nil
		}
		// One DEL per key: in a Cluster, the keys live in different slots.
		if s.replicas == 0 {
			_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, z := range zs {
					k, _ := z.Member.(string)
					p.Del(ctx, s.valueKey(k))
				}
				return nil
			})
		}
		for i := 0; s.replicas > 0 && i < len(zs) && err == nil; i++ {
			k, _ := zs[i].Member.(string)
			err = s.durably(ctx, s.valueKey(k), func(p redis.Pipeliner) { p.Del(ctx, s.valueKey(k)) })
		}
		if err != nil {
			return unavailable("session delete user", err)
		}
	}
}

// unlockScript deletes a lock only if it still holds the caller's token:
// a lock that expired and was taken by another is left alone.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// TryLock implements [fiefhttp.SessionLocker] with SET NX PX and a random
// token: the lock expires after ttl even if its holder crashed, and unlock
// releases it only if it is still the caller's.
func (s *SessionStore) TryLock(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, error) {
	b := make([]byte, 16)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	lk := s.lockKey(key)
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := s.rdb.SetArgs(cctx, lk, token, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return nil, fiefhttp.ErrLockHeld
	}
	if err != nil {
		return nil, unavailable("lock", err)
	}
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, s.timeout)
		defer cancel()
		if err := unlockScript.Run(ctx, s.rdb, []string{lk}, token).Err(); err != nil && !errors.Is(err, redis.Nil) {
			return unavailable("unlock", err)
		}
		return nil
	}, nil
}

var (
	_ fiefhttp.SessionStore  = (*SessionStore)(nil)
	_ fiefhttp.SessionLocker = (*SessionStore)(nil)
)
