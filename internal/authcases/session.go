package authcases

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// WebSessionRefreshedAndRevoked checks that a web application built on an
// adapter gets what fiefhttp's middleware does, from the decision they
// share, with sealed-cookie sessions: an expired access token is refreshed
// before the handler runs, which sees the new token, and a revocation of
// the user (as after a Fief webhook) ends the session without a refresh.
//
// routes builds the application with the framework under test: GET /token
// protected by auth, answering the request's access token as its body, and
// GET /auth-callback served by callback.
func WebSessionRefreshedAndRevoked(t *testing.T, routes func(auth *fiefhttp.Auth, callback http.HandlerFunc) http.Handler) {
	t.Helper()
	const lifetime = 10 * time.Minute
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: lifetime})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: Email, Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	revocations := fief.NewRevocations(fief.RevocationsConfig{Clock: srv.Now})
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now, Revocations: revocations})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, CookieKeys: [][]byte{bytes.Repeat([]byte{1}, 32)}, InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(routes(flow.Auth(), flow.Callback))
	t.Cleanup(app.Close)
	fc.AddRedirectURI(app.URL + "/auth-callback")

	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, app.URL+"/token")
	resp, first := browsertest.LogIn(t, b, resp, page, Email, "herminetincture")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/token" || first == "" {
		t.Fatalf("sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	srv.Advance(lifetime)
	tokens := srv.RequestCount(fieftest.EndpointToken)
	resp, fresh := browsertest.Get(t, b, app.URL+"/token")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/token" || fresh == first {
		t.Fatalf("after the access token expired: %d at %s, new token %v", resp.StatusCode, resp.Request.URL, fresh != first)
	}
	if n := srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 {
		t.Fatalf("%d token requests, want one refresh", n)
	}
	if _, err := client.ValidateAccessToken(t.Context(), fresh, fief.Requirements{}); err != nil {
		t.Fatalf("the handler's token: %v", err)
	}

	srv.Advance(2 * time.Second)
	revocations.Revoke(user.ID, srv.Now())
	srv.Advance(lifetime) // the next request would refresh
	tokens = srv.RequestCount(fieftest.EndpointToken)
	req, _ := http.NewRequest(http.MethodGet, app.URL+"/token", nil)
	req.Header.Set("Sec-Fetch-Mode", "cors")
	resp, err = b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if browsertest.Body(t, resp); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the revoked user's session: %d, want 401", resp.StatusCode)
	}
	if n := srv.RequestCount(fieftest.EndpointToken) - tokens; n != 0 {
		t.Fatalf("the revoked session was refreshed (%d token requests)", n)
	}
}
