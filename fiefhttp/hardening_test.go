package fiefhttp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// secureFlow starts a sign-in on an application with Secure cookies (the Go
// cookie jar does not carry them over http, so they are carried by hand),
// and returns the flow cookie it set and the callback URL Fief sent back
// to (auto-login must be on).
func (w *webApp) secureFlow(t *testing.T) (flow *http.Cookie, callback string) {
	t.Helper()
	c := browsertest.NoRedirect(browsertest.New(t))
	resp, _ := browsertest.Get(t, c, w.app.URL+"/protected")
	authorize, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	cs := setCookiesWithPrefix(resp, w.flowPrefix())
	if len(cs) != 1 {
		t.Fatalf("flow cookies %q, want one", resp.Header["Set-Cookie"])
	}
	return cs[0], w.callbackURL(t, c, authorize)
}

func (w *webApp) flowPrefix() string {
	return strings.TrimSuffix(w.flow.SessionCookieName(), fiefhttp.DefaultSessionCookieName) + fiefhttp.DefaultFlowCookiePrefix
}

// do sends a request with these cookies, without following redirects.
func do(t *testing.T, method, u string, header http.Header, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := browsertest.NoRedirect(browsertest.New(t)).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Body(t, resp)
	return resp
}

// planted is what a sibling subdomain or a plain-http page of the same host
// can set in the victim's browser: a cookie of any name that does not start
// with __Host- (browsers refuse those from anywhere but the origin itself,
// over https, with Path=/ and no Domain).
func planted(c *http.Cookie) *http.Cookie {
	return &http.Cookie{Name: strings.TrimPrefix(c.Name, fiefhttp.HostPrefix), Value: c.Value}
}

// TestPlantedCookiesLoginCSRFAndSessionFixation: an attacker signs in to
// Fief with their own account, stops before the callback, and plants their
// flow cookie in the victim's browser (login CSRF), or plants their session
// cookie (session fixation). With Secure cookies, the names carry the
// __Host- prefix, so nothing a sibling subdomain can set is read.
func TestPlantedCookiesLoginCSRFAndSessionFixation(t *testing.T) {
	w := newWebApp(t, appOptions{})
	w.srv.SetAutoLogin(testEmail) // the attacker's own account

	flow, callback := w.secureFlow(t)
	if !strings.HasPrefix(flow.Name, fiefhttp.HostPrefix) || !flow.Secure || flow.Path != "/" || flow.Domain != "" {
		t.Errorf("flow cookie %s: want a __Host- name, Secure, Path=/, no Domain", flow)
	}
	// Login CSRF: the victim's browser follows the attacker's callback URL
	// with the planted flow cookie.
	resp := do(t, "GET", callback, nil, planted(flow))
	if resp.StatusCode == http.StatusFound || setCookie(resp, w.flow.SessionCookieName()) != nil {
		t.Fatalf("callback with a planted flow cookie: %d to %q, cookies %q: the victim is signed in as the attacker",
			resp.StatusCode, resp.Header.Get("Location"), resp.Header["Set-Cookie"])
	}

	// The genuine browser completes its own sign-in.
	flow, callback = w.secureFlow(t)
	resp = do(t, "GET", callback, nil, flow)
	session := setCookie(resp, w.flow.SessionCookieName())
	if resp.StatusCode != http.StatusFound || session == nil {
		t.Fatalf("callback: %d, cookies %q", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	if !strings.HasPrefix(session.Name, fiefhttp.HostPrefix) || !session.Secure || session.Path != "/" || session.Domain != "" {
		t.Errorf("session cookie %s: want a __Host- name, Secure, Path=/, no Domain", session)
	}
	if resp := do(t, "GET", w.app.URL+"/other", nil, session); resp.StatusCode != http.StatusOK {
		t.Fatalf("/other with the session cookie: %d", resp.StatusCode)
	}
	// Session fixation: the attacker's session cookie, planted.
	resp = do(t, "GET", w.app.URL+"/other", http.Header{"Sec-Fetch-Mode": {"cors"}}, planted(session))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/other with a planted session cookie: %d, want 401: the victim browses as the attacker", resp.StatusCode)
	}
}

// TestCustomCookieNamesKeepTheirPath: a custom flow-cookie prefix without
// __Host- keeps its cookies to the callback path.
func TestCustomCookieNamesKeepTheirPath(t *testing.T) {
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{BaseURL: "https://app.example/sub/", FlowCookiePrefix: "myflow_", SessionCookieName: "mysession"}})
	resp := do(t, "GET", w.app.URL+"/protected", nil)
	if cs := setCookiesWithPrefix(resp, "myflow_"); len(cs) != 1 || cs[0].Path != "/sub/auth-callback" || !cs[0].Secure {
		t.Errorf("flow cookies %v, want one Secure with Path=/sub/auth-callback", cs)
	}
	if got := w.flow.SessionCookieName(); got != "mysession" {
		t.Errorf("session cookie name %q", got)
	}
	if _, err := fiefhttp.NewWebFlow(w.client, fiefhttp.WebConfig{InsecureCookies: true, SessionCookieName: "__Host-s"}); err == nil {
		t.Error("a __Host- name without Secure cookies accepted")
	}
}

