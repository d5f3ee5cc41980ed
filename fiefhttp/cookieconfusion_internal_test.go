package fiefhttp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestSessionCookieIsNeverAFlowCookie: with a session cookie whose name
// starts with the flow-cookie prefix (a configuration NewWebFlow refuses,
// set here behind its back), an attacker's link to the callback with
// state = the rest of the name, carrying a code of the attacker's own
// account obtained without PKCE, must neither sign the victim in to the
// attacker's account (login CSRF) nor delete the victim's session cookie:
// a sealed session cookie never opens as a flow cookie.
func TestSessionCookieIsNeverAFlowCookie(t *testing.T) {
	const (
		victimEmail   = "anne@bretagne.duchy"
		attackerEmail = "mallory@example.com"
	)
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: victimEmail, Password: "herminetincture"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: attackerEmail, Password: "malloryspassword"}); err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := NewWebFlow(client, WebConfig{InsecureCookies: true, Storage: StorageSealedCookie, SessionCookieName: "myapp_session", FlowCookiePrefix: "myapp_flow_"})
	if err != nil {
		t.Fatal(err)
	}
	flow.flowPrefix = "myapp_" // the session cookie is "myapp_" + "session"

	mux := http.NewServeMux()
	mux.Handle("/protected", flow.Auth().CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := UserInfoFrom(r.Context())
		w.Write([]byte("email: " + u.Email()))
	})))
	mux.HandleFunc("GET /auth-callback", flow.Callback)
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	callback := app.URL + "/auth-callback"
	fc.AddRedirectURI(callback)

	// The victim signs in.
	srv.SetAutoLogin(victimEmail)
	victim := browsertest.New(t)
	if _, page := browsertest.Get(t, victim, app.URL+"/protected"); page != "email: "+victimEmail {
		t.Fatalf("the victim's sign-in: %q", page)
	}

	// The attacker gets a code of their own account, without PKCE (Fief
	// accepts an authorization request without code_challenge), and stops
	// before the callback.
	srv.SetAutoLogin(attackerEmail)
	authorize := srv.URL + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {fc.ClientID}, "redirect_uri": {callback},
		"scope": {"openid offline_access"}, "state": {"anything"},
	}.Encode()
	resp, _ := browsertest.Get(t, browsertest.NoRedirect(browsertest.New(t)), authorize)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("Fief's answer to the attacker: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	srv.SetAutoLogin("") // from now on, a sign-in would show Fief's form

	// The victim follows the attacker's link.
	resp, _ = browsertest.Get(t, browsertest.NoRedirect(victim), callback+"?"+url.Values{"state": {"session"}, "code": {loc.Query().Get("code")}}.Encode())
	if resp.StatusCode == http.StatusFound {
		t.Errorf("the attacker's link was accepted as a callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := browsertest.Get(t, victim, app.URL+"/protected"); page != "email: "+victimEmail {
		t.Fatalf("after the attacker's link, the victim's page shows %.80q, want the victim's own session", page)
	}
}
