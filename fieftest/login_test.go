package fieftest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// exchange trades a code for tokens with client_secret_post.
func exchange(t *testing.T, e *env, base, code string, extra ...string) map[string]any {
	t.Helper()
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {e.client.ClientID}, "client_secret": {e.client.ClientSecret},
	}
	for i := 0; i < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	status, body, _ := tokenCall(t, e.srv.Client(), base, form)
	if status != 200 {
		t.Fatalf("token: %d %v", status, body)
	}
	return body
}

func TestLoginFlow(t *testing.T) {
	e := newEnv(t)
	b := e.srv.BrowserClient()
	authURL := authorizeURL(e.srv.URL, map[string]string{
		"client_id": e.client.ClientID, "redirect_uri": redirectURI, "state": "s1", "nonce": "n1",
		"scope": "openid offline_access", "login_hint": e.user.Email(),
	})
	csrf := startLogin(t, b, authURL)

	t.Run("csrf mismatch", func(t *testing.T) {
		resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {e.user.Email()}, "password": {password}, "csrf_token": {"forged"}})
		browsertest.Body(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "" {
			t.Errorf("got %d X-Fief-Error %q, want 400 without header", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	})
	for _, tc := range []struct{ name, email, password string }{
		{"unknown email", "nobody@example.com", password},
		{"wrong password", e.user.Email(), "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {tc.email}, "password": {tc.password}, "csrf_token": {csrf}})
			browsertest.Body(t, resp)
			if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "bad_credentials" {
				t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
			}
		})
	}

	start := e.srv.Now()
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {strings.ToUpper(e.user.Email())}, "password": {password}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	loc := callback(t, resp)
	q := loc.Query()
	if q.Get("state") != "s1" || len(q.Get("code")) != 43 || loc.Fragment != "" {
		t.Fatalf("callback = %s", loc)
	}
	if !strings.HasPrefix(resp.Header.Get("Location"), redirectURI+"?code=") {
		t.Errorf("code is not the first parameter: %s", resp.Header.Get("Location"))
	}
	tok := exchange(t, e, e.srv.URL, q.Get("code"))
	set := fetchJWKS(t, e.srv.Client(), e.srv.URL)
	id := verifyJWS(t, tok["id_token"].(string), set)
	at := verifyJWS(t, tok["access_token"].(string), set)
	if id["acr"] != "1" || at["acr"] != "1" || id["nonce"] != "n1" || id["c_hash"] != halfHash(q.Get("code")) ||
		id["at_hash"] != halfHash(tok["access_token"].(string)) || id["email"] != e.user.Email() {
		t.Errorf("id token claims %v", id)
	}
	if at := int64(at["auth_time"].(float64)); at < start.Unix() || at > start.Unix()+5 {
		t.Errorf("auth_time %d, login at %d", at, start.Unix())
	}
	if tok["refresh_token"] == nil {
		t.Errorf("no refresh token with offline_access")
	}

	t.Run("session reuse gives ACR 0 and keeps auth_time", func(t *testing.T) {
		e.srv.Advance(time.Minute)
		resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}))
		browsertest.Body(t, resp)
		loc := callback(t, resp)
		if via := resp.Request.URL.Path; via != "/consent" {
			t.Errorf("last hop %s, want /consent", via)
		}
		tok := exchange(t, e, e.srv.URL, loc.Query().Get("code"))
		id2 := verifyJWS(t, tok["id_token"].(string), set)
		if id2["acr"] != "0" || id2["auth_time"] != id["auth_time"] || id2["nonce"] != nil {
			t.Errorf("claims %v", id2)
		}
	})
	for _, tc := range []struct {
		name  string
		extra map[string]string
	}{
		{"prompt=login forces the form", map[string]string{"prompt": "login"}},
		{"acr_values=1 forces the form", map[string]string{"acr_values": "x 1 0"}},
		{"max_age exceeded forces the form", map[string]string{"max_age": "30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}
			for k, v := range tc.extra {
				p[k] = v
			}
			startLogin(t, b, authorizeURL(e.srv.URL, p))
		})
	}
	t.Run("prompt=none with session", func(t *testing.T) {
		resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "prompt": "none"}))
		browsertest.Body(t, resp)
		if loc := callback(t, resp); loc.Query().Get("code") == "" {
			t.Errorf("callback %s", loc)
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		resp := get(t, noRedirectJar(e.srv, b), e.srv.URL+"/logout?redirect_uri="+url.QueryEscape("https://app.example"))
		browsertest.Body(t, resp)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://app.example/" {
			t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, `fief_session=""`) || !strings.Contains(sc, "Max-Age=0") {
			t.Errorf("Set-Cookie %s", sc)
		}
		startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}))
	})
}

// noRedirectJar is a client sharing b's cookie jar that does not follow
// redirects.
func noRedirectJar(srv *fieftest.Server, b *http.Client) *http.Client {
	c := noRedirect(srv)
	c.Jar = b.Jar
	return c
}

func TestLoginInactiveUser(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.AddUser(fieftest.UserConfig{Email: "gone@example.com", Password: password, Inactive: true}); err != nil {
		t.Fatal(err)
	}
	b := e.srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}))
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {"gone@example.com"}, "password": {password}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "bad_credentials" {
		t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
}

func TestVerifyEmailFlow(t *testing.T) {
	e := newEnv(t)
	u, err := e.srv.AddUser(fieftest.UserConfig{Email: "new@example.com", Password: password, Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	b := e.srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "state": "x"}))
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {u.Email()}, "password": {password}, "csrf_token": {csrf}})
	page := browsertest.Body(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/verify" || !strings.Contains(page, `name="code"`) {
		t.Fatalf("after login: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	code, ok := e.srv.EmailVerificationCode(u.ID)
	if !ok || len(code) != 6 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("code %q %v", code, ok)
	}

	t.Run("consent refuses an unverified user", func(t *testing.T) {
		resp := get(t, noRedirectJar(e.srv, b), e.srv.URL+"/consent")
		browsertest.Body(t, resp)
		if resp.StatusCode != 307 || resp.Header.Get("Location") != e.srv.URL+"/verify-request" {
			t.Errorf("got %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("wrong code", func(t *testing.T) {
		resp := postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {"AAAAAA"}, "csrf_token": {csrf}})
		browsertest.Body(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_code" {
			t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	})
	resp = postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {code}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" || loc.Query().Get("state") != "x" {
		t.Errorf("callback %s", loc)
	}
	if u.Claims()["email_verified"] != true {
		t.Errorf("email not verified: %v", u.Claims())
	}
}

func TestLoginSessionChecks(t *testing.T) {
	e := newEnv(t)
	c := noRedirect(e.srv)

	req, _ := http.NewRequest("GET", e.srv.URL+"/login", nil)
	req.AddCookie(&http.Cookie{Name: "fief_login_session", Value: "forged"})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Body(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_session" {
		t.Errorf("forged: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}

	b := e.srv.BrowserClient()
	startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "state": "s", "code_challenge": "abc"}))
	e.srv.Advance(2 * time.Hour)
	resp = get(t, noRedirectJar(e.srv, b), e.srv.URL+"/login")
	browsertest.Body(t, resp)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 303 || loc.Path != "/authorize" || loc.Query().Get("acr_values") != "1" ||
		loc.Query().Get("state") != "s" || loc.Query().Get("code_challenge_method") != "plain" || loc.Host == "" {
		t.Errorf("expired: %d %s", resp.StatusCode, loc)
	}
}
