package fiefredis

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
)

// Defaults of the configurations of this package.
const (
	// DefaultPrefix starts every key and channel name when [Config.Prefix]
	// is empty: followed by the client ID and a colon when
	// [Config.ClientID] is set ("fief:<client ID>:"), alone otherwise.
	DefaultPrefix = "fief:"
	// DefaultTimeout bounds each Redis call of a [Bus] and of [Deliveries].
	DefaultTimeout = time.Second
	// DefaultSessionTimeout bounds each Redis call of a [SessionStore].
	DefaultSessionTimeout = 2 * time.Second
	// DefaultReadTimeout bounds each Redis call of a [UserInfoCache], made
	// while answering a request.
	DefaultReadTimeout = 50 * time.Millisecond
	// DefaultRetryInterval is the wait between two attempts to reach Redis
	// while it is unreachable.
	DefaultRetryInterval = 500 * time.Millisecond
)

// minKeyLen is the minimum length of a secret of [Config.Keys], as for
// fiefhttp's CookieKeys.
const minKeyLen = 32

// Config is what every type of this package needs; each constructor takes
// it within its own configuration ([BusConfig], [DeliveriesConfig],
// [UserInfoCacheConfig], [SessionStoreConfig]). Instances that share state
// must have the same Prefix (or ClientID) and Keys.
type Config struct {
	// Client is the Redis client: a single node, Sentinel or Cluster.
	// Required.
	Client redis.UniversalClient
	// ClientID is the application's Fief client ID. It makes the default
	// prefix "fief:<client ID>:", so that two applications sharing a Redis
	// never share keys (one's "sign out everywhere" never ends the other's
	// sessions). Set it, or Prefix.
	ClientID string
	// Prefix starts every key and channel name. Empty means
	// [DefaultPrefix], followed by ClientID and a colon when ClientID is
	// set. It may not contain braces: this package sets the hash tags of
	// its keys, so that the keys used together live in one slot of a
	// Redis Cluster.
	Prefix string
	// Keys are the secrets that authenticate what a [Bus] shares and seal
	// what a [UserInfoCache] stores: use the same secrets as fiefhttp's
	// WebConfig.CookieKeys (each of at least 32 bytes; the first
	// authenticates and seals, every one verifies and opens). To rotate,
	// give every instance the new secret in second place, then, once all
	// have it, in first place; drop the old one once the revocations it
	// signed have expired (fief.Revocations.Keep, 30 days by default). An
	// instance without the new secret refuses what is signed with it, and
	// leaves such entries in Redis; it removes the entries tagged with one
	// of its own keys that do not verify. A per-purpose key is derived from
	// each secret with HKDF-SHA256.
	// Required by [NewBus] and [NewUserInfoCache];
	// [Deliveries] and [SessionStore] do not use them (fiefhttp seals the
	// session records itself).
	Keys [][]byte
	// Timeout bounds each Redis call, within the caller's context. Zero
	// means the type's default.
	Timeout time.Duration
	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time
	// Logger receives Redis becoming unreachable, and reachable again
	// after an outage, once per change, and what was refused or dropped.
	// Nil means [slog.Default].
	Logger *slog.Logger
}

// resolve checks c and fills in its defaults.
func (c Config) resolve(what string, defaultTimeout time.Duration) (Config, error) {
	if c.Client == nil {
		return c, &fief.ConfigError{Field: "fiefredis." + what + ".Client", Reason: "is nil"}
	}
	if strings.ContainsAny(c.Prefix, "{}") {
		return c, &fief.ConfigError{Field: "fiefredis." + what + ".Prefix", Reason: fmt.Sprintf("%q contains a brace: this package sets the hash tags of its keys", c.Prefix)}
	}
	if strings.ContainsAny(c.ClientID, "{}") {
		return c, &fief.ConfigError{Field: "fiefredis." + what + ".ClientID", Reason: fmt.Sprintf("%q contains a brace", c.ClientID)}
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
		if c.ClientID != "" {
			c.Prefix += c.ClientID + ":"
		}
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// checkKeys checks that c has keys, each long enough.
func (c Config) checkKeys(what string) error {
	if len(c.Keys) == 0 {
		return &fief.ConfigError{Field: "fiefredis." + what + ".Keys", Reason: "is empty: give the secrets of fiefhttp's WebConfig.CookieKeys"}
	}
	for i, k := range c.Keys {
		if len(k) < minKeyLen {
			return &fief.ConfigError{Field: fmt.Sprintf("fiefredis.%s.Keys[%d]", what, i), Reason: fmt.Sprintf("has %d bytes, need at least %d", len(k), minKeyLen)}
		}
	}
	return nil
}
