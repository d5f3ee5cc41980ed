package fiefhttp_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// TestRevokedSealedSessionStaysRevoked: after a password reset, a copy of
// the victim's sealed cookie (which cannot be recalled) is refused for the
// session's whole life, not only for the day an access token lives.
func TestRevokedSealedSessionStaysRevoked(t *testing.T) {
	e := newSessionEnv(t)
	e.revocations = fief.NewRevocations(fief.RevocationsConfig{Clock: e.srv.Now})
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie})
	webhooks, err := fiefwebhook.NewHandler(fiefwebhook.Config{Secrets: []string{"s"}, Clock: e.srv.Now, Apply: fiefwebhook.Local{Revocations: e.revocations}})
	if err != nil {
		t.Fatal(err)
	}
	a.mux.Handle("POST /webhooks", webhooks)
	if _, err := e.srv.AddWebhook(fieftest.WebhookConfig{URL: a.app.URL + "/webhooks", Events: []string{"user.password_reset"}, Secret: "s"}); err != nil {
		t.Fatal(err)
	}
	stolen := a.cookie(t, a.signIn(t))
	if w := a.get("/token", stolen); w.Code != http.StatusOK {
		t.Fatalf("before the reset: %d", w.Code)
	}

	e.user.ResetPassword("a brand new password")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{time.Minute, 2 * 24 * time.Hour, 27 * 24 * time.Hour} {
		e.srv.Advance(d)
		if w := a.get("/token", stolen); w.Code != http.StatusUnauthorized {
			t.Fatalf("the revoked session's cookie answers %d after %v more, want 401", w.Code, d)
		}
	}
}

// TestNewWebFlowRefusesRevocationsShorterThanSessions: revocations kept for
// less than the sessions they must end are a configuration error.
func TestNewWebFlowRefusesRevocationsShorterThanSessions(t *testing.T) {
	e := newSessionEnv(t)
	tests := []struct {
		keep, lifetime time.Duration
		storage        fiefhttp.Storage
		ok             bool
	}{
		{0, 0, fiefhttp.StorageSealedCookie, true},
		{0, 0, fiefhttp.StorageServer, true},
		{24 * time.Hour, 0, fiefhttp.StorageSealedCookie, false},
		{24 * time.Hour, 0, fiefhttp.StorageServer, false},
		{0, 60 * 24 * time.Hour, fiefhttp.StorageSealedCookie, false},
		{24 * time.Hour, 12 * time.Hour, fiefhttp.StorageSealedCookie, true},
		{time.Hour, 0, fiefhttp.StorageAccessToken, true}, // no session beyond the token
	}
	for _, tt := range tests {
		rev := fief.NewRevocations(fief.RevocationsConfig{Keep: tt.keep})
		client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Revocations: rev})
		if err != nil {
			t.Fatal(err)
		}
		_, err = fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{Storage: tt.storage, SessionLifetime: tt.lifetime, CookieKeys: e.keys})
		var ce *fief.ConfigError
		if tt.ok != (err == nil) || (err != nil && (!errors.As(err, &ce) || ce.Field != "fiefhttp.WebConfig.SessionLifetime")) {
			t.Errorf("keep %v, lifetime %v, storage %v: %v, want ok = %v (else a ConfigError on SessionLifetime)", tt.keep, tt.lifetime, tt.storage, err, tt.ok)
		}
	}
}
