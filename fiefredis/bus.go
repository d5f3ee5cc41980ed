package fiefredis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/seal"
)

// Why pub/sub and not streams: what every instance must know is a small
// state (the current "not before" of each revoked user), not a history.
// Redis keeps that state in a sorted set with expiry; pub/sub only tells the
// instances to apply a change now, in a fraction of a millisecond, with no
// per-instance consumer group, acknowledgement or trimming to manage. What
// pub/sub loses while an instance is cut off (it delivers to connected
// subscribers only) the instance gets back by reloading the set when it
// subscribes again; it subscribes before it reloads, so a change made in
// between reaches it one way or the other. A stream would replay the missed
// messages, at the cost of that bookkeeping, and still need the set for an
// instance that starts after the messages were trimmed.

// DefaultMaxEntries bounds each set the bus keeps in Redis (revocations,
// user-info drops) when [BusConfig.MaxEntries] is zero.
const DefaultMaxEntries = 100_000

// busMessage is what the bus publishes: an effect to apply, or a request to
// reload the revocations from Redis.
type busMessage struct {
	Effect *fiefwebhook.Effect `json:"effect,omitempty"`
	Reload bool                `json:"reload,omitempty"`
}

// BusConfig configures [NewBus].
type BusConfig struct {
	// Config is the Redis client, the prefix, the Keys that authenticate
	// what the bus shares (required: the same secrets as fiefhttp's
	// CookieKeys), and the timeout of each call (zero means
	// [DefaultTimeout]).
	Config
	// Revocations is this instance's set, the one given to
	// [fief.Config.Revocations]. Required.
	Revocations *fief.Revocations
	// UserInfo is this instance's user-info cache, if any: the
	// fiefhttp.UserInfoCache given as fiefhttp.Config.UserInfoCache. Nil when
	// there is none; a shared [UserInfoCache] may be given too.
	UserInfo fiefwebhook.UserInfoDeleter
	// RetryInterval is the wait between two attempts to reach Redis while
	// it is unreachable. Zero means [DefaultRetryInterval].
	RetryInterval time.Duration
	// UserInfoTTL is how long user-info drops are kept in Redis for
	// instances that were cut off: the TTL of the user-info caches, after
	// which a missed drop no longer matters. Zero means
	// fiefhttp.DefaultUserInfoCacheTTL.
	UserInfoTTL time.Duration
	// MaxEntries bounds each set kept in Redis (the revocations, the
	// user-info drops). At the bound, the entries with the earliest times
	// are dropped from Redis, with a warning: the instances that hold
	// them keep applying them, but an instance that starts afterwards does
	// not learn them. Zero means [DefaultMaxEntries].
	MaxEntries int
}

// Bus is the [fiefwebhook.Applier] of a service with several instances: the
// instance that receives a webhook applies its effect at once, stores its
// revocations in Redis (every kind of [fief.Revocation], in a sorted set
// scored by when each may be forgotten: its Until, or its "not before" plus
// [fief.Revocations.Keep]; a standing block until it is lifted) and
// publishes the effect; every instance applies what it receives to its own
// Revocations and user-info cache.
//
// What the bus shares is authenticated with the [Config.Keys] and checked
// (a user ID in Fief's form, a time within the retention and not in the
// future): a message or stored entry that fails is refused and logged, never
// applied. Each set in Redis is bounded ([BusConfig.MaxEntries]).
//
// Each time it (re)subscribes (at start, after Redis restarted or the
// network failed), an instance writes its own revocations to Redis (Redis
// may have lost them: it may run without persistence), tells the others to
// reload if that added any, and loads the set: an instance that starts late
// or was cut off misses no revocation. Stale user info missed while cut off
// is bounded by the cache's TTL.
//
// Make it with [NewBus], then [Bus.Start]; [Bus.Close] stops it.
type Bus struct {
	o       Config
	rev     *fief.Revocations
	local   fiefwebhook.Local
	retry   time.Duration
	brk     *breaker
	mac     *macer
	refused *refusals
	max     int

	channel  string
	setKey   string
	dropsKey string
	dropKeep time.Duration
	lastLoad time.Time // guarded by loadMu
	loadMu   sync.Mutex

	// Of the subscriber loop's goroutine only.
	reloadPending bool
	lastReload    time.Time

	needSync atomic.Bool
	synced   atomic.Bool
	syncedCh chan struct{} // closed at the first sync
	once     sync.Once

	pendingMu    sync.Mutex
	pendingDrops map[string]struct{} // user-info drops not yet shared

	startOnce sync.Once
	cancel    context.CancelFunc
	done      chan struct{}
}

