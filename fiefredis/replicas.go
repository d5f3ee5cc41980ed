package fiefredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Why WAIT: Redis replicates asynchronously. A master answers a write
// before its replicas have it, so a master that crashes just after
// answering (measured: one session in several hundred written while a
// Cluster master was killed) takes the write with it, and the replica
// promoted in its place never had it. WAIT, sent on the same connection
// after the write, returns once that many replicas have everything the
// connection wrote.

// errNoWait: the client cannot send WAIT on the connection of a write.
var errNoWait = errors.New("fiefredis: WaitReplicas needs a *redis.Client (single node or Sentinel's failover client) or a *redis.ClusterClient")

// masterOf returns the client of the connection that writes key: the
// client itself, or, in a Cluster, the client of the key's master.
func masterOf(ctx context.Context, rdb redis.UniversalClient, key string) (*redis.Client, error) {
	switch c := rdb.(type) {
	case *redis.Client:
		return c, nil
	case *redis.ClusterClient:
		return c.MasterForKey(ctx, key)
	}
	return nil, errNoWait
}

// replicated sends the commands queue adds, all on key's master, then WAIT
// for n replicas (at most timeout), on one connection. It returns the
// commands, and an error when they could not be sent or fewer than n
// replicas confirmed them within timeout (the writes may still have been
// applied on the master). The commands' own errors are theirs to read.
func replicated(ctx context.Context, rdb redis.UniversalClient, key string, n int, timeout time.Duration, queue func(p redis.Pipeliner)) ([]redis.Cmder, error) {
	m, err := masterOf(ctx, rdb, key)
	if err != nil {
		return nil, err
	}
	var wait *redis.Cmd
	cmds, err := m.Pipelined(ctx, func(p redis.Pipeliner) error {
		queue(p)
		wait = p.Do(ctx, "WAIT", n, timeout.Milliseconds())
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return cmds, err
	}
	got, err := wait.Int64()
	if err != nil {
		return cmds, err
	}
	if got < int64(n) {
		return cmds, fmt.Errorf("%d of the %d replicas asked for confirmed the write within %v", got, n, timeout)
	}
	return cmds, nil
}
