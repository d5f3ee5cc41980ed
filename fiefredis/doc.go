// Package fiefredis shares what fief-go keeps per process across the
// instances of a service, through Redis (github.com/redis/go-redis/v9).
//
// Every function takes a [redis.UniversalClient], so a single node, Sentinel
// and Cluster all work; every key lives under one configurable prefix.
package fiefredis

import "github.com/redis/go-redis/v9"

// Keep the import used until the first exported type that needs it.
var _ redis.UniversalClient = (*redis.Client)(nil)
