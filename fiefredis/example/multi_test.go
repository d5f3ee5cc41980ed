package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// quietRedis drops go-redis's own log lines (dial failures while the test
// has Redis down on purpose).
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietRedis{})
	os.Exit(m.Run())
}

// propagation is the generous bound within which every instance must have
// applied a webhook received by one of them (the benchmark measures the
// actual time).
const propagation = 5 * time.Second

// sharedClock is the clock of Fief and of every instance: real time plus an
// offset the test moves, so that a token minted after a revocation has a
// later iat.
type sharedClock struct{ offset atomic.Int64 }

func (c *sharedClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *sharedClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// cluster is Fief, Redis, and the instances of the API.
type cluster struct {
	t      *testing.T
	clock  *sharedClock
	redis  *redisserver.Server
	fief   *fieftest.Server
	client *fieftest.Client
	cfg    config
	apps   []*app
	urls   []string
	http   *http.Client
	// published counts the messages on the bus's channel.
	published atomic.Int64
}

const webhookSecret = "a-webhook-secret-for-the-test"

func newCluster(t *testing.T, instances int) *cluster {
	c := &cluster{t: t, clock: &sharedClock{}, redis: redisserver.Start(t), http: &http.Client{Timeout: 10 * time.Second}}
	c.fief = fieftest.NewServer()
	t.Cleanup(c.fief.Close)
	c.fief.SetClock(c.clock.Now)
	var err error
	c.client, err = c.fief.AddClient(fieftest.ClientConfig{ClientID: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	c.cfg = config{
		Fief:           fief.Config{BaseURL: c.fief.URL, ClientID: c.client.ClientID, ClientSecret: c.client.ClientSecret, HTTPClient: c.fief.Client()},
		RedisURL:       c.redis.URL(),
		WebhookSecrets: []string{webhookSecret},
		SharedKeys:     [][]byte{[]byte("a-secret-shared-by-the-instances-of-the-test")},
		Clock:          c.clock.Now,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	c.countMessages("fief:" + c.client.ClientID + ":events")
	for range instances {
		c.start()
	}
	return c
}

// countMessages counts the messages published on channel, through Redis's
// outages.
func (c *cluster) countMessages(channel string) {
	rdb := redis.NewClient(&redis.Options{Addr: c.redis.Addr()})
	ps := rdb.Subscribe(context.Background(), channel)
	ch := ps.Channel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range ch {
			c.published.Add(1)
		}
	}()
	c.t.Cleanup(func() { ps.Close(); rdb.Close(); <-done })
}

// start starts one more instance and returns its index.
func (c *cluster) start() int {
	a, err := newApp(context.Background(), c.cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	srv := httptest.NewServer(a.handler)
	c.t.Cleanup(func() { srv.Close(); a.close() })
	c.apps = append(c.apps, a)
	c.urls = append(c.urls, srv.URL)
	return len(c.apps) - 1
}

// get calls route on instance i with token and returns the status.
func (c *cluster) get(i int, route, token string) int {
	return c.getURL(c.urls[i], route, token)
}

// getURL calls route on the instance at base with token.
func (c *cluster) getURL(base, route, token string) int {
	req, _ := http.NewRequest(http.MethodGet, base+route, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("GET %s%s: %v", base, route, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// expect checks that every instance answers route with status, at once.
func (c *cluster) expect(route, token string, status int) {
	c.t.Helper()
	for i := range c.apps {
		if got := c.get(i, route, token); got != status {
			c.t.Fatalf("instance %d: %s answered %d, want %d", i, route, got, status)
		}
	}
}

// eventually waits until every instance answers route with status.
func (c *cluster) eventually(route, token string, status int, why string) {
	c.t.Helper()
	deadline := time.Now().Add(propagation)
	for i := range c.apps {
		for c.get(i, route, token) != status {
			if time.Now().After(deadline) {
				c.t.Fatalf("%s: instance %d still answers %s with %d after %v, want %d", why, i, route, c.get(i, route, token), propagation, status)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// mint returns a fresh token of u with u's current permissions.
func (c *cluster) mint(u *fieftest.User) string {
	return c.fief.MintAccessToken(u.ID, fieftest.TokenOptions{ClientID: c.client.ClientID, Scopes: []string{"openid"}, Lifetime: time.Hour})
}

// deliver waits until Fief has made every webhook attempt due now.
func (c *cluster) deliver() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.fief.WaitWebhooks(ctx); err != nil {
		c.t.Fatal(err)
	}
}

// monitor calls every instance in a loop until stopped, and reports every
// 5xx answer and every refusal of a token that must stay valid.
type monitor struct {
	stop   chan struct{}
	once   sync.Once
	done   chan struct{}
	mu     sync.Mutex
	errors []string
	calls  atomic.Int64
}

func (c *cluster) monitor(valid func() string, other func() string) *monitor {
	m := &monitor{stop: make(chan struct{}), done: make(chan struct{})}
	c.t.Cleanup(m.halt)          // before the instances stop, if the test fails
	urls := slices.Clone(c.urls) // the instances started so far
	go func() {
		defer close(m.done)
		for {
			for i, u := range urls {
				select {
				case <-m.stop:
					return
				default:
				}
				for _, call := range []struct {
					route, token string
					mustBe200    bool
				}{
					{"/authenticated", valid(), true},
					{"/me", valid(), true},
					{"/authenticated-permissions", other(), false},
				} {
					status := c.getURL(u, call.route, call.token)
					m.calls.Add(1)
					if status >= 500 || (call.mustBe200 && status != 200) {
						m.mu.Lock()
						m.errors = append(m.errors, fmt.Sprintf("instance %d %s: %d", i, call.route, status))
						m.mu.Unlock()
					}
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return m
}

// halt stops the monitor and waits for it.
func (m *monitor) halt() {
	m.once.Do(func() { close(m.stop) })
	<-m.done
}

func (m *monitor) finish(t *testing.T) {
	t.Helper()
	m.halt()
	if len(m.errors) > 0 {
		t.Fatalf("%d bad answers out of %d calls, first ones: %v", len(m.errors), m.calls.Load(), m.errors[:min(10, len(m.errors))])
	}
	if m.calls.Load() < 30 {
		t.Fatalf("the monitor made only %d calls", m.calls.Load())
	}
}

// TestInstancesShareRevocations: three instances of the API behind one
// Fief and one Redis; Fief's webhooks reach one instance only.
func TestInstancesShareRevocations(t *testing.T) {
	c := newCluster(t, 3)
	anne, err := c.fief.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{Permission}})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := c.fief.AddUser(fieftest.UserConfig{Email: "bob@bretagne.duchy", Permissions: []string{Permission}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.fief.AddWebhook(fieftest.WebhookConfig{URL: c.urls[0] + WebhookPath, Events: WebhookEvents, Secret: webhookSecret}); err != nil {
		t.Fatal(err)
	}

	bobToken := c.mint(bob)
	var anneToken atomic.Pointer[string]
	setAnne := func(tok string) { anneToken.Store(&tok) }
	setAnne(c.mint(anne))
	mon := c.monitor(func() string { return bobToken }, func() string { return *anneToken.Load() })

	// A token is accepted by all three.
	old := *anneToken.Load()
	c.expect("/authenticated-permissions", old, http.StatusOK)

	// Fief removes the permission; the webhook reaches instance 0 only.
	anne.SetPermissions(nil)
	c.deliver()
	c.eventually("/authenticated-permissions", old, http.StatusUnauthorized, "after user_permission.deleted")
	c.expect("/authenticated", old, http.StatusUnauthorized)

	// The client gets a new token: valid, without the permission.
	c.clock.Advance(2 * time.Second)
	fresh := c.mint(anne)
	setAnne(fresh)
	c.expect("/authenticated", fresh, http.StatusOK)
	c.expect("/authenticated-permissions", fresh, http.StatusForbidden)

	// Redis is killed; a password reset reaches instance 0 meanwhile.
	c.redis.Kill()
	deadline := time.Now().Add(propagation)
	for c.health(1) != "unavailable" {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz of instance 1 says redis %q during the outage", c.health(1))
		}
		time.Sleep(10 * time.Millisecond)
	}
	anne.ResetPassword("a brand new password")
	c.deliver()
	if got := c.get(0, "/authenticated", fresh); got != http.StatusUnauthorized {
		t.Fatalf("without Redis, the receiving instance answers %d to a revoked token, want 401 at once", got)
	}
	if a := c.fief.WebhookAttempts(); a[len(a)-1].StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("the webhook answered %d while Redis was down, want 503 so that Fief retries", a[len(a)-1].StatusCode)
	}
	c.redis.Restart()
	c.clock.Advance(16 * time.Second) // Fief's first retry
	c.deliver()
	if a := c.fief.WebhookAttempts(); !a[len(a)-1].OK() {
		t.Fatalf("Fief's retry after Redis returned: %d", a[len(a)-1].StatusCode)
	}
	c.eventually("/authenticated", fresh, http.StatusUnauthorized, "after Redis returned")
	for i, a := range c.apps {
		deadline := time.Now().Add(propagation)
		for a.bus.Check(context.Background()) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d still reports Redis unavailable: %v", i, a.bus.Check(context.Background()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// An instance started after the revocations refuses the tokens at once.
	late := c.start()
	for _, tok := range []string{old, fresh} {
		if got := c.get(late, "/authenticated", tok); got != http.StatusUnauthorized {
			t.Fatalf("a late instance answers %d to a revoked token, want 401 at once", got)
		}
	}
	if got := c.get(late, "/authenticated", bobToken); got != http.StatusOK {
		t.Fatalf("a late instance answers %d to a valid token", got)
	}

	// user.deleted: 401 everywhere.
	c.clock.Advance(2 * time.Second)
	last := c.mint(anne)
	setAnne(last)
	c.expect("/authenticated", last, http.StatusOK)
	c.fief.DefaultTenant().RemoveUser(anne.ID)
	c.deliver()
	c.eventually("/authenticated", last, http.StatusUnauthorized, "after user.deleted")

	// A delivery replayed 10 times, to any instance, is applied once.
	attempts := c.fief.WebhookAttempts()
	deleted := attempts[len(attempts)-1]
	if deleted.Type != "user.deleted" || !deleted.OK() {
		t.Fatalf("last attempt %s %d", deleted.Type, deleted.StatusCode)
	}
	processed, applied := c.settledCounts()
	for i := range 10 {
		ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, c.urls[i%len(c.urls)]+WebhookPath, bytes.NewReader(deleted.Body))
		req.Header.Set(fiefwebhook.HeaderTimestamp, ts)
		req.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign(webhookSecret, ts, deleted.Body))
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("replay %d: %d", i, resp.StatusCode)
		}
	}
	if p, a := c.settledCounts(); p != processed || a != applied {
		t.Fatalf("10 replays changed the events processed from %d to %d and the bus messages from %d to %d", processed, p, applied, a)
	}

	mon.finish(t)
	for _, a := range c.fief.WebhookAttempts() {
		if !a.OK() && a.StatusCode != http.StatusServiceUnavailable { // 503: while Redis was down
			t.Fatalf("the webhook route answered %d (%s) to Fief's %s", a.StatusCode, a.Err, a.Type)
		}
	}
	if h := c.health(0); h != "ok" {
		t.Fatalf("/healthz says redis %q at the end", h)
	}
}

// health returns what /healthz of instance i says of Redis.
func (c *cluster) health(i int) string {
	resp, err := c.http.Get(c.urls[i] + "/healthz")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]string
	json.NewDecoder(resp.Body).Decode(&h)
	return h["redis"]
}

// settledCounts returns counts once they have not changed for 300 ms: the
// effects in flight on the bus have arrived.
func (c *cluster) settledCounts() (processed, applied int64) {
	p, a := c.counts()
	for {
		time.Sleep(300 * time.Millisecond)
		p2, a2 := c.counts()
		if p2 == p && a2 == a {
			return p, a
		}
		p, a = p2, a2
	}
}

// counts sums the webhook events processed over the instances, and counts
// the messages published on the bus.
func (c *cluster) counts() (processed, published int64) {
	for _, a := range c.apps {
		processed += a.processed.Load()
	}
	return processed, c.published.Load()
}

// TestAcceptUnshared: by default a webhook received while Redis is down is
// answered 503, so that Fief retries it; with AcceptUnshared (the
// example's -accept-unshared), 2xx, and Fief does not retry.
func TestAcceptUnshared(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprintf("AcceptUnshared=%v", accept), func(t *testing.T) {
			c := newCluster(t, 0)
			c.cfg.AcceptUnshared = accept
			c.start()
			anne, err := c.fief.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.fief.AddWebhook(fieftest.WebhookConfig{URL: c.urls[0] + WebhookPath, Events: WebhookEvents, Secret: webhookSecret}); err != nil {
				t.Fatal(err)
			}
			c.redis.Kill()
			anne.ResetPassword("a brand new password")
			c.deliver()
			a := c.fief.WebhookAttempts()
			if len(a) == 0 {
				t.Fatal("no webhook attempt")
			}
			if got := a[len(a)-1]; got.OK() != accept || (!accept && got.StatusCode != http.StatusServiceUnavailable) {
				t.Fatalf("the webhook received while Redis was down got %d, want 2xx %v", got.StatusCode, accept)
			}
		})
	}
}
