package fiefhttp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// TestSessionCacheBounds: the cache holds at most its number of entries
// and its bytes, dropping the oldest first, and an entry larger than the
// whole budget is not kept.
func TestSessionCacheBounds(t *testing.T) {
	c, err := newSessionCache(bytes.Repeat([]byte{7}, 32), 100)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	rec := func(i, size int) *sessionRecord {
		return &sessionRecord{UserID: fmt.Sprintf("user-%d", i%7), AccessToken: strings.Repeat("t", size), Created: now.Unix()}
	}
	for i := range 250 {
		c.put(c.key(fmt.Sprint(i)), rec(i, 1000), now, now.Add(time.Hour))
	}
	if n := c.len(); n != 100 {
		t.Fatalf("%d entries, want 100", n)
	}
	if _, ok := c.get(c.key("149"), now); ok {
		t.Fatal("an old entry outlived newer ones")
	}
	if _, ok := c.get(c.key("249"), now); !ok {
		t.Fatal("the newest entry is missing")
	}
	c.maxBytes = 20 * (1000 + sessionEntryOverhead + len("user-0"))
	c.put(c.key("big"), rec(0, 1000), now, now.Add(time.Hour))
	if n := c.len(); n > 20 || c.bytes > c.maxBytes {
		t.Fatalf("%d entries, %d bytes, over the budget of %d bytes", n, c.bytes, c.maxBytes)
	}
	c.put(c.key("huge"), rec(0, c.maxBytes), now, now.Add(time.Hour))
	if _, ok := c.get(c.key("huge"), now); ok {
		t.Fatal("an entry larger than the budget was kept")
	}
	c.revoked(fief.Revocation{Kind: fief.RevokePermission, Permission: "castles:read"})
	if n := c.len(); n != 0 || c.bytes != 0 || len(c.byUser) != 0 {
		t.Fatalf("a tenant-wide revocation left %d entries, %d bytes, %d users", n, c.bytes, len(c.byUser))
	}
}

// TestSessionCacheEntryLife: an entry is served before the earliest of
// SessionCacheLife and its own end, not at that moment or after.
func TestSessionCacheEntryLife(t *testing.T) {
	c, _ := newSessionCache(bytes.Repeat([]byte{7}, 32), 10)
	now := time.Unix(1_700_000_000, 0)
	r := &sessionRecord{UserID: "u", AccessToken: "a"}
	c.put(c.key("long"), r, now, now.Add(time.Hour))
	c.put(c.key("short"), r, now, now.Add(time.Second))
	c.put(c.key("over"), r, now, now)
	for _, tc := range []struct {
		value string
		at    time.Duration
		ok    bool
	}{
		{"long", SessionCacheLife - time.Nanosecond, true}, {"long", SessionCacheLife, false},
		{"short", time.Second - time.Nanosecond, true}, {"short", time.Second, false},
		{"over", 0, false},
	} {
		if _, ok := c.get(c.key(tc.value), now.Add(tc.at)); ok != tc.ok {
			t.Errorf("%s at +%v: served %v, want %v", tc.value, tc.at, ok, tc.ok)
		}
	}
}

// TestSessionCacheKeyedHash: the cache's key of a cookie value depends on
// the secret and is not the value.
func TestSessionCacheKeyedHash(t *testing.T) {
	a, _ := newSessionCache(bytes.Repeat([]byte{1}, 32), 10)
	b, _ := newSessionCache(bytes.Repeat([]byte{2}, 32), 10)
	value := strings.Repeat("v", 43)
	ka, kb := a.key(value), b.key(value)
	if ka == kb || ka != a.key(value) || ka == a.key(value+"x") {
		t.Fatal("the key does not depend on the secret and the value alone")
	}
	if bytes.Contains(ka[:], []byte(value[:8])) {
		t.Fatal("the key holds the value")
	}
}
