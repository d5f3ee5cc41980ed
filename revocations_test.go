package fief

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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

// TestRevocationsBound: at the bound, the entries that expire soonest are
// forgotten, standing blocks last, with a warning; the latest stay.
func TestRevocationsBound(t *testing.T) {
	clock := newClock()
	var logs bytes.Buffer
	rev := NewRevocations(RevocationsConfig{Clock: clock.Now, MaxUsers: 128, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	user := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
	for i := range 10 {
		rev.Apply(Revocation{Kind: BlockUser, UserID: user(i), NotBefore: clock.Now()})
	}
	for i := 10; i < 1000; i++ {
		clock.Advance(time.Second)
		rev.Revoke(user(i), clock.Now())
	}
	if n := rev.n.Load(); n > 128 {
		t.Fatalf("%d users held, bound 128", n)
	}
	for i := range 10 {
		if _, ok := rev.Refuses(user(i), clock.Now(), nil); !ok {
			t.Fatalf("standing block of user %d forgotten at the bound", i)
		}
	}
	if _, ok := rev.Refuses(user(999), clock.Now(), nil); !ok {
		t.Fatal("the latest revocation forgotten at the bound")
	}
	if _, ok := rev.Refuses(user(10), time.Time{}, nil); ok {
		t.Fatal("the oldest revocation kept beyond the bound")
	}
	if !strings.Contains(logs.String(), "revocations at their bound") {
		t.Fatalf("no warning at the bound: %q", logs.String())
	}
}

// TestRevocationKinds: a standing block refuses whatever the iat until
// lifted; a stale block (delivered late) does not undo a later lifting; a
// permission revocation refuses only the tokens carrying it.
func TestRevocationKinds(t *testing.T) {
	clock := newClock()
	rev := NewRevocations(RevocationsConfig{Clock: clock.Now})
	t0 := clock.Now()
	if !rev.Apply(Revocation{Kind: BlockUser, UserID: revokedUser, NotBefore: t0}) {
		t.Fatal("block: no change")
	}
	clock.Advance(90 * 24 * time.Hour)
	if _, ok := rev.Refuses(revokedUser, clock.Now(), nil); !ok {
		t.Fatal("a standing block expired")
	}
	lift := clock.Now()
	if !rev.Apply(Revocation{Kind: UnblockUser, UserID: revokedUser, NotBefore: lift}) {
		t.Fatal("unblock: no change")
	}
	if rev.Apply(Revocation{Kind: BlockUser, UserID: revokedUser, NotBefore: t0}) {
		t.Fatal("a block older than its lifting applied again")
	}
	if _, ok := rev.Refuses(revokedUser, clock.Now().Add(time.Second), nil); ok {
		t.Fatal("a lifted block still refuses")
	}
	if rev.Apply(Revocation{Kind: UnblockUser, UserID: "other", NotBefore: lift}) {
		t.Fatal("lifting no block changed the set")
	}
	rev.Apply(Revocation{Kind: RevokePermission, Permission: "castles:siege", NotBefore: lift})
	if _, ok := rev.Refuses("anyone", lift, []string{"castles:read", "castles:siege"}); !ok {
		t.Fatal("a token carrying the revoked permission is accepted")
	}
	if _, ok := rev.Refuses("anyone", lift, []string{"castles:read"}); ok {
		t.Fatal("a token without the revoked permission is refused")
	}
	if _, ok := rev.Refuses("anyone", lift, nil); ok {
		t.Fatal("a session is refused for a revoked permission")
	}
	for _, bad := range []Revocation{
		{Kind: RevokeTokens, NotBefore: lift},
		{Kind: RevokePermission, UserID: revokedUser, NotBefore: lift},
		{Kind: 0, UserID: revokedUser, NotBefore: lift},
		{Kind: RevokeTokens, UserID: revokedUser},
	} {
		if rev.Apply(bad) {
			t.Fatalf("a malformed revocation %+v applied", bad)
		}
	}
	b, err := json.Marshal(Revocation{Kind: RevokePermission, Permission: "castles:siege", NotBefore: lift})
	var back Revocation
	if err != nil || json.Unmarshal(b, &back) != nil || back.Kind != RevokePermission || !strings.Contains(string(b), `"revoke_permission"`) {
		t.Fatalf("JSON round trip: %s %v %+v", b, err, back)
	}
}

// TestRevocationJSONPrefix: the encoding begins with the kind and the user,
// which stores search by.
func TestRevocationJSONPrefix(t *testing.T) {
	b, _ := json.Marshal(Revocation{Kind: BlockUser, UserID: revokedUser, NotBefore: time.Unix(1, 0)})
	if want := `{"kind":"block_user","user":"` + revokedUser + `"`; !strings.HasPrefix(string(b), want) {
		t.Fatalf("%s does not begin with %s", b, want)
	}
}
