package fiefcli_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// TestStrayCallbackLogsToSlogDefault: with no logger configured, a request
// to the callback without the sign-in's state is a warning in
// slog.Default.
func TestStrayCallbackLogsToSlogDefault(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	rec := logtest.UseAsDefault(t)

	var (
		again       int
		redirectURI string
	)
	open := func(authURL string) error {
		resp, err := e.srv.Client().Get(authURL) // to the callback, which handles it
		if err != nil {
			return err
		}
		resp.Body.Close()
		resp, err = http.Get(redirectURI + "?state=not-this-sign-in&code=y")
		if err != nil {
			return err
		}
		resp.Body.Close()
		again = resp.StatusCode
		return nil
	}
	a := e.auth(t, open, nil)
	redirectURI = a.RedirectURI()
	if _, err := a.Authorize(t.Context()); err != nil {
		t.Fatal(err)
	}
	if again != http.StatusBadRequest {
		t.Errorf("second request: %d, want 400", again)
	}
	if got := rec.Text(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "without this sign-in's state") || strings.Contains(got, "not-this-sign-in") {
		t.Errorf("slog.Default got %q", got)
	}
}

// TestSignInFailureLeaksNoSecret: a refused secret is logged (debug) and
// returned with its fix, and neither holds the secret or the code.
func TestSignInFailureLeaksNoSecret(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	conf, err := e.srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: conf.ClientID, ClientSecret: "wrong-secret-1234", HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	rec, logger := logtest.New()
	var (
		mu   sync.Mutex
		seen []string
	)
	hc := e.srv.Client()
	hc.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.URL.Query()["code"]...)
		return nil
	}
	b := newBrowser(hc)
	a, err := fiefcli.New(client, fiefcli.Config{CredentialsPath: e.path, Port: e.port, OpenBrowser: b.open, Output: &strings.Builder{}, Logger: logger, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	conf.AddRedirectURI(a.RedirectURI())
	_, err = a.Authorize(t.Context())
	var re *fief.ResponseError
	if !errors.As(err, &re) || re.Code != "invalid_client" || !strings.Contains(err.Error(), "FIEF_CLIENT_SECRET") {
		t.Fatalf("err = %v, want invalid_client naming FIEF_CLIENT_SECRET", err)
	}
	if got := rec.Text(); !strings.Contains(got, "fiefcli: sign-in failed") || !strings.Contains(got, "invalid_client") {
		t.Errorf("log %q", got)
	}
	rec.AddError(err)
	_, page := b.page()
	rec.AddText(page)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no code seen")
	}
	rec.NoSecrets(t, append(seen, "wrong-secret-1234", conf.ClientSecret)...)
}

// TestAuthCheckOptions: the check knows the program's redirect URI.
func TestAuthCheckOptions(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.auth(t, nil, nil)
	if got, want := a.CheckOptions().RedirectURI, a.RedirectURI(); got != want {
		t.Fatalf("RedirectURI %q, want %q", got, want)
	}
	if r := e.client.Check(t.Context(), a.CheckOptions()); !r.OK() {
		t.Errorf("report:\n%s", r)
	}
	other := e.auth(t, nil, func(c *fiefcli.Config) { c.Port = e.port + 1 })
	r := e.client.Check(t.Context(), other.CheckOptions())
	if f, _ := r.Finding(fief.FindingRedirectURI); f.Verdict != fief.VerdictFailure || !strings.Contains(f.Fix, other.RedirectURI()) {
		t.Errorf("other port: %+v", f)
	}
}
