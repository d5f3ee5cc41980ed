package fief_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

const redirectURI = "http://app.localhost/auth-callback"

// tenant is a fieftest server with a client and a user, for the tests of
// this file.
type tenant struct {
	srv    *fieftest.Server
	client *fieftest.Client
	user   *fieftest.User
}

func newTenant(t *testing.T, cc fieftest.ClientConfig) *tenant {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	cc.RedirectURIs = append(cc.RedirectURIs, redirectURI)
	client, err := srv.AddClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{
		Email: "anne@bretagne.duchy", Password: "herminetincture",
		Fields: map[string]any{"first_name": "Anne"}, Permissions: []string{"castles:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &tenant{srv: srv, client: client, user: user}
}

func (tn *tenant) fiefClient(t *testing.T, mod func(*fief.Config)) *fief.Client {
	t.Helper()
	cfg := fief.Config{BaseURL: tn.srv.URL, ClientID: tn.client.ClientID, ClientSecret: tn.client.ClientSecret, EncryptionKey: tn.client.EncryptionKey}
	if mod != nil {
		mod(&cfg)
	}
	c, err := fief.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authorize plays the browser in fieftest's auto-login mode: it opens
// authURL (rewritten to the server when the URL names a public host the
// test cannot reach) and returns the query of the redirect back.
func (tn *tenant) authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	tn.srv.SetAutoLogin(tn.user.Email())
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	srvURL, _ := url.Parse(tn.srv.URL)
	u.Scheme, u.Host = srvURL.Scheme, srvURL.Host
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("redirected to %q, want the redirect URI", loc)
	}
	return loc.Query()
}

// signIn runs the authorization code flow with PKCE and a nonce.
func (tn *tenant) signIn(t *testing.T, c *fief.Client, scopes ...string) (*fief.TokenResponse, fief.UserInfo) {
	t.Helper()
	ctx := context.Background()
	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	state, nonce := fief.GenerateState(), fief.GenerateState()
	authURL, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI, State: state, Scopes: scopes, CodeChallenge: challenge, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	q := tn.authorize(t, authURL)
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	tok, info, err := c.ExchangeCode(ctx, fief.ExchangeParams{Code: q.Get("code"), RedirectURI: redirectURI, CodeVerifier: verifier, Nonce: nonce})
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	return tok, info
}

func TestSignInFlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		cc   fieftest.ClientConfig
	}{
		{"confidential client", fieftest.ClientConfig{}},
		{"encrypted ID tokens", fieftest.ClientConfig{Encrypt: true}},
		{"public client", fieftest.ClientConfig{Public: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenant(t, tc.cc)
			c := tn.fiefClient(t, func(cfg *fief.Config) {
				if tc.cc.Public {
					cfg.ClientSecret = ""
				}
			})
			tok, info := tn.signIn(t, c)
			if tc.cc.Encrypt && strings.Count(tok.IDToken, ".") != 4 {
				t.Fatalf("ID token is not a JWE")
			}
			if info.Email() != "anne@bretagne.duchy" || info.ID() != tn.user.ID || info.Fields()["first_name"] != "Anne" {
				t.Fatalf("claims = %v", info)
			}
			if tok.RefreshToken != "" {
				t.Fatalf("refresh token without offline_access")
			}
			at, err := c.ValidateAccessToken(context.Background(), tok.AccessToken, fief.Requirements{ACR: fief.ACRLevel1, Permissions: []string{"castles:read"}})
			if err != nil {
				t.Fatalf("ValidateAccessToken: %v", err)
			}
			if at.ID != tn.user.ID || strings.Join(at.Scope, " ") != "openid" {
				t.Fatalf("access token info = %v", at)
			}
			ui, err := c.UserInfo(context.Background(), tok.AccessToken)
			if err != nil || ui.Email() != info.Email() {
				t.Fatalf("UserInfo = %v, %v", ui, err)
			}
		})
	}
}

