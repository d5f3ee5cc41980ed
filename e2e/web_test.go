package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fief-dev/fief-go/fiefhttp"
)

// TestSignIn follows a user who opens the protected page: Fief's login
// form, the demo credentials, then the protected page naming the user, with
// a session cookie that the page's scripts cannot read.
func TestSignIn(t *testing.T) {
	s := setup(t)
	tab := s.newBrowserContext(t)

	resp := navigate(t, tab, s.app.URL+"/protected")
	s.requireLoginForm(t, tab, resp)
	resp = signIn(t, tab, demoEmail, demoPassword)
	requireProtectedPage(t, tab, resp, s.app.URL+"/protected")

	jar := cookies(t, tab, s.app.URL+"/protected")
	session := cookieNamed(jar, fiefhttp.DefaultSessionCookieName)
	if session == nil || session.Value == "" {
		t.Fatalf("no session cookie %s for %s; cookies: %q", fiefhttp.DefaultSessionCookieName, s.app.URL, cookieNames(jar, ""))
	}
	if !session.HTTPOnly {
		t.Errorf("session cookie %s is not HttpOnly", session.Name)
	}
	if session.SameSite != network.CookieSameSiteLax || session.Path != "/" || session.Session {
		t.Errorf("session cookie: SameSite=%q Path=%q session-only=%v, want Lax, /, with an expiry",
			session.SameSite, session.Path, session.Session)
	}
	// What HttpOnly is for: the page's scripts do not see the token.
	docCookie, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(docCookie, session.Value) {
		t.Errorf("document.cookie shows the session token (%d bytes of cookies readable by scripts)", len(docCookie))
	}
	// The flow is over: its cookie is gone.
	if flows := cookieNames(cookies(t, tab, s.app.URL+fiefhttp.DefaultCallbackPath), fiefhttp.DefaultFlowCookiePrefix); len(flows) != 0 {
		t.Errorf("flow cookies left after sign-in: %q", flows)
	}
	// The session holds: the next visit stays on the application.
	resp = navigate(t, tab, s.app.URL+"/protected")
	requireProtectedPage(t, tab, resp, s.app.URL+"/protected")
}

// TestTwoTabsSignIn opens two tabs of one browser context (shared cookies)
// that both start signing in before either has finished: each completes its
// own flow and lands on the page it asked for.
//
// Fief keeps one login session per browser (its fief_login_session cookie),
// so two login forms open at once cannot both be submitted: the second
// /authorize replaces the first's login session, with real Fief as with
// fieftest. The application is what this test is about: each tab's flow
// has its own state and cookie. So tab 2's request to Fief's /authorize is
// held in flight, as on a slow network, while tab 1 signs in; then it goes
// on, and Fief, which now has a session, sends tab 2 straight back to the
// callback with its own state.
func TestTwoTabsSignIn(t *testing.T) {
	s := setup(t)
	tab1 := s.newBrowserContext(t)
	tab2 := newTabBeside(t, tab1)
	url1, url2 := s.app.URL+"/protected?tab=1", s.app.URL+"/protected?tab=2"
	callbackURL := s.app.URL + fiefhttp.DefaultCallbackPath

	resp := navigate(t, tab1, url1)
	s.requireLoginForm(t, tab1, resp)

	paused := chromedp.Events(tab2, fetch.RequestPaused)
	_, err := chromedp.Call(tab2, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*/authorize?*"}},
	})
	if err != nil {
		t.Fatalf("enabling request interception in tab 2: %v", err)
	}
	type result struct {
		resp *network.Response
		err  error
	}
	nav2 := make(chan result, 1)
	go func() {
		resp, err := chromedp.Run(tab2, chromedp.NavigateResponse(url2))
		nav2 <- result{resp, err}
	}()
	firstPause := make(chan fetch.EventRequestPaused, 1)
	go func() {
		for ev, err := range paused {
			if err == nil {
				firstPause <- ev
			}
			return
		}
	}()
	var held fetch.EventRequestPaused
	select {
	case held = <-firstPause:
	case r := <-nav2:
		if r.err != nil {
			t.Fatalf("tab 2, before reaching Fief: %v", r.err)
		}
		t.Fatalf("tab 2 never asked Fief to authorize: it landed on %s (status %d)", r.resp.URL, r.resp.Status)
	case <-tab2.Done():
		t.Fatalf("waiting for tab 2's request to Fief: %v", tab2.Err())
	}
	authURL, err := url.Parse(held.Request.URL)
	if err != nil {
		t.Fatalf("tab 2 asks Fief for an invalid URL %q: %v", held.Request.URL, err)
	}
	state2 := authURL.Query().Get("state")

	// Both flows are open, each in its own cookie.
	flows := cookieNames(cookies(t, tab1, callbackURL), fiefhttp.DefaultFlowCookiePrefix)
	if len(flows) != 2 || !slices.Contains(flows, fiefhttp.DefaultFlowCookiePrefix+state2) {
		t.Fatalf("flow cookies while both tabs sign in: %q, want two, one for tab 2's state %q", flows, state2)
	}

	resp = signIn(t, tab1, demoEmail, demoPassword)
	requireProtectedPage(t, tab1, resp, url1)

	if _, err := chromedp.Call(tab2, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: held.RequestID}); err != nil {
		t.Fatalf("releasing tab 2's request: %v", err)
	}
	var r result
	select {
	case r = <-nav2:
	case <-tab2.Done():
		t.Fatalf("tab 2 did not finish loading: %v", tab2.Err())
	}
	if r.err != nil {
		t.Fatalf("tab 2: %v", r.err)
	}
	if _, err := chromedp.Call(tab2, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatalf("disabling request interception in tab 2: %v", err)
	}
	requireProtectedPage(t, tab2, r.resp, url2)

	if flows := cookieNames(cookies(t, tab1, callbackURL), fiefhttp.DefaultFlowCookiePrefix); len(flows) != 0 {
		t.Errorf("flow cookies left after both sign-ins: %q", flows)
	}
}

// TestSignOut signs in, clicks "Log out", and checks that the session is
// over in the application and in Fief: the protected page sends the
// browser to the login form again.
func TestSignOut(t *testing.T) {
	s := setup(t)
	tab := s.newBrowserContext(t)
	resp := navigate(t, tab, s.app.URL+"/protected")
	s.requireLoginForm(t, tab, resp)
	resp = signIn(t, tab, demoEmail, demoPassword)
	requireProtectedPage(t, tab, resp, s.app.URL+"/protected")

	hasButton, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("logout") !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if !hasButton {
		t.Fatalf("the protected page has no #logout button; page:\n%s", pageText(t, tab))
	}
	resp, err = chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("logout")))
	if err != nil {
		t.Fatalf("logging out: %v", err)
	}
	if resp.URL != s.app.URL+"/" || resp.Status != 200 {
		t.Errorf("after logout: landed on %s (status %d), want the home page %s/", resp.URL, resp.Status, s.app.URL)
	}
	if c := cookieNamed(cookies(t, tab, s.app.URL+"/protected"), fiefhttp.DefaultSessionCookieName); c != nil {
		t.Errorf("session cookie still set after logout: %s=%.10s...", c.Name, c.Value)
	}

	resp = navigate(t, tab, s.app.URL+"/protected")
	s.requireLoginForm(t, tab, resp)
}
