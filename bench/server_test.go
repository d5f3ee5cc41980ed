package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// keyServer is an in-process Fief that serves only what token validation
// needs: the discovery document and the key set. It counts the requests to
// each, and its key set can be replaced while it runs.
type keyServer struct {
	*httptest.Server

	discoveryHits atomic.Int64
	jwksHits      atomic.Int64

	mu   sync.Mutex
	keys []*signer
}

// newKeyServer starts a server publishing keys; it is closed when tb ends.
func newKeyServer(tb testing.TB, keys ...*signer) *keyServer {
	tb.Helper()
	ks := &keyServer{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", ks.serveDiscovery)
	mux.HandleFunc("GET /.well-known/jwks.json", ks.serveJWKS)
	ks.Server = httptest.NewServer(mux)
	tb.Cleanup(ks.Close)
	return ks
}

// setKeys replaces the published key set.
func (ks *keyServer) setKeys(keys ...*signer) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.keys = keys
}

func (ks *keyServer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	ks.discoveryHits.Add(1)
	// As Fief: the issuer is the configured domain, the endpoints are built
	// from the request's host.
	base := "http://" + r.Host
	writeJSON(w, map[string]any{
		"issuer":                 benchIssuer,
		"authorization_endpoint": base + "/authorize",
		"token_endpoint":         base + "/api/token",
		"userinfo_endpoint":      base + "/api/userinfo",
		"jwks_uri":               base + "/.well-known/jwks.json",
	})
}

func (ks *keyServer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	ks.jwksHits.Add(1)
	ks.mu.Lock()
	keys := make([]map[string]string, 0, len(ks.keys))
	for _, k := range ks.keys {
		keys = append(keys, map[string]string{
			"kty": "RSA",
			"kid": k.kid,
			"use": "sig",
			"n":   base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
			"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
		})
	}
	ks.mu.Unlock()
	writeJSON(w, map[string]any{"keys": keys})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // a failed write is the client's failure to see
}

// newClient returns a fief client of srv with the given cache size
// (negative: no cache) and clock (nil: time.Now).
func newClient(tb testing.TB, srv *keyServer, cacheSize int, clock func() time.Time) *fief.Client {
	tb.Helper()
	c, err := fief.New(fief.Config{
		BaseURL:        srv.URL,
		ClientID:       benchClientID,
		HTTPClient:     srv.Client(),
		TokenCacheSize: cacheSize,
		Clock:          clock,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// warm validates token once, so that the discovery document and the key set
// are loaded (and, with a cache, the token cached) before a measurement.
func warm(tb testing.TB, c *fief.Client, token string) fief.AccessTokenInfo {
	tb.Helper()
	info, err := c.ValidateAccessToken(context.Background(), token, fief.Requirements{})
	if err != nil {
		tb.Fatalf("warm-up validation: %v", err)
	}
	return info
}
