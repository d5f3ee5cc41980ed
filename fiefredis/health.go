package fiefredis

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/sentinel"
)

// ErrUnavailable: Redis could not be reached; the instance goes on with what
// it has. Errors of this package wrap it with the cause. It is also a
// [fief.ErrUnavailable]: errors.Is(err, fief.ErrUnavailable) holds, so that
// fiefhttp and fiefwebhook answer 503.
var ErrUnavailable = sentinel.In(fief.ErrUnavailable, "fiefredis: Redis unavailable")

// breaker remembers that Redis failed, so that calls made during the next
// interval fail at once instead of each waiting for its timeout, and logs
// each change of state once: unreachable, then reachable again after an
// outage (a first success is not a recovery).
type breaker struct {
	what     string
	interval time.Duration
	clock    func() time.Time
	logger   *slog.Logger

	mu        sync.Mutex
	downUntil time.Time
	down      bool
	cause     error
}

// open reports whether calls should fail at once.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.down && b.clock().Before(b.downUntil)
}

// fail records a failure, logging it if Redis was up.
func (b *breaker) fail(ctx context.Context, err error) error {
	b.mu.Lock()
	wasDown := b.down
	b.down, b.cause, b.downUntil = true, err, b.clock().Add(b.interval)
	b.mu.Unlock()
	if !wasDown {
		b.logger.WarnContext(ctx, "fiefredis: Redis unreachable; going on without it", "part", b.what, "error", err)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, b.what, err)
}

// ok records a success, logging it if Redis was down. It reports whether
// Redis was down.
func (b *breaker) ok(ctx context.Context) bool {
	b.mu.Lock()
	wasDown := b.down
	b.down, b.cause = false, nil
	b.mu.Unlock()
	if wasDown {
		b.logger.InfoContext(ctx, "fiefredis: Redis reachable again", "part", b.what)
	}
	return wasDown
}

// err returns the failure while Redis is down, else nil.
func (b *breaker) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.down {
		return nil
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, b.what, b.cause)
}

// errOpen is the error of a call refused while the breaker is open.
func (b *breaker) errOpen() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, b.what, b.cause)
}