func TestExchangeErrors(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	ctx := context.Background()
	start := func(t *testing.T) (code, verifier string) {
		verifier = fief.GenerateCodeVerifier()
		challenge := fief.CodeChallenge(verifier)
		u, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI, CodeChallenge: challenge, Nonce: "n-1"})
		if err != nil {
			t.Fatal(err)
		}
		return tn.authorize(t, u).Get("code"), verifier
	}
	wantCode := func(t *testing.T, err error, code string) {
		t.Helper()
		var re *fief.ResponseError
		if !errors.As(err, &re) || re.Code != code || re.StatusCode != 400 {
			t.Fatalf("err = %v, want a 400 *ResponseError %q", err, code)
		}
		if errors.Is(err, fief.ErrUnavailable) {
			t.Fatalf("err = %v: a 400 is not 'unavailable'", err)
		}
	}
	t.Run("code used twice", func(t *testing.T) {
		code, v := start(t)
		p := fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: v}
		if _, _, err := c.ExchangeCode(ctx, p); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.ExchangeCode(ctx, p)
		wantCode(t, err, "invalid_grant")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		code, _ := start(t)
		_, _, err := c.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: fief.GenerateCodeVerifier()})
		wantCode(t, err, "invalid_grant")
	})
	t.Run("other redirect URI", func(t *testing.T) {
		code, v := start(t)
		_, _, err := c.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI + "2", CodeVerifier: v})
		wantCode(t, err, "invalid_grant")
	})
	t.Run("wrong nonce", func(t *testing.T) {
		code, v := start(t)
		_, _, err := c.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: v, Nonce: "n-2"})
		if !errors.Is(err, fief.ErrInvalidIDToken) {
			t.Fatalf("err = %v, want ErrInvalidIDToken", err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		code, v := start(t)
		bad := tn.fiefClient(t, func(cfg *fief.Config) { cfg.ClientSecret = "nope" })
		_, _, err := bad.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: v})
		wantCode(t, err, "invalid_client")
	})
	t.Run("public client without verifier", func(t *testing.T) {
		pub := tn.fiefClient(t, func(cfg *fief.Config) { cfg.ClientSecret = "" })
		_, _, err := pub.ExchangeCode(ctx, fief.ExchangeParams{Code: "x", RedirectURI: redirectURI})
		if err == nil || !strings.Contains(err.Error(), "PKCE") {
			t.Fatalf("err = %v, want a PKCE error", err)
		}
	})
	t.Run("encryption key but plain ID token", func(t *testing.T) {
		code, v := start(t)
		other := newTenant(t, fieftest.ClientConfig{Encrypt: true})
		withKey := tn.fiefClient(t, func(cfg *fief.Config) { cfg.EncryptionKey = other.client.EncryptionKey })
		_, _, err := withKey.ExchangeCode(ctx, fief.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: v})
		if !errors.Is(err, fief.ErrInvalidIDToken) {
			t.Fatalf("err = %v, want ErrInvalidIDToken", err)
		}
	})
}

func TestRefresh(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	ctx := context.Background()
	tok, _ := tn.signIn(t, c, "openid", "offline_access", "castles")
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	next, info, err := c.Refresh(ctx, tok.RefreshToken, nil)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if info.Email() != "anne@bretagne.duchy" || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh gave %v, claims %v: want a rotated refresh token", next, info)
	}
	at, err := c.ValidateAccessToken(ctx, next.AccessToken, fief.Requirements{Scopes: []string{"castles"}})
	if err != nil || at.ACR != fief.ACRLevel0 {
		t.Fatalf("refreshed access token: %v, %v (want ACR 0)", at, err)
	}
	// The spent refresh token is refused.
	_, _, err = c.Refresh(ctx, tok.RefreshToken, nil)
	var re *fief.ResponseError
	if !errors.As(err, &re) || re.Code != "invalid_grant" || !errors.Is(err, fief.ErrRefreshTokenRejected) {
		t.Fatalf("reused refresh token: err = %v, want invalid_grant and ErrRefreshTokenRejected", err)
	}
	// Narrowing the scope; without offline_access no new refresh token.
	narrow, _, err := c.Refresh(ctx, next.RefreshToken, []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	if narrow.RefreshToken != "" {
		t.Fatal("refresh token without offline_access")
	}
	if _, err := c.ValidateAccessToken(ctx, narrow.AccessToken, fief.Requirements{Scopes: []string{"castles"}}); !errors.Is(err, fief.ErrMissingScope) {
		t.Fatalf("narrowed token: err = %v, want ErrMissingScope", err)
	}
}
