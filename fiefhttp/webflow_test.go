package fiefhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// webApp is an application using a WebFlow, served over loopback, with its
// own Fief client on a fieftest server.
type webApp struct {
	*fiefEnv
	app    *httptest.Server
	flow   *fiefhttp.WebFlow
	cache  *fiefhttp.MemoryUserInfoCache
	client *fief.Client
	fc     *fieftest.Client
}

type appOptions struct {
	thirdParty bool
	cfg        fiefhttp.WebConfig
}

func newWebApp(t *testing.T, o appOptions) *webApp {
	t.Helper()
	e := newFiefEnv(t)
	w := &webApp{fiefEnv: e}
	var err error
	w.fc, err = e.srv.AddClient(fieftest.ClientConfig{ThirdParty: o.thirdParty})
	if err != nil {
		t.Fatal(err)
	}
	w.client, err = fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: w.fc.ClientID, ClientSecret: w.fc.ClientSecret, HTTPClient: e.srv.Client(), Clock: e.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	w.cache = fiefhttp.NewMemoryUserInfoCache(100, time.Hour)
	cfg := o.cfg
	cfg.UserInfoCache = w.cache
	w.flow, err = fiefhttp.NewWebFlow(w.client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	auth := w.flow.Auth()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("home")) })
	mux.Handle("/protected", auth.CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		w.Write([]byte("email: " + u.Email()))
	})))
	mux.Handle("GET /other", auth.Authenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("other " + r.URL.RawQuery))
	})))
	mux.HandleFunc("GET /start", func(rw http.ResponseWriter, r *http.Request) {
		w.flow.Login(rw, r, r.URL.Query().Get("to"))
	})
	mux.HandleFunc("GET /auth-callback", w.flow.Callback)
	mux.HandleFunc("/logout", w.flow.Logout)
	w.app = httptest.NewServer(mux)
	t.Cleanup(w.app.Close)
	w.fc.AddRedirectURI(w.app.URL + "/auth-callback")
	return w
}

// startFlow asks for path without following redirects, and returns Fief's
// authorization URL it was sent to.
func (w *webApp) startFlow(t *testing.T, c *http.Client, path string) *url.URL {
	t.Helper()
	resp, body := browsertest.Get(t, browsertest.NoRedirect(c), w.app.URL+path)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: %d, want 302; body %q", path, resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.String(), w.srv.URL+"/authorize?") {
		t.Fatalf("GET %s redirects to %s, not to Fief's authorize", path, u)
	}
	return u
}

// callbackURL follows an authorization URL through Fief (auto-login must be
// on, or a Fief session present) and returns the redirect back to the app.
func (w *webApp) callbackURL(t *testing.T, c *http.Client, authorize *url.URL) string {
	t.Helper()
	resp, body := browsertest.Get(t, browsertest.NoRedirect(c), authorize.String())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, w.app.URL+"/auth-callback?") {
		t.Fatalf("Fief's authorize answered %d to %q, want a redirect to the callback; body %q", resp.StatusCode, loc, body)
	}
	return loc
}

