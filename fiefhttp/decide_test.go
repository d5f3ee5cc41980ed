package fiefhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want fiefhttp.Outcome
	}{
		{"nil", nil, fiefhttp.OutcomeAllowed},
		{"no token", fiefhttp.ErrNoToken, fiefhttp.OutcomeUnauthorized},
		{"malformed", fiefhttp.ErrMalformedToken, fiefhttp.OutcomeUnauthorized},
		{"expired", fief.ErrTokenExpired, fiefhttp.OutcomeUnauthorized},
		{"scope", fief.ErrMissingScope, fiefhttp.OutcomeForbidden},
		{"acr", fief.ErrACRTooLow, fiefhttp.OutcomeForbidden},
		{"permission", fief.ErrMissingPermission, fiefhttp.OutcomeForbidden},
		{"unavailable", fief.ErrUnavailable, fiefhttp.OutcomeUnavailable},
		{"other", errors.New("store down"), fiefhttp.OutcomeUnavailable},
	}
	for _, c := range cases {
		if got := fiefhttp.Classify(c.err); got != c.want {
			t.Errorf("%s: Classify = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestCheckAuthorization drives the decision the adapters share without an
// HTTP request, as a gRPC server does.
func TestCheckAuthorization(t *testing.T) {
	e := newFiefEnv(t)
	auth := fiefhttp.New(e.client, fiefhttp.Config{})
	token := e.token(fieftest.TokenOptions{})
	user := e.user

	ctx, err := auth.CheckAuthorization(context.Background(), bearer(token), auth.Route(fiefhttp.Permissions("castles:read"), fiefhttp.WithUser()))
	if err != nil {
		t.Fatalf("CheckAuthorization: %v", err)
	}
	info, ok := fiefhttp.AccessTokenInfoFrom(ctx)
	if !ok || info.ID != user.ID {
		t.Fatalf("AccessTokenInfoFrom = %v, %v; want the user %s", info.ID, ok, user.ID)
	}
	if u, ok := fiefhttp.UserInfoFrom(ctx); !ok || u["email"] != testEmail {
		t.Fatalf("UserInfoFrom = %v, %v", u, ok)
	}

	if _, err := auth.CheckAuthorization(context.Background(), bearer(token), auth.Route(fiefhttp.Permissions("write"))); fiefhttp.Classify(err) != fiefhttp.OutcomeForbidden {
		t.Errorf("missing permission: err %v, outcome %v; want forbidden", err, fiefhttp.Classify(err))
	}
	if _, err := auth.CheckAuthorization(context.Background(), bearer(""), auth.Route()); !errors.Is(err, fiefhttp.ErrNoToken) {
		t.Errorf("no token: err %v, want ErrNoToken", err)
	}
	ctx, err = auth.CheckAuthorization(context.Background(), bearer(""), auth.Route(fiefhttp.Optional()))
	if err != nil {
		t.Fatalf("optional without token: %v", err)
	}
	if _, ok := fiefhttp.AccessTokenInfoFrom(ctx); ok {
		t.Error("optional without token: the context carries a token")
	}
}

// TestFailAnswersLikeMiddleware: Fail gives the same answer as the
// middleware for each outcome.
func TestFailAnswersLikeMiddleware(t *testing.T) {
	auth := fiefhttp.New(newFiefEnv(t).client, fiefhttp.Config{})
	for _, err := range []error{fiefhttp.ErrNoToken, fief.ErrMissingScope, fief.ErrUnavailable} {
		rec := httptest.NewRecorder()
		auth.Fail(rec, httptest.NewRequest(http.MethodGet, "/", nil), err)
		want := map[fiefhttp.Outcome]int{
			fiefhttp.OutcomeUnauthorized: 401, fiefhttp.OutcomeForbidden: 403, fiefhttp.OutcomeUnavailable: 503,
		}[fiefhttp.Classify(err)]
		if rec.Code != want {
			t.Errorf("Fail(%v): status %d, want %d", err, rec.Code, want)
		}
	}
}

func TestRouteTable(t *testing.T) {
	e := newFiefEnv(t)
	auth := fiefhttp.New(e.client, fiefhttp.Config{})
	table := auth.RouteTable(
		[]fiefhttp.RouteOption{fiefhttp.Permissions("castles:read")},
		map[string][]fiefhttp.RouteOption{"/write": {fiefhttp.Permissions("castles:write")}, "/both": nil},
		[]string{"/ping", "/both"},
	)
	token := e.token(fieftest.TokenOptions{})
	// A public name is not checked at all: even a token that is not one
	// passes.
	for _, c := range []struct {
		name, token string
		want        fiefhttp.Outcome
	}{
		{"/ping", "", fiefhttp.OutcomeAllowed},
		{"/ping", "not-a-token", fiefhttp.OutcomeAllowed},
		{"/both", "not-a-token", fiefhttp.OutcomeAllowed},
		{"/write", token, fiefhttp.OutcomeForbidden},
		{"/other", token, fiefhttp.OutcomeAllowed},
		{"/other", "", fiefhttp.OutcomeUnauthorized},
		{"/other", "not-a-token", fiefhttp.OutcomeUnauthorized},
	} {
		_, err := auth.CheckAuthorization(context.Background(), bearer(c.token), table.Lookup(c.name))
		if got := fiefhttp.Classify(err); got != c.want {
			t.Errorf("%s with token %q: %v, want %v", c.name, c.token, got, c.want)
		}
	}
}

func bearer(token string) []string {
	if token == "" {
		return nil
	}
	return []string{"Bearer " + token}
}
