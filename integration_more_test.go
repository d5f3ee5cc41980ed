package fief_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

func TestTenantUnderSlug(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	other, err := srv.AddTenant("castles")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := other.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := other.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{srv: srv, client: cl, user: user}
	c, err := fief.New(fief.Config{BaseURL: other.BaseURL(), ClientID: cl.ClientID, ClientSecret: cl.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := c.AuthURL(context.Background(), fief.AuthURLParams{RedirectURI: redirectURI})
	if err != nil || !strings.HasPrefix(authURL, other.BaseURL()+"/authorize?") {
		t.Fatalf("AuthURL = %q, %v", authURL, err)
	}
	tok, info := tn.signIn(t, c)
	if info.ID() != user.ID {
		t.Fatalf("claims %v", info)
	}
	if _, err := c.ValidateAccessToken(context.Background(), tok.AccessToken, fief.Requirements{}); err != nil {
		t.Fatal(err)
	}
	// A token of the default tenant is not one of this tenant.
	dflt, err := srv.AddUser(fieftest.UserConfig{Email: "x@example.com", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ValidateAccessToken(context.Background(), srv.MintAccessToken(dflt.ID, fieftest.TokenOptions{}), fief.Requirements{})
	if !errors.Is(err, fief.ErrInvalidToken) {
		t.Fatalf("token of another tenant: err = %v", err)
	}
}

// With an internal base URL, browser-facing URLs use the public one and
// every back-channel call goes to the internal one: here the public host
// does not even resolve.
func TestInternalBaseURL(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	const public = "https://fief.invalid"
	c := tn.fiefClient(t, func(cfg *fief.Config) {
		cfg.BaseURL = public
		cfg.InternalBaseURL = tn.srv.URL
	})
	tok, info := tn.signIn(t, c) // AuthURL, ExchangeCode
	if info.Email() != "anne@bretagne.duchy" {
		t.Fatal(info)
	}
	u, err := c.AuthURL(context.Background(), fief.AuthURLParams{RedirectURI: redirectURI})
	if err != nil || !strings.HasPrefix(u, public+"/authorize?") {
		t.Fatalf("AuthURL = %q, %v", u, err)
	}
	if got := c.LogoutURL("https://app.example/"); got != public+"/logout?redirect_uri=https%3A%2F%2Fapp.example%2F" {
		t.Fatalf("LogoutURL = %q", got)
	}
	if _, err := c.ValidateAccessToken(context.Background(), tok.AccessToken, fief.Requirements{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserInfo(context.Background(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateProfile(context.Background(), tok.AccessToken, map[string]any{"first_name": "Anna"}); err != nil {
		t.Fatal(err)
	}
}

func TestAuthURLParameters(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	raw, err := c.AuthURL(context.Background(), fief.AuthURLParams{
		RedirectURI: redirectURI, State: "s", Scopes: []string{"offline_access"},
		CodeChallenge: "ch", Nonce: "n", Lang: "fr",
		Extra: url.Values{"screen": {"register"}, "client_id": {"evil"}, "login_hint": {"anne@bretagne.duchy"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	want := map[string]string{
		"response_type": "code", "client_id": tn.client.ClientID, "redirect_uri": redirectURI, "state": "s",
		"scope": "openid offline_access", "code_challenge": "ch", "code_challenge_method": "S256",
		"nonce": "n", "lang": "fr", "screen": "register", "login_hint": "anne@bretagne.duchy",
	}
	for k, v := range want {
		if got := u.Query()[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, err := c.AuthURL(context.Background(), fief.AuthURLParams{}); err == nil {
		t.Error("empty redirect URI accepted")
	}
}

func TestUserAPI(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	ctx := context.Background()
	acr1 := tn.srv.MintAccessToken(tn.user.ID, fieftest.TokenOptions{ClientID: tn.client.ClientID, ACR: "1"})
	acr0 := tn.srv.MintAccessToken(tn.user.ID, fieftest.TokenOptions{ClientID: tn.client.ClientID, ACR: "0"})
	wantStatus := func(t *testing.T, err error, status int, detail string) *fief.ResponseError {
		t.Helper()
		var re *fief.ResponseError
		if !errors.As(err, &re) || re.StatusCode != status || re.Detail != detail {
			t.Fatalf("err = %v, want a %d *ResponseError with detail %q", err, status, detail)
		}
		return re
	}

	info, err := c.UpdateProfile(ctx, acr0, map[string]any{"first_name": "Anna"})
	if err != nil || info.Fields()["first_name"] != "Anna" {
		t.Fatalf("UpdateProfile = %v, %v", info, err)
	}
	_, err = c.ChangePassword(ctx, acr0, "a-much-longer-passphrase-42")
	wantStatus(t, err, 403, "ACR_TOO_LOW")
	_, err = c.ChangePassword(ctx, acr1, "short")
	if re := wantStatus(t, err, 400, "USER_UPDATE_INVALID_PASSWORD"); len(re.Reason) == 0 {
		t.Fatal("no reason for the refused password")
	}
	if _, err := c.ChangePassword(ctx, acr1, "a-much-longer-passphrase-42"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}

	info, err = c.EmailChange(ctx, acr1, "anne@bretagne.example")
	if err != nil || info.Email() != "anne@bretagne.duchy" {
		t.Fatalf("EmailChange = %v, %v (the old address stays until verified)", info, err)
	}
	_, err = c.EmailVerify(ctx, acr1, "WRONG1")
	wantStatus(t, err, 400, "USER_UPDATE_INVALID_EMAIL_VERIFICATION_CODE")
	code, ok := tn.srv.EmailVerificationCode(tn.user.ID)
	if !ok {
		t.Fatal("no verification code sent")
	}
	info, err = c.EmailVerify(ctx, acr1, code)
	if err != nil || info.Email() != "anne@bretagne.example" {
		t.Fatalf("EmailVerify = %v, %v", info, err)
	}

	_, err = c.UserInfo(ctx, "not-a-token")
	wantStatus(t, err, 401, "Unauthorized")
	if _, err := c.UserInfo(ctx, ""); err == nil {
		t.Fatal("empty token accepted")
	}
}

func TestFiefUnavailable(t *testing.T) {
	ctx := context.Background()
	t.Run("down", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c, _ := fief.New(fief.Config{BaseURL: "http://" + addr, ClientID: "c"})
		_, err = c.ValidateAccessToken(ctx, "a.b.c", fief.Requirements{})
		if !errors.Is(err, fief.ErrInvalidToken) {
			t.Fatalf("malformed token while Fief is down: err = %v, want ErrInvalidToken (no I/O needed)", err)
		}
		_, err = c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI})
		if !errors.Is(err, fief.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	for _, tc := range []struct {
		name  string
		fault fieftest.Fault
		check func(error) bool
	}{
		{"5xx", fieftest.Fault{Status: 502, Body: "Bad Gateway"}, func(err error) bool {
			var re *fief.ResponseError
			return errors.As(err, &re) && re.StatusCode == 502
		}},
		{"HTML page", fieftest.Fault{Body: "<html>maintenance</html>", ContentType: "text/html"}, nil},
		{"truncated JSON", fieftest.Fault{Body: `{"issuer": "https://`}, nil},
		{"JSON not an object", fieftest.Fault{Body: `[]`}, nil},
		{"no issuer", fieftest.Fault{Body: `{}`}, nil},
		{"oversized", fieftest.Fault{Body: `{"x":"` + strings.Repeat("a", 2<<20) + `"}`}, func(err error) bool {
			return strings.Contains(err.Error(), "larger than")
		}},
	} {
		t.Run("discovery "+tc.name, func(t *testing.T) {
			tn := newTenant(t, fieftest.ClientConfig{})
			c := tn.fiefClient(t, func(cfg *fief.Config) { cfg.Clock = tn.srv.Now })
			tn.srv.FailNext(fieftest.EndpointDiscovery, 1, tc.fault)
			_, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI})
			if !errors.Is(err, fief.ErrUnavailable) || (tc.check != nil && !tc.check(err)) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			// Within a short back-off the failure answers for itself...
			if _, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI}); !errors.Is(err, fief.ErrUnavailable) {
				t.Fatalf("right after the failure: err = %v, want ErrUnavailable", err)
			}
			if n := tn.srv.RequestCount(fieftest.EndpointDiscovery); n != 1 {
				t.Fatalf("%d discovery requests within the back-off, want 1", n)
			}
			// ...but it is not kept: a second later the document is fetched.
			tn.srv.Advance(time.Second)
			if _, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI}); err != nil {
				t.Fatalf("after the back-off: %v", err)
			}
		})
	}
	t.Run("token endpoint 5xx", func(t *testing.T) {
		tn := newTenant(t, fieftest.ClientConfig{})
		c := tn.fiefClient(t, nil)
		tn.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: 503})
		_, _, err := c.Refresh(ctx, "r", nil)
		var re *fief.ResponseError
		if !errors.Is(err, fief.ErrUnavailable) || !errors.As(err, &re) || re.Op != "token" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("token endpoint 200 with an error object", func(t *testing.T) {
		tn := newTenant(t, fieftest.ClientConfig{})
		c := tn.fiefClient(t, nil)
		tn.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Body: `{"error":"invalid_grant"}`})
		_, _, err := c.Refresh(ctx, "r", nil)
		if !errors.Is(err, fief.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestContextCancelled(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	tn.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.AuthURL(ctx, fief.AuthURLParams{RedirectURI: redirectURI})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, fief.ErrUnavailable) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestDiscoveryFetchedOnce(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	c := tn.fiefClient(t, nil)
	tn.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Delay: 100 * time.Millisecond})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.AuthURL(context.Background(), fief.AuthURLParams{RedirectURI: redirectURI}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := tn.srv.RequestCount(fieftest.EndpointDiscovery); n != 1 {
		t.Fatalf("discovery fetched %d times for 50 concurrent first calls, want 1", n)
	}
}

func TestHTTPClientSetting(t *testing.T) {
	tn := newTenant(t, fieftest.ClientConfig{})
	var hits int
	var mu sync.Mutex
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		hits++
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := tn.fiefClient(t, func(cfg *fief.Config) { cfg.HTTPClient = hc })
	tn.signIn(t, c)
	if hits < 3 { // discovery, token, JWKS
		t.Fatalf("configured HTTP client made %d requests", hits)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