var _ fiefwebhook.Applier = (*Bus)(nil)

// NewBus validates cfg and returns a stopped [Bus]. It does no I/O.
func NewBus(cfg BusConfig) (*Bus, error) {
	o, err := cfg.Config.resolve("BusConfig", DefaultTimeout)
	if err != nil {
		return nil, err
	}
	if err := o.checkKeys("BusConfig"); err != nil {
		return nil, err
	}
	if cfg.Revocations == nil {
		return nil, &fief.ConfigError{Field: "fiefredis.BusConfig.Revocations", Reason: "is nil"}
	}
	keys, err := seal.DeriveKeys(o.Keys, infoBus)
	if err != nil {
		return nil, &fief.ConfigError{Field: "fiefredis.BusConfig.Keys", Reason: err.Error()}
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	b := &Bus{
		o:       o,
		rev:     cfg.Revocations,
		local:   fiefwebhook.Local{Revocations: cfg.Revocations, UserInfo: cfg.UserInfo},
		retry:   cfg.RetryInterval,
		brk:     &breaker{what: "event bus", interval: cfg.RetryInterval, clock: o.Clock, logger: o.Logger},
		mac:     newMacer(keys),
		refused: &refusals{who: "bus", logger: o.Logger, clock: o.Clock},
		max:     cfg.MaxEntries,
		// The two sets share a hash tag: one slot of a Redis Cluster.
		channel:  o.Prefix + "events",
		setKey:   o.Prefix + "{bus}:revocations",
		dropsKey: o.Prefix + "{bus}:userinfo-drops",
		dropKeep: cfg.UserInfoTTL,
		syncedCh: make(chan struct{}),
		done:     make(chan struct{}),

		pendingDrops: make(map[string]struct{}),
	}
	if b.dropKeep <= 0 {
		b.dropKeep = fiefhttp.DefaultUserInfoCacheTTL
	}
	return b, nil
}

// Start subscribes to the bus in the background: it returns at once, and
// the bus connects, and reconnects, on its own. Call it once.
func (b *Bus) Start() {
	b.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		b.cancel = cancel
		go b.run(ctx)
	})
}

// Close stops the bus and waits until it has stopped.
func (b *Bus) Close() error {
	b.Start() // so that done is closed even if Start was never called
	b.cancel()
	<-b.done
	return nil
}

// WaitSynced waits until the bus has loaded the revocations from Redis once,
// or ctx is done.
func (b *Bus) WaitSynced(ctx context.Context) error {
	select {
	case <-b.syncedCh:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fiefredis: waiting for the first synchronisation: %w (%w)", ctx.Err(), b.Check(ctx))
	}
}

// Check reports whether the bus is connected to Redis and up to date: nil,
// or an [ErrUnavailable] with the cause. Give it to the application's
// startup and health checks; while it fails, this instance applies the
// webhooks it receives itself, and misses those other instances receive
// until Redis returns.
func (b *Bus) Check(context.Context) error {
	if b.synced.Load() {
		return nil
	}
	if err := b.brk.err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: event bus: not synchronised yet", ErrUnavailable)
}

