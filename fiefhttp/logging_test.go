package fiefhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// signInApp is a web application whose Fief client is configured by the
// test, with no logger anywhere unless the test sets one.
type signInApp struct {
	srv  *fieftest.Server
	app  *httptest.Server
	flow *fiefhttp.WebFlow
}

func newSignInApp(t *testing.T, srv *fieftest.Server, fc *fieftest.Client, cfg fief.Config, wc fiefhttp.WebConfig) *signInApp {
	t.Helper()
	cfg.BaseURL, cfg.HTTPClient = srv.URL, srv.Client()
	client, err := fief.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := &signInApp{srv: srv}
	mux := http.NewServeMux()
	a.app = httptest.NewServer(mux)
	t.Cleanup(a.app.Close)
	wc.BaseURL, wc.InsecureCookies = a.app.URL, true
	if a.flow, err = fiefhttp.NewWebFlow(client, wc); err != nil {
		t.Fatal(err)
	}
	mux.Handle("GET /protected", a.flow.Auth().CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		w.Write([]byte("email: " + u.Email()))
	})))
	mux.HandleFunc("GET /auth-callback", a.flow.Callback)
	fc.AddRedirectURI(a.app.URL + "/auth-callback")
	return a
}

// signIn follows the flow to the callback (auto-login on) and returns the
// callback's answer, with the secrets the browser saw on the way: the
// authorization code and the flow cookie's value.
func (a *signInApp) signIn(t *testing.T, email string, edit func(cb *url.URL)) (*http.Response, string, []string) {
	t.Helper()
	a.srv.SetAutoLogin(email)
	b := browsertest.New(t)
	nr := browsertest.NoRedirect(b)
	resp, _ := browsertest.Get(t, nr, a.app.URL+"/protected")
	resp, _ = browsertest.Get(t, nr, resp.Header.Get("Location"))
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(cb.String(), a.app.URL+"/auth-callback?") {
		t.Fatalf("Fief sent the browser to %q", resp.Header.Get("Location"))
	}
	seen := []string{cb.Query().Get("code")}
	appURL, _ := url.Parse(a.app.URL + "/auth-callback")
	for _, c := range b.Jar.Cookies(appURL) {
		seen = append(seen, c.Value)
	}
	if edit != nil {
		edit(cb)
	}
	resp, body := browsertest.Get(t, nr, cb.String())
	for _, c := range resp.Cookies() {
		seen = append(seen, c.Value)
	}
	return resp, body, seen
}

// TestFailingCallbackLogsToSlogDefault: with no logger configured anywhere,
// a wrong client secret shows in the application's log, with the fix.
func TestFailingCallbackLogsToSlogDefault(t *testing.T) {
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	rec := logtest.UseAsDefault(t)
	a := newSignInApp(t, srv, fc, fief.Config{ClientID: fc.ClientID, ClientSecret: "wrong-secret-1234"}, fiefhttp.WebConfig{})
	resp, body, seen := a.signIn(t, user.Email(), nil)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("callback: %d %q, want 502", resp.StatusCode, body)
	}
	got := rec.Text()
	for _, want := range []string{"level=WARN", "fiefhttp: sign-in failed", "invalid_client", "FIEF_CLIENT_SECRET", "public"} {
		if !strings.Contains(got, want) {
			t.Errorf("slog.Default got %q, want %q", got, want)
		}
	}
	rec.AddText(body)
	rec.NoSecrets(t, append(seen, "wrong-secret-1234", fc.ClientSecret)...)
}

// TestSignInFailuresLeakNoSecret runs the failure cases of the sign-in with
// a recording logger, and scans every log line, error page and error for
// the tokens, codes, cookie values and secrets used.
func TestSignInFailuresLeakNoSecret(t *testing.T) {
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	plain, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	rec, logger := logtest.New()
	secrets := []string{plain.ClientSecret, encrypted.ClientSecret, "wrong-secret-1234", encrypted.EncryptionKey[strings.Index(encrypted.EncryptionKey, `"d":"`)+5:][:40]}

	tests := []struct {
		name       string
		fc         *fieftest.Client
		cfg        fief.Config
		fault      *fieftest.Fault
		edit       func(cb *url.URL)
		wantStatus int
		wantLog    []string
	}{
		{"wrong secret", plain, fief.Config{ClientSecret: "wrong-secret-1234"}, nil, nil, 502, []string{"invalid_client", "FIEF_CLIENT_SECRET"}},
		{"encrypted ID token, no key", encrypted, fief.Config{}, nil, nil, 500, []string{"ID token encryption mismatch", "set Config.EncryptionKey"}},
		{"plain ID token, key set", plain, fief.Config{EncryptionKey: encrypted.EncryptionKey}, nil, nil, 500, []string{"ID token encryption mismatch", "remove Config.EncryptionKey"}},
		{"token endpoint down", plain, fief.Config{}, &fieftest.Fault{Status: 503, Body: `{"detail":"SERVER_DATABASE_NOT_AVAILABLE"}`}, nil, 502, []string{"HTTP 503"}},
		{"Fief's error", plain, fief.Config{}, nil, func(cb *url.URL) {
			q := cb.Query()
			q.Del("code")
			q.Set("error", "invalid_scope")
			cb.RawQuery = q.Encode()
		}, 400, []string{"Fief answered the sign-in with an error", "invalid_scope"}},
		{"tampered flow", plain, fief.Config{}, nil, func(cb *url.URL) {
			q := cb.Query()
			q.Set("state", strings.Repeat("A", 43))
			cb.RawQuery = q.Encode()
		}, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.ClientID = tt.fc.ClientID
			if cfg.ClientSecret == "" {
				cfg.ClientSecret = tt.fc.ClientSecret
			}
			cfg.Logger = logger
			a := newSignInApp(t, srv, tt.fc, cfg, fiefhttp.WebConfig{})
			if tt.fault != nil {
				srv.FailNext(fieftest.EndpointToken, 1, *tt.fault)
			}
			before := len(rec.Lines())
			resp, body, seen := a.signIn(t, user.Email(), tt.edit)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("callback: %d %q, want %d", resp.StatusCode, body, tt.wantStatus)
			}
			logged := strings.Join(rec.Lines()[before:], "\n")
			for _, want := range tt.wantLog {
				if !strings.Contains(logged, want) {
					t.Errorf("log %q lacks %q", logged, want)
				}
			}
			rec.AddText(body)
			secrets = append(secrets, seen...)
		})
	}
	// A sign-in that works, for its session cookie (the access token).
	a := newSignInApp(t, srv, plain, fief.Config{ClientID: plain.ClientID, ClientSecret: plain.ClientSecret, Logger: logger}, fiefhttp.WebConfig{})
	resp, body, seen := a.signIn(t, user.Email(), nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("good sign-in: %d %q", resp.StatusCode, body)
	}
	secrets = append(secrets, seen...)
	if n := rec.NoSecrets(t, secrets...); n < len(tests) {
		t.Errorf("only %d texts scanned", n)
	}
}

