package fiefhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// TestRevokedTokenTakesTheUnauthorizedPath: a webhook from Fief revokes a
// token in the decision every adapter shares: the middleware answers 401,
// CheckAuthorization classifies it unauthorized, an optional route runs anonymous,
// and the cached user info is gone.
func TestRevokedTokenTakesTheUnauthorizedPath(t *testing.T) {
	e := newFiefEnv(t)
	revocations := fief.NewRevocations(fief.RevocationsConfig{})
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Revocations: revocations})
	if err != nil {
		t.Fatal(err)
	}
	cache := fiefhttp.NewMemoryUserInfoCache(0, 0)
	auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: cache})
	webhooks, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{"s"}, Apply: fiefwebhook.Local{Revocations: revocations, UserInfo: cache}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, signedIn := fiefhttp.AccessTokenInfoFrom(r.Context()); !signedIn {
			w.WriteHeader(http.StatusAccepted) // anonymous
		}
	})
	mux.Handle("GET /perm", auth.CurrentUser(fiefhttp.Permissions("castles:read"))(ok))
	mux.Handle("GET /optional", auth.Authenticated(fiefhttp.Optional())(ok))
	mux.Handle("POST /webhooks", webhooks)
	app := httptest.NewServer(mux)
	defer app.Close()
	if _, err := e.srv.AddWebhook(fieftest.WebhookConfig{URL: app.URL + "/webhooks", Events: []string{"user_permission.deleted"}, Secret: "s"}); err != nil {
		t.Fatal(err)
	}

	call := func(path, token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	old := e.token(fieftest.TokenOptions{})
	if resp := call("/perm", old); resp.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	if _, _, cached, _ := cache.Get(context.Background(), e.user.ID); !cached {
		t.Fatal("user info not cached")
	}

	e.user.SetPermissions(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if resp := call("/perm", old); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("revoked token: %d %q, want 401 with a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp := call("/optional", old); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("revoked token on an optional route: %d, want the anonymous path", resp.StatusCode)
	}
	_, err = auth.CheckAuthorization(context.Background(), []string{"Bearer " + old}, auth.Route())
	if !errors.Is(err, fief.ErrTokenRevoked) || fiefhttp.Classify(err) != fiefhttp.OutcomeUnauthorized {
		t.Fatalf("CheckAuthorization: %v (%v), want ErrTokenRevoked, unauthorized", err, fiefhttp.Classify(err))
	}
	if _, _, cached, _ := cache.Get(context.Background(), e.user.ID); cached {
		t.Fatal("the user's cached info survived the revocation")
	}

	// A new token, issued after the event, is valid but lacks the permission.
	e.srv.Advance(2 * time.Second)
	fresh := e.token(fieftest.TokenOptions{})
	if resp := call("/perm", fresh); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("new token: %d, want 403", resp.StatusCode)
	}
}

// TestCachedUserInfoDoesNotOutliveARevocation: claims cached before a
// user's revocation are not served to a token issued after it (a new
// sign-in after a password reset, say): they are fetched from Fief again.
func TestCachedUserInfoDoesNotOutliveARevocation(t *testing.T) {
	e := newFiefEnv(t)
	revocations := fief.NewRevocations(fief.RevocationsConfig{})
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Revocations: revocations, Clock: e.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	cache := fiefhttp.NewMemoryUserInfoCache(0, time.Hour)
	auth := fiefhttp.New(client, fiefhttp.Config{UserInfoCache: cache})
	if err := cache.Set(t.Context(), e.user.ID, fief.UserInfo{"sub": e.user.ID, "email": "before@bretagne.duchy"}); err != nil {
		t.Fatal(err)
	}
	revocations.Revoke(e.user.ID, e.srv.Now())
	e.srv.Advance(2 * time.Second)
	before := e.srv.RequestCount(fieftest.EndpointUserInfo)
	w := serve(auth.CurrentUser()(userHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	if w.Code != http.StatusOK || w.Body.String() != testEmail {
		t.Fatalf("got %d %q, want 200 %q: claims cached before the revocation were served", w.Code, w.Body, testEmail)
	}
	if calls := e.srv.RequestCount(fieftest.EndpointUserInfo) - before; calls != 1 {
		t.Errorf("%d userinfo calls, want 1", calls)
	}
	// The claims fetched after the revocation are cached and used.
	w = serve(auth.CurrentUser()(userHandler), "Bearer "+e.token(fieftest.TokenOptions{}))
	if calls := e.srv.RequestCount(fieftest.EndpointUserInfo) - before; w.Code != http.StatusOK || calls != 1 {
		t.Errorf("second request: %d, %d userinfo calls in all, want 200 and 1", w.Code, calls)
	}
}
