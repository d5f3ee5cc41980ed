package fief_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// keyAgeTenant is a fieftest server, a user and a fief.Client on the
// server's clock, so that advancing the server's clock ages the key set.
func keyAgeTenant(t *testing.T, mod func(*fief.Config)) (*fieftest.Server, *fieftest.User, *fief.Client) {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "jeanne@laval.duchy", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, Clock: srv.Now}
	if mod != nil {
		mod(&cfg)
	}
	c, err := fief.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, user, c
}

// TestDroppedKeyStopsVerifyingWithinMaxAge: Fief rotates its key, dropping
// the old one. Tokens of the old key, cached or not, stop verifying as soon
// as the key set is older than its maximum age, without any token naming
// an unknown kid. Before, the set was fetched again only for an unknown
// kid, so the dropped key was trusted forever.
func TestDroppedKeyStopsVerifyingWithinMaxAge(t *testing.T) {
	for _, cacheSize := range []int{0, -1} {
		name := map[int]string{0: "token cache on", -1: "token cache off"}[cacheSize]
		t.Run(name, func(t *testing.T) {
			srv, user, c := keyAgeTenant(t, func(cfg *fief.Config) { cfg.TokenCacheSize = cacheSize })
			ctx := context.Background()
			old := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Lifetime: 72 * time.Hour})
			if _, err := c.ValidateAccessToken(ctx, old, fief.Requirements{}); err != nil {
				t.Fatalf("token of the first key: %v", err)
			}
			srv.RotateKey(false)
			srv.Advance(fief.DefaultJWKSMaxAge - time.Minute)
			if _, err := c.ValidateAccessToken(ctx, old, fief.Requirements{}); err != nil {
				t.Fatalf("within the maximum age, the known key still serves: %v", err)
			}
			if st := c.KeySetStatus(); st.Stale || !st.Loaded || st.MaxAge != fief.DefaultJWKSMaxAge {
				t.Fatalf("status within the maximum age: %+v", st)
			}
			srv.Advance(2 * time.Minute)
			if st := c.KeySetStatus(); !st.Stale || st.Expired {
				t.Fatalf("status past the maximum age: %+v", st)
			}
			before := srv.RequestCount(fieftest.EndpointJWKS)
			if _, err := c.ValidateAccessToken(ctx, old, fief.Requirements{}); !errors.Is(err, fief.ErrInvalidToken) {
				t.Fatalf("token of the dropped key past the maximum age: err = %v, want ErrInvalidToken", err)
			}
			if n := srv.RequestCount(fieftest.EndpointJWKS) - before; n != 1 {
				t.Fatalf("%d key set requests, want 1", n)
			}
			if _, err := c.ValidateAccessToken(ctx, srv.MintAccessToken(user.ID, fieftest.TokenOptions{}), fief.Requirements{}); err != nil {
				t.Fatalf("token of the new key: %v", err)
			}
			if st := c.KeySetStatus(); st.Stale || st.Age > time.Minute {
				t.Fatalf("status after the refresh: %+v", st)
			}
		})
	}
}

// TestOneKeySetFetchAtExpiry: 1,000 concurrent validations (one token
// cached, others not) arriving once the key set is past its maximum age
// cost exactly one key set request, and all succeed.
func TestOneKeySetFetchAtExpiry(t *testing.T) {
	srv, user, c := keyAgeTenant(t, nil)
	ctx := context.Background()
	cached := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Lifetime: 72 * time.Hour})
	if _, err := c.ValidateAccessToken(ctx, cached, fief.Requirements{}); err != nil {
		t.Fatal(err)
	}
	srv.Advance(fief.DefaultJWKSMaxAge + time.Second)
	tokens := make([]string, 50)
	for i := range tokens {
		tokens[i] = srv.MintAccessToken(user.ID, fieftest.TokenOptions{Scopes: []string{"openid", fmt.Sprint("scope-", i)}})
	}
	tokens[0] = cached
	before := srv.RequestCount(fieftest.EndpointJWKS)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 1000)
	for i := range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.ValidateAccessToken(ctx, tokens[i%len(tokens)], fief.Requirements{})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("validation at expiry: %v", err)
		}
	}
	if n := srv.RequestCount(fieftest.EndpointJWKS) - before; n != 1 {
		t.Fatalf("%d key set requests for 1,000 concurrent validations at expiry, want exactly 1", n)
	}
}

// TestFiefDownAtKeySetExpiry: Fief's key set endpoint fails when the set is
// past its maximum age. The known keys keep serving, the fetch is retried
// once per cool-down (not per validation), and past the staleness limit the
// client answers ErrUnavailable, until Fief is back.
func TestFiefDownAtKeySetExpiry(t *testing.T) {
	srv, user, c := keyAgeTenant(t, func(cfg *fief.Config) { cfg.TokenCacheSize = -1 })
	ctx := context.Background()
	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Lifetime: 72 * time.Hour})
	if _, err := c.ValidateAccessToken(ctx, token, fief.Requirements{}); err != nil {
		t.Fatal(err)
	}
	// Four failed fetches: three while the old keys serve, one past the
	// staleness limit; the fifth succeeds.
	srv.FailNext(fieftest.EndpointJWKS, 4, fieftest.Fault{Status: http.StatusServiceUnavailable})
	validate := func(n int) error {
		for range n {
			if _, err := c.ValidateAccessToken(ctx, token, fief.Requirements{}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, step := range []time.Duration{fief.DefaultJWKSMaxAge + time.Second, fief.DefaultJWKSRefreshCooldown, 20 * time.Hour} {
		srv.Advance(step)
		before := srv.RequestCount(fieftest.EndpointJWKS)
		if err := validate(100); err != nil {
			t.Fatalf("Fief down, %s after the set was loaded: %v (the old keys must serve)", c.KeySetStatus().Age, err)
		}
		if n := srv.RequestCount(fieftest.EndpointJWKS) - before; n != 1 {
			t.Fatalf("%d key set requests for 100 validations with Fief down, want 1 per cool-down", n)
		}
		if err := validate(1); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.KeySetStatus(); !st.Stale || st.Expired || st.LastError == nil {
		t.Fatalf("status with Fief down: %+v", st)
	}

	srv.Advance(fief.DefaultJWKSMaxStaleness) // past the staleness limit
	if st := c.KeySetStatus(); !st.Expired {
		t.Fatalf("status past the staleness limit: %+v", st)
	}
	_, err := c.ValidateAccessToken(ctx, token, fief.Requirements{})
	if !errors.Is(err, fief.ErrUnavailable) || errors.Is(err, fief.ErrInvalidToken) {
		t.Fatalf("past the staleness limit: err = %v, want ErrUnavailable only", err)
	}

	srv.Advance(fief.DefaultJWKSRefreshCooldown)
	if err := validate(1); err != nil {
		t.Fatalf("Fief back: %v", err)
	}
	if st := c.KeySetStatus(); st.Stale || st.Expired || st.LastError != nil {
		t.Fatalf("status once Fief is back: %+v", st)
	}
}
