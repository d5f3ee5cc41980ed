package fiefcli_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
	"golang.org/x/oauth2"
)

// TestTokenSourceCallsProtectedAPI: oauth2.NewClient with the signed-in
// user's token source calls a protected API, and refreshes (once, saved)
// when the token has expired.
func TestTokenSourceCallsProtectedAPI(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.signIn(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := e.client.ValidateAccessToken(r.Context(), tok, fief.Requirements{Permissions: []string{"castles:read"}}); err != nil {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("castles"))
	}))
	defer api.Close()

	get := func() int {
		t.Helper()
		// A new client each time: oauth2.NewClient's own cache works on
		// the real clock, the test's Fief on an advanced one.
		resp, err := oauth2.NewClient(t.Context(), a.TokenSource()).Get(api.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tokens := e.srv.RequestCount(fieftest.EndpointToken)
	if got := get(); got != http.StatusOK {
		t.Fatalf("status %d with the stored token", got)
	}
	before := e.stored(t)
	e.srv.Advance(2 * tokenLife)
	if got := get(); got != http.StatusOK {
		t.Fatalf("status %d after expiry", got)
	}
	if n := e.srv.RequestCount(fieftest.EndpointToken) - tokens; n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
	if e.stored(t).refreshToken() == before.refreshToken() {
		t.Error("the rotated refresh token was not saved")
	}
}

func TestTokenSourceNotSignedIn(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.auth(t, nil, nil)
	if _, err := a.TokenSource().Token(); !errors.Is(err, fiefcli.ErrNotSignedIn) {
		t.Fatalf("Token() = %v, want ErrNotSignedIn", err)
	}
}
