package redisserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fief-dev/fief-go/fiefredis/internal/redisserver"
)

func TestStartStopRestart(t *testing.T) {
	srv := redisserver.Start(t)
	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET on a started server: %v", err)
	}
	srv.Kill()
	if srv.Running() {
		t.Fatal("Running after Kill")
	}
	if err := rdb.Get(ctx, "k").Err(); err == nil {
		t.Fatal("GET succeeded on a killed server")
	}
	srv.Restart()
	if !srv.Running() {
		t.Fatal("not Running after Restart")
	}
	if err := rdb.Get(ctx, "k").Err(); err != redis.Nil {
		t.Fatalf("GET after restart = %v, want redis.Nil (no persistence)", err)
	}
	if err := rdb.Set(ctx, "k", "w", 0).Err(); err != nil {
		t.Fatalf("SET after restart on the same port: %v", err)
	}
	srv.Stop()
	if srv.Running() {
		t.Fatal("Running after Stop")
	}
}
