package fiefredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefredis"
)

func TestDeliveriesSharedAcrossInstances(t *testing.T) {
	srv, rdb := startRedis(t)
	one, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	two, _ := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(newClient(t, srv))})
	ctx := context.Background()
	t0 := time.Now().Truncate(time.Microsecond)

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

// TestDeliveriesLeaseOfADeadInstance: an instance claims a delivery and
// dies before it is done; another instance gets it again once the lease
// has expired (not before), with its first arrival; once done, no instance
// processes it again.
func TestDeliveriesLeaseOfADeadInstance(t *testing.T) {
	srv, rdb := startRedis(t)
	dead, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(rdb)})
	if err != nil {
		t.Fatal(err)
	}
	alive, _ := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: config(newClient(t, srv))})
	ctx := context.Background()
	t0 := time.Now().Truncate(time.Microsecond)
	const lease = 30 * time.Second
	if _, claimed, err := dead.Claim(ctx, "d1", t0, lease); !claimed || err != nil {
		t.Fatalf("first claim: %v, %v", claimed, err)
	}
	// The first instance dies here: no Done, no Release.
	if _, claimed, _ := alive.Claim(ctx, "d1", t0.Add(lease-time.Second), lease); claimed {
		t.Fatal("claimed while the dead instance's lease runs")
	}
	first, claimed, err := alive.Claim(ctx, "d1", t0.Add(lease+time.Second), lease)
	if !claimed || err != nil || !first.Equal(t0) {
		t.Fatalf("after the lease expired: claimed %v, first %v, %v (want true, %v)", claimed, first, err, t0)
	}
	if err := alive.Done(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*fiefredis.Deliveries{dead, alive} {
		if _, claimed, _ := d.Claim(ctx, "d1", t0.Add(10*lease), lease); claimed {
			t.Fatal("a delivery done was claimed again")
		}
	}
}
