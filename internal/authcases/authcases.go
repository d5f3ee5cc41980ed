// Package authcases is the table of authentication cases every adapter of
// fief-go (gin, echo, gRPC, Connect) is tested with, beside the net/http
// middleware of fiefhttp, whose answers are the reference: the same token
// and route must get the same outcome, status, challenge and body
// everywhere. It is for tests only.
package authcases

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// Email is the test user's address, answered by the [Handler] of
// CurrentUser routes.
const Email = "anne@bretagne.duchy"

// Permission is the test user's one permission.
const Permission = "castles:read"

// RedirectURI is the redirect URI of the test client, used by
// [Env.SignIn].
const RedirectURI = "http://app.localhost/callback"

// Case is one request: a token (or none) under a route's requirements.
type Case struct {
	Name string
	// Token is the bearer token sent; "" sends none. Header, when set,
	// replaces the whole Authorization header.
	Token, Header string
	// Opts are the route's options.
	Opts []fiefhttp.RouteOption
	// Auth, when set, makes the Auth of the case (such as one whose Fief
	// is down); nil means [Env.Auth].
	Auth func(t *testing.T) *fiefhttp.Auth
	// Want is the expected outcome.
	Want fiefhttp.Outcome
	// Anonymous: the request goes through without a token (an optional
	// route), so the handler sees no token info.
	Anonymous bool
	// User: the route gets the user ([fiefhttp.WithUser]).
	User bool
	// Scope is the scope attribute of the forbidden answer's challenge:
	// the route's scopes, when a missing scope is the reason.
	Scope string
}

// Status is the HTTP status of the case's expected outcome for the default
// handlers.
func (c Case) Status() int {
	return map[fiefhttp.Outcome]int{
		fiefhttp.OutcomeAllowed:      http.StatusOK,
		fiefhttp.OutcomeUnauthorized: http.StatusUnauthorized,
		fiefhttp.OutcomeForbidden:    http.StatusForbidden,
		fiefhttp.OutcomeUnavailable:  http.StatusServiceUnavailable,
	}[c.Want]
}

// AuthorizationHeader is the Authorization header the case sends, "" for
// none.
func (c Case) AuthorizationHeader() string {
	if c.Header != "" {
		return c.Header
	}
	if c.Token == "" {
		return ""
	}
	return "Bearer " + c.Token
}

// Env is a fieftest server with a client and a user, and an Auth on it.
type Env struct {
	Server *fieftest.Server
	Client *fief.Client
	User   *fieftest.User
	Auth   *fiefhttp.Auth
	fc     *fieftest.Client
}

// New returns an Env, closed when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	e := &Env{Server: srv}
	var err error
	e.fc, err = srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{RedirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	e.User, err = srv.AddUser(fieftest.UserConfig{Email: Email, Password: "herminetincture", Permissions: []string{Permission}})
	if err != nil {
		t.Fatal(err)
	}
	e.Client = e.NewClient(t)
	e.Auth = fiefhttp.New(e.Client, fiefhttp.Config{})
	return e
}

// NewClient returns a fresh fief.Client of the server, with empty caches.
func (e *Env) NewClient(t testing.TB) *fief.Client {
	t.Helper()
	return e.newClient(t, nil)
}

