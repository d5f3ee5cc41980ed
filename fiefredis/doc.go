// Package fiefredis shares across the instances of a service, through Redis
// (github.com/redis/go-redis/v9), what fief-go otherwise keeps per process:
//
//   - [Bus] spreads the effects of Fief's webhooks (revocations, stale user
//     info) from the instance that received the webhook to every instance,
//     and keeps the revocations in Redis, so that an instance that starts
//     late or was cut off from Redis catches up;
//   - [Deliveries] remembers the webhook deliveries processed, so that an
//     event is processed once whichever instance receives it;
//   - [UserInfoCache] is a fiefhttp.UserInfoCache shared by every instance.
//
// Every type takes a [redis.UniversalClient] (a single node, Sentinel or
// Cluster), keeps its keys under one prefix ([DefaultPrefix] by default),
// and bounds every call by a short timeout: when Redis is unreachable, each
// instance goes on with what it has, logs it once, reports it ([Bus.Check]),
// and catches up when Redis returns. Validating a token never waits on Redis:
// revocations are checked in memory.
package fiefredis
