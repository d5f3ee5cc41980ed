package fiefredis_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fieftest"
)

// The behaviour tests of the single node, run again on a Redis Cluster and
// on a Sentinel setup (each started once for all of them), then a master
// killed in the middle of traffic.

// behaviours are the single-node behaviour tests that hold on any Redis
// deployment: rdb is a client of it, newClient makes more (one per
// instance of the application).
func behaviours(rdb redis.UniversalClient, newClient func(*testing.T) redis.UniversalClient) []struct {
	name string
	run  func(*testing.T)
} {
	return []struct {
		name string
		run  func(*testing.T)
	}{
		{"session store", func(t *testing.T) { sessionStoreBehaviour(t, rdb) }},
		{"refresh lock", func(t *testing.T) { sessionLockBehaviour(t, rdb) }},
		{"one refresh for two instances", func(t *testing.T) { twoInstancesOneRefresh(t, newClient) }},
		{"rotation memory", func(t *testing.T) { lateRequestOnAnotherInstance(t, rdb) }},
		{"sign-out everywhere against late writes", func(t *testing.T) { sessionUpdateNeverCreates(t, rdb) }},
		{"bus", func(t *testing.T) { busSpreadsEffects(t, newClient) }},
		{"deliveries", func(t *testing.T) { deliveriesShared(t, rdb, newClient(t)) }},
		{"delivery lease", func(t *testing.T) { deliveriesLease(t, rdb, newClient(t)) }},
		{"user info", func(t *testing.T) { userInfoShared(t, rdb, newClient(t)) }},
	}
}

// TestCluster: three masters with two replicas each, made by redis-cli:
// with WaitReplicas 1, a master that fails leaves a master and a replica.
func TestCluster(t *testing.T) {
	c := redisserver.StartCluster(t, 3, 2)
	newClient := func(t *testing.T) redis.UniversalClient {
		// go-redis reloads the slots only on a MOVED answer or every
		// ClusterStateReloadInterval (a minute by default): after a
		// failover, a short interval finds the new master at once.
		rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ClusterStateReloadInterval: time.Second})
		t.Cleanup(func() { rdb.Close() })
		return rdb
	}
	rdb := newClient(t)
	for _, b := range behaviours(rdb, newClient) {
		flushAll(t, rdb)
		if !t.Run(b.name, b.run) {
			return
		}
	}
	flushAll(t, rdb)
	t.Run("master killed", func(t *testing.T) {
		failover(t, newClient, func() {
			// The master of the bus's sets, and of a third of the sessions.
			c.MasterOf("fief:{bus}:revocations").Kill()
		})
	})
	flushAll(t, rdb)
	t.Run("master of the bus channel killed", func(t *testing.T) {
		failover(t, newClient, func() {
			// The master the instances subscribe on (go-redis subscribes on
			// the master of the channel's slot): every subscription moves to
			// the new master, and each instance reloads the set.
			c.MasterOf("fief:events").Kill()
		})
	})
}

// TestSentinel: a master, two replicas and three sentinels; the instances
// on a failover client.
func TestSentinel(t *testing.T) {
	s := redisserver.StartSentinel(t, 2)
	newClient := func(t *testing.T) redis.UniversalClient {
		rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: redisserver.MasterName, SentinelAddrs: s.SentinelAddrs()})
		t.Cleanup(func() { rdb.Close() })
		return rdb
	}
	rdb := newClient(t)
	for _, b := range behaviours(rdb, newClient) {
		flushAll(t, rdb)
		if !t.Run(b.name, b.run) {
			return
		}
	}
	flushAll(t, rdb)
	t.Run("master killed", func(t *testing.T) {
		failover(t, newClient, func() { s.Master().Kill() })
	})
}

