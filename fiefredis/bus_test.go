package fiefredis_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// instance is what one instance of a service holds.
type instance struct {
	rev   *fief.Revocations
	cache *fiefhttp.MemoryUserInfoCache
	bus   *fiefredis.Bus
}

func newInstance(t *testing.T, srv *redisserver.Server) *instance {
	t.Helper()
	return newLoggedInstance(t, srv, nil)
}

// newLoggedInstance is newInstance logging to logger (nil: nowhere).
func newLoggedInstance(t *testing.T, srv *redisserver.Server, logger *slog.Logger) *instance {
	t.Helper()
	return newInstanceOn(t, newClient(t, srv), logger)
}

// newInstanceOn is an instance on rdb, logging to logger (nil: nowhere).
func newInstanceOn(t *testing.T, rdb redis.UniversalClient, logger *slog.Logger) *instance {
	t.Helper()
	in := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{}), cache: fiefhttp.NewMemoryUserInfoCache(0, time.Hour)}
	c := config(rdb)
	if logger != nil {
		c.Logger = logger
	}
	var err error
	in.bus, err = fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: in.rev, UserInfo: in.cache, RetryInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in.bus.Start()
	t.Cleanup(func() { in.bus.Close() })
	return in
}

// revokeNow applies the revocation of user's tokens until now through in.
func revokeNow(t *testing.T, in *instance, user string) {
	t.Helper()
	if err := in.bus.Apply(context.Background(), revokeEffect(user, time.Now(), false)); err != nil {
		t.Fatal(err)
	}
}

func (in *instance) revoked(user string) bool { _, ok := notBefore(in.rev, user); return ok }

// notBefore returns the user's RevokeTokens "not before" in rev.
func notBefore(rev *fief.Revocations, user string) (time.Time, bool) {
	for rv := range rev.All() {
		if rv.Kind == fief.RevokeTokens && rv.UserID == user {
			return rv.NotBefore, true
		}
	}
	return time.Time{}, false
}

// revokeEffect is the effect that revokes the user's tokens issued until
// nb, and drops the user's cached info when drop is set.
func revokeEffect(user string, nb time.Time, drop bool) fiefwebhook.Effect {
	return fiefwebhook.Effect{UserID: user, DropUserInfo: drop, Revocations: []fief.Revocation{{Kind: fief.RevokeTokens, UserID: user, NotBefore: nb}}}
}

func TestBusSpreadsEffects(t *testing.T) {
	srv := redisserver.Start(t)
	busSpreadsEffects(t, func(t *testing.T) redis.UniversalClient { return newClient(t, srv) })
}

