package fiefredis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefwebhook"
)

// claimScript records a delivery's first arrival (µs since the epoch,
// ARGV[1]) unless known, and takes a lease on its processing until ARGV[3]
// (µs) unless it is done or leased until later than now: it returns the
// first arrival and 1 when this call claimed it, 0 otherwise.
var claimScript = redis.NewScript(`
local first = redis.call('HGET', KEYS[1], 'first')
if not first then
  first = ARGV[1]
  redis.call('HSET', KEYS[1], 'first', first)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if redis.call('HEXISTS', KEYS[1], 'done') == 1 then
  return {first, 0}
end
local lease = redis.call('HGET', KEYS[1], 'lease')
if lease and tonumber(lease) > tonumber(ARGV[1]) then
  return {first, 0}
end
redis.call('HSET', KEYS[1], 'lease', ARGV[3])
return {first, 1}
`)

// Deliveries is a [fiefwebhook.Deliveries] in Redis, shared by every
// instance, so that an event is processed once (and its time is its first
// arrival at any instance) whichever instance Fief's attempts reach. Each
// delivery is remembered for an hour ([fiefwebhook.DefaultDeliveryMemory]).
// A claim is a lease: when the instance that claimed a delivery dies before
// it is done, another instance processes it again once the lease has
// expired; a delivery done is never processed again. When Redis is
// unreachable it falls back to the instance's own memory.
// Make it with [NewDeliveries].
type Deliveries struct {
	o      Config
	keep   time.Duration
	memory *fiefwebhook.MemoryDeliveries
	brk    *breaker
}

var _ fiefwebhook.Deliveries = (*Deliveries)(nil)

// DeliveriesConfig configures [NewDeliveries].
type DeliveriesConfig struct {
	// Config is the Redis client, the prefix and the timeout of each call
	// (zero means [DefaultTimeout]); the Keys are not used.
	Config
}

// NewDeliveries returns a shared memory of deliveries. It does no I/O.
func NewDeliveries(cfg DeliveriesConfig) (*Deliveries, error) {
	o, err := cfg.Config.resolve("DeliveriesConfig", DefaultTimeout)
	if err != nil {
		return nil, err
	}
	return &Deliveries{
		o:      o,
		keep:   fiefwebhook.DefaultDeliveryMemory,
		memory: fiefwebhook.NewMemoryDeliveries(0, 0),
		brk:    &breaker{what: "webhook deliveries", interval: DefaultRetryInterval, clock: o.Clock, logger: o.Logger},
	}, nil
}

func (d *Deliveries) key(id string) string { return d.o.Prefix + "delivery:" + id }

// Claim implements [fiefwebhook.Deliveries]. It never returns an error:
// without Redis, the instance's memory decides.
func (d *Deliveries) Claim(ctx context.Context, id string, now time.Time, lease time.Duration) (time.Time, bool, error) {
	if d.brk.open() {
		return d.memory.Claim(ctx, id, now, lease)
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	res, err := claimScript.Run(ctx, d.o.Client, []string{d.key(id)}, now.UnixMicro(), d.keep.Milliseconds(), now.Add(lease).UnixMicro()).Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("claim script answered %d values", len(res))
	}
	var first int64
	var claimed int64
	if err == nil {
		s, _ := res[0].(string)
		claimed, _ = res[1].(int64)
		first, err = strconv.ParseInt(s, 10, 64)
	}
	if err != nil {
		_ = d.brk.fail(ctx, err)
		return d.memory.Claim(ctx, id, now, lease)
	}
	d.brk.ok(ctx)
	t := time.UnixMicro(first)
	d.memory.Remember(id, t)
	if claimed == 1 {
		d.memory.Claim(ctx, id, now, lease) // the same lease here, should Redis go away
	}
	return t, claimed == 1, nil
}

// Done implements [fiefwebhook.Deliveries].
func (d *Deliveries) Done(ctx context.Context, id string) error {
	_ = d.memory.Done(ctx, id)
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	if _, err := d.o.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, d.key(id), "done", "1")
		p.PExpire(ctx, d.key(id), d.keep)
		return nil
	}); err != nil {
		return d.brk.fail(ctx, err)
	}
	return nil
}

// Release implements [fiefwebhook.Deliveries].
func (d *Deliveries) Release(ctx context.Context, id string) error {
	_ = d.memory.Release(ctx, id)
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	if err := d.o.Client.HDel(ctx, d.key(id), "lease").Err(); err != nil {
		return d.brk.fail(ctx, err)
	}
	return nil
}
