package e2e

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// sessionTokenLifetime is the access-token lifetime of the session site's
// Fief client.
const sessionTokenLifetime = 10 * time.Minute

// sessionSite is a web application with sealed-cookie sessions, run in
// this process next to its own fieftest server, whose clock the tests move.
type sessionSite struct {
	fief *fieftest.Server
	url  string // http://localhost:PORT: another host than Fief's 127.0.0.1
}

func startSessionSite(t *testing.T) *sessionSite {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: sessionTokenLifetime})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: demoEmail, Password: demoPassword}); err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{Storage: fiefhttp.StorageSealedCookie, InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	auth := flow.Auth()
	page := func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		user, _ := fiefhttp.UserInfoFrom(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><p id="message">Signed in as %s at ACR %s</p></body></html>`,
			html.EscapeString(user.Email()), html.EscapeString(string(info.ACR)))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /page", auth.CurrentUser()(http.HandlerFunc(page)))
	mux.Handle("GET /admin", auth.CurrentUser(fiefhttp.MinACR(fief.ACRLevel1))(http.HandlerFunc(page)))
	mux.HandleFunc("GET /auth-callback", flow.Callback)
	mux.HandleFunc("/logout", flow.Logout)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	s := &sessionSite{fief: srv, url: "http://localhost:" + fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)}
	fc.AddRedirectURI(s.url + "/auth-callback")
	return s
}

// requireFiefLoginForm fails t unless the tab landed on Fief's login form.
func (s *sessionSite) requireFiefLoginForm(t *testing.T, tab context.Context, landed string) {
	t.Helper()
	u, err := url.Parse(landed)
	if err != nil || !strings.HasPrefix(landed, s.fief.URL) || !strings.HasSuffix(u.Path, "/login") {
		t.Fatalf("landed on %s, want Fief's login form; page:\n%s", landed, pageText(t, tab))
	}
}

// requirePage fails t unless the tab shows path of the site at ACR acr.
func (s *sessionSite) requirePage(t *testing.T, tab context.Context, landed string, status int64, path, acr string) {
	t.Helper()
	want := "Signed in as " + demoEmail + " at ACR " + acr
	if text := pageText(t, tab); landed != s.url+path || status != 200 || !strings.Contains(text, want) {
		t.Fatalf("landed on %s (status %d), want %s saying %q; page:\n%s", landed, status, s.url+path, want, text)
	}
}

// signedIn opens a new browser context and signs in through Fief's login
// form.
func (s *sessionSite) signedIn(t *testing.T) context.Context {
	t.Helper()
	tab := env.newBrowserContext(t)
	resp := navigate(t, tab, s.url+"/page")
	s.requireFiefLoginForm(t, tab, resp.URL)
	resp = signIn(t, tab, demoEmail, demoPassword)
	s.requirePage(t, tab, resp.URL, resp.Status, "/page", "1")
	return tab
}

// TestSessionOutlivesAccessTokenInBrowser: signed in with a sealed-cookie
// session, the page still loads, without a trip to Fief's pages, after the
// access token has expired, several times over: each time one refresh
// reaches Fief's token endpoint, behind the page's request.
func TestSessionOutlivesAccessTokenInBrowser(t *testing.T) {
	setup(t)
	s := startSessionSite(t)
	tab := s.signedIn(t)
	var resp *network.Response
	for i := range 3 {
		authorize, token := s.fief.RequestCount(fieftest.EndpointAuthorize), s.fief.RequestCount(fieftest.EndpointToken)
		s.fief.Advance(sessionTokenLifetime + time.Minute)
		resp = navigate(t, tab, s.url+"/page")
		s.requirePage(t, tab, resp.URL, resp.Status, "/page", "0")
		if n := s.fief.RequestCount(fieftest.EndpointAuthorize) - authorize; n != 0 {
			t.Fatalf("expiry %d: the browser went to Fief's authorize %d times", i+1, n)
		}
		if n := s.fief.RequestCount(fieftest.EndpointToken) - token; n != 1 {
			t.Fatalf("expiry %d: %d token requests, want one refresh", i+1, n)
		}
	}
}

// TestStepUpInBrowser: a page asking for ACR 1 on a refreshed (ACR 0)
// session sends the browser to Fief's login form, and back to itself.
func TestStepUpInBrowser(t *testing.T) {
	setup(t)
	s := startSessionSite(t)
	tab := s.signedIn(t)

	s.fief.Advance(sessionTokenLifetime + time.Minute)
	resp := navigate(t, tab, s.url+"/admin?tab=security")
	s.requireFiefLoginForm(t, tab, resp.URL)
	resp = signIn(t, tab, demoEmail, demoPassword)
	s.requirePage(t, tab, resp.URL, resp.Status, "/admin?tab=security", "1")
	// The stepped-up session is a session like any other.
	resp = navigate(t, tab, s.url+"/page")
	s.requirePage(t, tab, resp.URL, resp.Status, "/page", "1")
}

// TestCrossSiteLogoutInBrowser: a page of another site whose form posts to
// the application's logout URL gets 403 and signs no one out; the
// application's own sign-out page does sign out.
func TestCrossSiteLogoutInBrowser(t *testing.T) {
	setup(t)
	s := startSessionSite(t)
	tab := s.signedIn(t)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><form method="post" action="%s/logout">`+
			`<button id="win" type="submit">Win a prize</button></form></body></html>`, s.url)
	}))
	t.Cleanup(evil.Close)
	// evil.URL is on 127.0.0.1, another site than localhost.
	navigate(t, tab, evil.URL)
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("win")))
	if err != nil {
		t.Fatalf("submitting the other site's form: %v", err)
	}
	if resp.URL != s.url+"/logout" || resp.Status != http.StatusForbidden {
		t.Fatalf("the cross-site form landed on %s (status %d), want %s/logout refused with 403", resp.URL, resp.Status, s.url)
	}
	authorize := s.fief.RequestCount(fieftest.EndpointAuthorize)
	resp = navigate(t, tab, s.url+"/page")
	s.requirePage(t, tab, resp.URL, resp.Status, "/page", "1")
	if s.fief.RequestCount(fieftest.EndpointAuthorize) != authorize {
		t.Fatal("after the cross-site form, the page needed a new sign-in")
	}
	// The application's own sign-out page (GET) and its button (POST).
	resp = navigate(t, tab, s.url+"/logout")
	if resp.Status != http.StatusOK {
		t.Fatalf("GET /logout: %d", resp.Status)
	}
	resp, err = chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("logout")))
	if err != nil {
		t.Fatalf("signing out: %v", err)
	}
	resp = navigate(t, tab, s.url+"/page")
	s.requireFiefLoginForm(t, tab, resp.URL)
}
