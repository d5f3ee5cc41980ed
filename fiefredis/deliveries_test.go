package fiefredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefredis"
)

func TestDeliveriesSharedAcrossInstances(t *testing.T) {
	srv, rdb := startRedis(t)
	one, two, t0 := deliveriesShared(t, rdb, newClient(t, srv))
	ctx := context.Background()

	// Without Redis, each instance's memory decides, at once.
	srv.Kill()
	start := time.Now()
	if _, claimed, err := two.Claim(ctx, "abc", t0, time.Minute); claimed || err != nil {
		t.Fatalf("delivery this instance claimed, without Redis: claimed %v, err %v", claimed, err)
	}
	if _, claimed, err := one.Claim(ctx, "new", t0, time.Minute); !claimed || err != nil {
		t.Fatalf("new delivery without Redis: claimed %v, err %v", claimed, err)
	}
	if _, claimed, _ := one.Claim(ctx, "new", t0, time.Minute); claimed {
		t.Fatal("a delivery claimed twice without Redis")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("claims without Redis took %v", d)
	}
}

// deliveriesShared is the behaviour of two instances' deliveries, one on
// rdb and one on other (clients of one Redis deployment). It returns them
// and the time of the first arrival.
func deliveriesShared(t *testing.T, rdb, other redis.UniversalClient) (one, two *fiefredis.Deliveries, t0 time.Time) {
	one, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	two, _ = fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(other)})
	ctx := context.Background()
	t0 = time.Now().Truncate(time.Microsecond)

	first, claimed, err := one.Claim(ctx, "abc", t0, time.Minute)
	if err != nil || !claimed || !first.Equal(t0) {
		t.Fatalf("first claim: %v %v %v", first, claimed, err)
	}
	if first2, claimed, _ := two.Claim(ctx, "abc", t0.Add(10*time.Second), time.Minute); claimed || !first2.Equal(t0) {
		t.Fatalf("second instance: claimed %v, first %v (want false, %v)", claimed, first2, t0)
	}
	if err := one.Release(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	if first3, claimed, _ := two.Claim(ctx, "abc", t0.Add(20*time.Second), time.Minute); !claimed || !first3.Equal(t0) {
		t.Fatalf("after release: claimed %v, first %v (want true, the first arrival %v)", claimed, first3, t0)
	}
	if ttl := rdb.PTTL(ctx, "fief:delivery:abc").Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("delivery remembered for %v, want an hour", ttl)
	}
	return one, two, t0
}
