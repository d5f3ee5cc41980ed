package fief_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/logtest"
)

// checkEnv is a fieftest server with a confidential and a public client,
// both allowing redirectURI.
type checkEnv struct {
	srv          *fieftest.Server
	confidential *fieftest.Client
	public       *fieftest.Client
}

func newCheckEnv(t *testing.T) *checkEnv {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	confidential, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	public, err := srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	return &checkEnv{srv: srv, confidential: confidential, public: public}
}

func (e *checkEnv) config() fief.Config {
	return fief.Config{BaseURL: e.srv.URL, ClientID: e.confidential.ClientID, ClientSecret: e.confidential.ClientSecret, HTTPClient: e.srv.Client()}
}

// runCheck runs CheckConfig with a recording logger, and fails the test if
// the report, its JSON or a log line holds one of the secrets.
func runCheck(t *testing.T, cfg fief.Config, opts fief.CheckOptions, secrets ...string) *fief.Report {
	t.Helper()
	rec, logger := logtest.New()
	cfg.Logger = logger
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, r := fief.CheckConfig(ctx, cfg, opts)
	if _, probed := r.Finding(fief.FindingReachable); probed == (c == nil) {
		t.Errorf("client %v with report:\n%s", c, r)
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + r.String())
	rec.AddText(r.String())
	rec.AddText(string(j))
	rec.NoSecrets(t, append(secrets, cfg.ClientSecret)...)
	return r
}

// wantFinding fails unless the report has the finding with the verdict,
// and the texts in its detail or fix.
func wantFinding(t *testing.T, r *fief.Report, name string, v fief.Verdict, texts ...string) {
	t.Helper()
	f, ok := r.Finding(name)
	if !ok {
		t.Fatalf("no %s finding in:\n%s", name, r)
	}
	if f.Verdict != v {
		t.Errorf("%s: verdict %s, want %s, in:\n%s", name, f.Verdict, v, r)
	}
	for _, s := range texts {
		if !strings.Contains(f.Detail+" | "+f.Fix, s) {
			t.Errorf("%s: %q lacks %q", name, f.Detail+" | fix: "+f.Fix, s)
		}
	}
	if v >= fief.VerdictWarning && f.Fix == "" {
		t.Errorf("%s: %s without a fix", name, v)
	}
}

func TestCheckAllGood(t *testing.T) {
	e := newCheckEnv(t)
	e.srv.KeySize = 0
	before := map[fieftest.Endpoint]int{}
	for _, ep := range []fieftest.Endpoint{fieftest.EndpointDiscovery, fieftest.EndpointJWKS, fieftest.EndpointAuthorize, fieftest.EndpointToken} {
		before[ep] = e.srv.RequestCount(ep)
	}
	r := runCheck(t, e.config(), fief.CheckOptions{RedirectURI: redirectURI})
	if !r.OK() || r.Failed() || r.Verdict() != fief.VerdictOK {
		t.Fatalf("report not OK:\n%s", r)
	}
	names := []string{}
	for _, f := range r.Findings {
		names = append(names, f.Name)
	}
	want := "reachable discovery clock signing_keys client_id redirect_uri client_credentials encryption_key key_set_age"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("findings %s, want %s", got, want)
	}
	// What it asked: one discovery, one key set, one authorization probe,
	// and two token probes (as a sign-in, then without the PKCE verifier).
	for ep, n := range map[fieftest.Endpoint]int{fieftest.EndpointDiscovery: 1, fieftest.EndpointJWKS: 1, fieftest.EndpointAuthorize: 1, fieftest.EndpointToken: 2} {
		if got := e.srv.RequestCount(ep) - before[ep]; got != n {
			t.Errorf("%s: %d requests, want %d", ep, got, n)
		}
	}
	wantFinding(t, r, fief.FindingCredentials, fief.VerdictOK, "accepts the client ID and secret")
	wantFinding(t, r, fief.FindingRedirectURI, fief.VerdictOK, redirectURI)
}

