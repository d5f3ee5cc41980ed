package fiefredis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// Defaults of [SessionStoreOptions].
const (
	DefaultSessionPrefix  = "fiefhttp:"
	DefaultSessionTimeout = 2 * time.Second
)

// SessionStoreOptions configures a [SessionStore]. Every zero value means
// what its comment says.
type SessionStoreOptions struct {
	// Prefix starts every key the store writes. Empty means
	// [DefaultSessionPrefix].
	Prefix string
	// Timeout bounds each Redis call, within the caller's context. Zero
	// means [DefaultSessionTimeout].
	Timeout time.Duration
}

// SessionStore is a [fiefhttp.SessionStore] and [fiefhttp.SessionLocker]
// on Redis: give one to every instance of a load-balanced application
// ([fiefhttp.WebConfig].Store), so that they share the server-side
// sessions, the memory of rotated refresh tokens, and the lock that lets
// only one instance refresh a session.
//
// Keys, under the prefix: "s:"+key holds a value (with its TTL), "u:"+user
// the set of a user's keys (for DeleteUser), "l:"+key a lock. Values are
// encrypted by fiefhttp before they reach Redis. Errors of Redis are
// returned wrapped with [fief.ErrUnavailable]: the request gets the
// unavailable answer and the session is kept.
type SessionStore struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// NewSessionStore returns a store on rdb (a single node, Sentinel or
// Cluster client). It does no I/O. It panics if rdb is nil.
func NewSessionStore(rdb redis.UniversalClient, opts SessionStoreOptions) *SessionStore {
	if rdb == nil {
		panic("fiefredis: NewSessionStore with a nil client")
	}
	s := &SessionStore{rdb: rdb, prefix: opts.Prefix, timeout: opts.Timeout}
	if s.prefix == "" {
		s.prefix = DefaultSessionPrefix
	}
	if s.timeout <= 0 {
		s.timeout = DefaultSessionTimeout
	}
	return s
}

func (s *SessionStore) valueKey(key string) string   { return s.prefix + "s:" + key }
func (s *SessionStore) userKey(userID string) string { return s.prefix + "u:" + userID }
func (s *SessionStore) lockKey(key string) string    { return s.prefix + "l:" + key }

func unavailable(op string, err error) error {
	return fmt.Errorf("%w: fiefredis: %s: %w", fief.ErrUnavailable, op, err)
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

// Create implements [fiefhttp.SessionStore] with SET NX: the value with
// its TTL, only if the key is free, and its key in the user's set, which
// lives as long as the longest of the user's values.
func (s *SessionStore) Create(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	return s.write(ctx, "NX", key, userID, value, ttl)
}

// Update implements [fiefhttp.SessionStore] with SET XX: a key deleted
// meanwhile (a sign-out) stays deleted.
func (s *SessionStore) Update(ctx context.Context, key, userID string, value []byte, ttl time.Duration) error {
	return s.write(ctx, "XX", key, userID, value, ttl)
}

// write is SET with mode (NX or XX), then the user's set once it is done.
func (s *SessionStore) write(ctx context.Context, mode, key, userID string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("fiefredis: SessionStore write with a TTL that is not positive")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := s.rdb.SetArgs(ctx, s.valueKey(key), value, redis.SetArgs{Mode: mode, TTL: ttl}).Err()
	switch {
	case errors.Is(err, redis.Nil) && mode == "NX":
		return fiefhttp.ErrSessionExists
	case errors.Is(err, redis.Nil):
		return fiefhttp.ErrSessionNotFound
	case err != nil:
		return unavailable("session write", err)
	}
	uk := s.userKey(userID)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, uk, key)
		p.ExpireGT(ctx, uk, ttl+time.Second)
		p.ExpireNX(ctx, uk, ttl+time.Second) // a new set has no TTL for GT to compare
		return nil
	})
	if err != nil {
		return unavailable("session write", err)
	}
	return nil
}

// Delete implements [fiefhttp.SessionStore]. The key's entry in its user's
// set goes when the set does.
func (s *SessionStore) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.rdb.Del(ctx, s.valueKey(key)).Err(); err != nil {
		return unavailable("session delete", err)
	}
	return nil
}

// deleteUserBatch bounds the keys popped from a user's set at once.
const deleteUserBatch = 100

// DeleteUser implements [fiefhttp.SessionStore]. It pops the user's keys
// from their set and deletes them, until the set is empty: a value set
// meanwhile is deleted too, or stays indexed for the next call.
func (s *SessionStore) DeleteUser(ctx context.Context, userID string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	uk := s.userKey(userID)
	for {
		keys, err := s.rdb.SPopN(ctx, uk, deleteUserBatch).Result()
		if err != nil {
			return unavailable("session delete user", err)
		}
		if len(keys) == 0 {
			return nil
		}
		// One DEL per key: in a Cluster, the keys live in different slots.
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Del(ctx, s.valueKey(k))
			}
			return nil
		})
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
