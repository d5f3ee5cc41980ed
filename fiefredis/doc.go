// Package fiefredis shares across the instances of a service, through Redis
// (github.com/redis/go-redis/v9), what fief-go otherwise keeps per process:
//
//   - [SessionStore] holds fiefhttp's server-side sessions, the memory of
//     rotated refresh tokens and the refresh lock;
//   - [Bus] spreads the effects of Fief's webhooks (revocations, stale user
//     info) from the instance that received the webhook to every instance,
//     and keeps the revocations in Redis, so that an instance that starts
//     late or was cut off from Redis catches up;
//   - [Deliveries] remembers the webhook deliveries processed, so that an
//     event is processed once whichever instance receives it;
//   - [UserInfoCache] is a fiefhttp.UserInfoCache shared by every instance.
//
// Each constructor takes its configuration ([SessionStoreConfig],
// [BusConfig], [DeliveriesConfig], [UserInfoCacheConfig]), each holding a
// [Config]: a [redis.UniversalClient] (a single node, Sentinel or Cluster),
// the application's client ID, which makes the default key prefix
// "fief:<client ID>:", and the Keys (the same secrets as fiefhttp's
// CookieKeys) that authenticate the bus and seal the cached user info. A
// configuration it refuses is a [*fief.ConfigError] naming the field.
// Every call is bounded by a short timeout: when Redis is unreachable, each
// instance goes on with what it has, logs it once, reports it
// ([Bus.Check]), and catches up when Redis returns. Validating a token
// never waits on Redis: revocations are checked in memory.
//
// # go-redis's own log messages
//
// go-redis writes its connection-pool failures (such as "failed to dial
// after 5 attempts") to its own process-wide logger, which belongs to the
// application: this package never sets it. To route those messages to the
// application's logger, or to silence them, call redis.SetLogger once at
// start with a value whose Printf(ctx, format, args...) forwards them (for
// example to slog.Default().WarnContext) or does nothing.
package fiefredis
