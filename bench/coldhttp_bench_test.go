package bench

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// coldTokens is how many distinct tokens BenchmarkColdHTTP signs per key
// size (once per process: an RSA-4096 signature costs milliseconds). When a
// run needs more requests than that, the server is rebuilt, its cache
// empty, outside the measurement.
const coldTokens = 1024

// coldTokenSets signs the tokens of each key size once per process.
var coldTokenSets sync.Map // bits -> func() []string

// coldTokensOf returns coldTokens distinct valid tokens of s, each with its
// own iat and exp.
func coldTokensOf(tb testing.TB, s *signer) []string {
	f, _ := coldTokenSets.LoadOrStore(s.bits, sync.OnceValue(func() []string {
		now := time.Now()
		out := make([]string, coldTokens)
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for i := w; i < coldTokens; i += 2 {
					out[i] = s.sign(tb, newClaims(now.Add(-time.Duration(i)*time.Second)))
				}
			})
		}
		wg.Wait()
		return out
	}))
	return f.(func() []string)()
}

// apiTokenInfo is the handler of examples/api: it answers the request's
// token info, read from the request's context by infoFrom, as JSON.
func apiTokenInfo(infoFrom func(context.Context) (fief.AccessTokenInfo, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		info, ok := infoFrom(r.Context())
		if !ok {
			io.WriteString(w, "{}\n")
			return
		}
		json.NewEncoder(w).Encode(info)
	})
}

// apiRoutes is the handler chain of examples/api (its routes function,
// which a package main cannot export) behind the given middleware for
// "any valid token" and "permission castles:read".
func apiRoutes(authenticated, withPermission func(http.Handler) http.Handler, infoFrom func(context.Context) (fief.AccessTokenInfo, bool)) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /authenticated", authenticated(apiTokenInfo(infoFrom)))
	mux.Handle("GET /authenticated-permissions", withPermission(apiTokenInfo(infoFrom)))
	return mux
}

// coldServer builds a fresh server (caches empty, keys loaded) for the key
// server srv.
type coldServer func(tb testing.TB, s *signer, srv *keyServer) http.Handler

// coldCases are the rows of BenchmarkColdHTTP.
var coldCases = []struct {
	name  string
	build coldServer
}{
	{"fiefhttp", coldFief},
	{"go-oidc", coldGoOIDC},
}

// coldFief is examples/api: fiefhttp's middleware over a client with the
// default verified-token cache, its keys loaded beforehand.
func coldFief(tb testing.TB, s *signer, srv *keyServer) http.Handler {
	c := newClient(tb, srv, 0, nil)
	warm(tb, c, s.sign(tb, newClaims(time.Now())))
	auth := fiefhttp.New(c, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")})
	return apiRoutes(auth.Authenticated(), auth.Authenticated(fiefhttp.Permissions("castles:read")), fiefhttp.AccessTokenInfoFrom)
}

// oidcClaims are the claims the go-oidc server reads into the token info.
type oidcClaims struct {
	Sub         string   `json:"sub"`
	Scope       string   `json:"scope"`
	ACR         string   `json:"acr"`
	Permissions []string `json:"permissions"`
}

// coldGoOIDC is the same handler chain with a middleware on go-oidc's
// verifier (static key set, issuer, audience, expiry), which reads the
// claims into the same token info: what a go-oidc user writes by hand.
func coldGoOIDC(_ testing.TB, s *signer, _ *keyServer) http.Handler {
	v := oidc.NewVerifier(benchIssuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{s.pub()}}, &oidc.Config{ClientID: benchClientID})
	middleware := func(permission string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				if !ok {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
					return
				}
				idt, err := v.Verify(r.Context(), token)
				var cl oidcClaims
				if err == nil {
					err = idt.Claims(&cl)
				}
				if err != nil {
					http.Error(w, "unauthorized", http.StatusUnauthorized)
					return
				}
				info := fief.AccessTokenInfo{ID: cl.Sub, Scope: strings.Fields(cl.Scope), ACR: fief.ACR(cl.ACR), Permissions: cl.Permissions, AccessToken: token}
				if permission != "" && !info.HasPermission(permission) {
					http.Error(w, "forbidden", http.StatusForbidden)
					return
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), oidcInfoKey{}, info)))
			})
		}
	}
	infoFrom := func(ctx context.Context) (fief.AccessTokenInfo, bool) {
		info, ok := ctx.Value(oidcInfoKey{}).(fief.AccessTokenInfo)
		return info, ok
	}
	return apiRoutes(middleware(""), middleware("castles:read"), infoFrom)
}

// oidcInfoKey is the context key of the go-oidc server's token info.
type oidcInfoKey struct{}

// BenchmarkColdHTTP serves GET /authenticated-permissions of examples/api's
// handler chain, each request carrying a token the server has never seen,
// so that every request pays the RSA verification (the first request of
// every user, every request after a deploy, every forged token): fiefhttp
// with the verified-token cache on, against the same handler with go-oidc's
// verifier. Requests per CPU second are 10⁹ / cpu-ns/op. Names are
// ColdHTTP/rsa=BITS/SERVER.
func BenchmarkColdHTTP(b *testing.B) {
	for _, bits := range keySizes {
		s := signers(b)[bits]
		srv := newKeyServer(b, s)
		tokens := coldTokensOf(b, s)
		for _, cc := range coldCases {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, cc.name), func(b *testing.B) {
				var h http.Handler
				fresh := func() { h = cc.build(b, s, srv) } // a new server: none of the tokens seen
				serve := func(i int) {
					req := httptest.NewRequest(http.MethodGet, "/authenticated-permissions", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[i%coldTokens])
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
				loopFresh(b, coldTokens, fresh, serve)
			})
		}
	}
}

// TestColdServersRefuseForgery makes sure both cold servers check the
// signature and the permission.
func TestColdServersRefuseForgery(t *testing.T) {
	s := signers(t)[2048]
	srv := newKeyServer(t, s)
	good := s.sign(t, newClaims(time.Now()))
	other := newClaims(time.Now())
	other.Permissions = []string{"castles:create"}
	unprivileged := s.sign(t, other)
	forged := unprivileged[:strings.LastIndexByte(unprivileged, '.')] + good[strings.LastIndexByte(good, '.'):]
	for _, cc := range coldCases {
		t.Run(cc.name, func(t *testing.T) {
			h := cc.build(t, s, srv)
			for _, tc := range []struct {
				token string
				want  int
			}{{good, http.StatusOK}, {forged, http.StatusUnauthorized}, {unprivileged, http.StatusForbidden}} {
				req := httptest.NewRequest(http.MethodGet, "/authenticated-permissions", nil)
				req.Header.Set("Authorization", "Bearer "+tc.token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req.WithContext(context.Background()))
				if rec.Code != tc.want {
					t.Errorf("status %d, want %d", rec.Code, tc.want)
				}
			}
		})
	}
}