func TestWebFlowThroughLoginForm(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, w.app.URL+"/protected")
	resp, page = logIn(t, b, resp, page)
	if resp.StatusCode != 200 || page != "email: "+testEmail || resp.Request.URL.String() != w.app.URL+"/protected" {
		t.Fatalf("after login: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
	appURL, _ := url.Parse(w.app.URL + "/auth-callback")
	for _, c := range b.Jar.Cookies(appURL) {
		if strings.HasPrefix(c.Name, fiefhttp.DefaultFlowCookiePrefix) {
			t.Errorf("flow cookie %s left after the callback", c.Name)
		}
	}
	// The ID token's user claims are cached: no userinfo call on /protected.
	u, _, ok, _ := w.cache.Get(context.Background(), w.user.ID)
	if !ok || u.Email() != testEmail || u["tenant_id"] == nil {
		t.Errorf("cached claims %v (found %v), want the user's", u, ok)
	}
	for _, k := range []string{"nonce", "iss", "aud", "exp", "at_hash", "c_hash"} {
		if _, has := u[k]; has {
			t.Errorf("cached claims hold the ID token claim %q", k)
		}
	}
	if n := w.srv.RequestCount(fieftest.EndpointUserInfo); n != 0 {
		t.Errorf("%d userinfo calls, want 0 (claims from the ID token)", n)
	}
	// The session holds: a second visit goes straight through.
	resp, page = browsertest.Get(t, b, w.app.URL+"/protected")
	if resp.StatusCode != 200 || page != "email: "+testEmail || resp.Request.URL.Host != appURL.Host {
		t.Errorf("second visit: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
}

func TestWebFlowAuthorizeParameters(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, Scopes: []string{"openid", "offline_access"}}})
	u := w.startFlow(t, browsertest.New(t), "/protected")
	q := u.Query()
	want := map[string]string{
		"response_type":         "code",
		"client_id":             w.fc.ClientID,
		"redirect_uri":          w.app.URL + "/auth-callback",
		"scope":                 "openid offline_access",
		"code_challenge_method": "S256",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s=%q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"state", "code_challenge", "nonce"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("%s=%q, want a fresh random value", k, q.Get(k))
		}
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state and nonce are equal")
	}
	u2 := w.startFlow(t, browsertest.New(t), "/protected")
	if u2.Query().Get("state") == q.Get("state") || u2.Query().Get("code_challenge") == q.Get("code_challenge") {
		t.Error("two flows share their state or PKCE challenge")
	}
}

func TestWebFlowCookieAttributes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		insecure bool
		prefix   string // of the cookie names
		flowPath string
	}{{"production", false, fiefhttp.HostPrefix, "/"}, {"plain-http development", true, "", "/auth-callback"}} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: tt.insecure}})
			w.srv.SetAutoLogin(testEmail)
			c := browsertest.NoRedirect(browsertest.New(t))
			resp, _ := browsertest.Get(t, c, w.app.URL+"/protected?tab=2")
			state, _ := url.Parse(resp.Header.Get("Location"))
			flowName := tt.prefix + fiefhttp.DefaultFlowCookiePrefix + state.Query().Get("state")
			flow := setCookie(resp, flowName)
			if flow == nil {
				t.Fatalf("no flow cookie %s in %q", flowName, resp.Header["Set-Cookie"])
			}
			if !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.Secure == tt.insecure ||
				flow.MaxAge != 600 || flow.Path != tt.flowPath || flow.Domain != "" {
				t.Errorf("flow cookie %s, want HttpOnly, SameSite=Lax, Max-Age=600, Path=%s, no Domain, Secure=%v", flow, tt.flowPath, !tt.insecure)
			}

			// The Go cookie jar does not send Secure cookies over http:
			// carry the flow cookie by hand.
			cb := w.callbackURL(t, c, state)
			req, _ := http.NewRequest("GET", cb, nil)
			req.AddCookie(&http.Cookie{Name: flow.Name, Value: flow.Value})
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := browsertest.Body(t, resp)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/protected?tab=2" {
				t.Fatalf("callback: %d to %q, want 302 to /protected?tab=2; body %q", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			session := setCookie(resp, tt.prefix+fiefhttp.DefaultSessionCookieName)
			if session == nil || session.Value == "" {
				t.Fatalf("no session cookie in %q", resp.Header["Set-Cookie"])
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure == tt.insecure ||
				session.MaxAge != 86400 || session.Path != "/" {
				t.Errorf("session cookie %s, want HttpOnly, SameSite=Lax, Max-Age=86400, Path=/, Secure=%v", session, !tt.insecure)
			}
			if del := setCookie(resp, flowName); del == nil || del.MaxAge >= 0 || del.Path != tt.flowPath {
				t.Errorf("flow cookie not deleted: %v", del)
			}
			if _, err := w.client.ValidateAccessToken(context.Background(), session.Value, fief.Requirements{}); err != nil {
				t.Errorf("session cookie does not hold a valid access token: %v", err)
			}
		})
	}
}