func TestCheckTenantUnderSlug(t *testing.T) {
	e := newCheckEnv(t)
	tn, err := e.srv.AddTenant("second")
	if err != nil {
		t.Fatal(err)
	}
	fc, err := tn.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	r := runCheck(t, fief.Config{BaseURL: e.srv.URL + "/second", ClientID: fc.ClientID, ClientSecret: fc.ClientSecret}, fief.CheckOptions{RedirectURI: redirectURI})
	if !r.OK() {
		t.Fatalf("report not OK:\n%s", r)
	}
	// The client of the default tenant is not a client of this one.
	r = runCheck(t, fief.Config{BaseURL: e.srv.URL + "/second", ClientID: e.confidential.ClientID, ClientSecret: e.confidential.ClientSecret}, fief.CheckOptions{RedirectURI: redirectURI})
	wantFinding(t, r, fief.FindingClientID, fief.VerdictFailure, "FIEF_CLIENT_ID")
}

// TestCheckFindsMisconfigurations changes one thing at a time.
func TestCheckFindsMisconfigurations(t *testing.T) {
	e := newCheckEnv(t)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	other := newCheckEnv(t) // another Fief, for a client ID this one does not know
	encrypted, err := e.srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	publicJWK := func() string {
		var k map[string]any
		json.Unmarshal([]byte(encrypted.EncryptionKey), &k)
		for _, f := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			delete(k, f)
		}
		b, _ := json.Marshal(k)
		return string(b)
	}()
	privateD := func() string {
		var k map[string]any
		json.Unmarshal([]byte(encrypted.EncryptionKey), &k)
		return k["d"].(string)
	}()

	tests := []struct {
		name    string
		mod     func(*fief.Config)
		opts    fief.CheckOptions
		finding string
		verdict fief.Verdict
		texts   []string // in the detail or the fix
	}{
		{name: "unreachable", mod: func(c *fief.Config) { c.BaseURL = "http://127.0.0.1:1" },
			finding: fief.FindingReachable, verdict: fief.VerdictFailure, texts: []string{"connection refused", "BaseURL"}},
		{name: "host:port without scheme", mod: func(c *fief.Config) { c.BaseURL = "localhost:8000" },
			finding: fief.FindingBaseURL, verdict: fief.VerdictFailure, texts: []string{`no scheme: write "https://localhost:8000"`, "FIEF_BASE_URL"}},
		{name: "host without scheme", mod: func(c *fief.Config) { c.BaseURL = "fief.example.com" },
			finding: fief.FindingBaseURL, verdict: fief.VerdictFailure, texts: []string{`no scheme: write "https://fief.example.com"`}},
		{name: "other scheme", mod: func(c *fief.Config) { c.BaseURL = "ftp://fief.example.com" },
			finding: fief.FindingBaseURL, verdict: fief.VerdictFailure, texts: []string{`scheme "ftp"`}},
		{name: "https to a plain http Fief", mod: func(c *fief.Config) { c.BaseURL = strings.Replace(e.srv.URL, "http:", "https:", 1) },
			finding: fief.FindingReachable, verdict: fief.VerdictFailure, texts: []string{"serves plain http", "write http:// in BaseURL"}},
		{name: "http to a TLS server", mod: func(c *fief.Config) { c.BaseURL = strings.Replace(tlsSrv.URL, "https:", "http:", 1) },
			finding: fief.FindingReachable, verdict: fief.VerdictFailure, texts: []string{"serves https", "write https:// in BaseURL"}},
		{name: "wrong tenant path", mod: func(c *fief.Config) { c.BaseURL = e.srv.URL + "/no-such-tenant" },
			finding: fief.FindingDiscovery, verdict: fief.VerdictFailure, texts: []string{`"/no-such-tenant"`, "HTTP 400", "check the tenant slug"}},
		{name: "path of no tenant route", mod: func(c *fief.Config) { c.BaseURL = e.srv.URL + "/a/b" },
			finding: fief.FindingDiscovery, verdict: fief.VerdictFailure, texts: []string{"HTTP 404", "check the tenant slug"}},
		{name: "internal URL with another tenant path", mod: func(c *fief.Config) { c.InternalBaseURL = e.srv.URL + "/other" },
			finding: fief.FindingInternalBaseURL, verdict: fief.VerdictFailure, texts: []string{"tenant path"}},
		{name: "empty client ID", mod: func(c *fief.Config) { c.ClientID = "" },
			finding: fief.FindingClientID, verdict: fief.VerdictFailure, texts: []string{"FIEF_CLIENT_ID"}},
		{name: "unknown client ID", mod: func(c *fief.Config) {
			c.ClientID, c.ClientSecret = other.confidential.ClientID, other.confidential.ClientSecret
		},
			opts:    fief.CheckOptions{RedirectURI: redirectURI},
			finding: fief.FindingClientID, verdict: fief.VerdictFailure, texts: []string{"no client", "FIEF_CLIENT_ID"}},
		{name: "unknown client ID: credentials", mod: func(c *fief.Config) {
			c.ClientID, c.ClientSecret = other.confidential.ClientID, other.confidential.ClientSecret
		},
			opts:    fief.CheckOptions{RedirectURI: redirectURI},
			finding: fief.FindingCredentials, verdict: fief.VerdictFailure, texts: []string{"invalid_client", "client ID is unknown", "FIEF_CLIENT_ID"}},
		{name: "unregistered redirect URI", opts: fief.CheckOptions{RedirectURI: "http://app.localhost/other-callback"},
			finding: fief.FindingRedirectURI, verdict: fief.VerdictFailure, texts: []string{`add "http://app.localhost/other-callback" to the client's redirect URIs`}},
		{name: "redirect URI unknown", opts: fief.CheckOptions{RedirectURISkipped: "WebConfig.BaseURL is not set"},
			finding: fief.FindingRedirectURI, verdict: fief.VerdictSkipped, texts: []string{"WebConfig.BaseURL is not set", "set the application's external base URL"}},
		{name: "redirect URI not given", opts: fief.CheckOptions{},
			finding: fief.FindingRedirectURI, verdict: fief.VerdictSkipped, texts: []string{"no redirect URI given"}},
		{name: "wrong secret", mod: func(c *fief.Config) { c.ClientSecret = "wrong-secret-1234" },
			finding: fief.FindingCredentials, verdict: fief.VerdictFailure, texts: []string{"invalid_client", "the secret is wrong", "FIEF_CLIENT_SECRET"}},
		{name: "confidential client without secret", mod: func(c *fief.Config) { c.ClientSecret = "" },
			finding: fief.FindingCredentials, verdict: fief.VerdictFailure, texts: []string{"without a secret", "confidential", "set FIEF_CLIENT_SECRET"}},
		{name: "public client with a wrong secret", mod: func(c *fief.Config) { c.ClientID, c.ClientSecret = e.public.ClientID, "wrong-secret-1234" },
			finding: fief.FindingCredentials, verdict: fief.VerdictWarning, texts: []string{"public", "remove FIEF_CLIENT_SECRET"}},
		{name: "public client with its secret", mod: func(c *fief.Config) { c.ClientID, c.ClientSecret = e.public.ClientID, e.public.ClientSecret },
			finding: fief.FindingCredentials, verdict: fief.VerdictOK},
		{name: "public client without secret", mod: func(c *fief.Config) { c.ClientID, c.ClientSecret = e.public.ClientID, "" },
			finding: fief.FindingCredentials, verdict: fief.VerdictOK, texts: []string{"public client"}},
		{name: "encryption key not JSON", mod: func(c *fief.Config) { c.EncryptionKey = "not-a-key" },
			finding: fief.FindingEncryptionKey, verdict: fief.VerdictFailure, texts: []string{"not a private RSA key", "FIEF_ENCRYPTION_KEY"}},
		{name: "encryption key public", mod: func(c *fief.Config) { c.EncryptionKey = publicJWK },
			finding: fief.FindingEncryptionKey, verdict: fief.VerdictFailure, texts: []string{"public key", "FIEF_ENCRYPTION_KEY"}},
		{name: "encryption key set", mod: func(c *fief.Config) {
			c.ClientID, c.ClientSecret, c.EncryptionKey = encrypted.ClientID, encrypted.ClientSecret, encrypted.EncryptionKey
		},
			finding: fief.FindingEncryptionKey, verdict: fief.VerdictOK, texts: []string{"private RSA key of 2048 bits", "encrypted ID tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e.config()
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			r := runCheck(t, cfg, tt.opts, privateD)
			wantFinding(t, r, tt.finding, tt.verdict, tt.texts...)
			if tt.verdict == fief.VerdictFailure && !r.Failed() {
				t.Errorf("report not failed:\n%s", r)
			}
		})
	}
}

