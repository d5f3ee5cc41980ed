package redisserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
)

// TestClusterFailover: a cluster of three masters with a replica each
// serves keys of every master; a master killed is replaced by its replica,
// which has the key written before.
func TestClusterFailover(t *testing.T) {
	ctx := context.Background()
	c := redisserver.StartCluster(t, 3, 1)
	rdb := c.Client()
	masters := map[string]bool{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		if err := rdb.Set(ctx, k, "v-"+k, 0).Err(); err != nil {
			t.Fatal(err)
		}
		masters[c.MasterOf(k).Addr()] = true
	}
	if len(masters) != 3 {
		t.Errorf("the keys live on %d masters, want 3", len(masters))
	}
	// Replication is asynchronous: the key is written again with WAIT, on
	// one connection to its master, so that its replica has it.
	m, err := rdb.MasterForKey(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var wait *redis.Cmd
	if _, err := m.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "v-a", 0)
		wait = p.Do(ctx, "WAIT", 1, 1000)
		return nil
	}); err != nil || wait.Val() != int64(1) {
		t.Fatalf("WAIT: %v, %v", wait.Val(), err)
	}
	old := c.MasterOf("a")
	start := time.Now()
	old.Kill()
	c.WaitHealthy(15 * time.Second)
	t.Logf("failover in %v", time.Since(start))
	if now := c.MasterOf("a"); now == old {
		t.Fatal("the killed master still serves the key")
	}
	// The client learns the new master at its next attempts.
	var v string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if v, err = rdb.Get(ctx, "a").Result(); err == nil {
			break
		}
	}
	if err != nil || v != "v-a" {
		t.Errorf("after the failover: %q, %v", v, err)
	}
}

// TestSentinelFailover: a master killed is replaced by its replica, which
// the sentinels name and a failover client finds.
func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	s := redisserver.StartSentinel(t, 1)
	rdb := s.Client()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Wait(ctx, 1, time.Second).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT: %d, %v", n, err)
	}
	old := s.Master()
	start := time.Now()
	old.Kill()
	now := s.WaitFailover(old, 15*time.Second)
	t.Logf("failover to %s in %v", now.Addr(), time.Since(start))
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("after the failover: %q, %v", v, err)
	}
}
