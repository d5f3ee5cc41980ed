package fieftest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestRegister(t *testing.T) {
	e := newEnv(t)
	b := e.srv.BrowserClient()
	resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "screen": "register"}))
	page := browsertest.Body(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/register" {
		t.Fatalf("%d at %s", resp.StatusCode, resp.Request.URL)
	}
	csrf := browsertest.CSRF(t, page)
	for _, tc := range []struct{ name, email, pw, fiefErr string }{
		{"taken", strings.ToUpper(e.user.Email()), password, "user_already_exists"},
		{"weak password", "new@example.com", "password", ""},
	} {
		resp := postForm(t, b, e.srv.URL+"/register", url.Values{"email": {tc.email}, "password": {tc.pw}, "csrf_token": {csrf}})
		browsertest.Body(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != tc.fiefErr {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	}
	resp = postForm(t, b, e.srv.URL+"/register", url.Values{"email": {"new@example.com"}, "password": {password}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	if resp.Request.URL.Path != "/verify" {
		t.Fatalf("after register at %s", resp.Request.URL)
	}
	u, ok := e.srv.DefaultTenant().User("new@example.com")
	if !ok {
		t.Fatal("user not created")
	}
	code, _ := e.srv.EmailVerificationCode(u.ID)
	resp = postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {code}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("callback %s", loc)
	}

	e.srv.DefaultTenant().SetRegistrationAllowed(false)
	resp = get(t, b, e.srv.URL+"/register")
	browsertest.Body(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "registration_disabled" {
		t.Errorf("disabled: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
}

func TestLogoutErrors(t *testing.T) {
	e := newEnv(t)
	c := noRedirect(e.srv)
	resp := get(t, c, e.srv.URL+"/logout")
	browsertest.Body(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_request" {
		t.Errorf("missing: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
	resp = get(t, c, e.srv.URL+"/logout?redirect_uri=/relative")
	body := browsertest.Body(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, `"url_parsing"`) {
		t.Errorf("relative: %d %s", resp.StatusCode, body)
	}
	resp = get(t, c, e.srv.URL+"/logout?redirect_uri="+url.QueryEscape("https://anywhere.example/bye?x=1"))
	browsertest.Body(t, resp)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://anywhere.example/bye?x=1" {
		t.Errorf("any url: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
