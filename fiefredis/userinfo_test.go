package fiefredis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
)

const userA = "c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"

func TestUserInfoCacheShared(t *testing.T) {
	srv, rdb := startRedis(t)
	one, err := fiefredis.NewUserInfoCache(options(rdb), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := fiefredis.NewUserInfoCache(options(newClient(t, srv)), time.Minute)
	ctx := context.Background()

	if _, _, ok, err := one.Get(ctx, userA); ok || err != nil {
		t.Fatalf("empty cache: ok %v, err %v", ok, err)
	}
	info := fief.UserInfo{"sub": userA, "email": "anne@bretagne.duchy", "fields": map[string]any{"n": 3.0}}
	if err := one.Set(ctx, userA, info); err != nil {
		t.Fatal(err)
	}
	got, _, ok, err := two.Get(ctx, userA)
	if err != nil || !ok || got["email"] != "anne@bretagne.duchy" || got["fields"].(map[string]any)["n"] != 3.0 {
		t.Fatalf("another instance reads %v, %v, %v", got, ok, err)
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
	c, _ := fiefredis.NewUserInfoCache(options(rdb), time.Minute)
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
