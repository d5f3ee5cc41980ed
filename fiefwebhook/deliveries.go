package fiefwebhook

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Defaults of [NewMemoryDeliveries].
const (
	// DefaultDeliveryMemory is how long a delivery is remembered: longer
	// than Fief's retries of one event (about eight minutes in all).
	DefaultDeliveryMemory = time.Hour
	// DefaultMaxDeliveries bounds the deliveries remembered in memory.
	DefaultMaxDeliveries = 100_000
	// DefaultDeliveryLease is how long an instance may process a delivery
	// before another may take it over: Fief waits 5 seconds for an answer,
	// and retries 7.5 seconds later at the earliest.
	DefaultDeliveryLease = 5 * time.Second
)

// Deliveries remembers the deliveries processed, so that each event is
// processed once although Fief retries it, re-signed, and may deliver it
// more than once, out of order, or to several instances. A delivery is
// identified by [Event.ID]. Processing one takes a lease: an instance that
// dies while processing it (its lease expires unfinished) does not make the
// next attempt answer "done"; the next attempt processes it again (effects
// are idempotent). Implementations must be safe for concurrent use.
type Deliveries interface {
	// Claim records the delivery's first arrival, if it is new, and takes
	// a lease on its processing until now+lease. It returns the time of
	// the first arrival and whether this call claimed it: false when the
	// delivery is done, or leased by another call whose lease has not
	// expired.
	Claim(ctx context.Context, id string, now time.Time, lease time.Duration) (first time.Time, claimed bool, err error)
	// Done records that the delivery's effects and hooks succeeded: it is
	// never processed again.
	Done(ctx context.Context, id string) error
	// Release gives back a claimed delivery whose processing failed, so
	// that Fief's next attempt processes it; its first arrival is kept.
	Release(ctx context.Context, id string) error
}

// MemoryDeliveries is the in-process [Deliveries]: bounded in entries, each
// remembered for a fixed time. Make it with [NewMemoryDeliveries].
//
// It forgets everything when the process stops: a delivery Fief sends again
// after a restart (an attempt answered 2xx is never retried, but an attempt
// in flight at the stop is) is processed again, with the time of its new
// first arrival. A revocation then moves the user's "not before" forward
// by the time between the two arrivals, which refuses a little more, never
// less. A shared Deliveries (fiefredis) survives restarts.
type MemoryDeliveries struct {
	mu    sync.Mutex
	m     map[string]*list.Element // of *delivery
	order *list.List               // first arrival order
	keep  time.Duration
	max   int
}

type delivery struct {
	id         string
	first      time.Time
	leaseUntil time.Time // zero when not leased
	done       bool
}

// NewMemoryDeliveries returns a memory of at most maxEntries deliveries,
// each kept for keep after its first arrival; when full, the oldest is
// forgotten. Zero or negative values mean [DefaultMaxDeliveries] and
// [DefaultDeliveryMemory].
func NewMemoryDeliveries(maxEntries int, keep time.Duration) *MemoryDeliveries {
	if maxEntries <= 0 {
		maxEntries = DefaultMaxDeliveries
	}
	if keep <= 0 {
		keep = DefaultDeliveryMemory
	}
	return &MemoryDeliveries{m: make(map[string]*list.Element), order: list.New(), keep: keep, max: maxEntries}
}

// Claim implements [Deliveries]. It never returns an error.
func (d *MemoryDeliveries) Claim(_ context.Context, id string, now time.Time, lease time.Duration) (time.Time, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.lookup(id, now)
	if e == nil {
		e = &delivery{id: id, first: now}
		d.m[id] = d.order.PushBack(e)
	}
	if e.done || (!e.leaseUntil.IsZero() && now.Before(e.leaseUntil)) {
		return e.first, false, nil
	}
	e.leaseUntil = now.Add(lease)
	return e.first, true, nil
}

// lookup forgets the expired entries (and the oldest beyond the bound), and
// returns the delivery id, if known. d.mu is held.
func (d *MemoryDeliveries) lookup(id string, now time.Time) *delivery {
	for f := d.order.Front(); f != nil; f = d.order.Front() {
		e := f.Value.(*delivery)
		if now.Sub(e.first) < d.keep && len(d.m) < d.max {
			break
		}
		d.order.Remove(f)
		delete(d.m, e.id)
	}
	if el, ok := d.m[id]; ok {
		return el.Value.(*delivery)
	}
	return nil
}

// Remember records the first arrival of a delivery known elsewhere (such as
// in a shared store that is now unreachable), unless it is known, so that a
// later Claim here keeps that first arrival.
func (d *MemoryDeliveries) Remember(id string, first time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.m[id]; !ok && len(d.m) < d.max {
		d.m[id] = d.order.PushBack(&delivery{id: id, first: first})
	}
}

// Done implements [Deliveries]. It never returns an error.
func (d *MemoryDeliveries) Done(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.m[id]; ok {
		e := el.Value.(*delivery)
		e.done, e.leaseUntil = true, time.Time{}
	}
	return nil
}

// Release implements [Deliveries]. It never returns an error.
func (d *MemoryDeliveries) Release(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.m[id]; ok {
		el.Value.(*delivery).leaseUntil = time.Time{}
	}
	return nil
}
