package fief_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"golang.org/x/oauth2"
)

func TestOAuth2Config(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	cfg, err := c.OAuth2Config(context.Background(), redirectURI, "openid", "offline_access")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint.AuthURL != tn.srv.URL+"/authorize" || cfg.Endpoint.TokenURL != tn.srv.URL+"/api/token" {
		t.Errorf("endpoint %+v", cfg.Endpoint)
	}
	if cfg.ClientID != tn.client.ClientID || cfg.ClientSecret != tn.client.ClientSecret || cfg.RedirectURL != redirectURI {
		t.Errorf("config %+v", cfg)
	}
	// x/oauth2 itself can run the code flow against Fief with it.
	verifier := oauth2.GenerateVerifier()
	q := tn.authorize(t, cfg.AuthCodeURL("some-state", oauth2.S256ChallengeOption(verifier)))
	if q.Get("state") != "some-state" {
		t.Fatalf("callback query %v", q)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, tn.srv.Client())
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("x/oauth2 Exchange: %v", err)
	}
	if _, err := c.ValidateAccessToken(context.Background(), tok.AccessToken, fief.Requirements{}); err != nil {
		t.Errorf("the access token x/oauth2 got does not validate: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token with offline_access")
	}
}

// TestTokenSourceSharesOneRefresh: 50 concurrent callers of an expired
// source cause one refresh, all get the same new token, and the rotated
// refresh token is persisted once and used next.
func TestTokenSourceSharesOneRefresh(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, func(cfg *fief.Config) { cfg.Clock = tn.srv.Now })
	first, _ := tn.signIn(t, c, "openid", "offline_access")

	var mu sync.Mutex
	var persisted []string
	src, err := c.TokenSource(fief.TokenSourceConfig{
		Token: &oauth2.Token{AccessToken: first.AccessToken, RefreshToken: first.RefreshToken, Expiry: tn.srv.Now().Add(time.Duration(first.ExpiresIn) * time.Second)},
		OnRefresh: func(_ context.Context, tok *oauth2.Token) error {
			mu.Lock()
			defer mu.Unlock()
			persisted = append(persisted, tok.RefreshToken)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// While valid: the same token, no refresh.
	before := tn.srv.RequestCount(fieftest.EndpointToken)
	if tok, err := src.Token(); err != nil || tok.AccessToken != first.AccessToken {
		t.Fatalf("valid token: %v, %v", tok, err)
	}

	tn.srv.Advance(time.Duration(first.ExpiresIn) * time.Second)
	var wg sync.WaitGroup
	tokens := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			tok, err := src.Token()
			errs[i] = err
			if tok != nil {
				tokens[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if tokens[i] != tokens[0] || tokens[i] == first.AccessToken {
			t.Fatalf("caller %d got another or the old token", i)
		}
	}
	if n := tn.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
		t.Errorf("%d refreshes reached Fief, want 1", n)
	}
	if len(persisted) != 1 || persisted[0] == first.RefreshToken || persisted[0] == "" {
		t.Fatalf("persisted refresh tokens %d, want one new token", len(persisted))
	}
	// The old refresh token no longer works; the persisted one does.
	if _, _, err := c.Refresh(context.Background(), first.RefreshToken, nil); err == nil {
		t.Error("the rotated-out refresh token still works")
	}
	tn.srv.Advance(time.Duration(first.ExpiresIn) * time.Second)
	if _, err := src.Token(); err != nil {
		t.Fatalf("second refresh: %v", err)
	}
	if len(persisted) != 2 {
		t.Errorf("persisted %d tokens after the second refresh, want 2", len(persisted))
	}
}

// TestTokenSourceRejectedRefreshToken: a revoked refresh token is reported
// as ErrRefreshTokenRejected and as *oauth2.RetrieveError, once to Fief.
func TestTokenSourceRejectedRefreshToken(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	first, _ := tn.signIn(t, c, "openid", "offline_access")
	if _, _, err := c.Refresh(context.Background(), first.RefreshToken, nil); err != nil { // rotates it out
		t.Fatal(err)
	}
	src, err := c.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{RefreshToken: first.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	before := tn.srv.RequestCount(fieftest.EndpointToken)
	for range 3 {
		_, err = src.Token()
		if !errors.Is(err, fief.ErrRefreshTokenRejected) {
			t.Fatalf("err = %v, want ErrRefreshTokenRejected", err)
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("errors.As RetrieveError: %v", re)
		}
		if strings.Contains(err.Error(), first.RefreshToken) {
			t.Fatal("the error text holds the refresh token")
		}
	}
	if n := tn.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
		t.Errorf("%d token requests for a rejected refresh token, want 1 (no retry)", n)
	}
}

func TestTokenSourceNeedsRefreshToken(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	if _, err := c.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{AccessToken: "x"}}); err == nil {
		t.Fatal("a token source without refresh token was made")
	}
}

// TestTokenSourceWithNewClient: oauth2.NewClient calls a protected API with
// the source's token, refreshing the expired one it starts from once, then
// reusing the new one.
func TestTokenSourceWithNewClient(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, func(cfg *fief.Config) { cfg.Clock = tn.srv.Now })
	first, _ := tn.signIn(t, c, "openid", "offline_access")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := c.ValidateAccessToken(r.Context(), tok, fief.Requirements{}); err != nil {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer api.Close()
	src, err := c.TokenSource(fief.TokenSourceConfig{Token: &oauth2.Token{AccessToken: first.AccessToken, RefreshToken: first.RefreshToken, Expiry: time.Now().Add(-time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	hc := oauth2.NewClient(context.Background(), src)
	before := tn.srv.RequestCount(fieftest.EndpointToken)
	for i := range 2 {
		resp, err := hc.Get(api.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("call %d: status %d", i, resp.StatusCode)
		}
	}
	if n := tn.srv.RequestCount(fieftest.EndpointToken) - before; n != 1 {
		t.Errorf("%d refreshes for two calls starting from an expired token, want 1", n)
	}
}
