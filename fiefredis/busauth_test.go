package fiefredis_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/logtest"
)

const (
	userB = "0b6f2a2e-3a7e-4a57-9d8e-2c4a6c1e9b10"
	userC = "5d1c9e0a-8b7f-4c3e-a2d1-9f0e8b7a6c5d"
)

// findKey returns the key of Redis whose name contains part.
func findKey(t *testing.T, rdb redis.UniversalClient, part string) string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), "*"+part+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys containing %q: %v, %v", part, keys, err)
	}
	return keys[0]
}

// TestBusRefusesForgedMessages: what anyone able to PUBLISH on the bus's
// channel sends without the keys (an unsigned effect, one signed with other
// keys) is never applied, whichever user and time it names.
func TestBusRefusesForgedMessages(t *testing.T) {
	srv := redisserver.Start(t)
	a, b := newInstance(t, srv), newInstance(t, srv)
	waitSynced(t, a.bus)
	waitSynced(t, b.bus)
	ctx := context.Background()
	rdb := newClient(t, srv)

	// A genuine effect, to find the channel.
	sub := rdb.PSubscribe(ctx, "*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	revokeNow(t, a, userA)
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	channel := msg.Channel

	forged := []string{
		`{"effect":{"user":"` + userB + `","revoke":true,"not_before":"9999-12-31T00:00:00Z","drop_user_info":true}}`,
		`{"effect":{"user":"` + userB + `","revoke":true,"not_before":"` + time.Now().Format(time.RFC3339Nano) + `"}}`,
		`{"reload":true}`,
		"garbage",
	}
	// Signed, but with other keys.
	other := fiefredis.NewBusForTest(t, fiefredis.Config{Client: newClient(t, srv), Keys: [][]byte{[]byte("another-secret-another-secret-another-secret")}, Logger: config(rdb).Logger})
	if err := other.PublishForTest(ctx, []fiefwebhook.Effect{revokeEffect(userB, time.Now(), false)}); err != nil {
		t.Fatal(err)
	}
	for _, f := range forged {
		if err := rdb.Publish(ctx, channel, f).Err(); err != nil {
			t.Fatal(err)
		}
		// A genuine message's tag on another body.
		if i := strings.IndexByte(msg.Payload, '.'); i > 0 {
			if err := rdb.Publish(ctx, channel, msg.Payload[:i+1]+f).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A genuine effect after the forgeries: once b applied it, it has
	// seen them.
	revokeNow(t, a, userC)
	eventually(t, 3*time.Second, "b never applied the genuine effect", func() bool { return b.revoked(userC) })
	if b.revoked(userB) || a.revoked(userB) {
		t.Fatal("a forged message revoked a user")
	}
}

// TestBusRefusesInvalidEffects: an authentic message whose user ID is not
// a UUID in Fief's form, or whose "not before" lies in the future or before
// the retention, is refused: one message can no longer lock a user out for
// good.
func TestBusRefusesInvalidEffects(t *testing.T) {
	srv := redisserver.Start(t)
	rec, logger := logtest.New()
	in := newLoggedInstance(t, srv, logger)
	waitSynced(t, in.bus)
	pub := fiefredis.NewBusForTest(t, config(newClient(t, srv)))
	ctx := context.Background()
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if err := pub.PublishForTest(ctx, []fiefwebhook.Effect{
		revokeEffect(userB, far, false),
		revokeEffect(userB, time.Now().Add(time.Hour), false),
		revokeEffect(strings.ToUpper(userB), time.Now(), false),
		revokeEffect("not-a-uuid", time.Now(), false),
		revokeEffect(userB, time.Now().Add(-fief.DefaultRevocationKeep-time.Hour), false),
		revokeEffect(userC, time.Now(), false), // valid, last
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "the valid effect was not applied", func() bool { return in.revoked(userC) })
	if in.revoked(userB) {
		nb, _ := notBefore(in.rev, userB)
		t.Fatalf("an invalid effect was applied: user revoked until %v", nb)
	}
	if err := pub.Apply(ctx, revokeEffect(userB, far, false)); err == nil {
		t.Fatal("Apply of an effect in year 9999 succeeded")
	}
	if !strings.Contains(rec.Text(), "refused") {
		t.Fatalf("the refusals were not logged; logs:\n%s", rec.Text())
	}
}

// TestBusRefusesForgedEntries: entries written into the bus's revocation
// set by someone without the keys are not loaded by an instance (so they
// cannot revoke anyone, nor fill the bound), and are removed from Redis.
func TestBusRefusesForgedEntries(t *testing.T) {
	srv := redisserver.Start(t)
	first := newInstance(t, srv)
	waitSynced(t, first.bus)
	ctx := context.Background()
	revokeNow(t, first, userA)
	rdb := newClient(t, srv)
	key := findKey(t, rdb, "revocations")
	genuine := rdb.ZRange(ctx, key, 0, -1).Val()
	if len(genuine) != 1 {
		t.Fatalf("set %s holds %q", key, genuine)
	}
	soon := float64(time.Now().Add(time.Hour).UnixMicro())
	tag := genuine[0][:strings.IndexByte(genuine[0], '.')+1]
	forged := []redis.Z{
		{Score: soon, Member: userB},
		{Score: 253402214400e6, Member: userB}, // 9999-12-31
		{Score: soon, Member: strings.Replace(genuine[0], userA, userB, 1)},
		{Score: math.Inf(1), Member: tag + `{"kind":"block_user","user":"` + userB + `","not_before":"2020-01-01T00:00:00Z"}`},
	}
	if err := rdb.ZAdd(ctx, key, forged...).Err(); err != nil {
		t.Fatal(err)
	}
	late := newInstance(t, srv)
	waitSynced(t, late.bus)
	if !late.revoked(userA) {
		t.Fatal("a late instance did not load the genuine revocation")
	}
	if rv, ok := late.rev.Refuses(userB, time.Now(), nil); ok || late.revoked(userB) {
		t.Fatalf("a forged entry revoked a user: %+v", rv)
	}
	if got := rdb.ZRange(ctx, key, 0, -1).Val(); len(got) != 1 || got[0] != genuine[0] {
		t.Fatalf("after a load, the set holds %q, want only the genuine entry", got)
	}
}

// TestBusBoundsItsSets: the revocation set in Redis holds at most
// MaxEntries entries; beyond, the earliest are dropped, with a warning, and
// an instance starting afterwards loads the latest.
func TestBusBoundsItsSets(t *testing.T) {
	srv := redisserver.Start(t)
	rec, logger := logtest.New()
	c := config(newClient(t, srv))
	c.Logger = logger
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: rev, MaxEntries: 3})
	if err != nil {
		t.Fatal(err)
	}
	bus.Start()
	defer bus.Close()
	waitSynced(t, bus)
	ctx := context.Background()
	users := []string{userA, userB, userC, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}
	start := time.Now().Add(-time.Minute)
	for i, u := range users {
		if err := bus.Apply(ctx, revokeEffect(u, start.Add(time.Duration(i)*time.Second), true)); err != nil {
			t.Fatal(err)
		}
	}
	rdb := newClient(t, srv)
	key := findKey(t, rdb, "revocations")
	if n := rdb.ZCard(ctx, key).Val(); n != 3 {
		t.Fatalf("the revocation set holds %d entries, want the bound, 3", n)
	}
	if !strings.Contains(rec.Text(), "full") {
		t.Fatalf("no warning when the bound was reached; logs:\n%s", rec.Text())
	}
	late := newInstance(t, srv)
	waitSynced(t, late.bus)
	for i, u := range users {
		if want := i >= 2; late.revoked(u) != want {
			t.Errorf("late instance, user %d: revoked %v, want %v (the latest 3 kept)", i, late.revoked(u), want)
		}
	}
}

// TestBusKeyRotation: a rotation done as documented (every instance first
// knows the new key in second place, then signs with it) loses nothing: an
// instance still signing with the old key and one signing with the new key
// apply each other's messages and stored entries. Done out of order, or on
// an instance given other keys by mistake, it loses nothing from Redis.
func TestBusKeyRotation(t *testing.T) {
	srv := redisserver.Start(t)
	oldKey, newKey := []byte("the-old-secret-the-old-secret-the-old-secret"), []byte("the-new-secret-the-new-secret-the-new-secret")
	start := func(keys ...[]byte) *instance {
		in := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{})}
		c := config(newClient(t, srv))
		c.Keys = keys
		var err error
		if in.bus, err = fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: in.rev}); err != nil {
			t.Fatal(err)
		}
		in.bus.Start()
		t.Cleanup(func() { in.bus.Close() })
		waitSynced(t, in.bus)
		return in
	}
	old, rotated := start(oldKey, newKey), start(newKey, oldKey)
	revokeNow(t, old, userA)
	revokeNow(t, rotated, userB)
	eventually(t, 3*time.Second, "the rotated instance refused the old key's message", func() bool { return rotated.revoked(userA) })
	eventually(t, 3*time.Second, "the other instance refused the new key's message", func() bool { return old.revoked(userB) })
	if late := start(newKey, oldKey); !late.revoked(userA) || !late.revoked(userB) {
		t.Fatal("a late instance with both keys did not load every entry")
	}
	if stranger := start([]byte("another-secret-another-secret-another-secret")); stranger.revoked(userA) || stranger.revoked(userB) {
		t.Fatal("an instance with other keys loaded entries it cannot verify")
	}
	// Out of order: an instance signs with a secret that another one does
	// not have yet. The latter cannot apply those entries, but leaves them
	// in Redis for the instances that can.
	newest := []byte("the-newest-secret-the-newest-secret-the-newest")
	ahead := start(newest, newKey, oldKey)
	revokeNow(t, ahead, userC)
	behind := start(newKey, oldKey)
	if behind.revoked(userC) || !behind.revoked(userA) {
		t.Fatal("an instance without the newest key: wrong entries loaded")
	}
	if late := start(newest, newKey, oldKey); !late.revoked(userC) || !late.revoked(userA) || !late.revoked(userB) {
		t.Fatal("the entries of a key that an instance lacks were lost from Redis at its load")
	}
}

