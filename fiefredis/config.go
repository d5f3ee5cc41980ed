package fiefredis

import (
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of the configurations of this package.
const (
	// DefaultPrefix starts every key and channel name.
	DefaultPrefix = "fief:"
	// DefaultTimeout bounds each Redis call made while handling a webhook.
	DefaultTimeout = time.Second
	// DefaultReadTimeout bounds each Redis call made while answering a
	// request (a user-info cache read).
	DefaultReadTimeout = 50 * time.Millisecond
	// DefaultRetryInterval is the wait between two attempts to reach Redis
	// while it is unreachable.
	DefaultRetryInterval = 500 * time.Millisecond
)

// Options are the settings every type of this package shares.
type Options struct {
	// Client is the Redis client. Required.
	Client redis.UniversalClient
	// Prefix starts every key and channel name. Empty means
	// [DefaultPrefix]. Instances that share state must use the same.
	Prefix string
	// Timeout bounds each Redis call. Zero means the type's default.
	Timeout time.Duration
	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time
	// Logger receives Redis becoming unreachable and reachable again, once
	// per change. Nil means [slog.Default].
	Logger *slog.Logger
}

func (o Options) resolve(defaultTimeout time.Duration) (Options, error) {
	if o.Client == nil {
		return o, errors.New("fiefredis: Options.Client is nil")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
