package fief

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestTokenWithoutKIDUsesFreshKeySet: a token without kid, tried against
// every key of the set, is checked against a set no older than its maximum
// age. Before, a token without kid never caused a fetch: a key dropped by
// Fief kept verifying kid-less tokens forever.
func TestTokenWithoutKIDUsesFreshKeySet(t *testing.T) {
	clock := newClock()
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b")
	srv := newKeyServer(t, testIssuer, jwksOf(t, a))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: -1, JWKSMaxAge: 10 * time.Minute})
	ctx := context.Background()
	noKID := sign(t, testKey{priv: a.priv}, claimsAt(clock.Now().Unix()))
	if _, err := c.ValidateAccessToken(ctx, noKID, Requirements{}); err != nil {
		t.Fatalf("token without kid of key a: %v", err)
	}
	srv.setJWKS(jwksOf(t, b), 0)
	clock.Advance(10*time.Minute + time.Second)
	if _, err := c.ValidateAccessToken(ctx, noKID, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token without kid of the dropped key a: err = %v, want ErrInvalidToken", err)
	}
	if got := srv.jwksHits.Load(); got != 2 {
		t.Fatalf("%d key set requests, want 2", got)
	}
}

// TestKeySetCacheControl: a Cache-Control max-age shorter than
// Config.JWKSMaxAge shortens it (no-store and no-cache mean now, within the
// cool-down); a longer one does not lengthen it.
func TestKeySetCacheControl(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", DefaultJWKSMaxAge},
		{"max-age=60", time.Minute},
		{"public, max-age=120, must-revalidate", 2 * time.Minute},
		{"max-age=86400", DefaultJWKSMaxAge},
		{"no-store", 0},
		{"no-cache", 0},
		{"max-age=-5", DefaultJWKSMaxAge},
		{"max-age=abc", DefaultJWKSMaxAge},
		{"max-age=99999999999999999999", DefaultJWKSMaxAge},
	} {
		t.Run(tc.header, func(t *testing.T) {
			clock := newClock()
			a := newTestKey(t, 0, "key-a")
			srv := newKeyServer(t, testIssuer, jwksOf(t, a))
			srv.cacheCtl = tc.header
			c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now})
			if _, err := c.ValidateAccessToken(context.Background(), sign(t, a, claimsAt(clock.Now().Unix())), Requirements{}); err != nil {
				t.Fatal(err)
			}
			if got := c.KeySetStatus().MaxAge; got != tc.want {
				t.Fatalf("MaxAge = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestKeySetAgeConfig(t *testing.T) {
	for _, tc := range []struct {
		name              string
		maxAge, staleness time.Duration
		field             string
	}{
		{"negative max age", -time.Second, 0, "JWKSMaxAge"},
		{"negative staleness", 0, -time.Second, "JWKSMaxStaleness"},
		{"staleness below max age", 2 * time.Hour, time.Hour, "JWKSMaxStaleness"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{BaseURL: "https://fief.test", ClientID: "c", JWKSMaxAge: tc.maxAge, JWKSMaxStaleness: tc.staleness})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v, want a ConfigError on %s", err, tc.field)
			}
		})
	}
	c := mustNew(t, Config{BaseURL: "https://fief.test", ClientID: "c", JWKSMaxAge: 48 * time.Hour, HTTPClient: &http.Client{}})
	if st := c.KeySetStatus(); st.Loaded || st.MaxAge != 48*time.Hour || st.MaxStaleness != 48*time.Hour {
		t.Fatalf("status of a client with a 48 h maximum age, never loaded: %+v", st)
	}
}
