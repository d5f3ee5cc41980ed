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
)

// Deliveries remembers the deliveries processed, so that each event is
// processed once although Fief retries it, re-signed, and may deliver it
// more than once, out of order, or to several instances. A delivery is
// identified by [Event.ID]. Implementations must be safe for concurrent use.
type Deliveries interface {
	// Claim records the delivery's first arrival, if it is new, and claims
	// its processing. It returns the time of the first arrival and whether
	// this call claimed it: false when the delivery was processed, or is
	// being processed, already.
	Claim(ctx context.Context, id string, now time.Time) (first time.Time, claimed bool, err error)
	// Release gives back a delivery whose processing failed, so that Fief's
	// next attempt processes it; its first arrival is kept.
	Release(ctx context.Context, id string) error
}

// MemoryDeliveries is the in-process [Deliveries]: bounded in entries, each
// remembered for a fixed time. Make it with [NewMemoryDeliveries].
type MemoryDeliveries struct {
	mu    sync.Mutex
	m     map[string]*list.Element // of *delivery
	order *list.List               // first arrival order
	keep  time.Duration
	max   int
}

type delivery struct {
	id      string
	first   time.Time
	claimed bool
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
func (d *MemoryDeliveries) Claim(_ context.Context, id string, now time.Time) (time.Time, bool, error) {
	first, claimed := d.ClaimAt(id, now)
	return first, claimed, nil
}

// ClaimAt is Claim without a context or an error.
func (d *MemoryDeliveries) ClaimAt(id string, now time.Time) (first time.Time, claimed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for f := d.order.Front(); f != nil; f = d.order.Front() {
		e := f.Value.(*delivery)
		if now.Sub(e.first) < d.keep && len(d.m) < d.max {
			break
		}
		d.order.Remove(f)
		delete(d.m, e.id)
	}
	if el, ok := d.m[id]; ok {
		e := el.Value.(*delivery)
		if e.claimed {
			return e.first, false
		}
		e.claimed = true
		return e.first, true
	}
	d.m[id] = d.order.PushBack(&delivery{id: id, first: now, claimed: true})
	return now, true
}

// Remember records a delivery claimed elsewhere (such as in a shared store
// that is now unreachable), with its first arrival, unless it is known.
func (d *MemoryDeliveries) Remember(id string, first time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.m[id]; !ok && len(d.m) < d.max {
		d.m[id] = d.order.PushBack(&delivery{id: id, first: first, claimed: true})
	}
}

// Release implements [Deliveries]. It never returns an error.
func (d *MemoryDeliveries) Release(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.m[id]; ok {
		el.Value.(*delivery).claimed = false
	}
	return nil
}

// Len returns the number of deliveries remembered.
func (d *MemoryDeliveries) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.m)
}