// TestBusReloadFloodCoalesced: a flood of authentic requests to reload (one
// replayed by someone able to publish) makes an instance load the sets a
// few times, not once per request.
func TestBusReloadFloodCoalesced(t *testing.T) {
	srv := redisserver.Start(t)
	in := newInstance(t, srv)
	waitSynced(t, in.bus)
	rdb := newClient(t, srv)
	ctx := context.Background()
	loads := func() int {
		for _, line := range strings.Split(rdb.Info(ctx, "commandstats").Val(), "\n") {
			if rest, ok := strings.CutPrefix(line, "cmdstat_zrangebyscore:calls="); ok {
				n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
				return n
			}
		}
		return 0
	}
	before := loads()
	pub := fiefredis.NewBusForTest(t, config(newClient(t, srv)))
	waitSynced(t, pub)
	if err := pub.PublishReloadsForTest(ctx, 2000); err != nil {
		t.Fatal(err)
	}
	// A message after the flood: once applied, the flood has been read.
	if err := pub.PublishForTest(ctx, []fiefwebhook.Effect{revokeEffect(userC, time.Now(), false)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the instance never read past the flood", func() bool { return in.revoked(userC) })
	time.Sleep(300 * time.Millisecond) // the pending load is done
	// Each load reads one or two sets; the publishing bus's own count too.
	if n := loads() - before; n > 40 {
		t.Fatalf("%d ZRANGEBYSCORE calls after 2000 requests to reload, want a few", n)
	}
}

// TestBusUnknownKeyFloodCannotFillTheSet: entries tagged with a key no
// instance has are kept while the set has room (they may come from an
// instance rotated ahead, see TestBusKeyRotation), but a set filled with
// them (never expiring, as forged by someone able to write Redis) is
// cleared at the next load, so that they cannot keep genuine revocations
// out of it.
func TestBusUnknownKeyFloodCannotFillTheSet(t *testing.T) {
	srv := redisserver.Start(t)
	start := func() *instance {
		in := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{})}
		var err error
		if in.bus, err = fiefredis.NewBus(fiefredis.BusConfig{Config: config(newClient(t, srv)), Revocations: in.rev, MaxEntries: 3}); err != nil {
			t.Fatal(err)
		}
		in.bus.Start()
		t.Cleanup(func() { in.bus.Close() })
		waitSynced(t, in.bus)
		return in
	}
	first := start()
	revokeNow(t, first, userB)
	rdb := newClient(t, srv)
	ctx := context.Background()
	key := findKey(t, rdb, "revocations")
	tag := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, 36)) // an unknown key's identifier, and a tag
	var flood []redis.Z
	for i := range 3 {
		flood = append(flood, redis.Z{Score: math.Inf(1), Member: tag + `.{"kind":"block_user","user":"` + userC + `","not_before":"2020-01-0` + strconv.Itoa(i+1) + `T00:00:00Z"}`})
	}
	if err := rdb.ZAdd(ctx, key, flood...).Err(); err != nil {
		t.Fatal(err)
	}
	receiver := start() // loads the full set: the flood leaves it
	revokeNow(t, receiver, userA)
	late := start()
	if !late.revoked(userA) {
		t.Fatalf("a revocation stored after the flood was dropped from Redis; the set holds %q", rdb.ZRange(ctx, key, 0, -1).Val())
	}
	if _, blocked := late.rev.Refuses(userC, time.Now(), nil); blocked {
		t.Fatal("an entry of an unknown key was applied")
	}
}

