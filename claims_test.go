package fief

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAccessTokenClaims(t *testing.T) {
	clock := newClock()
	key := newTestKey(t, 0, "k")
	srv := newKeyServer(t, testIssuer, jwksOf(t, key))
	iat := clock.Now().Unix()
	with := func(k string, v any) map[string]any { return claimsWith(iat, k, v) }
	tests := []struct {
		name   string
		claims map[string]any
		cfg    func(*Config)
		req    Requirements
		want   error // nil: valid
	}{
		{name: "valid", claims: claimsAt(iat)},
		{name: "no iss", claims: with("iss", nil), want: ErrInvalidToken},
		{name: "iss with trailing slash", claims: with("iss", testIssuer+"/"), want: ErrInvalidToken},
		{name: "iss of another scheme", claims: with("iss", "http://fief.test"), want: ErrInvalidToken},
		{name: "no exp", claims: with("exp", nil), want: ErrInvalidToken},
		{name: "exp as string", claims: with("exp", "4102444800"), want: ErrInvalidToken},
		{name: "exp huge", claims: with("exp", 1e300), want: ErrInvalidToken},
		{name: "exp negative", claims: with("exp", -1), want: ErrInvalidToken},
		{name: "exp fractional", claims: with("exp", float64(iat)+3600.5)},
		{name: "expired beyond leeway", claims: with("exp", iat-61), want: ErrTokenExpired},
		{name: "expired within leeway", claims: with("exp", iat-59)},
		{name: "expired, no leeway", claims: with("exp", iat-1), cfg: func(c *Config) { c.Leeway = -1 }, want: ErrTokenExpired},
		{name: "nbf ahead beyond leeway", claims: with("nbf", iat+61), want: ErrInvalidToken},
		{name: "nbf ahead within leeway", claims: with("nbf", iat+59)},
		{name: "nbf as string", claims: with("nbf", "0"), want: ErrInvalidToken},
		{name: "no sub", claims: with("sub", nil), want: ErrInvalidToken},
		{name: "sub not a UUID", claims: with("sub", "anne"), want: ErrInvalidToken},
		{name: "sub UUID without dashes", claims: with("sub", "aeeb8bfae8f447249427c3d5af66190e"), want: ErrInvalidToken},
		{name: "sub a number", claims: with("sub", 42), want: ErrInvalidToken},
		{name: "no acr", claims: with("acr", nil), want: ErrInvalidToken},
		{name: "acr unknown", claims: with("acr", "2"), want: ErrInvalidToken},
		{name: "acr a number", claims: with("acr", 1), want: ErrInvalidToken},
		{name: "no scope", claims: with("scope", nil), want: ErrInvalidToken},
		{name: "scope a list", claims: with("scope", []string{"openid"}), want: ErrInvalidToken},
		{name: "no permissions", claims: with("permissions", nil), want: ErrInvalidToken},
		{name: "permissions a string", claims: with("permissions", "castles:read"), want: ErrInvalidToken},
		{name: "permissions with a number", claims: with("permissions", []any{"a", 1}), want: ErrInvalidToken},
		{name: "empty permissions", claims: with("permissions", []string{})},
		{name: "audience off by default", claims: with("aud", []string{"other"})},
		{name: "audience required, held", claims: claimsAt(iat), cfg: func(c *Config) { c.AccessTokenAudiences = []string{"x", "client"} }},
		{name: "audience required, as a string", claims: with("aud", "client"), cfg: func(c *Config) { c.AccessTokenAudiences = []string{"client"} }},
		{name: "audience required, not held", claims: with("aud", []string{"other"}), cfg: func(c *Config) { c.AccessTokenAudiences = []string{"client"} }, want: ErrInvalidToken},
		{name: "audience required, absent", claims: with("aud", nil), cfg: func(c *Config) { c.AccessTokenAudiences = []string{"client"} }, want: ErrInvalidToken},
		{name: "scopes held", claims: claimsAt(iat), req: Requirements{Scopes: []string{"openid", "offline_access"}}},
		{name: "scope missing", claims: claimsAt(iat), req: Requirements{Scopes: []string{"openid", "castles"}}, want: ErrMissingScope},
		{name: "acr 1 required, held", claims: claimsAt(iat), req: Requirements{ACR: ACRLevel1}},
		{name: "acr 1 required, token 0", claims: with("acr", "0"), req: Requirements{ACR: ACRLevel1}, want: ErrACRTooLow},
		{name: "acr 0 required, token 0", claims: with("acr", "0"), req: Requirements{ACR: ACRLevel0}},
		{name: "permission held", claims: claimsAt(iat), req: Requirements{Permissions: []string{"castles:read"}}},
		{name: "permission missing", claims: claimsAt(iat), req: Requirements{Permissions: []string{"castles:read", "castles:delete"}}, want: ErrMissingPermission},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			c := mustNew(t, cfg)
			token := sign(t, key, tc.claims)
			// Twice: the second call may come from the verified-token cache
			// and must give the same answer.
			for i := range 2 {
				info, err := c.ValidateAccessToken(context.Background(), token, tc.req)
				if tc.want == nil {
					if err != nil {
						t.Fatalf("call %d: want valid, got %v", i, err)
					}
					if info.ID != "aeeb8bfa-e8f4-4724-9427-c3d5af66190e" || info.AccessToken != token {
						t.Fatalf("call %d: info = %v", i, info)
					}
					continue
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("call %d: err = %v, want %v", i, err, tc.want)
				}
				if tc.want == ErrInvalidToken && errors.Is(err, ErrTokenExpired) {
					t.Fatalf("call %d: err = %v is 'expired', want only 'invalid'", i, err)
				}
			}
		})
	}
}

func TestAccessTokenInfo(t *testing.T) {
	clock := newClock()
	key := newTestKey(t, 0, "k")
	srv := newKeyServer(t, testIssuer, jwksOf(t, key))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now})
	claims := claimsAt(clock.Now().Unix())
	claims["sub"] = "AEEB8BFA-E8F4-4724-9427-C3D5AF66190E"
	token := sign(t, key, claims)
	info, err := c.ValidateAccessToken(context.Background(), token, Requirements{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "aeeb8bfa-e8f4-4724-9427-c3d5af66190e" {
		t.Errorf("ID = %q, want the lowercase UUID", info.ID)
	}
	if strings.Join(info.Scope, " ") != "openid offline_access" || !info.HasScope("offline_access") {
		t.Errorf("Scope = %q", info.Scope)
	}
	if !info.HasPermission("castles:read") || info.HasPermission("castles:write") {
		t.Errorf("Permissions = %q", info.Permissions)
	}
	if info.ACR != ACRLevel1 {
		t.Errorf("ACR = %q", info.ACR)
	}
	if !info.ExpiresAt.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("ExpiresAt = %v", info.ExpiresAt)
	}
	if s := info.String(); strings.Contains(s, token) || !strings.Contains(s, "redacted") {
		t.Errorf("String() reveals the token or does not say it is redacted: %s", s)
	}
}

func TestTokenSizeLimit(t *testing.T) {
	srv := newKeyServer(t, testIssuer, jwksOf(t, newTestKey(t, 0, "k")))
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client"})
	_, err := c.ValidateAccessToken(context.Background(), strings.Repeat("a", 1<<20), Requirements{})
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrInvalidToken", err)
	}
	if srv.discHits.Load() != 0 || srv.jwksHits.Load() != 0 {
		t.Fatal("an oversized token caused requests to Fief")
	}
}