// flushAll empties every master.
func flushAll(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	var err error
	if c, ok := rdb.(*redis.ClusterClient); ok {
		err = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.FlushAll(ctx).Err() })
	} else {
		err = rdb.FlushAll(ctx).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// failover runs sign-ins (sessions created, with WaitReplicas 1) against
// the deployment of newClient, kills a master in the middle with kill, and
// applies a revocation on one of three instances while the replica takes
// over, trying again until it is shared, as Fief does when the webhook is
// answered 503. Every session whose creation succeeded must still be there
// afterwards, every instance must refuse the revoked user, and an API
// whose user-info cache is on the same Redis must answer every request of
// a valid token.
func failover(t *testing.T, newClient func(*testing.T) redis.UniversalClient, kill func()) {
	ctx := context.Background()
	c := config(newClient(t))
	c.Timeout = 300 * time.Millisecond
	store, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: c, WaitReplicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	var instances []*instance
	for range 3 {
		in := newInstanceOn(t, newClient(t), nil)
		waitSynced(t, in.bus)
		instances = append(instances, in)
	}

	api := newAPI(t, newClient(t), instances[1])

	var (
		mu       sync.Mutex
		acked    []string
		failures []time.Time
		stop     = make(chan struct{})
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("session-%d", n)
			err := store.Create(ctx, key, fmt.Sprintf("00000000-0000-4000-8000-%012d", n%7), []byte("record of "+key), time.Hour)
			mu.Lock()
			if err == nil {
				acked = append(acked, key)
			} else {
				failures = append(failures, time.Now())
			}
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	api.start()

	killed := time.Now()
	kill()
	effect := revokeEffect(userA, time.Now(), false)
	tries := 1
	for instances[0].bus.Apply(ctx, effect) != nil {
		if time.Since(killed) > 30*time.Second {
			t.Fatal("the revocation could not be shared 30 s after the master was killed")
		}
		time.Sleep(100 * time.Millisecond) // Fief's retries are 7.5 s apart and more
		tries++
	}
	shared := time.Since(killed)
	for i, in := range instances {
		eventually(t, 10*time.Second, fmt.Sprintf("instance %d never revoked the user", i), func() bool { return in.revoked(userA) })
	}
	everywhere := time.Since(killed)

	// The writes succeed again; let them run a moment more.
	var window time.Duration
	eventually(t, 30*time.Second, "the session writes never succeeded again", func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) == 0 {
			return true
		}
		window = failures[len(failures)-1].Sub(killed)
		return time.Since(failures[len(failures)-1]) > 300*time.Millisecond
	})
	close(stop)
	<-done
	served, refused := api.finish()
	if refused > 0 || served < 10 {
		t.Errorf("requests of a valid token during the failover: %d served, %d refused or failed", served, refused)
	}

	lost := 0
	for _, key := range acked {
		_, err := store.Get(ctx, key)
		for deadline := time.Now().Add(5 * time.Second); err != nil && !errors.Is(err, fiefhttp.ErrSessionNotFound) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond) // unavailable: ask again
			_, err = store.Get(ctx, key)
		}
		if err != nil {
			lost++
			if lost <= 5 {
				t.Errorf("session %s, created before the failover was complete, is gone: %v", key, err)
			}
		}
	}
	t.Logf("master killed: sessions written %d, lost %d, failed writes %d, last failure %v after the kill; "+
		"revocation shared after %v (%d tries), refused by every instance after %v; API requests served %d, failed %d",
		len(acked), lost, len(failures), window.Round(time.Millisecond), shared.Round(time.Millisecond), tries, everywhere.Round(time.Millisecond), served, refused)
}

// api is an instance's API, with the shared user-info cache on Redis and
// the instance's revocations, called with a valid token in a loop.
type api struct {
	t      *testing.T
	url    string
	token  string
	stop   chan struct{}
	done   chan struct{}
	served int
	failed int
}

