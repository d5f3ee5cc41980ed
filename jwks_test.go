package fief

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// fixedClock is a settable clock for tests.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *fixedClock { return &fixedClock{now: time.Unix(1_800_000_000, 0)} }

func TestKeyRotation(t *testing.T) {
	clock := newClock()
	a, b, c := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b"), newTestKey(t, 2, "key-c")
	srv := newKeyServer(t, testIssuer, jwksOf(t, a))
	cl := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, JWKSRefreshCooldown: time.Minute})
	ctx := context.Background()
	iat := clock.Now().Unix()

	if _, err := cl.ValidateAccessToken(ctx, sign(t, a, claimsAt(iat)), Requirements{}); err != nil {
		t.Fatalf("token of key a: %v", err)
	}
	if got := srv.jwksHits.Load(); got != 1 {
		t.Fatalf("JWKS fetched %d times for the first token, want 1", got)
	}

	// The tenant rotates to key b; the cool-down since the first fetch is over.
	srv.setJWKS(jwksOf(t, b), 0)
	clock.Advance(2 * time.Minute)
	tokenB := sign(t, b, claimsAt(iat))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cl.ValidateAccessToken(ctx, tokenB, Requirements{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("token of the new key: %v", err)
		}
	}
	if got := srv.jwksHits.Load(); got != 2 {
		t.Fatalf("JWKS fetched %d times in all, want exactly 2 (one refresh for 100 concurrent validations)", got)
	}

	// A second unknown kid within the cool-down is refused without a fetch.
	_, err := cl.ValidateAccessToken(ctx, sign(t, c, claimsAt(iat)), Requirements{})
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("unknown kid within cool-down: err = %v, want ErrInvalidToken", err)
	}
	if got := srv.jwksHits.Load(); got != 2 {
		t.Fatalf("JWKS fetched again within the cool-down (%d fetches)", got)
	}

	// Key a left the set: its tokens are no longer accepted, cached or not.
	if _, err := cl.ValidateAccessToken(ctx, sign(t, a, claimsAt(iat)), Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of the removed key: err = %v, want ErrInvalidToken", err)
	}
}

func TestKeySetFailureKeepsKeys(t *testing.T) {
	clock := newClock()
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "key-b")
	srv := newKeyServer(t, testIssuer, jwksOf(t, a))
	cl := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client", Clock: clock.Now, TokenCacheSize: -1})
	ctx := context.Background()
	iat := clock.Now().Unix()
	tokenA := sign(t, a, claimsAt(iat))
	if _, err := cl.ValidateAccessToken(ctx, tokenA, Requirements{}); err != nil {
		t.Fatal(err)
	}
	srv.setJWKS(nil, http.StatusInternalServerError)
	clock.Advance(time.Hour)

	_, err := cl.ValidateAccessToken(ctx, sign(t, b, claimsAt(iat+3600)), Requirements{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("unknown kid while the JWKS fails: err = %v, want ErrUnavailable", err)
	}
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != 500 || re.Op != "jwks" {
		t.Fatalf("err = %v, want a *ResponseError of jwks with status 500", err)
	}
	if _, err := cl.ValidateAccessToken(ctx, sign(t, a, claimsAt(iat+3600)), Requirements{}); err != nil {
		t.Fatalf("known key after a failed refresh: %v", err)
	}
	// Within the cool-down the failure is reported without a new fetch.
	hits := srv.jwksHits.Load()
	_, err = cl.ValidateAccessToken(ctx, sign(t, b, claimsAt(iat+3600)), Requirements{})
	if !errors.Is(err, ErrUnavailable) || srv.jwksHits.Load() != hits {
		t.Fatalf("err = %v, fetches %d -> %d; want ErrUnavailable and no fetch", err, hits, srv.jwksHits.Load())
	}
	// Fief is back: after the cool-down the new key is fetched.
	srv.setJWKS(jwksOf(t, a, b), 0)
	clock.Advance(DefaultJWKSRefreshCooldown)
	if _, err := cl.ValidateAccessToken(ctx, sign(t, b, claimsAt(iat+3600)), Requirements{}); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestKeySetParsing(t *testing.T) {
	a, b := newTestKey(t, 0, "key-a"), newTestKey(t, 1, "")
	valid := jwksOf(t, a, b)
	// A set with keys of other types, uses and algorithms, and a broken one,
	// around the RSA signing keys: the others are skipped.
	mixed := []byte(`{"keys":[
		{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec"},
		{"kty":"oct","k":"c2VjcmV0","kid":"oct"},
		{"kty":"RSA","kid":"broken","n":"!!","e":"AQAB"},
		{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"okp"},
		{"kty":"RSA","kid":"enc-only","use":"enc","n":"` + nOf(t, b) + `","e":"AQAB"},
		` + string(valid[len(`{"keys":[`):len(valid)-2]) + `]}`)
	srv := newKeyServer(t, testIssuer, mixed)
	cl := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client"})
	ctx := context.Background()
	iat := time.Now().Unix()
	if _, err := cl.ValidateAccessToken(ctx, sign(t, a, claimsAt(iat)), Requirements{}); err != nil {
		t.Fatalf("RSA key among others: %v", err)
	}
	// b has no kid in the set; a token without kid is tried against every key.
	if _, err := cl.ValidateAccessToken(ctx, sign(t, testKey{priv: b.priv}, claimsAt(iat)), Requirements{}); err != nil {
		t.Fatalf("token without kid: %v", err)
	}
	if _, err := cl.ValidateAccessToken(ctx, sign(t, testKey{priv: newTestKey(t, 2, "").priv}, claimsAt(iat)), Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token without kid from a foreign key: err = %v, want ErrInvalidToken", err)
	}
	// A key marked for encryption is not used to verify signatures.
	if _, err := cl.ValidateAccessToken(ctx, sign(t, testKey{kid: "enc-only", priv: b.priv}, claimsAt(iat)), Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token under an encryption key's kid: err = %v, want ErrInvalidToken", err)
	}
}

func TestKeySetWithoutUsableKeys(t *testing.T) {
	for name, body := range map[string]string{
		"empty set":   `{"keys":[]}`,
		"only EC":     `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k"}]}`,
		"not JSON":    `<html>oops</html>`,
		"not a set":   `[1,2,3]`,
		"keys absent": `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newKeyServer(t, testIssuer, []byte(body))
			cl := mustNew(t, Config{BaseURL: srv.URL, ClientID: "client"})
			tok := sign(t, newTestKey(t, 0, "k"), claimsAt(time.Now().Unix()))
			_, err := cl.ValidateAccessToken(context.Background(), tok, Requirements{})
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
		})
	}
}
