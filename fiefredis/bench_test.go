package fiefredis_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// BenchmarkPropagation measures the time from the POST of a webhook
// delivery (user_permission.deleted, signed) to one of three instances
// until the two others have revoked the user: verification, the shared
// once-per-delivery claim, the write to Redis, pub/sub, and the apply. It
// reports the median and the 99th percentile.
func BenchmarkPropagation(b *testing.B) {
	srv := redisserver.Start(b)
	benchPropagation(b, func() redis.UniversalClient { return newClient(b, srv) })
}

// benchPropagation is BenchmarkPropagation on the Redis deployment of
// newClient (one client per instance).
func benchPropagation(b *testing.B, newClient func() redis.UniversalClient) {
	type inst struct {
		rev  *fief.Revocations
		seen chan string
	}
	var insts []inst
	var receiver http.Handler
	for i := range 3 {
		in := inst{rev: fief.NewRevocations(fief.RevocationsConfig{}), seen: make(chan string, 1024)}
		in.rev.OnRevoke(func(rv fief.Revocation) { in.seen <- rv.UserID })
		o := config(newClient())
		bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: o, Revocations: in.rev})
		if err != nil {
			b.Fatal(err)
		}
		bus.Start()
		b.Cleanup(func() { bus.Close() })
		waitSynced(b, bus)
		if i == 0 {
			d, _ := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: o})
			h, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{"s"}, Deliveries: d, Apply: bus})
			if err != nil {
				b.Fatal(err)
			}
			receiver = h
		}
		insts = append(insts, in)
	}
	web := httptest.NewServer(receiver)
	defer web.Close()
	client := web.Client()

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for n := range b.N {
		user := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		body := `{"type": "user_permission.deleted", "data": {"user_id": "` + user + `", "permission_id": "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", "from_role_id": null, "permission": {"id": "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", "name": "Castles read", "codename": "castles:read"}, "from_role": null}}`
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, web.URL, strings.NewReader(body))
		req.Header.Set(fiefwebhook.HeaderTimestamp, ts)
		req.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign("s", ts, []byte(body)))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("status %d", resp.StatusCode)
		}
		for _, in := range insts[1:] {
			select {
			case got := <-in.seen:
				if got != user {
					b.Fatalf("revoked %s, want %s", got, user)
				}
			case <-time.After(5 * time.Second):
				b.Fatal("not propagated within 5 s")
			}
		}
		lat = append(lat, time.Since(start))
		<-insts[0].seen
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

// BenchmarkApplyRate measures how many effects per second one instance
// receives from the bus and applies (a revocation and a user-info drop
// each), with the effects published in pipelines of 500, as a burst of
// webhooks received by many instances would.
func BenchmarkApplyRate(b *testing.B) {
	srv := redisserver.Start(b)
	pub := fiefredis.NewBusForTest(b, config(newClient(b, srv)))
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	cache := newCountingCache()
	bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: config(newClient(b, srv)), Revocations: rev, UserInfo: cache})
	if err != nil {
		b.Fatal(err)
	}
	bus.Start()
	defer bus.Close()
	waitSynced(b, bus)
	ctx := context.Background()
	now := time.Now()
	b.ResetTimer()
	start := time.Now()
	go func() {
		batch := make([]fiefwebhook.Effect, 0, 500)
		for n := range b.N {
			batch = append(batch, revokeEffect(fmt.Sprintf("00000000-0000-4000-8000-%012d", n), now, true))
			if len(batch) == cap(batch) || n == b.N-1 {
				if err := pub.PublishForTest(ctx, batch); err != nil {
					b.Error(err)
					return
				}
				batch = batch[:0]
			}
		}
	}()
	deadline := time.Now().Add(time.Minute)
	for cache.deletes.Load() < int64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("applied %d of %d in a minute", cache.deletes.Load(), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n := countEntries(rev); n != b.N || cache.deletes.Load() != int64(b.N) {
		b.Fatalf("%d revocations and %d drops applied, want %d", n, cache.deletes.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}

func countEntries(rev *fief.Revocations) int {
	n := 0
	for range rev.All() {
		n++
	}
	return n
}