// TestCheckNotFief points the check at servers that are not Fief.
func TestCheckNotFief(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		texts   []string
	}{
		{"an HTML page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!DOCTYPE html><html><body>My application</body></html>"))
		}, []string{"HTML", "not Fief"}},
		{"JSON without issuer", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"status":"ok"}`))
		}, []string{"no issuer", "not Fief"}},
		{"another identity provider", func(w http.ResponseWriter, r *http.Request) {
			base := "http://" + r.Host
			json.NewEncoder(w).Encode(map[string]string{
				"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/oauth/token",
				"userinfo_endpoint": base + "/userinfo", "jwks_uri": base + "/.well-known/jwks.json",
			})
		}, []string{"not Fief", `"/oauth/token"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			r := runCheck(t, fief.Config{BaseURL: srv.URL, ClientID: "c", ClientSecret: "s3cr3t-value"}, fief.CheckOptions{})
			wantFinding(t, r, fief.FindingReachable, fief.VerdictOK)
			wantFinding(t, r, fief.FindingDiscovery, fief.VerdictFailure, tt.texts...)
			wantFinding(t, r, fief.FindingCredentials, fief.VerdictSkipped, "discovery")
		})
	}
}

func TestCheckFiefFailing(t *testing.T) {
	e := newCheckEnv(t)
	e.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 503, Body: `{"detail":"SERVER_DATABASE_NOT_AVAILABLE"}`})
	r := runCheck(t, e.config(), fief.CheckOptions{})
	wantFinding(t, r, fief.FindingDiscovery, fief.VerdictFailure, "HTTP 503", "Fief's logs")
}

