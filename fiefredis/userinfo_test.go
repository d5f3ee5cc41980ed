package fiefredis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
)

const userA = "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"

func TestUserInfoCacheShared(t *testing.T) {
	srv, rdb := startRedis(t)
	userInfoShared(t, rdb, newClient(t, srv))
}

// userInfoShared is the behaviour of two instances' user-info caches, one
// on rdb and one on other (clients of one Redis deployment).
func userInfoShared(t *testing.T, rdb, other redis.UniversalClient) {
	one, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(rdb), TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	two, _ := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(other), TTL: time.Minute})
	ctx := context.Background()

	if _, _, ok, err := one.Get(ctx, userA); ok || err != nil {
		t.Fatalf("empty cache: ok %v, err %v", ok, err)
	}
	info := fief.UserInfo{"sub": userA, "email": "anne@bretagne.duchy", "fields": map[string]any{"n": 3.0}}
	before := time.Now()
	if err := one.Set(ctx, userA, info); err != nil {
		t.Fatal(err)
	}
	got, storedAt, ok, err := two.Get(ctx, userA)
	if err != nil || !ok || got["email"] != "anne@bretagne.duchy" || got["fields"].(map[string]any)["n"] != 3.0 {
		t.Fatalf("another instance reads %v, %v, %v", got, ok, err)
	}
	if storedAt.Before(before.Truncate(time.Microsecond)) || storedAt.After(time.Now()) {
		t.Fatalf("stored at %v, want the time of Set (%v)", storedAt, before)
	}
	if ttl := rdb.PTTL(ctx, "fief:userinfo:"+userA).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("entry TTL %v, want at most a minute", ttl)
	}
	if err := two.Delete(ctx, userA); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := one.Get(ctx, userA); ok {
		t.Fatal("deleted by one instance, still read by another")
	}
}

func TestUserInfoCacheWithoutRedis(t *testing.T) {
	srv, rdb := startRedis(t)
	c, _ := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(rdb), TTL: time.Minute})
	ctx := context.Background()
	_ = c.Set(ctx, userA, fief.UserInfo{"sub": userA})

	srv.Kill()
	start := time.Now()
	_, _, ok, err := c.Get(ctx, userA)
	if ok || !errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("first read without Redis: ok %v, err %v", ok, err)
	}
	for range 100 {
		if _, _, ok, err := c.Get(ctx, userA); ok || err != nil {
			t.Fatalf("read while known down: ok %v, err %v (want a quiet miss)", ok, err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("101 reads without Redis took %v: reads must not wait on Redis", d)
	}
	if err := c.Delete(ctx, userA); !errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("delete without Redis: %v", err)
	}
	if err := c.Check(ctx); !errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("Check without Redis: %v", err)
	}

	srv.Restart()
	// The restarted Redis is empty; put a stale entry back to see the
	// remembered deletion made.
	if err := rdb.Set(ctx, "fief:userinfo:"+userA, `{"sub":"stale"}`, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the cache never came back", func() bool { return c.Check(ctx) == nil })
	if n := rdb.Exists(ctx, "fief:userinfo:"+userA).Val(); n != 0 {
		t.Fatal("a deletion made while Redis was down was not made when it returned")
	}
}

// TestUserInfoCacheSealed: Redis holds no user's claims in clear, and an
// entry written without the keys, moved under another user's key, or of
// another "sub" is a miss: write access to Redis cannot give a token the
// identity of another user.
func TestUserInfoCacheSealed(t *testing.T) {
	_, rdb := startRedis(t)
	c, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(rdb), TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	victim, attacker := userA, userB
	if err := c.Set(ctx, victim, fief.UserInfo{"sub": victim, "email": "anne@bretagne.duchy"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, attacker, fief.UserInfo{"sub": attacker, "email": "mallory@example.com"}); err != nil {
		t.Fatal(err)
	}
	victimKey, attackerKey := findKey(t, rdb, victim), findKey(t, rdb, attacker)
	stored := rdb.Get(ctx, victimKey).Val()
	if strings.Contains(stored, "anne@bretagne.duchy") || strings.Contains(stored, victim) {
		t.Fatalf("Redis holds the claims in clear: %q", stored)
	}

	// The attacker's own sealed entry copied under the victim's key.
	if err := rdb.Set(ctx, victimKey, rdb.Get(ctx, attackerKey).Val(), time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if info, _, ok, err := c.Get(ctx, victim); ok || err != nil {
		t.Fatalf("an entry moved from another user's key: %v, %v, %v", info, ok, err)
	}
	// A plain JSON entry, as the cache wrote them before.
	for _, forged := range []string{`{"sub":"` + victim + `","email":"mallory@example.com"}`, `{"at":1,"info":{"sub":"` + victim + `"}}`} {
		if err := rdb.Set(ctx, victimKey, forged, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if info, _, ok, err := c.Get(ctx, victim); ok || err != nil {
			t.Fatalf("a forged entry %s: %v, %v, %v", forged, info, ok, err)
		}
	}
	// A sealed entry whose sub is another user's.
	if err := c.Set(ctx, victim, fief.UserInfo{"sub": attacker, "email": "mallory@example.com"}); err != nil {
		t.Fatal(err)
	}
	if info, _, ok, err := c.Get(ctx, victim); ok || err != nil {
		t.Fatalf("an entry of another sub: %v, %v, %v", info, ok, err)
	}
	// Another instance with the same keys reads the genuine entries.
	other, _ := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(rdb), TTL: time.Minute})
	if info, _, ok, err := other.Get(ctx, attacker); !ok || err != nil || info["email"] != "mallory@example.com" {
		t.Fatalf("a genuine entry: %v, %v, %v", info, ok, err)
	}
	// An instance with other keys reads nothing.
	wrong := config(rdb)
	wrong.Keys = [][]byte{[]byte("another-secret-another-secret-another-secret")}
	stranger, _ := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: wrong, TTL: time.Minute})
	if _, _, ok, _ := stranger.Get(ctx, attacker); ok {
		t.Fatal("an entry opened with other keys")
	}
}
