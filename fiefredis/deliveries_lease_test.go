package fiefredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefredis"
)

// TestDeliveriesLeaseExpires: a delivery claimed by an instance that died
// (never done, never released) is claimed again once its lease expired; a
// delivery done is never claimed again.
func TestDeliveriesLeaseExpires(t *testing.T) {
	srv, rdb := startRedis(t)
	deliveriesLease(t, rdb, newClient(t, srv))
}

// deliveriesLease is the behaviour of the lease, with the instance that
// dies on rdb and the other on other (clients of one Redis deployment).
func deliveriesLease(t *testing.T, rdb, other redis.UniversalClient) {
	dead, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	alive, _ := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(other)})
	ctx := context.Background()
	t0 := time.Now().Truncate(time.Microsecond)
	const lease = 5 * time.Second

	if _, claimed, err := dead.Claim(ctx, "abc", t0, lease); !claimed || err != nil {
		t.Fatalf("first claim: %v %v", claimed, err)
	}
	if _, claimed, _ := alive.Claim(ctx, "abc", t0.Add(2*time.Second), lease); claimed {
		t.Fatal("a delivery claimed under a live lease")
	}
	first, claimed, err := alive.Claim(ctx, "abc", t0.Add(16*time.Second), lease)
	if err != nil || !claimed || !first.Equal(t0) {
		t.Fatalf("after the lease expired: claimed %v, first %v, %v (want true, the first arrival %v)", claimed, first, err, t0)
	}
	if err := alive.Done(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{17 * time.Second, 10 * time.Minute} {
		if _, claimed, _ := dead.Claim(ctx, "abc", t0.Add(at), lease); claimed {
			t.Fatalf("a delivery done claimed again %v after its first arrival", at)
		}
	}
	if ttl := rdb.PTTL(ctx, "fief:delivery:abc").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("a done delivery is remembered for %v, want at most an hour", ttl)
	}
}
