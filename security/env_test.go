package security_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/go-jose/go-jose/v4"
)

// userPermission is the permission of the test user.
const userPermission = "castles:read"

// env is a fieftest tenant with a client and a user, a fief.Client on it,
// and an "own" tenant whose signing key the test holds, so that tokens with
// chosen claims can be signed validly and reach the claim checks.
type env struct {
	srv    *fieftest.Server
	fc     *fieftest.Client
	user   *fieftest.User
	client *fief.Client

	own       *ownTenant
	ownClient *fief.Client

	// attacker counts the requests of anything that would follow a jku or
	// x5u header.
	attacker *hitServer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	e := &env{srv: srv}
	var err error
	e.fc, err = srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{"http://app.test/auth-callback"}})
	if err != nil {
		t.Fatal(err)
	}
	e.user, err = srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture", Permissions: []string{userPermission}})
	if err != nil {
		t.Fatal(err)
	}
	e.client = e.newClient(t, nil)
	e.own = newOwnTenant(t)
	e.ownClient = newClient(t, fief.Config{BaseURL: e.own.URL, ClientID: "own-client"})
	e.attacker = newHitServer(t)
	return e
}

// newClient returns a fresh fief.Client on the fieftest tenant (empty
// caches); mod, if not nil, changes its config.
func (e *env) newClient(t *testing.T, mod func(*fief.Config)) *fief.Client {
	t.Helper()
	cfg := fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret}
	if mod != nil {
		mod(&cfg)
	}
	return newClient(t, cfg)
}

func newClient(t *testing.T, cfg fief.Config) *fief.Client {
	t.Helper()
	c, err := fief.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// token mints an access token of the test user.
func (e *env) token(o fieftest.TokenOptions) string {
	return e.srv.MintAccessToken(e.user.ID, o)
}

// tenantJWK returns the fieftest tenant's (first) public key as a JWK.
func (e *env) tenantJWK(t *testing.T) jose.JSONWebKey {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(e.srv.DefaultTenant().PublicJWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) == 0 {
		t.Fatal("the tenant's JWKS is empty")
	}
	return set.Keys[0]
}

// ownTenant is a minimal Fief for tokens the test signs itself: a discovery
// document and a JWKS holding ownKey (kid "own") and an EC key (kid "ec")
// the client must ignore.
type ownTenant struct {
	*httptest.Server
	issuer   string
	jwksHits atomic.Int64
}

const ownIssuer = "https://own.fief.test"

func newOwnTenant(t *testing.T) *ownTenant {
	t.Helper()
	k := keys(t)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.own.PublicKey, KeyID: "own", Use: "sig"},
		{Key: &k.ec.PublicKey, KeyID: "ec", Use: "sig"},
	}}
	jwks, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	o := &ownTenant{issuer: ownIssuer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		json.NewEncoder(w).Encode(map[string]string{
			"issuer":                 ownIssuer,
			"authorization_endpoint": base + "/authorize",
			"token_endpoint":         base + "/api/token",
			"userinfo_endpoint":      base + "/api/userinfo",
			"jwks_uri":               base + "/.well-known/jwks.json",
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		o.jwksHits.Add(1)
		w.Write(jwks)
	})
	o.Server = httptest.NewServer(mux)
	t.Cleanup(o.Close)
	return o
}

// ownClaims returns valid claims of the own tenant, issued now, for
// modification by a test case.
func ownClaims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss":         ownIssuer,
		"sub":         "aeeb8bfa-e8f4-4724-9427-c3d5af66190e",
		"aud":         []string{"own-client"},
		"azp":         "own-client",
		"iat":         now,
		"auth_time":   now,
		"exp":         now + 3600,
		"acr":         "0",
		"scope":       "openid",
		"permissions": []string{userPermission},
	}
}

// hitServer answers 200 with an attacker's key set to every request, and
// counts them.
type hitServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newHitServer(t *testing.T) *hitServer {
	t.Helper()
	k := keys(t)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.attacker.PublicKey, KeyID: "attacker", Use: "sig"}}})
	h := &hitServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		w.Write(jwks)
	}))
	t.Cleanup(h.Close)
	return h
}

// authHandler returns the fiefhttp middleware on client with the route
// options of req, reading the token with getter, in front of a handler that
// answers 200 and the user ID.
func authHandler(client *fief.Client, getter fiefhttp.TokenGetter, req fief.Requirements) http.Handler {
	var opts []fiefhttp.RouteOption
	if len(req.Scopes) > 0 {
		opts = append(opts, fiefhttp.Scopes(req.Scopes...))
	}
	if req.ACR != "" {
		opts = append(opts, fiefhttp.MinACR(req.ACR))
	}
	if len(req.Permissions) > 0 {
		opts = append(opts, fiefhttp.Permissions(req.Permissions...))
	}
	return fiefhttp.New(client, fiefhttp.Config{TokenGetter: getter}).Authenticated(opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		w.Write([]byte(info.ID))
	}))
}

// ctxTimeout returns a context for one test step.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