// TestAuthUsesClientLogger: Auth and WebFlow log to the client's logger
// unless given their own.
func TestAuthUsesClientLogger(t *testing.T) {
	e := newFiefEnv(t)
	rec, logger := logtest.New()
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	token := e.token(fieftest.TokenOptions{})
	e.srv.FailNext(fieftest.EndpointUserInfo, 1, fieftest.Fault{Status: 500})
	w := serve(fiefhttp.New(client, fiefhttp.Config{}).CurrentUser()(infoHandler), "Bearer "+token)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
	if got := rec.Text(); !strings.Contains(got, "fiefhttp: Fief unavailable") {
		t.Errorf("client logger got %q", got)
	}
	rec.NoSecrets(t, token, e.fc.ClientSecret)

	own, ownLogger := logtest.New()
	e.srv.FailNext(fieftest.EndpointUserInfo, 1, fieftest.Fault{Status: 500})
	before := len(rec.Lines())
	serve(fiefhttp.New(client, fiefhttp.Config{Logger: ownLogger}).CurrentUser()(infoHandler), "Bearer "+token)
	if len(rec.Lines()) != before || !strings.Contains(own.Text(), "Fief unavailable") {
		t.Errorf("Config.Logger not used: client's %q, own %q", rec.Text(), own.Text())
	}
}

// TestWebFlowCheckOptions: the flow gives the check its redirect URI when
// WebConfig.BaseURL is set, and says why not otherwise.
func TestWebFlowCheckOptions(t *testing.T) {
	e := newFiefEnv(t)
	flow, err := fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{BaseURL: "http://app.localhost:8000/", CallbackPath: "/cb"})
	if err != nil {
		t.Fatal(err)
	}
	opts := flow.CheckOptions()
	if opts.RedirectURI != "http://app.localhost:8000/cb" {
		t.Errorf("RedirectURI %q", opts.RedirectURI)
	}
	r := e.client.Check(context.Background(), opts)
	if f, _ := r.Finding(fief.FindingRedirectURI); f.Verdict != fief.VerdictFailure || !strings.Contains(f.Fix, `add "http://app.localhost:8000/cb"`) {
		t.Errorf("unregistered: %+v", f)
	}
	e.fc.AddRedirectURI("http://app.localhost:8000/cb")
	if r := e.client.Check(context.Background(), opts); !r.OK() {
		t.Errorf("registered: report\n%s", r)
	}

	flow, err = fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r = e.client.Check(context.Background(), flow.CheckOptions())
	if f, _ := r.Finding(fief.FindingRedirectURI); f.Verdict != fief.VerdictSkipped || !strings.Contains(f.Detail, "WebConfig.BaseURL is not set") {
		t.Errorf("without BaseURL: %+v", f)
	}
	if f, ok := r.Finding(fiefhttp.FindingSessionStore); ok {
		t.Errorf("sessions in cookies: %+v, want no session store finding", f)
	}
}

// TestWebFlowCheckWarnsOfTheMemoryStore: server-side sessions in the
// memory of the process are a warning of the startup check (lost on
// restart, not shared, bounded); a shared store is not.
func TestWebFlowCheckWarnsOfTheMemoryStore(t *testing.T) {
	e := newFiefEnv(t)
	for _, tt := range []struct {
		name  string
		store fiefhttp.SessionStore
		want  fief.Verdict
	}{
		{"default store", nil, fief.VerdictWarning},
		{"memory store", fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{}), fief.VerdictWarning},
		{"another store", otherStore{fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{})}, fief.VerdictOK},
	} {
		flow, err := fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: tt.store})
		if err != nil {
			t.Fatal(err)
		}
		r := e.client.Check(t.Context(), flow.CheckOptions())
		f, ok := r.Finding(fiefhttp.FindingSessionStore)
		if !ok || f.Verdict != tt.want || (tt.want == fief.VerdictWarning && !strings.Contains(f.Fix, "fiefredis")) {
			t.Errorf("%s: finding %+v (found %v), want %v", tt.name, f, ok, tt.want)
		}
		if tt.want == fief.VerdictWarning && !strings.Contains(r.String(), "WARNING  session_store") {
			t.Errorf("%s: report\n%s", tt.name, r)
		}
	}
}

// otherStore is a SessionStore that is not the memory store, as the
// check sees it (a shared store, such as fiefredis's, in a real setup).
type otherStore struct{ fiefhttp.SessionStore }