func TestCheckSigningKeys(t *testing.T) {
	t.Run("key under 2048 bits", func(t *testing.T) {
		srv := fieftest.NewUnstartedServer()
		srv.KeySize = 1024
		srv.Start()
		defer srv.Close()
		fc, err := srv.AddClient(fieftest.ClientConfig{})
		if err != nil {
			t.Fatal(err)
		}
		r := runCheck(t, fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret}, fief.CheckOptions{})
		wantFinding(t, r, fief.FindingSigningKeys, fief.VerdictFailure, "RSA of 1024 bits, under 2048", "at least 2048 bits")
	})
	e := newCheckEnv(t)
	tests := []struct {
		name    string
		body    string
		verdict fief.Verdict
		texts   []string
	}{
		{"no RSA key", `{"keys":[{"kty":"EC","crv":"P-256","kid":"ec1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`,
			fief.VerdictFailure, []string{`key "ec1"`, "not an RSA public key", "RS256"}},
		{"empty key set", `{"keys":[]}`, fief.VerdictFailure, []string{"empty"}},
		{"RSA key for encryption only", "", fief.VerdictFailure, []string{`for "enc"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == "" {
				body = strings.Replace(string(e.srv.DefaultTenant().PublicJWKS()), `"use":"sig"`, `"use":"enc"`, 1)
			}
			e.srv.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Body: body})
			r := runCheck(t, e.config(), fief.CheckOptions{})
			wantFinding(t, r, fief.FindingSigningKeys, tt.verdict, tt.texts...)
		})
	}
}

// TestCheckPublicClientRefusedWithSecret covers a Fief that refuses a
// public client's wrong secret outright, as the token endpoint's first
// answer: the retry without the secret shows that the client is public.
func TestCheckPublicClientRefusedWithSecret(t *testing.T) {
	e := newCheckEnv(t)
	e.srv.FailNext(fieftest.EndpointToken, 1, fieftest.Fault{Status: 400, Body: `{"error":"invalid_client"}`})
	cfg := e.config()
	cfg.ClientID, cfg.ClientSecret = e.public.ClientID, "wrong-secret-1234"
	r := runCheck(t, cfg, fief.CheckOptions{})
	wantFinding(t, r, fief.FindingCredentials, fief.VerdictFailure, "this client is public: remove FIEF_CLIENT_SECRET")
}

func TestCheckClock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		verdict fief.Verdict
	}{
		{"in step", 0, fief.VerdictOK},
		{"Fief ahead by a few seconds", 5 * time.Second, fief.VerdictOK},
		{"Fief ahead by 45 s", 45 * time.Second, fief.VerdictWarning},
		{"Fief behind by 10 min", -10 * time.Minute, fief.VerdictWarning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Both clocks stand still, so that the report's times are known.
			local := time.Date(2026, 11, 30, 12, 0, 30, 0, time.UTC)
			e := newCheckEnv(t)
			e.srv.SetClock(func() time.Time { return local })
			e.srv.Advance(tc.advance)
			cfg := e.config()
			cfg.Clock = func() time.Time { return local }
			r := runCheck(t, cfg, fief.CheckOptions{RedirectURI: redirectURI})
			if tc.verdict == fief.VerdictOK {
				wantFinding(t, r, fief.FindingClock, tc.verdict)
				return
			}
			fiefTime := local.Add(tc.advance).Format(time.RFC3339)
			localTime := local.Format(time.RFC3339)
			wantFinding(t, r, fief.FindingClock, tc.verdict, "local clock says "+localTime, "Fief's "+fiefTime, "leeway (1m0s)", "NTP")
			if r.Failed() {
				t.Errorf("a skewed clock is a warning, not a failure:\n%s", r)
			}
		})
	}
}

func TestReportForms(t *testing.T) {
	e := newCheckEnv(t)
	cfg := e.config()
	cfg.ClientSecret = "wrong-secret-1234"
	r := runCheck(t, cfg, fief.CheckOptions{RedirectURI: redirectURI})

	text := r.String()
	for _, want := range []string{
		"Fief check of " + e.srv.URL + ` (client ID "` + e.confidential.ClientID + `"): failure`,
		"  ok       reachable ",
		"  FAILURE  client_credentials  Fief refused",
		"\n                               fix: the secret is wrong",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("String lacks %q:\n%s", want, text)
		}
	}

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("ServeHTTP: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got struct {
		Verdict  fief.Verdict   `json:"verdict"`
		BaseURL  string         `json:"base_url"`
		Findings []fief.Finding `json:"findings"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Verdict != fief.VerdictFailure || got.BaseURL != e.srv.URL || len(got.Findings) != len(r.Findings) || got.Findings[6] != r.Findings[6] {
		t.Errorf("JSON: %+v", got)
	}
	if !strings.Contains(rec.Body.String(), `"verdict":"failure"`) {
		t.Errorf("JSON verdicts are not words: %s", rec.Body)
	}

	ok := runCheck(t, e.config(), fief.CheckOptions{RedirectURI: redirectURI})
	rec = httptest.NewRecorder()
	ok.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("ServeHTTP of a good report: %d", rec.Code)
	}
}

// TestCheckKeySetAge reports on the key set the client holds: not loaded
// at startup, then stale with failing fetches, then past its staleness.
func TestCheckKeySetAge(t *testing.T) {
	e := newCheckEnv(t)
	cfg := e.config()
	cfg.Clock = e.srv.Now
	c, err := fief.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func() *fief.Report {
		r := c.Check(ctx, fief.CheckOptions{RedirectURI: redirectURI})
		if strings.Contains(r.String(), e.confidential.ClientSecret) {
			t.Fatal("the report shows the secret")
		}
		return r
	}
	wantFinding(t, check(), fief.FindingKeySetAge, fief.VerdictOK, "not loaded yet")

	user, err := e.srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		t.Fatal(err)
	}
	validate := func() error {
		_, err := c.ValidateAccessToken(ctx, e.srv.MintAccessToken(user.ID, fieftest.TokenOptions{}), fief.Requirements{})
		return err
	}
	if err := validate(); err != nil {
		t.Fatal(err)
	}
	wantFinding(t, check(), fief.FindingKeySetAge, fief.VerdictOK, "0s old")

	e.srv.FailNext(fieftest.EndpointJWKS, 1000, fieftest.Fault{Status: 500})
	e.srv.Advance(2 * time.Hour)
	if err := validate(); err != nil {
		t.Fatalf("a stale key set still serves: %v", err)
	}
	r := check()
	wantFinding(t, r, fief.FindingKeySetAge, fief.VerdictWarning, "2h0m0s old", "fetching it again fails", "HTTP 500")
	wantFinding(t, r, fief.FindingSigningKeys, fief.VerdictFailure, "HTTP 500")

	e.srv.Advance(23 * time.Hour)
	validate()
	wantFinding(t, check(), fief.FindingKeySetAge, fief.VerdictFailure, "past JWKSMaxStaleness", "ErrUnavailable")
}
