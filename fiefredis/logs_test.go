package fiefredis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// TestBusSaysReachableAgainOnlyAfterAnOutage: a bus that starts with Redis
// up logs no recovery; after an outage it logs one.
func TestBusSaysReachableAgainOnlyAfterAnOutage(t *testing.T) {
	srv := redisserver.Start(t)
	rec, logger := logtest.New()
	in := newLoggedInstance(t, srv, logger)
	waitSynced(t, in.bus)
	if strings.Contains(rec.Text(), "reachable again") {
		t.Fatalf("a bus that never lost Redis logs a recovery:\n%s", rec.Text())
	}
	srv.Kill()
	eventually(t, 5*time.Second, "the bus never noticed the outage", func() bool { return in.bus.Check(context.Background()) != nil })
	srv.Restart()
	eventually(t, 5*time.Second, "no recovery logged after the outage", func() bool { return strings.Contains(rec.Text(), "reachable again") })
	if n := strings.Count(rec.Text(), "reachable again"); n != 1 {
		t.Fatalf("%d recoveries logged, want 1:\n%s", n, rec.Text())
	}
}

// failingCache is a user-info cache whose deletions fail.
type failingCache struct{}

func (failingCache) Delete(context.Context, string) error { return errors.New("the cache is broken") }

// TestBusLogsFailedDrop: a user-info drop that fails is logged as failed.
func TestBusLogsFailedDrop(t *testing.T) {
	srv := redisserver.Start(t)
	rec, logger := logtest.New()
	c := config(newClient(t, srv))
	c.Logger = logger
	bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: c, Revocations: fief.NewRevocations(fief.RevocationsConfig{}), UserInfo: failingCache{}})
	if err != nil {
		t.Fatal(err)
	}
	bus.Start()
	defer bus.Close()
	waitSynced(t, bus)
	if err := bus.Apply(context.Background(), fiefwebhook.Effect{UserID: userA, DropUserInfo: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Text(), "dropping cached user info failed") || !strings.Contains(rec.Text(), "the cache is broken") {
		t.Fatalf("a failed drop is not logged as failed:\n%s", rec.Text())
	}
}
