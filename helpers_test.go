package fief

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// keyServer is a minimal tenant for unit tests: a discovery document with a
// chosen issuer and a key set the test can swap and break. Integration
// tests use fieftest instead.
type keyServer struct {
	*httptest.Server
	issuer     string
	mu         sync.Mutex
	jwks       []byte
	jwksStatus int
	cacheCtl   string // Cache-Control of the key set answer, if not empty
	discHits   atomic.Int64
	jwksHits   atomic.Int64
}

func newKeyServer(t testing.TB, issuer string, jwks []byte) *keyServer {
	t.Helper()
	ks := &keyServer{issuer: issuer, jwks: jwks}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		ks.discHits.Add(1)
		base := "http://" + r.Host
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                 ks.issuer,
			"authorization_endpoint": base + "/authorize",
			"token_endpoint":         base + "/api/token",
			"userinfo_endpoint":      base + "/api/userinfo",
			"jwks_uri":               base + "/.well-known/jwks.json",
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		ks.jwksHits.Add(1)
		ks.mu.Lock()
		defer ks.mu.Unlock()
		if ks.jwksStatus != 0 {
			w.WriteHeader(ks.jwksStatus)
			return
		}
		if ks.cacheCtl != "" {
			w.Header().Set("Cache-Control", ks.cacheCtl)
		}
		w.Write(ks.jwks)
	})
	ks.Server = httptest.NewServer(mux)
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) setJWKS(b []byte, status int) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.jwks, ks.jwksStatus = b, status
}

func mustNew(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