func newAPI(t *testing.T, rdb redis.UniversalClient, in *instance) *api {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	c, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "bob@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, HTTPClient: srv.Client(), Revocations: in.rev})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: config(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: cache, Logger: slog.New(slog.DiscardHandler)})
	web := httptest.NewServer(auth.CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	t.Cleanup(web.Close)
	token := srv.MintAccessToken(u.ID, fieftest.TokenOptions{ClientID: c.ClientID, Scopes: []string{"openid"}, Lifetime: time.Hour})
	return &api{t: t, url: web.URL, token: token, stop: make(chan struct{}), done: make(chan struct{})}
}

// start calls the API every 5 ms until finish.
func (a *api) start() {
	go func() {
		defer close(a.done)
		for {
			select {
			case <-a.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			req, _ := http.NewRequest(http.MethodGet, a.url, nil)
			req.Header.Set("Authorization", "Bearer "+a.token)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if err == nil && resp.StatusCode == http.StatusOK {
				a.served++
			} else {
				a.failed++
			}
		}
	}()
}

// finish stops the calls and returns how many were answered 200, and how
// many not.
func (a *api) finish() (served, failed int) {
	close(a.stop)
	<-a.done
	return a.served, a.failed
}

// TestWaitReplicasWithoutReplica: a store that waits for a replica that
// does not exist fails its writes with ErrUnavailable, within its timeout
// (they may have reached the master: the caller cannot count on them).
func TestWaitReplicasWithoutReplica(t *testing.T) {
	_, rdb := startRedis(t)
	c := config(rdb)
	c.Timeout = 200 * time.Millisecond
	waiting, err := fiefredis.NewSessionStore(fiefredis.SessionStoreConfig{Config: c, WaitReplicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plain := newStore(t, rdb, fiefredis.Config{})
	start := time.Now()
	// Each write finds what it needs in Redis whatever ran before it (an
	// update of a missing session is ErrSessionNotFound, not a wait).
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"create", func() error { return waiting.Create(ctx, "a", userA, []byte("v"), time.Minute) }},
		{"update", func() error {
			if err := plain.Create(ctx, "u", userA, []byte("v"), time.Minute); err != nil {
				return err
			}
			return waiting.Update(ctx, "u", userA, []byte("w"), time.Minute)
		}},
		{"delete", func() error { return waiting.Delete(ctx, "a") }},
		{"delete user", func() error {
			if err := plain.Create(ctx, "b", userA, []byte("v"), time.Minute); err != nil {
				return err
			}
			return waiting.DeleteUser(ctx, userA)
		}},
	} {
		if err := w.write(); !errors.Is(err, fiefredis.ErrUnavailable) || !strings.Contains(err.Error(), "replicas") {
			t.Errorf("%s without a replica: %v, want ErrUnavailable naming the replicas", w.name, err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("four writes took %v with a timeout of 200 ms each", d)
	}
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"one": "127.0.0.1:1"}})
	defer ring.Close()
	for _, bad := range []fiefredis.SessionStoreConfig{{Config: c, WaitReplicas: -1}, {Config: fiefredis.Config{Client: ring}, WaitReplicas: 1}} {
		if _, err := fiefredis.NewSessionStore(bad); err == nil {
			t.Errorf("NewSessionStore(WaitReplicas %d, %T): no error", bad.WaitReplicas, bad.Client)
		}
	}
}

// BenchmarkPropagationCluster is BenchmarkPropagation on a Redis Cluster
// of three masters with two replicas each.
func BenchmarkPropagationCluster(b *testing.B) {
	c := redisserver.StartCluster(b, 3, 2)
	benchPropagation(b, func() redis.UniversalClient {
		rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
		b.Cleanup(func() { rdb.Close() })
		return rdb
	})
}

// BenchmarkPropagationSentinel is BenchmarkPropagation through Sentinel's
// failover client (a master, two replicas, three sentinels).
func BenchmarkPropagationSentinel(b *testing.B) {
	s := redisserver.StartSentinel(b, 2)
	benchPropagation(b, func() redis.UniversalClient {
		rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: redisserver.MasterName, SentinelAddrs: s.SentinelAddrs()})
		b.Cleanup(func() { rdb.Close() })
		return rdb
	})
}
