package fiefhttp_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefhttp"
)

func TestMemorySessionStore(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	s := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{MaxEntries: 3}, clock)
	ctx := t.Context()
	set := func(key, user string, ttl time.Duration) {
		t.Helper()
		if err := s.Create(ctx, key, user, []byte("v-"+key), ttl); err != nil {
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
	if !has("b") || !has("c") || has("short") || !has("a") {
		t.Fatalf("after a sweep: a %v, short %v, b %v, c %v", has("a"), has("short"), has("b"), has("c"))
	}
	set("d", "u3", time.Hour) // full, swept a moment ago: the least recently used (b) goes
	if has("b") || !has("a") || !has("c") || !has("d") || s.Len() != 3 {
		t.Fatalf("bound: a %v, b %v, c %v, d %v, %d values", has("a"), has("b"), has("c"), has("d"), s.Len())
	}
	if err := s.DeleteUser(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if has("c") || !has("a") || !has("d") {
		t.Fatal("DeleteUser deleted the wrong values")
	}
	if err := s.Create(ctx, "e", "u", nil, 0); err == nil {
		t.Fatal("Create with a zero TTL accepted")
	}
	if err := s.Update(ctx, "a", "u1", []byte("v-a"), 0); err == nil {
		t.Fatal("Update with a zero TTL accepted")
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

// TestMemorySessionStoreWritesNeverResurrect: Create writes a new key only,
// Update an existing one only, so that a record deleted by a sign-out is
// never written back by a request still working on it.
func TestMemorySessionStoreWritesNeverResurrect(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, func() time.Time { return now })
	ctx := t.Context()
	if err := s.Update(ctx, "k", "u1", []byte("x"), time.Hour); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update of a missing key: %v, want ErrSessionNotFound", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update of a missing key created it: %v", err)
	}
	if err := s.Create(ctx, "k", "u1", []byte("one"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "k", "u1", []byte("two"), time.Hour); !errors.Is(err, fiefhttp.ErrSessionExists) {
		t.Fatalf("Create of a live key: %v, want ErrSessionExists", err)
	}
	if err := s.Update(ctx, "k", "u1", []byte("three"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "k"); err != nil || string(v) != "three" {
		t.Fatalf("after Update: %q %v", v, err)
	}
	now = now.Add(time.Minute) // the updated TTL ran out
	if err := s.Update(ctx, "k", "u1", []byte("four"), time.Hour); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update of an expired key: %v, want ErrSessionNotFound", err)
	}
	if err := s.Create(ctx, "k", "u1", []byte("five"), time.Hour); err != nil {
		t.Fatalf("Create of an expired key: %v", err)
	}
	if err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "k", "u1", []byte("six"), time.Hour); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update after DeleteUser: %v, want ErrSessionNotFound", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update after DeleteUser brought the value back: %v", err)
	}
}

// TestMemorySessionStoreBoundsEachUser: one user signing in again and
// again drops their own least recently used sessions, never another
// user's, and a store filled by many sign-ins keeps the sessions in use.
func TestMemorySessionStoreBoundsEachUser(t *testing.T) {
	s := fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{MaxEntries: 10, MaxPerUser: 3})
	ctx := t.Context()
	create := func(key, user string) {
		t.Helper()
		if err := s.Create(ctx, key, user, []byte(key), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	live := func(key string) bool {
		t.Helper()
		_, err := s.Get(ctx, key)
		if err != nil && !errors.Is(err, fiefhttp.ErrSessionNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	create("victim", "v")
	create("m1", "mallory")
	create("m2", "mallory")
	create("m3", "mallory")
	live("m1") // m1 used: m2 is now mallory's least recently used
	for i := range 50 {
		create(fmt.Sprint("flood", i), "mallory")
	}
	if !live("victim") {
		t.Fatal("one user's sign-ins dropped another user's session")
	}
	if n := s.Len(); n != 4 {
		t.Fatalf("%d values, want the victim's and mallory's 3", n)
	}
	if live("m1") || live("m2") || !live("flood49") {
		t.Fatal("mallory's oldest values were not the ones dropped")
	}

	// Many users: the store drops the least recently used, not the oldest.
	for i := range 8 {
		create(fmt.Sprint("other", i), fmt.Sprint("user", i))
		live("victim") // the victim keeps using their session
	}
	if !live("victim") {
		t.Fatal("a session in use was dropped before unused ones")
	}
	if n := s.Len(); n != 10 {
		t.Fatalf("%d values, want the bound, 10", n)
	}
}
