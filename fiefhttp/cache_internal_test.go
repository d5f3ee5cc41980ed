package fiefhttp

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func newTestCache(max int, ttl time.Duration) (*MemoryUserInfoCache, *testClock) {
	c := NewMemoryUserInfoCache(max, ttl)
	clk := &testClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.now = clk.now
	return c, clk
}

func user(id string) fief.UserInfo { return fief.UserInfo{"sub": id, "email": id + "@example.com"} }

func TestMemoryUserInfoCacheExpiry(t *testing.T) {
	ctx := context.Background()
	c, clk := newTestCache(10, time.Minute)
	c.Set(ctx, "a", user("a"))
	tests := []struct {
		name    string
		advance time.Duration
		want    bool
	}{
		{"fresh", 0, true},
		{"just before expiry", time.Minute - time.Nanosecond, true},
		{"at expiry", time.Nanosecond, false},
		{"long after", time.Hour, false},
	}
	for _, tt := range tests {
		clk.t = clk.t.Add(tt.advance)
		if _, _, ok, err := c.Get(ctx, "a"); ok != tt.want || err != nil {
			t.Errorf("%s: found %v (err %v), want %v", tt.name, ok, err, tt.want)
		}
	}
	// Setting again restarts the entry's life.
	c.Set(ctx, "a", user("a"))
	if _, _, ok, _ := c.Get(ctx, "a"); !ok {
		t.Error("entry set again not found")
	}
}

func TestMemoryUserInfoCacheBounded(t *testing.T) {
	ctx := context.Background()
	c, clk := newTestCache(3, time.Minute)
	for _, id := range []string{"a", "b", "c"} {
		c.Set(ctx, id, user(id))
		clk.t = clk.t.Add(time.Second)
	}
	c.Set(ctx, "a", user("a")) // a is now the newest
	c.Set(ctx, "d", user("d")) // drops the oldest: b
	if c.len() != 3 {
		t.Fatalf("Len %d, want 3", c.len())
	}
	for id, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, _, ok, _ := c.Get(ctx, id); ok != want {
			t.Errorf("%s found %v, want %v", id, ok, want)
		}
	}
	// Expired entries go first, even when not the oldest-set would be enough.
	clk.t = clk.t.Add(2 * time.Minute)
	c.Set(ctx, "e", user("e"))
	if c.len() != 1 {
		t.Errorf("Len %d after expiry, want 1", c.len())
	}
	c.Delete(ctx, "e")
	if _, _, ok, _ := c.Get(ctx, "e"); ok || c.len() != 0 {
		t.Error("Delete left the entry")
	}
	if err := c.Delete(ctx, "absent"); err != nil {
		t.Errorf("Delete of an absent entry: %v", err)
	}
}

func TestMemoryUserInfoCacheDefaults(t *testing.T) {
	c := NewMemoryUserInfoCache(0, -1)
	if c.max != DefaultUserInfoCacheSize || c.ttl != DefaultUserInfoCacheTTL {
		t.Errorf("max %d ttl %v, want the defaults", c.max, c.ttl)
	}
}

func TestMemoryUserInfoCacheCopiesOnSet(t *testing.T) {
	ctx := context.Background()
	c, _ := newTestCache(10, time.Minute)
	in := fief.UserInfo{"sub": "a", "fields": map[string]any{"name": "Anne", "tags": []any{"x"}}}
	c.Set(ctx, "a", in)
	in["sub"] = "changed"
	in["fields"].(map[string]any)["name"] = "changed"
	in["fields"].(map[string]any)["tags"].([]any)[0] = "changed"
	got, _, _, _ := c.Get(ctx, "a")
	if got.ID() != "a" || got.Fields()["name"] != "Anne" || got.Fields()["tags"].([]any)[0] != "x" {
		t.Errorf("cached %v changed with the caller's map", got)
	}
}

func TestMemoryUserInfoCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryUserInfoCache(50, time.Minute)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				id := fmt.Sprint((g*7 + i) % 80)
				switch i % 3 {
				case 0:
					c.Set(ctx, id, user(id))
				case 1:
					if u, _, ok, _ := c.Get(ctx, id); ok && u.ID() != id {
						t.Errorf("Get(%s) = %s", id, u.ID())
					}
				case 2:
					c.Delete(ctx, id)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.len(); n > 50 {
		t.Errorf("Len %d above the bound 50", n)
	}
}
