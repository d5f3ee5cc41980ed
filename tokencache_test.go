package fief

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// cachedFor reports whether the verified-token cache of c serves token now.
func cachedFor(c *Client, token string) bool {
	if c.tokens == nil {
		return false
	}
	_, ok := c.tokens.get(token, c.s.clock(), c.s.leeway)
	return ok
}

// jwsParts splits a compact JWS into header, payload and signature.
func jwsParts(t *testing.T, token string) (header, payload, sig string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

func TestTokenCacheKeyedByWholeToken(t *testing.T) {
	clock := newClock()
	a := newTestKey(t, 0, "key-a")
	srv := newKeyServer(t, testIssuer, jwksOf(t, a))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now})
	ctx := context.Background()
	iat := clock.Now().Unix()

	cached := sign(t, a, claimsAt(iat))
	if _, err := c.ValidateAccessToken(ctx, cached, Requirements{}); err != nil {
		t.Fatal(err)
	}
	if !cachedFor(c, cached) {
		t.Fatal("a valid token was not cached")
	}
	h, p, s := jwsParts(t, cached)

	admin := claimsAt(iat)
	admin["permissions"] = []string{"castles:read", "castles:delete"}
	_, adminPayload, _ := jwsParts(t, sign(t, a, admin))
	other := claimsAt(iat + 1)
	_, _, otherSig := jwsParts(t, sign(t, a, other))
	// The same key and algorithm, one more header member.
	otherHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"key-a","typ":"JWT"}`))

	tests := []struct {
		name  string
		token string
	}{
		{"cached signature on another payload", h + "." + adminPayload + "." + s},
		{"cached signature under another header", otherHeader + "." + p + "." + s},
		{"cached header and payload with another signature", h + "." + p + "." + otherSig},
		{"cached token with a signature cut short", h + "." + p + "." + s[:len(s)-4]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := c.ValidateAccessToken(ctx, tt.token, Requirements{})
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v (info %v), want ErrInvalidToken", err, info)
			}
			if cachedFor(c, tt.token) {
				t.Fatal("the forged token was cached")
			}
		})
	}
	if _, err := c.ValidateAccessToken(ctx, cached, Requirements{}); err != nil {
		t.Fatalf("the cached token after the forgeries: %v", err)
	}
}

func TestTokenCacheBounded(t *testing.T) {
	key := newTestKey(t, 0, "k")
	for _, size := range []int{1, 10, 50} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			clock := newClock()
			srv := newKeyServer(t, testIssuer, jwksOf(t, key))
			c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: size})
			ctx := context.Background()
			tokens := make([]string, 3*size+1)
			for i := range tokens {
				tokens[i] = sign(t, key, claimsAt(clock.Now().Unix()-int64(i)))
			}
			for i, tok := range tokens {
				if _, err := c.ValidateAccessToken(ctx, tok, Requirements{}); err != nil {
					t.Fatalf("token %d: %v", i, err)
				}
				if n := c.tokens.len(); n > size {
					t.Fatalf("after %d tokens the cache holds %d entries, more than its size %d", i+1, n, size)
				}
				if !cachedFor(c, tok) {
					t.Fatalf("token %d was not cached", i)
				}
			}
			// Evicted tokens are verified again, not refused.
			for i, tok := range tokens {
				if _, err := c.ValidateAccessToken(ctx, tok, Requirements{}); err != nil {
					t.Fatalf("token %d, second time: %v", i, err)
				}
			}
		})
	}
}

func TestTokenCacheNeverOutlivesExpiry(t *testing.T) {
	key := newTestKey(t, 0, "k")
	tests := []struct {
		name    string
		leeway  time.Duration // Config.Leeway
		after   time.Duration // time after exp at which the token is checked again
		expired bool
	}{
		{"well before exp", 30 * time.Second, -30 * time.Minute, false},
		{"at exp", 30 * time.Second, 0, false},
		{"within the leeway", 30 * time.Second, 29 * time.Second, false},
		{"at exp plus leeway", 30 * time.Second, 30 * time.Second, false},
		{"just past exp plus leeway", 30 * time.Second, 30*time.Second + time.Millisecond, true},
		{"a day past exp", 30 * time.Second, 24 * time.Hour, true},
		{"default leeway, past it", 0, DefaultLeeway + time.Second, true},
		{"no leeway, just past exp", -1, time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			srv := newKeyServer(t, testIssuer, jwksOf(t, key))
			c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, Leeway: tt.leeway})
			ctx := context.Background()
			iat := clock.Now().Unix()
			token := sign(t, key, claimsAt(iat)) // exp = iat + 1h
			if _, err := c.ValidateAccessToken(ctx, token, Requirements{}); err != nil {
				t.Fatal(err)
			}
			exp := time.Unix(iat+3600, 0)
			clock.Advance(exp.Add(tt.after).Sub(clock.Now()))

			_, err := c.ValidateAccessToken(ctx, token, Requirements{})
			if tt.expired {
				if !errors.Is(err, ErrTokenExpired) {
					t.Fatalf("err = %v, want ErrTokenExpired", err)
				}
				if cachedFor(c, token) {
					t.Fatal("the cache still serves the expired token")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the token still valid", err)
			}
			if !cachedFor(c, token) {
				t.Fatal("the token is no longer served from the cache")
			}
		})
	}
}

func TestTokenCacheDropsKeysLeavingTheSet(t *testing.T) {
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b")
	tests := []struct {
		name      string
		newSet    []testKey
		wantValid bool
	}{
		{"key removed", []testKey{b}, false},
		{"key kept beside the new one", []testKey{b, a}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			srv := newKeyServer(t, testIssuer, jwksOf(t, a))
			c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now})
			ctx := context.Background()
			iat := clock.Now().Unix()
			tokenA, tokenB := sign(t, a, claimsAt(iat)), sign(t, b, claimsAt(iat))
			if _, err := c.ValidateAccessToken(ctx, tokenA, Requirements{}); err != nil {
				t.Fatal(err)
			}

			// The tenant's key set changes; a token of the new key makes the
			// client fetch it once the cool-down is over.
			srv.setJWKS(jwksOf(t, tt.newSet...), 0)
			clock.Advance(DefaultJWKSRefreshCooldown + time.Second)
			if _, err := c.ValidateAccessToken(ctx, tokenB, Requirements{}); err != nil {
				t.Fatalf("token of the new key: %v", err)
			}
			if got := srv.jwksHits.Load(); got != 2 {
				t.Fatalf("key set fetched %d times, want 2", got)
			}

			if got := cachedFor(c, tokenA); got != tt.wantValid {
				t.Errorf("token of key a cached: %v, want %v", got, tt.wantValid)
			}
			_, err := c.ValidateAccessToken(ctx, tokenA, Requirements{})
			switch {
			case tt.wantValid && err != nil:
				t.Fatalf("token of the kept key: %v", err)
			case !tt.wantValid && !errors.Is(err, ErrInvalidToken):
				t.Fatalf("token of the removed key: err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestTokenCacheChecksRequirementsEveryCall(t *testing.T) {
	key := newTestKey(t, 0, "k")
	claims := claimsAt(newClock().Now().Unix())
	claims["acr"] = "0"
	claims["permissions"] = []string{"castles:read", "castles:create"}
	token := sign(t, key, claims)
	tests := []struct {
		name string
		req  Requirements
		want error // nil: accepted
	}{
		{"none", Requirements{}, nil},
		{"granted scope", Requirements{Scopes: []string{"openid"}}, nil},
		{"missing scope", Requirements{Scopes: []string{"openid", "admin"}}, ErrMissingScope},
		{"ACR met", Requirements{ACR: ACRLevel0}, nil},
		{"ACR too low", Requirements{ACR: ACRLevel1}, ErrACRTooLow},
		{"held permissions", Requirements{Permissions: []string{"castles:create", "castles:read"}}, nil},
		{"missing permission", Requirements{Permissions: []string{"castles:read", "castles:delete"}}, ErrMissingPermission},
	}
	for _, size := range []int{0, -1} {
		clock := newClock()
		srv := newKeyServer(t, testIssuer, jwksOf(t, key))
		c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: size})
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(fmt.Sprintf("cache size %d/%s", size, tt.name), func(t *testing.T) {
				// Each call in turn: the first may verify, the others are
				// served from the cache when there is one.
				for call := range 3 {
					_, err := c.ValidateAccessToken(ctx, token, tt.req)
					if tt.want == nil && err != nil {
						t.Fatalf("call %d: err = %v, want none", call, err)
					}
					if tt.want != nil && (!errors.Is(err, tt.want) || !errors.Is(err, ErrForbidden)) {
						t.Fatalf("call %d: err = %v, want %v (an ErrForbidden)", call, err, tt.want)
					}
				}
			})
		}
	}
}

func TestTokenCacheResultIsTheCallersOwn(t *testing.T) {
	clock := newClock()
	key := newTestKey(t, 0, "k")
	srv := newKeyServer(t, testIssuer, jwksOf(t, key))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now})
	ctx := context.Background()
	claims := claimsAt(clock.Now().Unix())
	claims["permissions"] = []string{"castles:read", "castles:create"}
	token := sign(t, key, claims)

	first, err := c.ValidateAccessToken(ctx, token, Requirements{})
	if err != nil {
		t.Fatal(err)
	}
	want := AccessTokenInfo{
		ID:          first.ID,
		Scope:       []string{"openid", "offline_access"},
		ACR:         ACRLevel1,
		Permissions: []string{"castles:read", "castles:create"},
		AccessToken: token,
		ExpiresAt:   first.ExpiresAt,
		IssuedAt:    first.IssuedAt,
	}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first result = %#v, want %#v", first, want)
	}

	mutations := []struct {
		name   string
		mutate func(*AccessTokenInfo)
	}{
		{"overwrite a scope", func(i *AccessTokenInfo) { i.Scope[0] = "admin" }},
		{"overwrite a permission", func(i *AccessTokenInfo) { i.Permissions[1] = "castles:delete" }},
		{"append a scope", func(i *AccessTokenInfo) { i.Scope = append(i.Scope, "admin") }},
		{"append a permission", func(i *AccessTokenInfo) { i.Permissions = append(i.Permissions, "castles:delete") }},
		{"sort the permissions", func(i *AccessTokenInfo) { i.Permissions[0], i.Permissions[1] = i.Permissions[1], i.Permissions[0] }},
		{"change the fields", func(i *AccessTokenInfo) { i.ID, i.ACR, i.AccessToken = "someone", ACRLevel0, "" }},
	}
	// The first result (from a verification) and later ones (from the
	// cache) are mutated in turn; no mutation shows in a later result, in a
	// requirement check, or in the other slice of the same result.
	got := first
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			perms := append([]string(nil), got.Permissions...)
			m.mutate(&got)
			if m.name == "append a scope" && !reflect.DeepEqual(got.Permissions, perms) {
				t.Errorf("appending to Scope changed Permissions to %q", got.Permissions)
			}
			next, err := c.ValidateAccessToken(ctx, token, Requirements{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(next, want) {
				t.Errorf("after the mutation: %#v, want %#v", next, want)
			}
			_, err = c.ValidateAccessToken(ctx, token, Requirements{Scopes: []string{"admin"}, Permissions: []string{"castles:delete"}})
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("requirement met by a mutated result: err = %v, want ErrForbidden", err)
			}
			got = next
		})
	}
}

func TestTokenCacheCanBeTurnedOff(t *testing.T) {
	key := newTestKey(t, 0, "k")
	tests := []struct {
		name    string
		size    int
		wantMax int // 0: no cache
	}{
		{"negative turns it off", -1, 0},
		{"zero means the default", 0, DefaultTokenCacheSize},
		{"positive bounds it", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			srv := newKeyServer(t, testIssuer, jwksOf(t, key))
			c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: tt.size})
			if tt.wantMax == 0 {
				if c.tokens != nil {
					t.Fatalf("cache of %d entries, want none", c.tokens.max)
				}
			} else if c.tokens == nil || c.tokens.max != tt.wantMax {
				t.Fatalf("cache %+v, want one of %d entries", c.tokens, tt.wantMax)
			}
			ctx := context.Background()
			token := sign(t, key, claimsAt(clock.Now().Unix()))
			for call := range 2 {
				if _, err := c.ValidateAccessToken(ctx, token, Requirements{}); err != nil {
					t.Fatalf("call %d: %v", call, err)
				}
			}
			if got := cachedFor(c, token); got != (tt.wantMax > 0) {
				t.Errorf("token cached: %v, want %v", got, tt.wantMax > 0)
			}
			clock.Advance(time.Hour + DefaultLeeway + time.Second)
			if _, err := c.ValidateAccessToken(ctx, token, Requirements{}); !errors.Is(err, ErrTokenExpired) {
				t.Errorf("past exp: err = %v, want ErrTokenExpired", err)
			}
		})
	}
}

// TestTokenCacheConcurrent validates, from several goroutines, more tokens
// than the cache holds (so that entries are evicted while read), mutates the
// results, and refreshes the key set meanwhile. Run with -race.
func TestTokenCacheConcurrent(t *testing.T) {
	const (
		goroutines = 8
		rounds     = 150
		cacheSize  = 4
	)
	clock := newClock()
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b")
	srv := newKeyServer(t, testIssuer, jwksOf(t, a))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: cacheSize})
	ctx := context.Background()
	iat := clock.Now().Unix()

	// Tokens alternately with and without the "castles:delete" permission.
	type case_ struct {
		token     string
		canDelete bool
	}
	cases := make([]case_, 3*cacheSize)
	for i := range cases {
		cl := claimsAt(iat - int64(i))
		if i%2 == 0 {
			cl["permissions"] = []string{"castles:read", "castles:delete"}
		}
		cases[i] = case_{sign(t, a, cl), i%2 == 0}
	}
	unknownKID := sign(t, b, claimsAt(iat))
	needDelete := Requirements{Permissions: []string{"castles:delete"}}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines+1)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				cs := cases[(g+r)%len(cases)]
				info, err := c.ValidateAccessToken(ctx, cs.token, needDelete)
				switch {
				case cs.canDelete && err != nil:
					errs <- fmt.Errorf("goroutine %d round %d: %v", g, r, err)
					return
				case !cs.canDelete && !errors.Is(err, ErrMissingPermission):
					errs <- fmt.Errorf("goroutine %d round %d: err = %v, want ErrMissingPermission", g, r, err)
					return
				case err == nil:
					// The result is the caller's own: writing to it races
					// with nobody.
					info.Permissions[0], info.Scope[0] = "mutated", "mutated"
				}
			}
		}()
	}
	// Meanwhile the key set is refreshed again and again (each unknown kid
	// past the cool-down fetches it): entries of key a must survive, since
	// the key stays in the set.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			clock.Advance(DefaultJWKSRefreshCooldown + time.Second)
			if _, err := c.ValidateAccessToken(ctx, unknownKID, Requirements{}); !errors.Is(err, ErrInvalidToken) {
				errs <- fmt.Errorf("token of a key not in the set: err = %v, want ErrInvalidToken", err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := c.tokens.len(); n > cacheSize {
		t.Errorf("the cache holds %d entries, more than its size %d", n, cacheSize)
	}
	if got := srv.jwksHits.Load(); got < 2 {
		t.Errorf("key set fetched %d times, want the refreshes to have happened", got)
	}
}

// TestTokenCacheRefusesEntriesOfDroppedKeys covers a validation that
// verified a token with a key just before a refresh removed that key, and
// caches it just after: the entry must not be stored.
func TestTokenCacheRefusesEntriesOfDroppedKeys(t *testing.T) {
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b")
	now := newClock().Now()
	tc := newTokenCache(10)
	tc.dropKeysNotIn([]*rsa.PublicKey{&a.priv.PublicKey})
	tc.put("token-a", &cachedToken{info: AccessTokenInfo{ExpiresAt: now.Add(time.Hour)}, key: &a.priv.PublicKey}, now, 0)
	tc.dropKeysNotIn([]*rsa.PublicKey{&b.priv.PublicKey}) // the refresh
	tc.put("token-a2", &cachedToken{info: AccessTokenInfo{ExpiresAt: now.Add(time.Hour)}, key: &a.priv.PublicKey}, now, 0)
	if _, ok := tc.get("token-a", now, 0); ok {
		t.Error("an entry of the removed key survived the refresh")
	}
	if _, ok := tc.get("token-a2", now, 0); ok {
		t.Error("an entry of the removed key was stored after the refresh")
	}
}