// Apply implements [fiefwebhook.Applier] on the instance that received the
// webhook: it applies f to this instance at once, then stores its
// revocations in Redis and publishes it to every instance. When Redis
// cannot be reached, f stays applied here and is shared when Redis returns
// (the revocations with the instance's whole set, the user-info drop as a
// message), and Apply returns an [ErrUnavailable] (a [fief.ErrUnavailable]):
// fiefwebhook then answers 503 and Fief retries the delivery, so that the
// effect is not lost if this instance stops before Redis returns (unless
// fiefwebhook.Config.AcceptUnshared is set). An effect whose user ID is
// not a UUID in Fief's form, or whose times lie outside the retention, is
// refused with an error (not an ErrUnavailable) and not applied.
func (b *Bus) Apply(ctx context.Context, f fiefwebhook.Effect) error {
	if f.None() {
		return nil
	}
	f.Revocations = slices.Clone(f.Revocations)
	for i := range f.Revocations {
		rv := &f.Revocations[i]
		// The precision stored in Redis.
		rv.NotBefore, rv.Until = rv.NotBefore.Truncate(time.Microsecond), rv.Until.Truncate(time.Microsecond)
	}
	if err := checkEffect(f, b.o.Clock(), b.rev.Keep()); err != nil {
		return fmt.Errorf("fiefredis: effect refused: %w", err)
	}
	if err := b.local.Apply(ctx, f); err != nil {
		b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info failed", "user", f.UserID, "error", err)
	}
	payload, err := json.Marshal(busMessage{Effect: &f})
	if err != nil {
		return fmt.Errorf("fiefredis: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	err = b.share(ctx, f, payload)
	if err != nil {
		b.needSync.Store(true) // write this instance's revocations when Redis returns
		b.synced.Store(false)
		if f.DropUserInfo {
			b.pendingMu.Lock()
			if len(b.pendingDrops) < maxPendingDrops {
				b.pendingDrops[f.UserID] = struct{}{}
			}
			b.pendingMu.Unlock()
		}
		err = b.brk.fail(ctx, err)
		b.o.Logger.WarnContext(ctx, "fiefredis: effect applied here only until Redis returns", "user", f.UserID, "revocations", len(f.Revocations), "error", err)
		return err
	}
	return nil
}

// share stores f in Redis and publishes it.
func (b *Bus) share(ctx context.Context, f fiefwebhook.Effect, payload []byte) error {
	if len(f.Revocations) > 0 {
		if _, err := b.storeRevocations(ctx, f.Revocations); err != nil {
			return err
		}
	}
	if f.DropUserInfo {
		if _, err := b.storeDrops(ctx, []string{f.UserID}); err != nil {
			return err
		}
	}
	return b.o.Client.Publish(ctx, b.channel, b.mac.signed(b.channel, payload)).Err()
}

// publishReload asks every instance to reload the sets.
func (b *Bus) publishReload(ctx context.Context) error {
	payload, _ := json.Marshal(busMessage{Reload: true})
	return b.o.Client.Publish(ctx, b.channel, b.mac.signed(b.channel, payload)).Err()
}

// storeScript adds members to a bounded sorted set. KEYS[1] is the set;
// ARGV: the score below which members are forgotten, the set's TTL in ms
// (0: none), the bound, then score and member of each. It returns the
// number of members added, and the number dropped at the bound (the lowest
// scores).
var storeScript = redis.NewScript(`
local added = 0
for i = 4, #ARGV, 2 do
  added = added + redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i+1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
local dropped = 0
if over > 0 then
  dropped = redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {added, dropped}
`)

// member is an element to store: its score, and its content, authenticated
// by store.
type member struct {
	score   string
	payload []byte
}

// store adds ms to the set at key, forgets the members scored below
// forget, and bounds the set; ttl (0: none) is the set's expiry. It
// reports how many members were added.
func (b *Bus) store(ctx context.Context, key string, forget int64, ttl time.Duration, ms []member) (int64, error) {
	args := make([]any, 0, 3+2*len(ms))
	args = append(args, forget, ttl.Milliseconds(), b.max)
	for _, m := range ms {
		args = append(args, m.score, b.mac.signed(key, m.payload))
	}
	res, err := storeScript.Run(ctx, b.o.Client, []string{key}, args...).Int64Slice()
	if err != nil {
		return 0, err
	}
	if len(res) != 2 {
		return 0, fmt.Errorf("store script answered %d values", len(res))
	}
	if res[1] > 0 {
		b.o.Logger.WarnContext(ctx, "fiefredis: a set of the bus is full: the entries that expire soonest were dropped from Redis (instances that hold them keep them; instances started later do not learn them)",
			"key", key, "dropped", res[1], "max_entries", b.max)
	}
	return res[0], nil
}

// expiryScore is the score of a revocation in the set: when it may be
// forgotten (µs since the epoch), "+inf" for a standing block.
func (b *Bus) expiryScore(rv fief.Revocation) string {
	switch {
	case !rv.Until.IsZero():
		return strconv.FormatInt(rv.Until.UnixMicro(), 10)
	case rv.Kind == fief.BlockUser:
		return "+inf"
	}
	return strconv.FormatInt(rv.NotBefore.Add(b.rev.Keep()).UnixMicro(), 10)
}

// storeRevocations adds rvs to the revocation set, scored by their expiry,
// and removes from it the blocks that an UnblockUser among them lifts.
func (b *Bus) storeRevocations(ctx context.Context, rvs []fief.Revocation) (int64, error) {
	ms := make([]member, 0, len(rvs))
	for _, rv := range rvs {
		// One form per revocation, whoever writes it (Apply, or a sync of
		// the set, whose entries have their Until), so that Redis holds it
		// once.
		if rv.Until.IsZero() && rv.Kind != fief.BlockUser {
			rv.Until = rv.NotBefore.Add(b.rev.Keep())
		}
		rv.NotBefore, rv.Until = rv.NotBefore.UTC().Truncate(time.Microsecond), rv.Until.UTC().Truncate(time.Microsecond)
		payload, err := json.Marshal(rv)
		if err != nil {
			return 0, err
		}
		ms = append(ms, member{score: b.expiryScore(rv), payload: payload})
	}
	added, err := b.store(ctx, b.setKey, b.o.Clock().UnixMicro(), 0, ms)
	if err != nil {
		return 0, err
	}
	unblocks := make(map[string]time.Time)
	for _, rv := range rvs {
		if rv.Kind == fief.UnblockUser && rv.NotBefore.After(unblocks[rv.UserID]) {
			unblocks[rv.UserID] = rv.NotBefore
		}
	}
	if len(unblocks) > 0 {
		if err := b.liftBlocks(ctx, unblocks); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// liftBlocks removes from the revocation set the blocks that the
// UnblockUser entries of unblocks (user ID -> "not before") lift, in one
// scan of the set: a standing block is never forgotten otherwise.
func (b *Bus) liftBlocks(ctx context.Context, unblocks map[string]time.Time) error {
	pattern := `*{"kind":"` + fief.BlockUser.String() + `",*` // the JSON of a block starts with its kind
	if len(unblocks) == 1 {
		for user := range unblocks {
			pattern = `*{"kind":"` + fief.BlockUser.String() + `","user":"` + user + `"*`
		}
	}
	var lifted []any
	iter := b.o.Client.ZScan(ctx, b.setKey, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		m := iter.Val()
		if !iter.Next(ctx) { // the score follows each member
			break
		}
		payload, err := b.mac.open(b.setKey, m)
		if err != nil {
			// Not verifiable here (a key this instance lacks, or a
			// forgery): what claims to be a block this authentic
			// lifting lifts goes too, so that it cannot outlive the
			// lifting in Redis.
			_, after, ok := strings.Cut(m, ".")
			if !ok {
				continue
			}
			payload = []byte(after)
		}
		var block fief.Revocation
		if json.Unmarshal(payload, &block) != nil || block.Kind != fief.BlockUser {
			continue
		}
		if nb, ok := unblocks[block.UserID]; ok && !block.NotBefore.After(nb) {
			lifted = append(lifted, m)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(lifted) > 0 {
		return b.o.Client.ZRem(ctx, b.setKey, lifted...).Err()
	}
	return nil
}

// storeDrops records user-info drops made now, for the instances cut off
// when they were published, and forgets those older than the user-info
// TTL.
func (b *Bus) storeDrops(ctx context.Context, users []string) (int64, error) {
	now := b.o.Clock().UnixMicro()
	ms := make([]member, 0, len(users))
	for _, u := range users {
		payload, err := json.Marshal(entry{User: u, At: now})
		if err != nil {
			return 0, err
		}
		ms = append(ms, member{score: strconv.FormatInt(now, 10), payload: payload})
	}
	return b.store(ctx, b.dropsKey, b.o.Clock().Add(-b.dropKeep).UnixMicro(), b.dropKeep, ms)
}

// run is the subscriber loop: receive, apply, and synchronise after each
// (re)subscription.
func (b *Bus) run(ctx context.Context) {
	defer close(b.done)
	ps := b.o.Client.Subscribe(ctx, b.channel) // a failure here is retried by Receive
	defer ps.Close()
	for ctx.Err() == nil {
		wait := b.retry
		if b.reloadPending {
			wait = max(time.Millisecond, min(wait, minReloadInterval-time.Since(b.lastReload)))
		}
		msg, err := ps.ReceiveTimeout(ctx, wait)
		if ctx.Err() != nil {
			return
		}
		if b.reloadPending && time.Since(b.lastReload) >= minReloadInterval {
			b.reload(ctx)
		}
		if err != nil {
			var netErr interface{ Timeout() bool }
			if errors.As(err, &netErr) && netErr.Timeout() {
				// Quiet channel: check the connection, and retry a failed sync.
				if perr := ps.Ping(ctx); perr != nil {
					b.lost(ctx, perr)
				} else if b.needSync.Load() {
					b.sync(ctx)
				}
				continue
			}
			b.lost(ctx, err)
			sleep(ctx, b.retry)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				b.sync(ctx)
			}
		case *redis.Message:
			b.receive(ctx, m.Payload)
		case *redis.Pong:
			if b.needSync.Load() {
				b.sync(ctx)
			}
		}
	}
}

// lost records that the subscription broke.
func (b *Bus) lost(ctx context.Context, err error) {
	b.synced.Store(false)
	b.needSync.Store(true)
	_ = b.brk.fail(ctx, err)
}

// receive applies a message of the bus, if it is authentic and valid.
func (b *Bus) receive(ctx context.Context, payload string) {
	body, err := b.mac.open(b.channel, payload)
	if err != nil {
		b.refused.refuse(ctx, "a message", err)
		return
	}
	var m busMessage
	if err := json.Unmarshal(body, &m); err != nil {
		b.refused.refuse(ctx, "a message", err)
		return
	}
	if m.Reload {
		b.reload(ctx)
		return
	}
	if m.Effect == nil || m.Effect.None() {
		return
	}
	if err := checkEffect(*m.Effect, b.o.Clock(), b.rev.Keep()); err != nil {
		b.refused.refuse(ctx, "an effect", err)
		return
	}
	if err := b.local.Apply(ctx, *m.Effect); err != nil {
		b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info failed", "user", m.Effect.UserID, "error", err)
	}
}

// minReloadInterval bounds how often requests to reload load the sets: a
// flood of them (a genuine request replayed by someone able to publish on
// the channel) costs one load per interval.
const minReloadInterval = 200 * time.Millisecond

// reload loads the sets, or, if it did less than minReloadInterval ago,
// leaves it for the subscriber loop to do once the interval has passed.
// Load only: writing back here could echo reloads between instances whose
// clocks disagree on an entry about to expire. It runs on the subscriber
// loop's goroutine only.
func (b *Bus) reload(ctx context.Context) {
	if time.Since(b.lastReload) < minReloadInterval {
		b.reloadPending = true
		return
	}
	b.reloadPending, b.lastReload = false, time.Now()
	if err := b.load(ctx); err != nil {
		b.lost(ctx, err)
	}
}

// sync writes this instance's revocations to Redis, asks the others to
// reload if that added any, and loads the set.
func (b *Bus) sync(ctx context.Context) {
	if err := b.syncOnce(ctx); err != nil {
		b.lost(ctx, err)
		return
	}
	b.needSync.Store(false)
	b.synced.Store(true)
	b.brk.ok(ctx)
	b.once.Do(func() { close(b.syncedCh) })
}

// syncBatch bounds the entries written by one call of the store script.
const syncBatch = 1000

func (b *Bus) syncOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	rvs := slices.Collect(b.rev.All())
	for len(rvs) > 0 {
		n := min(len(rvs), syncBatch)
		added, err := b.storeRevocations(ctx, rvs[:n])
		if err != nil {
			return fmt.Errorf("writing revocations: %w", err)
		}
		if added > 0 {
			if err := b.publishReload(ctx); err != nil {
				return fmt.Errorf("publishing a reload: %w", err)
			}
		}
		rvs = rvs[n:]
	}
	if err := b.publishPendingDrops(ctx); err != nil {
		return err
	}
	return b.load(ctx)
}

// publishPendingDrops records the user-info drops Apply could not share,
// and asks the other instances to reload.
func (b *Bus) publishPendingDrops(ctx context.Context) error {
	b.pendingMu.Lock()
	users := slices.Collect(maps.Keys(b.pendingDrops))
	b.pendingMu.Unlock()
	if len(users) == 0 {
		return nil
	}
	if _, err := b.storeDrops(ctx, users); err != nil {
		return fmt.Errorf("sharing user-info drops: %w", err)
	}
	if err := b.publishReload(ctx); err != nil {
		return fmt.Errorf("sharing user-info drops: %w", err)
	}
	b.pendingMu.Lock()
	for _, u := range users {
		delete(b.pendingDrops, u)
	}
	b.pendingMu.Unlock()
	return nil
}

// loadSet returns the authentic members of the set at key scored above
// min, for which check (given the payload and the score) says nothing
// wrong, and removes from Redis those that are not authentic or fail it;
// those tagged with a key this instance lacks are skipped but kept, unless
// the set is at its bound.
func (b *Bus) loadSet(ctx context.Context, key, min string, check func(payload []byte, score float64) error) ([][]byte, error) {
	zs, err := b.o.Client.ZRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: min, Max: "+inf", Count: int64(b.max)}).Result()
	if err != nil {
		return nil, err
	}
	// A full set holding entries of an unknown key is more likely flooded
	// than rotated: they are removed then, so that they cannot keep the
	// genuine entries out of it.
	full := len(zs) >= b.max
	var out [][]byte
	var bad []any
	for _, z := range zs {
		m, _ := z.Member.(string)
		payload, err := b.mac.open(key, m)
		if errors.Is(err, errUnknownKey) && !full {
			// Perhaps genuine, from an instance given a new key before
			// this one: skipped, and left to expire with its score.
			b.refused.refuse(ctx, "a stored entry", err)
			continue
		}
		if err == nil {
			err = check(payload, z.Score)
		}
		if err != nil {
			b.refused.refuse(ctx, "a stored entry", err)
			bad = append(bad, m)
			continue
		}
		out = append(out, payload)
	}
	if len(bad) > 0 {
		if err := b.o.Client.ZRem(ctx, key, bad...).Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadRevocations returns the valid revocations of the set, by "not
// before", so that a block and its lifting apply in their order.
func (b *Bus) loadRevocations(ctx context.Context) ([]fief.Revocation, error) {
	now, keep := b.o.Clock(), b.rev.Keep()
	var rvs []fief.Revocation
	_, err := b.loadSet(ctx, b.setKey, "("+strconv.FormatInt(now.UnixMicro(), 10), func(payload []byte, score float64) error {
		var rv fief.Revocation
		if err := json.Unmarshal(payload, &rv); err != nil {
			return err
		}
		if err := checkRevocation(rv, now, keep); err != nil {
			return err
		}
		if want := b.expiryScore(rv); want != "+inf" && want != strconv.FormatFloat(score, 'f', -1, 64) {
			return fmt.Errorf("%s: score %v is not its expiry %s", rv.Kind, score, want)
		}
		rvs = append(rvs, rv)
		return nil
	})
	slices.SortStableFunc(rvs, func(x, y fief.Revocation) int { return x.NotBefore.Compare(y.NotBefore) })
	return rvs, err
}

// load adds the revocations stored in Redis to this instance's set, and
// drops the cached user info dropped since the last load.
func (b *Bus) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	rvs, err := b.loadRevocations(ctx)
	if err != nil {
		return fmt.Errorf("loading revocations: %w", err)
	}
	for _, rv := range rvs {
		b.rev.Apply(rv)
	}
	// The user-info drops since the last load (all of them the first
	// time), a second of margin for clocks.
	b.loadMu.Lock()
	dropsSince, started := b.lastLoad.Add(-time.Second), b.o.Clock()
	b.loadMu.Unlock()
	if b.local.UserInfo != nil {
		dropsSince = later(dropsSince, started.Add(-b.dropKeep))
		var users []string
		_, err := b.loadSet(ctx, b.dropsKey, "("+strconv.FormatInt(dropsSince.UnixMicro(), 10), func(payload []byte, score float64) error {
			var e entry
			if err := json.Unmarshal(payload, &e); err != nil {
				return err
			}
			if !canonicalUUID(e.User) || float64(e.At) != score {
				return fmt.Errorf("user-info drop of user %q does not match its score", e.User)
			}
			if err := checkTime(time.UnixMicro(e.At), started, b.dropKeep, MaxClockSkew); err != nil {
				return err
			}
			users = append(users, e.User)
			return nil
		})
		if err != nil {
			return fmt.Errorf("loading user-info drops: %w", err)
		}
		for _, u := range users {
			if err := b.local.UserInfo.Delete(ctx, u); err != nil {
				b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info failed", "user", u, "error", err)
			}
		}
	}
	b.loadMu.Lock()
	b.lastLoad = started
	b.loadMu.Unlock()
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