// TestWebFlowTwoTabs starts two flows in one browser, then completes them:
// each lands on the page it asked for.
func TestWebFlowTwoTabs(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	b := browsertest.New(t)
	tab1 := w.startFlow(t, b, "/protected")
	tab2 := w.startFlow(t, b, "/other?tab=2")

	// Tab 2 signs in through the form.
	resp, page := browsertest.Get(t, b, tab2.String())
	resp, page = logIn(t, b, resp, page)
	if resp.StatusCode != 200 || page != "other tab=2" {
		t.Fatalf("tab 2: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
	// Tab 1 comes back through Fief, now with a session there.
	resp, page = browsertest.Get(t, b, tab1.String())
	if resp.StatusCode != 200 || page != "email: "+testEmail {
		t.Fatalf("tab 1: %d at %s: %q", resp.StatusCode, resp.Request.URL, page)
	}
}

func TestWebFlowLogout(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, w.app.URL+"/protected")
	if resp, page = logIn(t, b, resp, page); page != "email: "+testEmail {
		t.Fatalf("login: %d %q", resp.StatusCode, page)
	}

	resp, err := browsertest.NoRedirect(b).Post(w.app.URL+"/logout", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Body(t, resp)
	wantLoc := w.srv.URL + "/logout?redirect_uri=" + url.QueryEscape(w.app.URL+"/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != wantLoc {
		t.Fatalf("logout: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), wantLoc)
	}
	if c := setCookie(resp, fiefhttp.DefaultSessionCookieName); c == nil || c.MaxAge >= 0 {
		t.Errorf("session cookie not deleted: %v", c)
	}
	if _, _, ok, _ := w.cache.Get(context.Background(), w.user.ID); ok {
		t.Error("user info still cached after logout")
	}
	resp, page = browsertest.Get(t, b, wantLoc)
	if page != "home" {
		t.Fatalf("after Fief's logout: %d at %s: %q, want the home page", resp.StatusCode, resp.Request.URL, page)
	}
	// Signed out of Fief too: the login form again.
	resp, page = browsertest.Get(t, b, w.app.URL+"/protected")
	if !strings.HasSuffix(resp.Request.URL.Path, "/login") || !strings.Contains(page, `id="email"`) {
		t.Fatalf("after logout, /protected: %d at %s, want Fief's login form", resp.StatusCode, resp.Request.URL)
	}
}

func TestWebFlowReturnPath(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, DefaultReturnPath: "/home"}})
	w.srv.SetAutoLogin(testEmail)
	tests := []struct {
		name, to, want string
	}{
		{"path", "/other", "/other"},
		{"path with query", "/other?a=1&b=%2F", "/other?a=1&b=%2F"},
		{"empty", "", "/home"},
		{"protocol-relative", "//evil.example", "/home"},
		{"protocol-relative with path", "//evil.example/x", "/home"},
		{"triple slash", "///evil.example", "/home"},
		{"absolute", "https://evil.example/", "/home"},
		{"absolute http", "http://evil.example", "/home"},
		{"backslash", `/\evil.example`, "/home"},
		{"backslashes", `\\evil.example`, "/home"},
		{"backslash later", `/a\b`, "/home"},
		{"tab", "/\t/evil.example", "/home"},
		{"newline", "/\n/evil.example", "/home"},
		{"CRLF injection", "/x\r\nSet-Cookie: a=b", "/home"},
		{"NUL", "/x\x00", "/home"},
		{"space", "/ /evil.example", "/home"},
		{"javascript", "javascript:alert(1)", "/home"},
		{"scheme-relative colon", "http:evil.example", "/home"},
		{"relative", "evil.example", "/home"},
		{"encoded slashes", "/%2F%2Fevil.example", "/home"},
		{"user info", "//user@evil.example", "/home"},
		{"too long", "/" + strings.Repeat("a", 2000), "/home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := browsertest.New(t)
			authorize := w.startFlow(t, c, "/start?to="+url.QueryEscape(tt.to))
			resp, body := browsertest.Get(t, browsertest.NoRedirect(c), w.callbackURL(t, c, authorize))
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tt.want {
				t.Fatalf("callback: %d to %q, want 302 to %q; body %q", resp.StatusCode, resp.Header.Get("Location"), tt.want, body)
			}
		})
	}
}

