package fiefredis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefwebhook"
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

// busMessage is what the bus publishes: an effect to apply, or a request to
// reload the revocations from Redis.
type busMessage struct {
	Effect *fiefwebhook.Effect `json:"effect,omitempty"`
	Reload bool                `json:"reload,omitempty"`
}

// BusConfig configures [NewBus].
type BusConfig struct {
	Options
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
}

// Bus is the [fiefwebhook.Applier] of a service with several instances: the
// instance that receives a webhook applies its effect at once, stores a
// revocation in Redis (a sorted set of user IDs scored by their "not
// before", each kept for [fief.Revocations.Keep]) and publishes the effect;
// every instance applies what it receives to its own Revocations and
// user-info cache.
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
	o     Options
	rev   *fief.Revocations
	local fiefwebhook.Local
	retry time.Duration
	brk   *breaker

	channel  string
	setKey   string
	dropsKey string
	dropKeep time.Duration
	lastLoad time.Time // guarded by loadMu
	loadMu   sync.Mutex

	needSync atomic.Bool
	synced   atomic.Bool
	syncedCh chan struct{} // closed at the first sync
	once     sync.Once

	pendingMu    sync.Mutex
	pendingDrops map[string]struct{} // user-info drops not yet shared

	startOnce sync.Once
	cancel    context.CancelFunc
	done      chan struct{}
	applied   atomic.Int64
}

var _ fiefwebhook.Applier = (*Bus)(nil)

// NewBus validates cfg and returns a stopped [Bus]. It does no I/O.
func NewBus(cfg BusConfig) (*Bus, error) {
	o, err := cfg.Options.resolve(DefaultTimeout)
	if err != nil {
		return nil, err
	}
	if cfg.Revocations == nil {
		return nil, errors.New("fiefredis: BusConfig.Revocations is nil")
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	b := &Bus{
		o:        o,
		rev:      cfg.Revocations,
		local:    fiefwebhook.Local{Revocations: cfg.Revocations, UserInfo: cfg.UserInfo},
		retry:    cfg.RetryInterval,
		brk:      &breaker{what: "event bus", interval: cfg.RetryInterval, clock: o.Clock, logger: o.Logger},
		channel:  o.Prefix + "events",
		setKey:   o.Prefix + "revocations",
		dropsKey: o.Prefix + "userinfo-drops",
		dropKeep: cfg.UserInfoTTL,
		syncedCh: make(chan struct{}),
		done:     make(chan struct{}),

		pendingDrops: make(map[string]struct{}),
	}
	if b.dropKeep <= 0 {
		b.dropKeep = fiefhttp.DefaultUserInfoCacheTTL
	}
	b.brk.down = true // until the first sync
	b.brk.cause = errors.New("not synchronised yet")
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

// Applied returns the number of effects received from the bus and applied.
func (b *Bus) Applied() int64 { return b.applied.Load() }

// Apply implements [fiefwebhook.Applier] on the instance that received the
// webhook: it applies f to this instance at once, then stores it in Redis
// and publishes it to every instance. When Redis cannot be reached, f stays
// applied here and is shared when Redis returns (the revocation with the
// instance's whole set, the user-info drop as a message), and Apply returns
// an [ErrUnavailable]: the webhook handler answers 503 so that Fief retries
// the delivery, unless fiefwebhook.Config.AcceptUnshared is set.
func (b *Bus) Apply(ctx context.Context, f fiefwebhook.Effect) error {
	if f.None() {
		return nil
	}
	f.Revocations = slices.Clone(f.Revocations)
	var zs []redis.Z
	for i := range f.Revocations {
		rv := &f.Revocations[i]
		rv.NotBefore = rv.NotBefore.Truncate(time.Microsecond) // the precision stored in Redis
		if rv.Kind == fief.RevokeTokens {
			zs = append(zs, redis.Z{Score: float64(rv.NotBefore.UnixMicro()), Member: rv.UserID})
		}
	}
	if err := b.local.Apply(ctx, f); err != nil {
		b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info", "user", f.UserID, "error", err)
	}
	msg, err := json.Marshal(busMessage{Effect: &f})
	if err != nil {
		return fmt.Errorf("fiefredis: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	_, err = b.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		if len(zs) > 0 {
			b.storeRevocations(ctx, p, zs)
		}
		if f.DropUserInfo {
			b.storeDrops(ctx, p, []redis.Z{{Score: float64(b.o.Clock().UnixMicro()), Member: f.UserID}})
		}
		p.Publish(ctx, b.channel, msg)
		return nil
	})
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
		b.o.Logger.WarnContext(ctx, "fiefredis: effect applied here only until Redis returns", "user", f.UserID, "error", err)
		return b.brk.fail(ctx, err)
	}
	return nil
}

// The writes are pipelined, not transactions: each is idempotent (ZADD GT
// keeps the later time), and with Redis Cluster the keys may live on
// different nodes.

// storeRevocations queues the commands that add zs to the set, keeping the
// later "not before" of a user, forget the entries older than Keep, and
// make the whole set expire Keep after its last change.
func (b *Bus) storeRevocations(ctx context.Context, p redis.Pipeliner, zs []redis.Z) *redis.IntCmd {
	keep := b.rev.Keep()
	added := p.ZAddArgs(ctx, b.setKey, redis.ZAddArgs{GT: true, Ch: true, Members: zs})
	p.ZRemRangeByScore(ctx, b.setKey, "-inf", "("+strconv.FormatInt(b.o.Clock().Add(-keep).UnixMicro(), 10))
	p.PExpire(ctx, b.setKey, keep)
	return added
}

