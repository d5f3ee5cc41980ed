package fief

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

const revokedUser = "aeeb8bfa-e8f4-4724-9427-c3d5af66190e"

func TestValidateAccessTokenRefusesRevokedTokens(t *testing.T) {
	clock := newClock()
	k := newTestKey(t, 0, "key-a")
	srv := newKeyServer(t, testIssuer, jwksOf(t, k))
	rev := NewRevocations(RevocationsConfig{Clock: clock.Now, Keep: 2 * time.Hour})
	c := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, Revocations: rev})
	ctx := context.Background()
	iat := clock.Now().Unix()
	if c.Revocations() != rev {
		t.Fatal("Client.Revocations is not the configured set")
	}

	before := sign(t, k, claimsAt(iat-10))
	atEvent := sign(t, k, claimsAt(iat))
	noIat := sign(t, k, claimsWith(iat, "iat", nil))
	after := sign(t, k, claimsAt(iat+1))
	for _, tok := range []string{before, atEvent, noIat, after} {
		if _, err := c.ValidateAccessToken(ctx, tok, Requirements{}); err != nil {
			t.Fatalf("before any revocation: %v", err)
		}
	}
	if !cachedFor(c, before) {
		t.Fatal("a valid token was not cached")
	}

	if !rev.Revoke("AEEB8BFA-E8F4-4724-9427-C3D5AF66190E", clock.Now().Add(500*time.Millisecond)) {
		t.Fatal("Revoke reported no change")
	}
	if cachedFor(c, before) || cachedFor(c, atEvent) || cachedFor(c, noIat) {
		t.Fatal("revoked tokens stayed in the verified-token cache")
	}
	if !cachedFor(c, after) {
		t.Fatal("a token issued after the revocation left the cache")
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"issued before, cached", before, ErrTokenRevoked},
		{"issued in the event's second", atEvent, ErrTokenRevoked},
		{"without iat", noIat, ErrTokenRevoked},
		{"issued after", after, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ValidateAccessToken(ctx, tt.token, Requirements{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want != nil && !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("a revoked token's error %v is not an ErrInvalidToken", err)
			}
		})
	}
	if cachedFor(c, before) {
		t.Fatal("a revoked token came back into the verified-token cache")
	}
	// A fresh (uncached) revoked token is refused too, and not cached.
	fresh := sign(t, k, claimsWith(iat-5, "scope", "openid"))
	if _, err := c.ValidateAccessToken(ctx, fresh, Requirements{}); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("uncached revoked token: %v", err)
	}
	if cachedFor(c, fresh) {
		t.Fatal("a revoked token was cached")
	}

	// After Keep the revocation is forgotten (the tokens it refused have
	// expired by then in real life; these ones last longer to show it).
	clock.Advance(2*time.Hour + time.Second)
	long := sign(t, k, claimsWith(iat-5, "exp", iat+10*3600))
	if _, err := c.ValidateAccessToken(ctx, long, Requirements{}); err != nil {
		t.Fatalf("after Keep: %v", err)
	}
}

func TestRevocationsKeepTheLatestNotBefore(t *testing.T) {
	clock := newClock()
	rev := NewRevocations(RevocationsConfig{Clock: clock.Now})
	t0 := clock.Now()
	var calls []time.Time
	stop := rev.OnRevoke(func(rv Revocation) {
		if rv.UserID != revokedUser || rv.Kind != RevokeTokens {
			t.Errorf("hook called with %+v", rv)
		}
		calls = append(calls, rv.NotBefore)
	})
	if !rev.Revoke(revokedUser, t0) {
		t.Fatal("first Revoke: no change")
	}
	if rev.Revoke(revokedUser, t0.Add(-time.Minute)) || rev.Revoke(revokedUser, t0) {
		t.Fatal("an earlier or equal not-before changed the set")
	}
	if !rev.Revoke(revokedUser, t0.Add(time.Minute)) {
		t.Fatal("a later not-before did not change the set")
	}
	if rv, ok := rev.Refuses(revokedUser, t0.Add(time.Minute), nil); !ok || !rv.NotBefore.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Refuses at the latest not-before = %+v, %v", rv, ok)
	}
	if _, ok := rev.Refuses(revokedUser, t0.Add(time.Minute+time.Second), nil); ok {
		t.Fatal("a token issued after the latest not-before is refused")
	}
	if len(calls) != 2 {
		t.Fatalf("OnRevoke called %d times, want 2 (only on changes)", len(calls))
	}
	stop()
	stop()
	if !rev.Revoke(revokedUser, t0.Add(2*time.Minute)) || len(calls) != 2 {
		t.Fatalf("OnRevoke's function called after stop (%d calls)", len(calls))
	}
	if rev.Revoke("other", t0.Add(-DefaultRevocationKeep)) {
		t.Fatal("a revocation older than Keep was recorded")
	}
	if rev.Revoke("", t0) {
		t.Fatal("an empty user ID was recorded")
	}
}

func TestRevocationsForgetExpiredEntries(t *testing.T) {
	clock := newClock()
	rev := NewRevocations(RevocationsConfig{Clock: clock.Now, Keep: time.Minute})
	for i := range 1000 {
		rev.Revoke(string(rune('a'+i%26))+time.Duration(i).String(), clock.Now())
		clock.Advance(time.Second)
	}
	if n := rev.n.Load(); n > 200 {
		t.Fatalf("%d entries kept with a one-minute Keep after 1000 revocations a second apart", n)
	}
	n := 0
	for range rev.All() {
		n++
	}
	if n > 60 {
		t.Fatalf("All yields %d live entries, want at most 60", n)
	}
}

func TestRevocationsConcurrent(t *testing.T) {
	rev := NewRevocations(RevocationsConfig{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 500 {
				rev.Revoke(revokedUser, time.Now().Add(time.Duration(i*j)))
				rev.Refuses(revokedUser, time.Now(), nil)
			}
		})
	}
	wg.Wait()
	if _, refused := rev.Refuses(revokedUser, time.Now().Add(-time.Second), nil); !refused {
		t.Fatal("not revoked after concurrent revocations")
	}
}