func TestWebFlowCallbackFailures(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	w.srv.SetAutoLogin(testEmail)
	appURL, _ := url.Parse(w.app.URL + "/auth-callback")

	// Each case starts a flow, then edit may change the callback URL or the
	// browser's cookies.
	tests := []struct {
		name       string
		edit       func(t *testing.T, c *http.Client, cb *url.URL)
		fault      *fieftest.Fault // on the token endpoint
		wantStatus int
		wantInBody string
		wantExch   bool // whether the code exchange is attempted
	}{
		{name: "state missing", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			q := cb.Query()
			q.Del("state")
			cb.RawQuery = q.Encode()
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "state of no flow", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			setQuery(cb, "state", "bm90LWEtZmxvdy1vZi10aGlzLWJyb3dzZXItYXQtYWxs")
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "state not base64url", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			setQuery(cb, "state", "../x;y")
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "flow cookie tampered", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			name := fiefhttp.DefaultFlowCookiePrefix + cb.Query().Get("state")
			for _, ck := range c.Jar.Cookies(appURL) {
				if ck.Name == name {
					v := []byte(ck.Value)
					v[3] ^= 1
					c.Jar.SetCookies(appURL, []*http.Cookie{{Name: name, Value: string(v), Path: "/auth-callback"}})
				}
			}
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "cookie of another flow", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			other := w.startFlow(t, c, "/protected") // a second flow in the same browser
			otherName := fiefhttp.DefaultFlowCookiePrefix + other.Query().Get("state")
			name := fiefhttp.DefaultFlowCookiePrefix + cb.Query().Get("state")
			for _, ck := range c.Jar.Cookies(appURL) {
				if ck.Name == otherName {
					c.Jar.SetCookies(appURL, []*http.Cookie{{Name: name, Value: ck.Value, Path: "/auth-callback"}})
				}
			}
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "flow expired", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			w.srv.Advance(11 * time.Minute) // the client's clock is the server's
			t.Cleanup(func() { w.srv.Advance(-11 * time.Minute) })
		}, wantStatus: 400, wantInBody: "has expired or was opened in another browser"},
		{name: "error from Fief", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			q := cb.Query()
			q.Del("code")
			q.Set("error", "<script>alert(1)</script>")
			cb.RawQuery = q.Encode()
		}, wantStatus: 400, wantInBody: "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{name: "code missing", edit: func(t *testing.T, c *http.Client, cb *url.URL) {
			setQuery(cb, "code", "")
		}, wantStatus: 400, wantInBody: "answer of the identity server is incomplete"},
		{name: "token endpoint down", fault: &fieftest.Fault{Status: 500, Body: "internal secret"},
			wantStatus: 502, wantInBody: "did not answer as expected", wantExch: true},
		{name: "code refused", fault: &fieftest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`},
			wantStatus: 502, wantInBody: "did not answer as expected", wantExch: true},
		{name: "token endpoint garbage", fault: &fieftest.Fault{Status: 200, Body: `{"access_token":"x","id_token":"secret.bad.token"}`},
			wantStatus: 502, wantInBody: "did not answer as expected", wantExch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := browsertest.New(t)
			cb, _ := url.Parse(w.callbackURL(t, c, w.startFlow(t, c, "/protected")))
			if tt.edit != nil {
				tt.edit(t, c, cb)
			}
			if tt.fault != nil {
				w.srv.FailNext(fieftest.EndpointToken, 1, *tt.fault)
			}
			before := w.srv.RequestCount(fieftest.EndpointToken)
			resp, body := browsertest.Get(t, browsertest.NoRedirect(c), cb.String())
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantInBody) {
				t.Fatalf("got %d %q, want %d with %q", resp.StatusCode, body, tt.wantStatus, tt.wantInBody)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, leak := range []string{"secret", "fief:", "<script>"} {
				if strings.Contains(body, leak) {
					t.Errorf("page shows %q: %s", leak, body)
				}
			}
			if exch := w.srv.RequestCount(fieftest.EndpointToken) > before; exch != tt.wantExch {
				t.Errorf("code exchange attempted: %v, want %v", exch, tt.wantExch)
			}
			if setCookie(resp, fiefhttp.DefaultSessionCookieName) != nil {
				t.Error("a failed callback set the session cookie")
			}
		})
	}
}

func setQuery(u *url.URL, k, v string) {
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
}

// TestWebFlowAccessDenied denies consent on Fief's page of a third-party
// client.
func TestWebFlowAccessDenied(t *testing.T) {
	w := newWebApp(t, appOptions{thirdParty: true, cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, w.app.URL+"/protected")
	resp, page = logIn(t, b, resp, page)
	if !strings.HasSuffix(resp.Request.URL.Path, "/consent") {
		t.Fatalf("after login: %d at %s, want the consent page", resp.StatusCode, resp.Request.URL)
	}
	resp, page = browsertest.Submit(t, b, resp, page, "consent", url.Values{"deny": {"deny"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, `<code id="error-code">access_denied</code>`) {
		t.Fatalf("after deny: %d at %s: %q, want 403 with access_denied", resp.StatusCode, resp.Request.URL, page)
	}
	if n := w.srv.RequestCount(fieftest.EndpointToken); n != 0 {
		t.Errorf("%d code exchanges, want 0", n)
	}
}

func TestWebFlowLoginWithFiefDown(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	w.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 503, Body: "secret"})
	resp, body := browsertest.Get(t, browsertest.NoRedirect(browsertest.New(t)), w.app.URL+"/protected")
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "secret") || !strings.Contains(body, "cannot be reached") || !strings.Contains(body, `id="retry"`) {
		t.Fatalf("got %d %q, want a 503 page", resp.StatusCode, body)
	}
	if len(setCookiesWithPrefix(resp, fiefhttp.DefaultFlowCookiePrefix)) != 0 {
		t.Error("flow cookie set though no flow started")
	}
}

// TestWebFlowUnauthorizedRedirectsOnlyNavigations: only page loads start a
// flow; a POST or a browser's subresource or fetch request gets a 401.
func TestWebFlowUnauthorizedRedirectsOnlyNavigations(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true}})
	tests := []struct {
		name, method, fetchMode string
		wantStatus              int
	}{
		{"GET, no fetch metadata", "GET", "", 302},
		{"GET navigation", "GET", "navigate", 302},
		{"HEAD navigation", "HEAD", "navigate", 302},
		{"image", "GET", "no-cors", 401},
		{"fetch", "GET", "cors", 401},
		{"same-origin fetch", "GET", "same-origin", 401},
		{"POST", "POST", "", 401},
		{"POST navigation", "POST", "navigate", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, w.app.URL+"/protected", nil)
			if tt.fetchMode != "" {
				req.Header.Set("Sec-Fetch-Mode", tt.fetchMode)
			}
			resp, err := browsertest.NoRedirect(browsertest.New(t)).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			browsertest.Body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			flows := setCookiesWithPrefix(resp, fiefhttp.DefaultFlowCookiePrefix)
			if tt.wantStatus == 401 && (len(flows) != 0 || resp.Header.Get("WWW-Authenticate") != "Bearer") {
				t.Errorf("401 with flow cookies %v and WWW-Authenticate %q", flows, resp.Header.Get("WWW-Authenticate"))
			}
			if tt.wantStatus == 302 && len(flows) != 1 {
				t.Errorf("redirect with %d flow cookies, want 1", len(flows))
			}
		})
	}
}

func TestWebFlowBaseURL(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{BaseURL: "https://app.example/sub/", PostLogoutRedirect: "/bye"}})
	u := w.startFlow(t, browsertest.New(t), "/protected")
	if got := u.Query().Get("redirect_uri"); got != "https://app.example/sub/auth-callback" {
		t.Errorf("redirect_uri %q", got)
	}
	resp, err := browsertest.NoRedirect(browsertest.New(t)).Get(w.app.URL + "/protected")
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Body(t, resp)
	if cs := setCookiesWithPrefix(resp, fiefhttp.HostPrefix+fiefhttp.DefaultFlowCookiePrefix); len(cs) != 1 || cs[0].Path != "/" || !cs[0].Secure {
		t.Errorf("flow cookies %v, want one Secure with Path=/ (a __Host- cookie)", cs)
	}
	resp, err = browsertest.NoRedirect(browsertest.New(t)).Post(w.app.URL+"/logout", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Body(t, resp)
	if want := w.srv.URL + "/logout?redirect_uri=" + url.QueryEscape("https://app.example/sub/bye"); resp.Header.Get("Location") != want {
		t.Errorf("logout to %q, want %q", resp.Header.Get("Location"), want)
	}
}

// TestNewWebFlowValidates: each invalid setting is refused with a
// *fief.ConfigError naming it, as fief.New and fiefcli.New do.
func TestNewWebFlowValidates(t *testing.T) {
	e := newFiefEnv(t)
	tests := []struct {
		name, field string
		cfg         fiefhttp.WebConfig
	}{
		{"base URL without scheme", "BaseURL", fiefhttp.WebConfig{BaseURL: "app.example"}},
		{"base URL ftp", "BaseURL", fiefhttp.WebConfig{BaseURL: "ftp://app.example"}},
		{"base URL with query", "BaseURL", fiefhttp.WebConfig{BaseURL: "https://app.example/?a=b"}},
		{"relative callback", "CallbackPath", fiefhttp.WebConfig{CallbackPath: "auth-callback"}},
		{"callback with query", "CallbackPath", fiefhttp.WebConfig{CallbackPath: "/cb?x=1"}},
		{"unsafe default return", "DefaultReturnPath", fiefhttp.WebConfig{DefaultReturnPath: "//evil.example"}},
		{"bad post-logout", "PostLogoutRedirect", fiefhttp.WebConfig{PostLogoutRedirect: "javascript:alert(1)"}},
		{"bad session cookie name", "SessionCookieName", fiefhttp.WebConfig{SessionCookieName: "a b"}},
		{"bad flow prefix", "FlowCookiePrefix", fiefhttp.WebConfig{FlowCookiePrefix: "a;"}},
		{"short key", "CookieKeys", fiefhttp.WebConfig{CookieKeys: [][]byte{[]byte("short")}}},
		{"tiny flow age", "FlowMaxAge", fiefhttp.WebConfig{FlowMaxAge: time.Millisecond}},
		{"negative lifetime", "SessionLifetime", fiefhttp.WebConfig{SessionLifetime: -time.Hour}},
		{"unknown storage", "Storage", fiefhttp.WebConfig{Storage: 42}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := fiefhttp.NewWebFlow(e.client, tt.cfg)
			var ce *fief.ConfigError
			if err == nil || f != nil {
				t.Fatalf("NewWebFlow accepted %+v", tt.cfg)
			}
			if !errors.As(err, &ce) || ce.Field != "fiefhttp.WebConfig."+tt.field || ce.Reason == "" {
				t.Errorf("error %#v (%v), want a *fief.ConfigError of fiefhttp.WebConfig.%s", err, err, tt.field)
			}
		})
	}
	var ce *fief.ConfigError
	if _, err := fiefhttp.NewWebFlow(nil, fiefhttp.WebConfig{}); !errors.As(err, &ce) {
		t.Errorf("NewWebFlow with a nil client: %v, want a *fief.ConfigError", err)
	}
	if _, err := fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{CookieKeys: [][]byte{make([]byte, 32)}, PostLogoutRedirect: "https://www.example/"}); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// TestWebFlowSharedKey: with shared CookieKeys, a flow started by one
// instance completes on another.
func TestWebFlowSharedKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, CookieKeys: [][]byte{key}}})
	w.srv.SetAutoLogin(testEmail)
	twin, err := fiefhttp.NewWebFlow(w.client, fiefhttp.WebConfig{InsecureCookies: true, CookieKeys: [][]byte{key}})
	if err != nil {
		t.Fatal(err)
	}
	c := browsertest.New(t)
	cb := w.callbackURL(t, c, w.startFlow(t, c, "/other"))
	req := httptest.NewRequest("GET", cb, nil)
	appURL, _ := url.Parse(cb)
	for _, ck := range c.Jar.Cookies(appURL) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	twin.Callback(rec, req)
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/other" {
		t.Errorf("twin callback: %d to %q, want 302 to /other", rec.Code, rec.Header().Get("Location"))
	}
}
