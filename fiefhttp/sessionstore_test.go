package fiefhttp_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefhttp"
)

func TestMemorySessionStore(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	s := fiefhttp.NewMemorySessionStore(3, clock)
	ctx := t.Context()
	set := func(key, user string, ttl time.Duration) {
		t.Helper()
		if err := s.Set(ctx, key, user, []byte("v-"+key), ttl); err != nil {
			t.Fatal(err)
		}
	}
	has := func(key string) bool {
		t.Helper()
		v, err := s.Get(ctx, key)
		if errors.Is(err, fiefhttp.ErrSessionNotFound) {
			return false
		}
		if err != nil || string(v) != "v-"+key {
			t.Fatalf("Get %s: %q %v", key, v, err)
		}
		return true
	}
	set("a", "u1", time.Hour)
	set("short", "u1", time.Second)
	set("b", "u2", time.Hour)
	now = now.Add(2 * time.Second)
	set("c", "u2", time.Hour) // full: the expired value goes first
	if !has("a") || has("short") || !has("b") || !has("c") {
		t.Fatalf("after a sweep: a %v, short %v, b %v, c %v", has("a"), has("short"), has("b"), has("c"))
	}
	set("d", "u3", time.Hour) // full, swept a moment ago: the oldest goes
	if has("a") || !has("d") || s.Len() != 3 {
		t.Fatalf("bound: a %v, d %v, %d values", has("a"), has("d"), s.Len())
	}
	if err := s.DeleteUser(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if has("b") || has("c") || !has("d") {
		t.Fatal("DeleteUser deleted the wrong values")
	}
	if err := s.Set(ctx, "e", "u", nil, 0); err == nil {
		t.Fatal("Set with a zero TTL accepted")
	}
	unlock, err := s.TryLock(ctx, "k", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryLock(ctx, "k", time.Minute); !errors.Is(err, fiefhttp.ErrLockHeld) {
		t.Fatalf("second TryLock: %v", err)
	}
	now = now.Add(time.Minute) // the holder crashed: its lock expires
	unlock2, err := s.TryLock(ctx, "k", time.Minute)
	if err != nil {
		t.Fatalf("TryLock after expiry: %v", err)
	}
	unlock(ctx) // the first holder's late unlock leaves the second's lock
	if _, err := s.TryLock(ctx, "k", time.Minute); !errors.Is(err, fiefhttp.ErrLockHeld) {
		t.Fatalf("late unlock released another's lock: %v", err)
	}
	unlock2(ctx)
	if _, err := s.TryLock(ctx, "k", time.Minute); err != nil {
		t.Fatalf("TryLock after unlock: %v", err)
	}
}
