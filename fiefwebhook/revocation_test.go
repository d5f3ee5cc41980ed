package fiefwebhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// revEnv is an application receiving Fief's webhooks (a fieftest server
// sends them, with Fief's bodies and retry schedule) and validating tokens
// against the revocations they fill.
type revEnv struct {
	t       *testing.T
	srv     *fieftest.Server
	rev     *fief.Revocations
	client  *fief.Client
	handler *fiefwebhook.Handler
	app     *httptest.Server
}

const revSecret = "the webhook's secret"

// allEvents are the event types that matter to access.
var allEvents = []string{
	"user.updated", "user.deleted", "user.password_reset", "user_permission.deleted", "user_role.deleted",
	"role.created", "role.updated", "role.deleted", "permission.updated", "permission.deleted",
}

// newRevEnv starts the application on a new server; cfg's Secrets, Clock
// and Apply are filled in when empty. The application's clock is the
// server's.
func newRevEnv(t *testing.T, cfg fiefwebhook.Config) *revEnv {
	t.Helper()
	e := newRevServer(t)
	e.start(cfg)
	return e
}

// newRevServer starts the server and the application's client, not yet
// its webhook handler (see start).
func newRevServer(t *testing.T) *revEnv {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	e := &revEnv{t: t, srv: srv, rev: fief.NewRevocations(fief.RevocationsConfig{Clock: srv.Now})}
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	e.client, err = fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now, Revocations: e.rev})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// start starts the webhook handler and its HTTP server.
func (e *revEnv) start(cfg fiefwebhook.Config) {
	e.t.Helper()
	if cfg.Secrets == nil {
		cfg.Secrets = []string{revSecret}
	}
	if cfg.Clock == nil {
		cfg.Clock = e.srv.Now
	}
	if cfg.Apply == nil {
		cfg.Apply = fiefwebhook.Local{Revocations: e.rev}
	}
	var err error
	if e.handler, err = fiefwebhook.NewHandler(cfg); err != nil {
		e.t.Fatal(err)
	}
	e.app = httptest.NewServer(e.handler)
	e.t.Cleanup(e.app.Close)
}

// listen registers the application's webhook at the server.
func (e *revEnv) listen(url string) {
	if _, err := e.srv.AddWebhook(fieftest.WebhookConfig{URL: url, Events: allEvents, Secret: revSecret}); err != nil {
		e.t.Fatal(err)
	}
}

// deliver waits until the server has made every attempt due.
func (e *revEnv) deliver() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.WaitWebhooks(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// admin returns an admin API client of the server.
func (e *revEnv) admin() *fiefadmin.Client {
	e.t.Helper()
	a, err := fiefadmin.New(fiefadmin.Config{ServerURL: e.srv.URL, APIKey: fiefadmin.APIKey(e.srv.AdminAPIKey()), HTTPClient: e.srv.Client()})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// mint returns a token of the user as Fief issues it now (a refresh), with
// the user's permissions, or these ones.
func (e *revEnv) mint(u *fieftest.User, permissions ...string) string {
	return e.srv.MintAccessToken(u.ID, fieftest.TokenOptions{Permissions: permissions})
}

// accepted reports whether the application accepts the token; any refusal
// but ErrTokenRevoked fails the test.
func (e *revEnv) accepted(token string) bool {
	e.t.Helper()
	_, err := e.client.ValidateAccessToken(context.Background(), token, fief.Requirements{})
	if err != nil && !errors.Is(err, fief.ErrTokenRevoked) {
		e.t.Fatalf("token refused with %v, want accepted or ErrTokenRevoked", err)
	}
	return err == nil
}

func TestInactiveUserBlockedWhateverTheTokenIat(t *testing.T) {
	e := newRevEnv(t, fiefwebhook.Config{})
	e.listen(e.app.URL)
	anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := e.srv.AddUser(fieftest.UserConfig{Email: "bob@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.mint(anne)
	if !e.accepted(before) {
		t.Fatal("a token of an active user is refused")
	}

	anne.SetActive(false) // user.updated with is_active: false
	e.deliver()
	if e.accepted(before) {
		t.Fatal("a token issued before the deactivation is accepted")
	}
	// Fief refreshes an inactive user's tokens: the new ones carry a later
	// iat, seconds or weeks later.
	for _, later := range []time.Duration{2 * time.Second, 60 * 24 * time.Hour} {
		e.srv.Advance(later)
		if e.accepted(e.mint(anne)) {
			t.Fatalf("a token of the inactive user issued %v after the deactivation is accepted", later)
		}
	}
	if !e.accepted(e.mint(bob)) {
		t.Fatal("another user's token is refused")
	}

	anne.SetActive(true) // user.updated with is_active: true
	e.deliver()
	e.srv.Advance(time.Second)
	if !e.accepted(e.mint(anne)) {
		t.Fatal("a token issued after the reactivation is refused")
	}
}

func TestDeletedUserBlockedWhateverTheTokenIat(t *testing.T) {
	e := newRevEnv(t, fiefwebhook.Config{})
	e.listen(e.app.URL)
	anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	// A token issued just after the deletion is received (Fief's clock a
	// little ahead, or a refresh racing the deletion).
	e.srv.Advance(time.Minute)
	racing := e.mint(anne)
	e.srv.Advance(-time.Minute)
	e.srv.DefaultTenant().RemoveUser(anne.ID)
	e.deliver()
	e.srv.Advance(2 * time.Minute)
	if e.accepted(racing) {
		t.Fatal("a token of the deleted user issued after the deletion is accepted")
	}
}

// TestRevocationOutlivesAccessTokenLifetime: a revocation is kept for the
// life of a session (30 days by default), not for an access token's day.
func TestRevocationOutlivesAccessTokenLifetime(t *testing.T) {
	e := newRevEnv(t, fiefwebhook.Config{})
	e.listen(e.app.URL)
	anne, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		t.Fatal(err)
	}
	long := e.srv.MintAccessToken(anne.ID, fieftest.TokenOptions{Lifetime: 40 * 24 * time.Hour})
	anne.ResetPassword("a brand new password")
	e.deliver()
	for _, d := range []time.Duration{time.Hour, 2 * 24 * time.Hour, 27 * 24 * time.Hour} {
		e.srv.Advance(d)
		if e.accepted(long) {
			t.Fatalf("the revoked token is accepted again %v later", d)
		}
	}
	if fief.DefaultRevocationKeep < 30*24*time.Hour {
		t.Fatalf("DefaultRevocationKeep %v is shorter than the default session lifetime", fief.DefaultRevocationKeep)
	}
}

// newServer serves h on loopback until the test ends, and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}
