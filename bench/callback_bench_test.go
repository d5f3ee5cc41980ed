package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// appURL is the external URL of the benchmarked web application.
const appURL = "http://app.test"

// callbackEnv is a web application signing users in with an in-process
// fieftest server.
type callbackEnv struct {
	client  *fief.Client
	flow    *fiefhttp.WebFlow
	browser *http.Client // stops at the redirect back to the application
}

func newCallbackEnv(tb testing.TB, bits int) *callbackEnv {
	tb.Helper()
	return newWebEnv(tb, bits, fiefhttp.WebConfig{})
}

// newWebEnv is newCallbackEnv with more settings of the web flow (BaseURL
// and InsecureCookies are set here).
func newWebEnv(tb testing.TB, bits int, cfg fiefhttp.WebConfig) *callbackEnv {
	tb.Helper()
	srv := fieftest.NewUnstartedServer()
	srv.KeySize = bits
	srv.Start()
	tb.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{appURL + fiefhttp.DefaultCallbackPath}})
	if err != nil {
		tb.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "bench@example.com", Password: "bench-password"})
	if err != nil {
		tb.Fatal(err)
	}
	srv.SetAutoLogin(user.Email())
	client, err := fief.New(fief.Config{
		BaseURL:      srv.URL,
		ClientID:     fc.ClientID,
		ClientSecret: fc.ClientSecret,
		HTTPClient:   srv.Client(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.BaseURL, cfg.InsecureCookies = appURL, true
	flow, err := fiefhttp.NewWebFlow(client, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	browser := srv.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &callbackEnv{client: client, flow: flow, browser: browser}
}

// callbackRequest starts a sign-in and returns the request with which
// Fief's redirect brings the browser back to the callback.
func (e *callbackEnv) callbackRequest(tb testing.TB) *http.Request {
	tb.Helper()
	rec := httptest.NewRecorder()
	e.flow.Login(rec, httptest.NewRequest(http.MethodGet, appURL+"/account", nil), "/account")
	resp := rec.Result()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login: status %d", resp.StatusCode)
	}
	authorize, err := resp.Location()
	if err != nil {
		tb.Fatal(err)
	}
	fiefResp, err := e.browser.Get(authorize.String())
	if err != nil {
		tb.Fatal(err)
	}
	fiefResp.Body.Close()
	back, err := fiefResp.Location()
	if err != nil {
		tb.Fatalf("authorize: status %d, %v", fiefResp.StatusCode, err)
	}
	req := httptest.NewRequest(http.MethodGet, back.String(), nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	return req
}

// BenchmarkCallback measures the web flow's callback, which exchanges the
// code at the in-process fieftest server (where the tokens are signed) and
// verifies the ID token. Starting each sign-in (Login, Fief's authorize
// redirect) is not measured. Names are Callback/rsa=BITS/fiefhttp.
func BenchmarkCallback(b *testing.B) {
	for _, bits := range keySizes {
		b.Run(fmt.Sprintf("rsa=%d/fiefhttp", bits), func(b *testing.B) {
			e := newCallbackEnv(b, bits)
			check := func(rec *httptest.ResponseRecorder) {
				if rec.Code != http.StatusFound {
					b.Fatalf("callback: status %d: %s", rec.Code, rec.Body)
				}
			}
			rec := httptest.NewRecorder()
			e.flow.Callback(rec, e.callbackRequest(b))
			check(rec)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				req := e.callbackRequest(b)
				rec := httptest.NewRecorder()
				b.StartTimer()
				e.flow.Callback(rec, req)
				check(rec)
			}
		})
	}
}

// TestCallbackSignsIn makes sure the callback benchmark measures a
// successful sign-in: the session cookie is set, and a replayed callback
// fails.
func TestCallbackSignsIn(t *testing.T) {
	e := newCallbackEnv(t, 2048)
	req := e.callbackRequest(t)
	rec := httptest.NewRecorder()
	e.flow.Callback(rec, req)
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/account" {
		t.Fatalf("callback: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == e.flow.SessionCookieName() && c.Value != "" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	replay := httptest.NewRecorder()
	e.flow.Callback(replay, req)
	if replay.Code == http.StatusFound {
		t.Fatal("a replayed callback signed in again")
	}
	if _, err := e.client.ValidateAccessToken(context.Background(), session.Value, fief.Requirements{}); err != nil {
		t.Fatalf("the session cookie does not hold a valid access token: %v", err)
	}
}
