package redisserver

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// CLI is the redis-cli that creates clusters: the first on PATH (Debian's
// redis-tools package, a dependency of redis-server, or Homebrew's redis),
// else Debian's place.
var CLI = lookPath("redis-cli")

// ClusterNodeTimeout is the cluster-node-timeout of the nodes: a master
// unreachable for that long is failed over to its replica.
const ClusterNodeTimeout = time.Second

// Cluster is a Redis Cluster of real redis-server processes on loopback
// ports, made with redis-cli --cluster create, and killed when the test
// ends.
type Cluster struct {
	t     testing.TB
	nodes []*Server
}

// StartCluster starts masters masters, each with replicas replicas,
// creates the cluster and waits until every node sees it whole. It fails
// the test if it cannot.
func StartCluster(t testing.TB, masters, replicas int) *Cluster {
	t.Helper()
	if _, err := exec.LookPath(CLI); err != nil {
		t.Fatalf("redisserver: %s is missing (install Redis's tools: apt-get install redis-tools, or brew install redis): %v", CLI, err)
	}
	c := &Cluster{t: t}
	args := []string{"--cluster", "create"}
	for range masters * (1 + replicas) {
		n := startWith(t, nil, func(int) []string {
			return []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", strconv.Itoa(int(ClusterNodeTimeout / time.Millisecond)),
				// A replica takes over whatever the age of its data: the
				// tests kill masters right after writing.
				"--cluster-replica-validity-factor", "0",
			}
		})
		c.nodes = append(c.nodes, n)
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	out, err := exec.Command(CLI, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redisserver: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c.WaitHealthy(15 * time.Second)
	for _, n := range c.nodes {
		if role(n.Addr()) == "master" {
			waitReplicas(t, n, replicas, 15*time.Second)
		}
	}
	return c
}

// Nodes returns the nodes, in the order of creation: the masters first
// (as redis-cli assigned the roles), then the replicas.
func (c *Cluster) Nodes() []*Server { return c.nodes }

// Addrs returns the addresses of the nodes, for redis.ClusterOptions.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// StateReloadInterval is the ClusterStateReloadInterval of [Cluster.Client].
// go-redis's default, a minute, leaves a client sending the slots of a
// killed master to it for up to that long: a connection refused does not
// make it reload the slots, only a MOVED answer or the interval does.
const StateReloadInterval = 500 * time.Millisecond

// Client returns a cluster client of c, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ClusterStateReloadInterval: StateReloadInterval})
	c.t.Cleanup(func() { rdb.Close() })
	return rdb
}

// MasterOf returns the node that serves key's slot as master, as the
// running nodes see it.
func (c *Cluster) MasterOf(key string) *Server {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, n := range c.running() {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
		slot, err := rdb.ClusterKeySlot(ctx, key).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = rdb.ClusterSlots(ctx).Result()
		}
		rdb.Close()
		if err != nil {
			continue
		}
		for _, s := range slots {
			if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 {
				return c.byAddr(s.Nodes[0].Addr)
			}
		}
	}
	c.t.Fatalf("redisserver: no running node knows the master of %q", key)
	return nil
}

func (c *Cluster) byAddr(addr string) *Server {
	for _, n := range c.nodes {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}

func (c *Cluster) running() []*Server {
	var out []*Server
	for _, n := range c.nodes {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// WaitHealthy waits until every running node says the cluster is ok and
// every slot is served by a running master: after a creation, or after a
// master was killed and its replica promoted. It fails the test after
// timeout.
func (c *Cluster) WaitHealthy(timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = c.healthy(); last == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("redisserver: cluster not healthy after %v: %v", timeout, last)
}

func (c *Cluster) healthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, n := range c.running() {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
		info, err := rdb.ClusterInfo(ctx).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = rdb.ClusterSlots(ctx).Result()
		}
		rdb.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", n.Addr(), err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("%s: cluster_state not ok", n.Addr())
		}
		covered := 0
		for _, s := range slots {
			if len(s.Nodes) == 0 {
				continue
			}
			if m := c.byAddr(s.Nodes[0].Addr); m == nil || !m.Running() {
				return fmt.Errorf("%s: slots %d-%d served by %s, which is down", n.Addr(), s.Start, s.End, s.Nodes[0].Addr)
			}
			covered += s.End - s.Start + 1
		}
		if covered != 16384 {
			return fmt.Errorf("%s: %d slots served", n.Addr(), covered)
		}
	}
	return nil
}