// busSpreadsEffects is the bus's behaviour on the Redis deployment of
// newClient: effects reach every instance, and a late instance loads the
// stored revocations.
func busSpreadsEffects(t *testing.T, newClient func(*testing.T) redis.UniversalClient) {
	newInstance := func(t *testing.T) *instance { return newInstanceOn(t, newClient(t), nil) }
	a, b := newInstance(t), newInstance(t)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	ctx := context.Background()
	_ = b.cache.Set(ctx, userA, fief.UserInfo{"sub": userA})

	// user.updated: every instance drops the user's info, nobody revokes.
	if err := a.bus.Apply(ctx, fiefwebhook.Effect{UserID: userA, DropUserInfo: true}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "b kept the user's info", func() bool { _, _, ok, _ := b.cache.Get(ctx, userA); return !ok })
	if a.revoked(userA) || b.revoked(userA) {
		t.Fatal("a drop revoked the user")
	}

	nb := time.Now()
	if err := a.bus.Apply(ctx, revokeEffect(userA, nb, true)); err != nil {
		t.Fatal(err)
	}
	if !a.revoked(userA) {
		t.Fatal("the receiving instance did not apply at once")
	}
	eventually(t, 3*time.Second, "b never revoked", func() bool { return b.revoked(userA) })
	if got, _ := notBefore(b.rev, userA); !got.Equal(nb.Truncate(time.Microsecond)) {
		t.Fatalf("b's not-before %v, want %v", got, nb)
	}

	// An instance started afterwards loads it from Redis.
	c := newInstance(t)
	waitSynced(t, c.bus)
	if !c.revoked(userA) {
		t.Fatal("a late instance does not know an earlier revocation")
	}
	if err := c.bus.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func TestBusCatchesUpAfterRedisReturns(t *testing.T) {
	srv := redisserver.Start(t)
	a, b := newInstance(t, srv), newInstance(t, srv)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	ctx := context.Background()
	early := "11111111-1111-4111-8111-111111111111"
	revokeNow(t, a, early)
	eventually(t, 3*time.Second, "b never revoked the early user", func() bool { return b.revoked(early) })

	srv.Kill()
	start := time.Now()
	if err := a.bus.Apply(ctx, revokeEffect(userA, time.Now(), true)); !errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("Apply without Redis: %v (want ErrUnavailable: applied here, shared later)", err)
	}
	_ = b.cache.Set(ctx, userA, fief.UserInfo{"sub": userA})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Apply without Redis took %v", d)
	}
	if !a.revoked(userA) {
		t.Fatal("without Redis, the receiving instance did not apply the revocation itself")
	}
	eventually(t, 3*time.Second, "b's Check still passes without Redis", func() bool { return b.bus.Check(ctx) != nil })

	// Redis returns empty (no persistence): both revocations come back.
	srv.Restart()
	eventually(t, 5*time.Second, "b never learned the revocation made while Redis was down", func() bool { return b.revoked(userA) })
	eventually(t, 5*time.Second, "b kept user info dropped while Redis was down", func() bool { _, _, ok, _ := b.cache.Get(ctx, userA); return !ok })
	eventually(t, 5*time.Second, "the buses never reported healthy again", func() bool {
		return a.bus.Check(ctx) == nil && b.bus.Check(ctx) == nil
	})
	c := newInstance(t, srv)
	waitSynced(t, c.bus)
	if !c.revoked(userA) || !c.revoked(early) {
		t.Fatal("after the restart, Redis lacks revocations the instances knew")
	}
}

// TestBusUnsharedIsUnavailable: an effect that cannot be shared is applied
// here, and Apply says so with an error that is a fief.ErrUnavailable (so
// that fiefwebhook answers 503 and Fief retries).
func TestBusUnsharedIsUnavailable(t *testing.T) {
	srv := redisserver.Start(t)
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: config(newClient(t, srv)), Revocations: rev})
	if err != nil {
		t.Fatal(err)
	}
	bus.Start()
	defer bus.Close()
	waitSynced(t, bus)
	srv.Kill()
	err = bus.Apply(context.Background(), revokeEffect(userA, time.Now(), false))
	if !errors.Is(err, fiefredis.ErrUnavailable) || !errors.Is(err, fief.ErrUnavailable) {
		t.Fatalf("Apply without Redis: %v, want fiefredis.ErrUnavailable and fief.ErrUnavailable", err)
	}
	if _, ok := notBefore(rev, userA); !ok {
		t.Fatal("not applied locally")
	}
}

