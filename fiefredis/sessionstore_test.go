package fiefredis_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
)

// TestSessionUpdateNeverCreates: a record deleted ("sign out", "sign out
// everywhere") while a request was refreshing it does not come back when
// the request writes it: Update of a missing key writes nothing and says
// ErrSessionNotFound; Create of an existing key fails.
func TestSessionUpdateNeverCreates(t *testing.T) {
	_, rdb := newRedis(t)
	sessionUpdateNeverCreates(t, rdb)
}

// sessionUpdateNeverCreates is the behaviour of sign-out against late
// writes, on rdb.
func sessionUpdateNeverCreates(t *testing.T, rdb redis.UniversalClient) {
	ctx := t.Context()
	s := newStore(t, rdb, fiefredis.Config{})
	if err := s.Create(ctx, "a", userA, []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "a", userA, []byte("other"), time.Minute); err == nil || errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("Create of an existing key: %v, want a refusal", err)
	}
	if err := s.Update(ctx, "a", userA, []byte("v2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "a"); err != nil || string(v) != "v2" {
		t.Fatalf("after Update: %q, %v", v, err)
	}

	// Sign out everywhere, then the late write of a refreshing request.
	if err := s.DeleteUser(ctx, userA); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "a", userA, []byte("v3"), time.Minute); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update after DeleteUser: %v, want ErrSessionNotFound", err)
	}
	if _, err := s.Get(ctx, "a"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("the record came back after DeleteUser: %v", err)
	}
	if err := s.Create(ctx, "b", userA, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "b", userA, []byte("v"), time.Minute); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("Update after Delete: %v, want ErrSessionNotFound", err)
	}
	if keys := rdb.Keys(ctx, "*:s:*").Val(); len(keys) != 0 {
		t.Fatalf("after signing out and late updates, Redis holds the records %v", keys)
	}
}

// TestSessionStoresOfTwoApplications: two applications sharing a Redis,
// each with its client ID and the default prefix, share no key: one's "sign
// out everywhere" leaves the other's sessions of the same user.
func TestSessionStoresOfTwoApplications(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := t.Context()
	one := newStore(t, rdb, fiefredis.Config{ClientID: "app-one"})
	two := newStore(t, rdb, fiefredis.Config{ClientID: "app-two"})
	for _, s := range []*fiefredis.SessionStore{one, two} {
		if err := s.Create(ctx, "k", userA, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := one.DeleteUser(ctx, userA); err != nil {
		t.Fatal(err)
	}
	if _, err := one.Get(ctx, "k"); !errors.Is(err, fiefhttp.ErrSessionNotFound) {
		t.Fatalf("the first application's session after its DeleteUser: %v", err)
	}
	if v, err := two.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("the other application's session after the first's DeleteUser: %q, %v", v, err)
	}
	for _, k := range rdb.Keys(ctx, "*").Val() {
		if !strings.HasPrefix(k, "fief:app-two:") {
			t.Errorf("key %q is not under the default prefix of its client ID", k)
		}
	}
}

// TestSessionIndexPruned: a user's index of keys forgets the records that
// expired, instead of growing with every sign-in.
func TestSessionIndexPruned(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := t.Context()
	now := time.Now()
	s := newStore(t, rdb, fiefredis.Config{Clock: func() time.Time { return now }})
	for i := range 20 {
		if err := s.Create(ctx, "short"+string(rune('a'+i)), userA, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute) // those records have expired
	if err := s.Create(ctx, "long", userA, []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	var index string
	for _, k := range rdb.Keys(ctx, "*").Val() {
		if strings.Contains(k, userA) {
			index = k
		}
	}
	if n := rdb.ZCard(ctx, index).Val(); n != 1 {
		t.Fatalf("the user's index holds %d keys, want 1 (the expired ones pruned)", n)
	}
}

// TestNewSessionStoreRefusesNoClient: no client is an error, not a panic.
func TestNewSessionStoreRefusesNoClient(t *testing.T) {
	if _, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{}); err == nil || !strings.Contains(err.Error(), "Client") {
		t.Fatalf("no client: %v", err)
	}
}
