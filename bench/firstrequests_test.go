package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// concurrentFirstRequests is the number of requests that arrive together
// with a token the client cannot verify yet.
const concurrentFirstRequests = 1000

// TestConcurrentFirstRequests sends 1,000 concurrent validations of a token
// whose kid the client has never seen, and counts the requests that reach
// the server: the key set must be fetched once, and the discovery document
// once in all (on a cold client; never again after a rotation).
func TestConcurrentFirstRequests(t *testing.T) {
	keys := signers(t)
	oldKey, newKey := keys[2048], keys[4096]
	start := time.Now()
	tests := []struct {
		name string
		// prepare readies the client and the server, and returns the token
		// the concurrent requests carry.
		prepare       func(t *testing.T, srv *keyServer, c *fief.Client, clock *fakeClock) string
		wantDiscovery int64
		wantJWKS      int64
	}{
		{
			name: "cold client",
			prepare: func(t *testing.T, _ *keyServer, _ *fief.Client, _ *fakeClock) string {
				return oldKey.sign(t, newClaims(start))
			},
			wantDiscovery: 1,
			wantJWKS:      1,
		},
		{
			name: "key rotation",
			prepare: func(t *testing.T, srv *keyServer, c *fief.Client, clock *fakeClock) string {
				warm(t, c, oldKey.sign(t, newClaims(start)))
				srv.setKeys(newKey)
				clock.advance(fief.DefaultJWKSRefreshCooldown + time.Second)
				return newKey.sign(t, newClaims(clock.now()))
			},
			wantDiscovery: 1, // the warm-up's
			wantJWKS:      2, // the warm-up's and the rotation's
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newKeyServer(t, oldKey)
			clock := &fakeClock{}
			clock.set(start)
			c := newClient(t, srv, 0, clock.now)
			token := tt.prepare(t, srv, c, clock)

			var ready, done sync.WaitGroup
			release := make(chan struct{})
			var failures atomic.Int64
			var firstErr atomic.Value
			for range concurrentFirstRequests {
				ready.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					ready.Done()
					<-release
					if _, err := c.ValidateAccessToken(context.Background(), token, fief.Requirements{}); err != nil {
						failures.Add(1)
						firstErr.CompareAndSwap(nil, err)
					}
				}()
			}
			ready.Wait()
			close(release)
			done.Wait()

			if n := failures.Load(); n > 0 {
				t.Errorf("%d of %d validations failed, first: %v", n, concurrentFirstRequests, firstErr.Load())
			}
			if got := srv.discoveryHits.Load(); got != tt.wantDiscovery {
				t.Errorf("discovery fetched %d times, want %d", got, tt.wantDiscovery)
			}
			if got := srv.jwksHits.Load(); got != tt.wantJWKS {
				t.Errorf("key set fetched %d times, want %d", got, tt.wantJWKS)
			}
		})
	}
}

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
