package fiefredis_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// TestWebhookOfAnInstanceThatDied: instance A claims a delivery and dies
// while processing it (its request never ends); Fief's retry reaches B
// after A's lease: B processes it (the revocation is applied, the hook
// runs) instead of answering "processed already". A second retry after
// that is not processed again.
func TestWebhookOfAnInstanceThatDied(t *testing.T) {
	srv := redisserver.Start(t)
	const secret = "the-webhook-secret"
	t0 := time.Now()
	type instance struct {
		rev     *fief.Revocations
		handler http.Handler
		runs    atomic.Int64
	}
	newInstance := func(clock func() time.Time, hook func()) *instance {
		in := &instance{rev: fief.NewRevocations(fief.RevocationsConfig{Clock: clock})}
		c := config(newClient(t, srv))
		c.Clock = clock
		d, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: c})
		if err != nil {
			t.Fatal(err)
		}
		h, err := fiefwebhook.NewHandler(fiefwebhook.Config{
			Secrets: []string{secret}, Clock: clock, Deliveries: d,
			Apply: fiefwebhook.Local{Revocations: in.rev},
			Default: func(context.Context, *fiefwebhook.Event) error {
				in.runs.Add(1)
				hook()
				return nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		in.handler = h
		return in
	}
	dead := make(chan struct{})
	t.Cleanup(func() { close(dead) })
	entered := make(chan struct{}, 1)
	a := newInstance(func() time.Time { return t0 }, func() { entered <- struct{}{}; <-dead })
	bNow := t0.Add(fiefwebhook.DefaultDeliveryLease + time.Second) // Fief's retry, after A's lease
	b := newInstance(func() time.Time { return bNow }, func() {})

	body := `{"type": "user.password_reset", "data": {"id": "` + userA + `", "email": "anne@bretagne.duchy", "is_active": true, "is_superuser": false, "is_verified": true, "tenant_id": "4d9a0c3e-2b1f-4e6d-8a7c-5b3e1f0d9c2a", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "fields": {}}}`
	post := func(h http.Handler, now time.Time) int {
		ts := strconv.FormatInt(now.Unix(), 10)
		r := httptest.NewRequest(http.MethodPost, "/webhooks/fief", strings.NewReader(body))
		r.Header.Set(fiefwebhook.HeaderTimestamp, ts)
		r.Header.Set(fiefwebhook.HeaderSignature, fiefwebhook.Sign(secret, ts, []byte(body)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	go post(a.handler, t0) // A claims, then dies in the hook
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("instance A never processed the delivery")
	}
	if code := post(b.handler, bNow); code != http.StatusNoContent {
		t.Fatalf("Fief's retry at B after A's lease: %d, want 204", code)
	}
	if b.runs.Load() != 1 {
		t.Fatalf("B ran the hook %d times, want 1: a delivery whose instance died was not processed again", b.runs.Load())
	}
	if _, ok := b.rev.Refuses(userA, t0.Add(-time.Minute), nil); !ok {
		t.Fatal("B did not apply the revocation of the delivery A never finished")
	}
	bNow = bNow.Add(10 * time.Second)
	if code := post(b.handler, bNow); code != http.StatusNoContent || b.runs.Load() != 1 {
		t.Fatalf("a retry of a delivery done: %d, hook runs %d (want 204, 1)", code, b.runs.Load())
	}
}