// TestBusLiftsABlockOfAnUnknownKey: a block stored by an instance with a
// key another instance lacks is removed from Redis when that other
// instance lifts it, so that it does not outlive its lifting there (a
// block never expires: an instance started after the lifting was forgotten
// would block the user again).
func TestBusLiftsABlockOfAnUnknownKey(t *testing.T) {
	srv := redisserver.Start(t)
	newest := []byte("the-newest-secret-the-newest-secret-the-newest")
	start := func(keys ...[]byte) *instance {
		in := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{})}
		c := config(newClient(t, srv))
		c.Keys = keys
		var err error
		if in.bus, err = fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: in.rev}); err != nil {
			t.Fatal(err)
		}
		in.bus.Start()
		t.Cleanup(func() { in.bus.Close() })
		waitSynced(t, in.bus)
		return in
	}
	ahead, behind := start(newest, testKeys[0]), start(testKeys[0])
	ctx := context.Background()
	at := time.Now()
	block := fiefwebhook.Effect{Revocations: []fief.Revocation{{Kind: fief.BlockUser, UserID: userC, NotBefore: at}}}
	if err := ahead.bus.Apply(ctx, block); err != nil {
		t.Fatal(err)
	}
	lift := fiefwebhook.Effect{Revocations: []fief.Revocation{{Kind: fief.UnblockUser, UserID: userC, NotBefore: at.Add(time.Millisecond)}}}
	if err := behind.bus.Apply(ctx, lift); err != nil {
		t.Fatal(err)
	}
	rdb := newClient(t, srv)
	for _, m := range rdb.ZRange(ctx, findKey(t, rdb, "revocations"), 0, -1).Val() {
		if strings.Contains(m, `"block_user","user":"`+userC) {
			t.Fatalf("the lifted block is still in Redis: %q", m)
		}
	}
}
