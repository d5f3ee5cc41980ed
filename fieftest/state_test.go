package fieftest_test

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestStateRoundTrip: a server loaded with the state of another serves the
// same key sets, clients, users with their grants, webhooks and admin key,
// and accepts the tokens the other issued.
func TestStateRoundTrip(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	castles, err := srv.AddTenant("castles")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddRole(fieftest.RoleConfig{Name: "Castle manager", Permissions: []string{"castles:write"}}); err != nil {
		t.Fatal(err)
	}
	anne, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "Herm1ne-Tincture!", Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := anne.GrantRole("Castle manager"); err != nil {
		t.Fatal(err)
	}
	app, err := srv.AddClient(fieftest.ClientConfig{ClientID: "web", Encrypt: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := srv.AddWebhook(fieftest.WebhookConfig{URL: "http://127.0.0.1:1/hook", Events: []string{"user.deleted"}})
	if err != nil {
		t.Fatal(err)
	}
	token := srv.MintAccessToken(anne.ID, fieftest.TokenOptions{ACR: "1"})
	// A browser signed in: its fief_session cookie.
	b := srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(srv.URL, map[string]string{"client_id": "web", "redirect_uri": redirectURI}))
	browsertest.Body(t, postForm(t, b, srv.URL+"/login", url.Values{"email": {"anne@bretagne.duchy"}, "password": {"Herm1ne-Tincture!"}, "csrf_token": {csrf}}))
	srvURL, _ := url.Parse(srv.URL)
	cookies := b.Jar.Cookies(srvURL)
	var state bytes.Buffer
	if err := srv.SaveState(&state); err != nil {
		t.Fatal(err)
	}

	again := fieftest.NewUnstartedServer()
	if err := again.LoadState(bytes.NewReader(state.Bytes())); err != nil {
		t.Fatal(err)
	}
	again.Start()
	defer again.Close()
	if !bytes.Equal(again.DefaultTenant().PublicJWKS(), srv.DefaultTenant().PublicJWKS()) {
		t.Error("the default tenant's key set changed")
	}
	if c, ok := again.Tenant("castles"); !ok || !bytes.Equal(c.PublicJWKS(), castles.PublicJWKS()) {
		t.Error("the castles tenant or its key set changed")
	}
	c, ok := again.DefaultTenant().Client("web")
	if !ok || c.ID != app.ID || c.ClientSecret != app.ClientSecret || c.EncryptionKey != app.EncryptionKey || !slices.Equal(c.RedirectURIs(), []string{redirectURI}) {
		t.Errorf("client after the load: %v", c)
	}
	u, ok := again.DefaultTenant().User("anne@bretagne.duchy")
	if !ok || u.ID != anne.ID || !u.CheckPassword("Herm1ne-Tincture!") || !slices.Equal(u.Permissions(), anne.Permissions()) {
		t.Fatalf("user after the load: %v %v", u, u.Permissions())
	}
	if again.AdminAPIKey() != srv.AdminAPIKey() {
		t.Error("the admin key changed")
	}
	status, body := bearer(t, again.Client(), "GET", again.URL+"/admin/api/webhooks/", again.AdminAPIKey(), "")
	if status != 200 || !strings.Contains(body, hook.ID) {
		t.Errorf("webhooks after the load: %d %s", status, body)
	}
	if status, body := bearer(t, again.Client(), "GET", again.URL+"/api/userinfo", token, ""); status != 200 || !strings.Contains(body, anne.ID) {
		t.Errorf("a token issued before the load: %d %s", status, body)
	}
	againURL, _ := url.Parse(again.URL)
	b2 := noRedirectJar(again, again.BrowserClient())
	b2.Jar.SetCookies(againURL, cookies)
	resp := get(t, b2, again.URL+"/")
	if page := browsertest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(page, `<p id="email"><strong>anne@bretagne.duchy</strong></p>`) {
		t.Errorf("the sign-in session did not survive: %d %s", resp.StatusCode, page)
	}
	if u.GrantRole("Castle manager") != nil || !u.RemoveRole("Castle manager") || slices.Contains(u.Permissions(), "castles:write") {
		t.Error("the role grant did not survive as a role grant")
	}
}

func TestLoadStateRefuses(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	var state bytes.Buffer
	if err := srv.SaveState(&state); err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadState(bytes.NewReader(state.Bytes())); err == nil {
		t.Error("LoadState on a started server: no error")
	}
	fresh := fieftest.NewUnstartedServer()
	before := fresh.AdminAPIKey()
	for _, doc := range []string{"", "{", `{"format":2}`, `{"format":1,"admin_api_key":"k","tenants":[]}`, `{"format":1,"unknown":true}`} {
		if err := fresh.LoadState(strings.NewReader(doc)); err == nil {
			t.Errorf("LoadState(%q): no error", doc)
		}
	}
	if fresh.AdminAPIKey() != before {
		t.Error("a refused state changed the server")
	}
}