// TestCrossSiteLogoutRefused: an auto-submitted form on another site (or a
// sibling subdomain) posting to the logout URL must not sign the user out:
// 403, and the session, its record and the cached claims stay.
func TestCrossSiteLogoutRefused(t *testing.T) {
	store := fiefhttp.NewMemorySessionStore(fiefhttp.MemorySessionStoreConfig{})
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, Storage: fiefhttp.StorageServer, Store: store}})
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, w.app.URL+"/protected")
	if _, page = logIn(t, b, resp, page); page != "email: "+testEmail {
		t.Fatalf("login: %q", page)
	}
	appURL, _ := url.Parse(w.app.URL)
	var session *http.Cookie
	for _, c := range b.Jar.Cookies(appURL) {
		if c.Name == w.flow.SessionCookieName() {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie after sign-in")
	}
	records := store.Len()
	for _, tt := range []struct {
		name   string
		method string
		header http.Header
		want   int
	}{
		{"cross-site form", "POST", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"sibling subdomain", "POST", http.Header{"Origin": {"https://evil." + appURL.Host}, "Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{"foreign Origin, no fetch metadata", "POST", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"a link or an image: GET shows a button", "GET", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusOK},
		{"other method", "DELETE", nil, http.StatusMethodNotAllowed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, tt.method, w.app.URL+"/logout", tt.header, session)
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if c := setCookie(resp, session.Name); c != nil {
				t.Errorf("session cookie changed: %s", c)
			}
			if store.Len() != records {
				t.Errorf("%d session records, want %d", store.Len(), records)
			}
			if _, _, ok, _ := w.cache.Get(context.Background(), w.user.ID); !ok {
				t.Error("cached claims dropped")
			}
		})
	}
	resp, page = browsertest.Get(t, b, w.app.URL+"/logout")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<form method="post" action="/logout">`) {
		t.Errorf("GET /logout: %d %q, want a page with a sign-out form", resp.StatusCode, page)
	}
	if resp, page := browsertest.Get(t, b, w.app.URL+"/protected"); page != "email: "+testEmail {
		t.Fatalf("after refused logouts, /protected: %d %q", resp.StatusCode, page)
	}
	// The same-origin form signs out, and deletes the record.
	resp = do(t, "POST", w.app.URL+"/logout", http.Header{"Origin": {w.app.URL}, "Sec-Fetch-Site": {"same-origin"}}, session)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin logout: %d", resp.StatusCode)
	}
	if c := setCookie(resp, session.Name); c == nil || c.MaxAge >= 0 {
		t.Errorf("session cookie not deleted: %v", c)
	}
	if resp := do(t, "GET", w.app.URL+"/other", http.Header{"Sec-Fetch-Mode": {"cors"}}, session); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the logged-out session ID still works: %d", resp.StatusCode)
	}
}

// TestNewWebFlowRefusesOverlappingCookieNames: a session cookie whose name
// starts with the flow-cookie prefix can be named by a link to the callback
// (state = the rest of the name), and a prefix that starts with the
// session cookie's name is as confusing: NewWebFlow refuses both.
func TestNewWebFlowRefusesOverlappingCookieNames(t *testing.T) {
	e := newFiefEnv(t)
	for _, tt := range []struct {
		session, prefix string
		ok              bool
	}{
		{"myapp_session", "myapp_", false},
		{"__Host-myapp_session", "__Host-myapp_", false},
		{"myapp", "myapp_flow_", false},
		{"same", "same", false},
		{"myapp_session", "myapp_flow_", true},
		{"session", "flow_", true},
	} {
		_, err := fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{InsecureCookies: !strings.HasPrefix(tt.session, fiefhttp.HostPrefix), SessionCookieName: tt.session, FlowCookiePrefix: tt.prefix})
		if (err == nil) != tt.ok {
			t.Errorf("session cookie %q, flow prefix %q: error %v, want ok=%v", tt.session, tt.prefix, err, tt.ok)
		}
	}
}
