package fieftest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestSlugTenantEndToEnd(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	tn, err := srv.AddTenant("secondary")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := tn.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := tn.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: password, Unverified: true})
	if err != nil {
		t.Fatal(err)
	}
	// The same email in the default tenant is another user.
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "another-password-here"}); err != nil {
		t.Fatal(err)
	}

	base := tn.BaseURL()
	b := srv.BrowserClient()
	resp := get(t, b, authorizeURL(base, map[string]string{"client_id": cl.ClientID, "redirect_uri": redirectURI, "scope": "openid offline_access"}))
	page := browsertest.Body(t, resp)
	if resp.Request.URL.Path != "/secondary/login" || !strings.Contains(page, `action="/secondary/login"`) {
		t.Fatalf("at %s", resp.Request.URL)
	}
	resp = postForm(t, b, base+"/login", url.Values{"email": {u.Email()}, "password": {password}, "csrf_token": {browsertest.CSRF(t, page)}})
	page = browsertest.Body(t, resp)
	if resp.Request.URL.Path != "/secondary/verify" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	code, _ := srv.EmailVerificationCode(u.ID)
	resp = postForm(t, b, base+"/verify", url.Values{"code": {code}, "csrf_token": {browsertest.CSRF(t, page)}})
	browsertest.Body(t, resp)
	loc := callback(t, resp)

	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI}}
	// The default tenant's token endpoint does not know this client.
	if status, body, _ := tokenCall(t, srv.Client(), srv.URL, form, cl.ClientID, cl.ClientSecret); status != 400 || body["error"] != "invalid_client" {
		t.Errorf("wrong tenant: %d %v", status, body)
	}
	status, tok, _ := tokenCall(t, srv.Client(), base, form, cl.ClientID, cl.ClientSecret)
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	set := fetchJWKS(t, srv.Client(), base)
	at := verifyJWS(t, tok["access_token"].(string), set)
	if at["iss"] != tn.Issuer() || !strings.HasSuffix(tn.Issuer(), "/secondary") || at["sub"] != u.ID {
		t.Errorf("claims %v", at)
	}
	st, body := bearer(t, srv.Client(), "GET", base+"/api/userinfo", tok["access_token"].(string), "")
	if st != 200 || !strings.Contains(body, u.ID) {
		t.Errorf("userinfo: %d %s", st, body)
	}
	// The default tenant does not accept the other tenant's token.
	if st, _ := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", tok["access_token"].(string), ""); st != 401 {
		t.Errorf("cross-tenant userinfo: %d", st)
	}
	if status, tok2, _ := tokenCall(t, srv.Client(), base, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, cl.ClientID, cl.ClientSecret); status != 200 || tok2["refresh_token"] == nil {
		t.Errorf("refresh: %d %v", status, tok2)
	}
}