// newClient is NewClient with a revocation set (nil for none).
func (e *Env) newClient(t testing.TB, rv *fief.Revocations) *fief.Client {
	t.Helper()
	c, err := fief.New(fief.Config{BaseURL: e.Server.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.Server.Client(), Revocations: rv})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Token mints an access token of the test user.
func (e *Env) Token(o fieftest.TokenOptions) string { return e.Server.MintAccessToken(e.User.ID, o) }

// Cases returns the table: no token, malformed, bad signature, expired,
// foreign issuer, missing scope, low ACR, missing permission, optional with
// and without a token, Fief down, a revoked user (as after a Fief webhook),
// and valid tokens.
func (e *Env) Cases(t testing.TB) []Case {
	t.Helper()
	full := e.Token(fieftest.TokenOptions{Scopes: []string{"openid", "required_scope"}, ACR: "1"})
	basic := e.Token(fieftest.TokenOptions{}) // scope openid, ACR 0, permission castles:read
	expired := e.Token(fieftest.TokenOptions{Lifetime: -time.Hour})
	foreign := foreignToken(t)
	down := func(t *testing.T) *fiefhttp.Auth {
		e.Server.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Status: 500, Body: "internal stack trace"})
		return fiefhttp.New(e.NewClient(t), fiefhttp.Config{})
	}
	unreachable := func(t *testing.T) *fiefhttp.Auth {
		return fiefhttp.New(deadClient(t), fiefhttp.Config{})
	}
	// revokedAt is an Auth whose client refuses the test user's tokens
	// issued at or before notBefore, as after a Fief webhook.
	revokedAt := func(notBefore func() time.Time) func(t *testing.T) *fiefhttp.Auth {
		return func(t *testing.T) *fiefhttp.Auth {
			rv := fief.NewRevocations(fief.RevocationsConfig{})
			rv.Revoke(e.User.ID, notBefore())
			return fiefhttp.New(e.newClient(t, rv), fiefhttp.Config{})
		}
	}
	ro := func(o ...fiefhttp.RouteOption) []fiefhttp.RouteOption { return o }
	return []Case{
		{Name: "no token", Want: fiefhttp.OutcomeUnauthorized},
		{Name: "malformed header", Header: "Bearer", Want: fiefhttp.OutcomeUnauthorized},
		{Name: "not a JWT", Token: "abc.def.ghi", Want: fiefhttp.OutcomeUnauthorized},
		{Name: "bad signature", Token: Tamper(full), Want: fiefhttp.OutcomeUnauthorized},
		{Name: "expired", Token: expired, Want: fiefhttp.OutcomeUnauthorized},
		{Name: "foreign issuer", Token: foreign, Want: fiefhttp.OutcomeUnauthorized},
		{Name: "valid", Token: full, Want: fiefhttp.OutcomeAllowed},
		{Name: "all requirements met", Token: full, Opts: ro(fiefhttp.Scopes("openid", "required_scope"), fiefhttp.MinACR(fief.ACRLevel1), fiefhttp.Permissions(Permission)), Want: fiefhttp.OutcomeAllowed},
		{Name: "missing scope", Token: basic, Opts: ro(fiefhttp.Scopes("openid", "required_scope")), Want: fiefhttp.OutcomeForbidden, Scope: "openid required_scope"},
		{Name: "low ACR", Token: basic, Opts: ro(fiefhttp.MinACR(fief.ACRLevel1)), Want: fiefhttp.OutcomeForbidden},
		{Name: "missing permission", Token: basic, Opts: ro(fiefhttp.Permissions("castles:write")), Want: fiefhttp.OutcomeForbidden},
		{Name: "optional without token", Opts: ro(fiefhttp.Optional()), Want: fiefhttp.OutcomeAllowed, Anonymous: true},
		{Name: "optional with expired token", Token: expired, Opts: ro(fiefhttp.Optional()), Want: fiefhttp.OutcomeAllowed, Anonymous: true},
		{Name: "optional with valid token", Token: basic, Opts: ro(fiefhttp.Optional()), Want: fiefhttp.OutcomeAllowed},
		{Name: "optional lacking scope", Token: basic, Opts: ro(fiefhttp.Optional(), fiefhttp.Scopes("required_scope")), Want: fiefhttp.OutcomeForbidden, Scope: "required_scope"},
		{Name: "current user", Token: basic, Opts: ro(fiefhttp.WithUser()), Want: fiefhttp.OutcomeAllowed, User: true},
		{Name: "Fief down", Token: basic, Auth: down, Want: fiefhttp.OutcomeUnavailable},
		{Name: "Fief unreachable", Token: basic, Auth: unreachable, Want: fiefhttp.OutcomeUnavailable},
		{Name: "revoked user", Token: basic, Auth: revokedAt(time.Now), Want: fiefhttp.OutcomeUnauthorized},
		{Name: "revoked user's current user", Token: basic, Opts: ro(fiefhttp.WithUser()), Auth: revokedAt(time.Now), Want: fiefhttp.OutcomeUnauthorized},
		{Name: "token issued after the revocation", Token: basic, Auth: revokedAt(func() time.Time { return time.Now().Add(-time.Hour) }), Want: fiefhttp.OutcomeAllowed},
	}
}

// AuthOf returns the case's Auth.
func (e *Env) AuthOf(t *testing.T, c Case) *fiefhttp.Auth {
	if c.Auth != nil {
		return c.Auth(t)
	}
	return e.Auth
}

// Body is what [Handler] answers on success: "anonymous", or the user ID
// and, when the route got the user, the user's email.
func Body(info fief.AccessTokenInfo, infoOK bool, user fief.UserInfo, userOK bool) string {
	if !infoOK {
		return "anonymous"
	}
	if userOK {
		return info.ID + " " + user.Email()
	}
	return info.ID
}

// Handler is the net/http handler of the reference: [Body] of the request
// context.
var Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	info, ok := fiefhttp.AccessTokenInfoFrom(r.Context())
	user, uok := fiefhttp.UserInfoFrom(r.Context())
	w.Write([]byte(Body(info, ok, user, uok)))
})

// Reference serves the case through fiefhttp's middleware, the answer every
// adapter must give.
func Reference(t *testing.T, auth *fiefhttp.Auth, c Case) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if h := c.AuthorizationHeader(); h != "" {
		r.Header.Set("Authorization", h)
	}
	w := httptest.NewRecorder()
	auth.Middleware(auth.Route(c.Opts...))(Handler).ServeHTTP(w, r)
	return w
}

// WantBody is the success body of the case for the test user, "" for a
// refused request.
func (e *Env) WantBody(c Case) string {
	switch {
	case c.Want != fiefhttp.OutcomeAllowed:
		return ""
	case c.Anonymous:
		return "anonymous"
	case c.User:
		return e.User.ID + " " + Email
	}
	return e.User.ID
}

// Tamper changes one character of a token's signature.
func Tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 5
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// foreignToken is a token of another Fief server, well signed by its own
// key and issuer.
func foreignToken(t testing.TB) string {
	other := fieftest.NewServer()
	defer other.Close()
	u, err := other.AddUser(fieftest.UserConfig{Email: Email, Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	return other.MintAccessToken(u.ID, fieftest.TokenOptions{})
}

// deadClient is a client of an address where nothing listens.
func deadClient(t testing.TB) *fief.Client {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := fief.New(fief.Config{BaseURL: "http://" + addr, ClientID: "x", HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SignIn runs a sign-in of the test user with Fief's auto-login, as a
// browser would, and returns the tokens of the code exchange.
func (e *Env) SignIn(t testing.TB, scopes ...string) *fief.TokenResponse {
	t.Helper()
	ctx := context.Background()
	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	state := fief.GenerateState()
	authURL, err := e.Client.AuthURL(ctx, fief.AuthURLParams{RedirectURI: RedirectURI, State: state, Scopes: scopes, CodeChallenge: challenge})
	if err != nil {
		t.Fatal(err)
	}
	e.Server.SetAutoLogin(Email)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != state {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, _, err := e.Client.ExchangeCode(ctx, fief.ExchangeParams{Code: loc.Query().Get("code"), RedirectURI: RedirectURI, CodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