// TestNewBusRefusesMissingParts: a configuration without a client, keys or
// revocations, or with a prefix that would break the hash tags, is
// refused with an error naming the field.
func TestNewBusRefusesMissingParts(t *testing.T) {
	_, rdb := startRedis(t)
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	for _, tc := range []struct {
		name, field string
		cfg         fiefredis.BusConfig
	}{
		{"no client", "fiefredis.BusConfig.Client", fiefredis.BusConfig{Config: fiefredis.Config{Keys: testKeys}, Revocations: rev}},
		{"no revocations", "fiefredis.BusConfig.Revocations", fiefredis.BusConfig{Config: config(rdb)}},
		{"no keys", "fiefredis.BusConfig.Keys", fiefredis.BusConfig{Config: fiefredis.Config{Client: rdb}, Revocations: rev}},
		{"short key", "fiefredis.BusConfig.Keys[1]", fiefredis.BusConfig{Config: fiefredis.Config{Client: rdb, Keys: [][]byte{testKeys[0], []byte("short")}}, Revocations: rev}},
		{"braces", "fiefredis.BusConfig.Prefix", fiefredis.BusConfig{Config: fiefredis.Config{Client: rdb, Keys: testKeys, Prefix: "app{1}:"}, Revocations: rev}},
	} {
		// A *fief.ConfigError naming the field, as every constructor of fief-go.
		var ce *fief.ConfigError
		if _, err := fiefredis.NewBus(tc.cfg); !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: %v, want a *fief.ConfigError on %s", tc.name, err, tc.field)
		}
	}
	for _, tc := range []struct {
		field string
		err   func() error
	}{
		{"fiefredis.UserInfoCacheConfig.Keys", func() error {
			_, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: fiefredis.Config{Client: rdb}})
			return err
		}},
		{"fiefredis.DeliveriesConfig.Client", func() error { _, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{}); return err }},
		{"fiefredis.SessionStoreConfig.Client", func() error { _, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{}); return err }},
		{"fiefredis.SessionStoreConfig.WaitReplicas", func() error {
			_, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: config(rdb), WaitReplicas: -1})
			return err
		}},
	} {
		var ce *fief.ConfigError
		if err := tc.err(); !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%v, want a *fief.ConfigError on %s", err, tc.field)
		}
	}
}

func TestBusStartsWithoutRedis(t *testing.T) {
	srv := redisserver.Start(t)
	first := newInstance(t, srv)
	waitSynced(t, first.bus)
	ctx := context.Background()
	revokeNow(t, first, userA)
	srv.Stop()

	late := newInstance(t, srv)
	if err := late.bus.Check(ctx); !errors.Is(err, fiefredis.ErrUnavailable) {
		t.Fatalf("Check of a bus that never reached Redis: %v", err)
	}
	srv.Restart() // empty: the first instance writes its set back
	waitSynced(t, late.bus)
	eventually(t, 5*time.Second, "the late instance never learned the revocation", func() bool { return late.revoked(userA) })
}

// TestBusFinding: the bus's finding for the startup check is OK with Redis
// up, a warning naming the fix with Redis down.
func TestBusFinding(t *testing.T) {
	r := redisserver.Start(t)
	bus := newInstance(t, r).bus
	waitSynced(t, bus)
	if f := bus.Finding(t.Context()); f.Verdict != fief.VerdictOK || f.Name != fiefredis.FindingRedis {
		t.Fatalf("finding with Redis up: %+v", f)
	}
	r.Kill()
	eventually(t, 10*time.Second, "a warning with Redis killed", func() bool {
		return bus.Finding(t.Context()).Verdict == fief.VerdictWarning
	})
	if f := bus.Finding(t.Context()); !strings.Contains(f.Fix, "Redis") {
		t.Errorf("fix %q does not name Redis", f.Fix)
	}
}

// TestBusSharesEveryKind: standing blocks, their lifting and per-permission
// revocations reach every instance, and an instance started later; a lifted
// block leaves Redis, so that no later instance blocks the user again.
func TestBusSharesEveryKind(t *testing.T) {
	srv := redisserver.Start(t)
	a, b := newInstance(t, srv), newInstance(t, srv)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	ctx := context.Background()
	t0 := time.Now()
	apply := func(rvs ...fief.Revocation) {
		t.Helper()
		if err := a.bus.Apply(ctx, fiefwebhook.Effect{Revocations: rvs}); err != nil {
			t.Fatal(err)
		}
	}
	apply(fief.Revocation{Kind: fief.BlockUser, UserID: userA, NotBefore: t0},
		fief.Revocation{Kind: fief.RevokePermission, Permission: "castles:read", NotBefore: t0})
	later, earlier := t0.Add(time.Second), t0.Add(-time.Second) // tokens issued after, before the events
	refused := func(in *instance, user string, perms ...string) bool {
		iat := later // a block refuses it
		if len(perms) > 0 {
			iat = earlier // a permission's revocation refuses it
		}
		_, ok := in.rev.Refuses(user, iat, perms)
		return ok
	}
	eventually(t, 3*time.Second, "b never blocked the user", func() bool { return refused(b, userA) })
	eventually(t, 3*time.Second, "b never revoked the permission", func() bool { return refused(b, userB, "castles:read") })
	if refused(b, userB, "castles:write") {
		t.Fatal("a permission's revocation refuses a token without it")
	}
	c := newInstance(t, srv)
	waitSynced(t, c.bus)
	if !refused(c, userA) || !refused(c, userB, "castles:read") {
		t.Fatal("a late instance did not load a block or a permission's revocation")
	}

	apply(fief.Revocation{Kind: fief.UnblockUser, UserID: userA, NotBefore: t0.Add(time.Millisecond)})
	eventually(t, 3*time.Second, "b never lifted the block", func() bool { return !refused(b, userA) })
	d := newInstance(t, srv)
	waitSynced(t, d.bus)
	if refused(d, userA) {
		t.Fatal("an instance started after the block was lifted blocks the user")
	}
	rdb := newClient(t, srv)
	for _, m := range rdb.ZRange(ctx, findKey(t, rdb, "revocations"), 0, -1).Val() {
		if strings.Contains(m, `"block_user"`) {
			t.Fatalf("the lifted block is still in Redis: %s", m)
		}
	}
}

