package fiefredis_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
)

// startRedis starts a redis-server and returns it with a client of it.
func startRedis(t testing.TB) (*redisserver.Server, redis.UniversalClient) {
	t.Helper()
	srv := redisserver.Start(t)
	return srv, newClient(t, srv)
}

// newClient returns a client of srv, closed at the end of the test, that
// does not retry failed commands (the callers' timeouts are short).
func newClient(t testing.TB, srv *redisserver.Server) redis.UniversalClient {
	t.Helper()
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testKeys are the secrets of the tests' configurations.
var testKeys = [][]byte{[]byte("the-secret-of-the-fiefredis-tests-0123456789")}

// config returns a Config for rdb with the test keys and a quiet logger.
func config(rdb redis.UniversalClient) fiefredis.Config {
	return fiefredis.Config{Client: rdb, Keys: testKeys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// eventually polls cond every 10 ms until it holds or d has passed.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitSynced(t testing.TB, b *fiefredis.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
}

// countingCache is a user-info deleter that counts deletions.
type countingCache struct{ deletes atomic.Int64 }

func newCountingCache() *countingCache { return &countingCache{} }

func (c *countingCache) Delete(context.Context, string) error { c.deletes.Add(1); return nil }