// storeDrops queues the commands that record user-info drops, for the
// instances cut off when they were published, and forget those older than
// the user-info TTL.
func (b *Bus) storeDrops(ctx context.Context, p redis.Pipeliner, zs []redis.Z) *redis.IntCmd {
	added := p.ZAddArgs(ctx, b.dropsKey, redis.ZAddArgs{GT: true, Ch: true, Members: zs})
	p.ZRemRangeByScore(ctx, b.dropsKey, "-inf", "("+strconv.FormatInt(b.o.Clock().Add(-b.dropKeep).UnixMicro(), 10))
	p.PExpire(ctx, b.dropsKey, b.dropKeep)
	return added
}

// run is the subscriber loop: receive, apply, and synchronise after each
// (re)subscription.
func (b *Bus) run(ctx context.Context) {
	defer close(b.done)
	ps := b.o.Client.Subscribe(ctx, b.channel) // a failure here is retried by Receive
	defer ps.Close()
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, b.retry)
		if ctx.Err() != nil {
			return
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

// receive applies a message of the bus.
func (b *Bus) receive(ctx context.Context, payload string) {
	var m busMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		b.o.Logger.WarnContext(ctx, "fiefredis: unreadable bus message ignored", "error", err)
		return
	}
	if m.Reload {
		// Load only: writing back here could echo reloads between instances
		// whose clocks disagree on an entry about to expire.
		if err := b.load(ctx); err != nil {
			b.lost(ctx, err)
		}
		return
	}
	if m.Effect != nil {
		if err := b.local.Apply(ctx, *m.Effect); err != nil {
			b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info", "user", m.Effect.UserID, "error", err)
		}
		b.applied.Add(1)
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

func (b *Bus) syncOnce(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	var zs []redis.Z
	for rv := range b.rev.All() {
		if rv.Kind == fief.RevokeTokens {
			zs = append(zs, redis.Z{Score: float64(rv.NotBefore.UnixMicro()), Member: rv.UserID})
		}
	}
	for len(zs) > 0 {
		n := min(len(zs), 1000)
		var added *redis.IntCmd
		if _, err := b.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
			added = b.storeRevocations(ctx, p, zs[:n])
			return nil
		}); err != nil {
			return fmt.Errorf("writing revocations: %w", err)
		}
		if added.Val() > 0 {
			msg, _ := json.Marshal(busMessage{Reload: true})
			if err := b.o.Client.Publish(ctx, b.channel, msg).Err(); err != nil {
				return fmt.Errorf("publishing a reload: %w", err)
			}
		}
		zs = zs[n:]
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
	zs := make([]redis.Z, 0, len(b.pendingDrops))
	now := float64(b.o.Clock().UnixMicro())
	for u := range b.pendingDrops {
		zs = append(zs, redis.Z{Score: now, Member: u})
	}
	b.pendingMu.Unlock()
	if len(zs) == 0 {
		return nil
	}
	msg, _ := json.Marshal(busMessage{Reload: true})
	if _, err := b.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		b.storeDrops(ctx, p, zs)
		p.Publish(ctx, b.channel, msg)
		return nil
	}); err != nil {
		return fmt.Errorf("sharing user-info drops: %w", err)
	}
	b.pendingMu.Lock()
	for _, z := range zs {
		delete(b.pendingDrops, z.Member.(string))
	}
	b.pendingMu.Unlock()
	return nil
}

// load adds the revocations stored in Redis to this instance's set.
func (b *Bus) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
	defer cancel()
	since := strconv.FormatInt(b.o.Clock().Add(-b.rev.Keep()).UnixMicro(), 10)
	all, err := b.o.Client.ZRangeByScoreWithScores(ctx, b.setKey, &redis.ZRangeBy{Min: "(" + since, Max: "+inf"}).Result()
	if err != nil {
		return fmt.Errorf("loading revocations: %w", err)
	}
	for _, z := range all {
		user, _ := z.Member.(string)
		b.rev.Revoke(user, time.UnixMicro(int64(z.Score)))
	}
	// The user-info drops since the last load (all of them the first
	// time), a second of margin for clocks.
	b.loadMu.Lock()
	dropsSince, started := b.lastLoad.Add(-time.Second), b.o.Clock()
	b.loadMu.Unlock()
	if b.local.UserInfo != nil {
		drops, err := b.o.Client.ZRangeByScore(ctx, b.dropsKey, &redis.ZRangeBy{Min: strconv.FormatInt(dropsSince.UnixMicro(), 10), Max: "+inf"}).Result()
		if err != nil {
			return fmt.Errorf("loading user-info drops: %w", err)
		}
		for _, user := range drops {
			if err := b.local.UserInfo.Delete(ctx, user); err != nil {
				b.o.Logger.WarnContext(ctx, "fiefredis: dropping cached user info", "user", user, "error", err)
			}
		}
	}
	b.loadMu.Lock()
	b.lastLoad = started
	b.loadMu.Unlock()
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