// TestBusStoresARevocationOnce: a revocation applied by one instance and
// written back by others when they reconnect is one entry in Redis.
func TestBusStoresARevocationOnce(t *testing.T) {
	srv := redisserver.Start(t)
	a, b := newInstance(t, srv), newInstance(t, srv)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	revokeNow(t, a, userA)
	eventually(t, 3*time.Second, "b never revoked", func() bool { return b.revoked(userA) })
	rdb := newClient(t, srv)
	key := findKey(t, rdb, "revocations")
	// Every instance reconnects and writes its set back.
	if err := rdb.ClientKillByFilter(context.Background(), "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	c := newInstance(t, srv)
	waitSynced(t, c.bus)
	eventually(t, 3*time.Second, "the instances never reconnected", func() bool {
		return a.bus.Check(context.Background()) == nil && b.bus.Check(context.Background()) == nil
	})
	if got := rdb.ZRange(context.Background(), key, 0, -1).Val(); len(got) != 1 {
		t.Fatalf("one revocation is %d entries in Redis: %q", len(got), got)
	}
}

// TestBusReplayedUnblockLiftsNothing: an authentic lifting of a block,
// replayed after a later block, lifts nothing on any instance.
func TestBusReplayedUnblockLiftsNothing(t *testing.T) {
	srv := redisserver.Start(t)
	a, b := newInstance(t, srv), newInstance(t, srv)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Minute)
	unblock := fiefwebhook.Effect{Revocations: []fief.Revocation{{Kind: fief.UnblockUser, UserID: userA, NotBefore: t0.Add(time.Second)}}}
	for _, f := range []fiefwebhook.Effect{
		{Revocations: []fief.Revocation{{Kind: fief.BlockUser, UserID: userA, NotBefore: t0}}},
		unblock,
		{Revocations: []fief.Revocation{{Kind: fief.BlockUser, UserID: userA, NotBefore: t0.Add(2 * time.Second)}}},
	} {
		if err := a.bus.Apply(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	blocked := func(in *instance) bool { _, ok := in.rev.Refuses(userA, time.Now(), nil); return ok }
	eventually(t, 3*time.Second, "b never applied the second block", func() bool { return blocked(b) })
	pub := fiefredis.NewBusForTest(t, config(newClient(t, srv)))
	if err := pub.PublishForTest(ctx, []fiefwebhook.Effect{unblock}); err != nil {
		t.Fatal(err)
	}
	revokeNow(t, a, userB) // after the replay: once b has it, it has seen the replay
	eventually(t, 3*time.Second, "b never applied the last message", func() bool { return b.revoked(userB) })
	if !blocked(a) || !blocked(b) {
		t.Fatal("a replayed lifting lifted a later block")
	}
	c := newInstance(t, srv)
	waitSynced(t, c.bus)
	if !blocked(c) {
		t.Fatal("an instance started afterwards does not block the user")
	}
}
