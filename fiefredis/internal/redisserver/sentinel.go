package redisserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of [StartSentinel] monitor.
const MasterName = "fief-test"

// SentinelDownAfter is the sentinels' down-after-milliseconds: a master
// that has not answered for that long is failed over.
const SentinelDownAfter = 500 * time.Millisecond

// Sentinel is a master, its replicas and three sentinels, real redis-server
// processes on loopback ports, killed when the test ends.
type Sentinel struct {
	t         testing.TB
	servers   []*Server // the master first, as started
	sentinels []*Server
}

// StartSentinel starts a master with replicas replicas and three sentinels
// monitoring it (quorum 2), and waits until every sentinel knows every
// replica and the other sentinels. It fails the test if it cannot.
func StartSentinel(t testing.TB, replicas int) *Sentinel {
	t.Helper()
	s := &Sentinel{t: t}
	master := Start(t)
	s.servers = append(s.servers, master)
	for range replicas {
		s.servers = append(s.servers, startWith(t, nil, func(int) []string {
			return []string{"--replicaof", "127.0.0.1", strconv.Itoa(master.Port())}
		}))
	}
	for range 3 {
		s.sentinels = append(s.sentinels, startWith(t,
			func(int) string {
				// The sentinel rewrites this file: it must be its own.
				return fmt.Sprintf("sentinel monitor %[1]s 127.0.0.1 %[2]d 2\n"+
					"sentinel down-after-milliseconds %[1]s %[3]d\n"+
					"sentinel failover-timeout %[1]s 5000\n"+
					"sentinel parallel-syncs %[1]s 1\n",
					MasterName, master.Port(), SentinelDownAfter/time.Millisecond)
			},
			func(int) []string { return []string{"--sentinel"} }))
	}
	waitReplicas(t, master, replicas, 20*time.Second)
	s.waitKnown(replicas, 20*time.Second)
	return s
}

// waitReplicas waits until master has n replicas online.
func waitReplicas(t testing.TB, master *Server, n int, timeout time.Duration) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: master.Addr(), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(timeout)
	var info string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, _ = rdb.Info(ctx, "replication").Result()
		cancel()
		if strings.Contains(info, "connected_slaves:"+strconv.Itoa(n)+"\r\n") && strings.Count(info, "state=online") == n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("redisserver: %s has not %d replicas online after %v: %s", master.Addr(), n, timeout, info)
}

// SentinelAddrs returns the sentinels' addresses, for
// redis.FailoverOptions.
func (s *Sentinel) SentinelAddrs() []string {
	addrs := make([]string, len(s.sentinels))
	for i, n := range s.sentinels {
		addrs[i] = n.Addr()
	}
	return addrs
}

// Servers returns the data servers: the first master, then its replicas.
func (s *Sentinel) Servers() []*Server { return s.servers }

// Client returns a failover client of the master, closed when the test
// ends.
func (s *Sentinel) Client() *redis.Client {
	rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: MasterName, SentinelAddrs: s.SentinelAddrs()})
	s.t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Master returns the server the sentinels name as master now (asking the
// first sentinel that answers).
func (s *Sentinel) Master() *Server {
	s.t.Helper()
	addr, err := s.masterAddr()
	if err != nil {
		s.t.Fatalf("redisserver: %v", err)
	}
	for _, n := range s.servers {
		if n.Addr() == addr {
			return n
		}
	}
	s.t.Fatalf("redisserver: the sentinels name %s, not one of the servers", addr)
	return nil
}

func (s *Sentinel) masterAddr() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var last error
	for _, n := range s.sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
		hp, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
		sc.Close()
		if err == nil && len(hp) == 2 {
			return hp[0] + ":" + hp[1], nil
		}
		last = err
	}
	return "", fmt.Errorf("no sentinel names the master: %v", last)
}

// WaitFailover waits until the sentinels name a running master other than
// old, and that master answers as one. It returns the new master, and
// fails the test after timeout.
func (s *Sentinel) WaitFailover(old *Server, timeout time.Duration) *Server {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if addr, err := s.masterAddr(); err == nil && addr != old.Addr() {
			for _, n := range s.servers {
				if n.Addr() == addr && n.Running() && role(n.Addr()) == "master" {
					return n
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redisserver: no failover from %s within %v", old.Addr(), timeout)
	return nil
}

// role returns the ROLE of the server at addr ("master", "slave"), or ""
// if it does not answer.
func role(addr string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	v, err := rdb.Do(ctx, "ROLE").Slice()
	if err != nil || len(v) == 0 {
		return ""
	}
	r, _ := v[0].(string)
	return r
}

// waitKnown waits until every sentinel sees the master with its replicas
// and the two other sentinels, which a failover needs.
func (s *Sentinel) waitKnown(replicas int, timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		ok := true
		for _, n := range s.sentinels {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			sc := redis.NewSentinelClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
			m, err := sc.Master(ctx, MasterName).Result()
			sc.Close()
			cancel()
			if err != nil || m["num-slaves"] != strconv.Itoa(replicas) || m["num-other-sentinels"] != "2" {
				ok, last = false, fmt.Sprintf("%s: %v %v", n.Addr(), m, err)
				break
			}
		}
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("redisserver: sentinels not ready after %v: %s", timeout, last)
}
