package fiefhttp_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// countingStore counts the deletions of a user's sessions.
type countingStore struct {
	fiefhttp.SessionStore
	deletes *atomic.Int32
}

func (s countingStore) DeleteUser(ctx context.Context, userID string) error {
	s.deletes.Add(1)
	return s.SessionStore.DeleteUser(ctx, userID)
}

// TestWebFlowRevocationHookGoesWithTheFlow: a WebFlow with server-side
// sessions deletes a revoked user's sessions, and stops listening to the
// revocations once the flow is gone, instead of piling up one function per
// flow for the life of the process.
func TestWebFlowRevocationHookGoesWithTheFlow(t *testing.T) {
	e := newSessionEnv(t)
	rev := fief.NewRevocations(fief.RevocationsConfig{})
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Revocations: rev})
	if err != nil {
		t.Fatal(err)
	}
	var deletes atomic.Int32
	newFlow := func() *fiefhttp.WebFlow {
		store := countingStore{fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{}), &deletes}
		f, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: store, CookieKeys: e.keys})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	const user = "aeeb8bfa-e8f4-4724-9427-c3d5af66190e"
	waitDeletes := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for deletes.Load() != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := deletes.Load(); got != want {
			t.Fatalf("%d deletions of the user's sessions, want %d", got, want)
		}
	}
	kept := newFlow()
	for range 10 {
		newFlow() // dropped at once
	}
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	rev.Revoke(user, time.Now())
	waitDeletes(1)
	runtime.KeepAlive(kept)
}
