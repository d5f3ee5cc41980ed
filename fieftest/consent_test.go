package fieftest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestConsent(t *testing.T) {
	e := newEnv(t)
	tp, err := e.srv.AddClient(fieftest.ClientConfig{ThirdParty: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.srv.BrowserClient()
	authURL := authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ClientID, "redirect_uri": redirectURI, "state": "s", "scope": "openid castles"})
	csrf := startLogin(t, b, authURL)
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {e.user.Email()}, "password": {password}, "csrf_token": {csrf}})
	page := browsertest.Body(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/consent" || !strings.Contains(page, `id="allow"`) || !strings.Contains(page, "castles") {
		t.Fatalf("want the consent page, got %d at %s", resp.StatusCode, resp.Request.URL)
	}
	csrf = browsertest.CSRF(t, page)

	resp = postForm(t, b, e.srv.URL+"/consent", url.Values{"deny": {"1"}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	loc := callback(t, resp)
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s" {
		t.Errorf("deny: %s", loc)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) == 0 || !strings.Contains(strings.Join(sc, "\n"), `fief_login_session=""`) {
		t.Errorf("login session cookie not cleared: %v", sc)
	}
	resp = get(t, noRedirectJar(e.srv, b), e.srv.URL+"/consent")
	browsertest.Body(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "missing_session" {
		t.Errorf("consent without login session: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}

	resp = get(t, b, authURL)
	page = browsertest.Body(t, resp)
	if resp.Request.URL.Path != "/consent" {
		t.Fatalf("second authorize landed on %s", resp.Request.URL)
	}
	resp = postForm(t, b, e.srv.URL+"/consent", url.Values{"allow": {"1"}, "csrf_token": {browsertest.CSRF(t, page)}})
	browsertest.Body(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("allow: %s", loc)
	}

	// The grant now covers these scopes (and subsets): no page.
	resp = get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ClientID, "redirect_uri": redirectURI, "scope": "openid"}))
	browsertest.Body(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("granted: %s", loc)
	}
	// A new scope asks again.
	resp = get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ClientID, "redirect_uri": redirectURI, "scope": "openid moats"}))
	browsertest.Body(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/consent" {
		t.Errorf("new scope: %d at %s", resp.StatusCode, resp.Request.URL)
	}
}

func TestConsentWithoutSession(t *testing.T) {
	e := newEnv(t)
	resp := get(t, noRedirect(e.srv), e.srv.URL+"/consent")
	body := browsertest.Body(t, resp)
	if resp.StatusCode != 307 || resp.Header.Get("Location") != e.srv.URL+"/login" || !jsonEq(t, body, `{"detail":"Temporary Redirect"}`) {
		t.Errorf("got %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}
