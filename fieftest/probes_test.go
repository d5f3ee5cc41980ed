package fieftest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestAuthorizeWithInvalidResponseType: Fief checks the client ID, then the
// redirect URI, then refuses an unknown response_type with a redirect, and
// starts no sign-in (no login session cookie).
func TestAuthorizeWithInvalidResponseType(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name      string
		params    map[string]string
		status    int
		fiefError string
	}{
		{"unknown client", map[string]string{"client_id": "nope", "redirect_uri": redirectURI}, 400, "invalid_client"},
		{"unknown client, no redirect URI", map[string]string{"client_id": "nope"}, 400, "invalid_client"},
		{"unregistered redirect URI", map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI + "/other"}, 400, "invalid_redirect_uri"},
		{"no redirect URI", map[string]string{"client_id": e.client.ClientID}, 400, "invalid_redirect_uri"},
		{"both right", map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}, 302, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := map[string]string{"response_type": "fief-go-check", "scope": ""}
			for k, v := range tt.params {
				p[k] = v
			}
			resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, p))
			browsertest.Body(t, resp)
			if resp.StatusCode != tt.status || resp.Header.Get("X-Fief-Error") != tt.fiefError {
				t.Fatalf("got %d X-Fief-Error %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"), tt.status, tt.fiefError)
			}
			if tt.status == 302 {
				loc := callback(t, resp)
				if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI || loc.Query().Get("error") != "invalid_request" {
					t.Errorf("Location %s, want %s?error=invalid_request", loc, redirectURI)
				}
			} else if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q, want an HTML page", ct)
			}
			if len(resp.Cookies()) != 0 {
				t.Errorf("cookies set: %v", resp.Cookies())
			}
		})
	}
}

// TestTokenNoneIgnoresSecret: Fief's method "none" looks at client_id
// alone, so a public client with a PKCE verifier passes with a wrong
// secret; without the verifier the wrong secret is refused.
func TestTokenNoneIgnoresSecret(t *testing.T) {
	e := newEnv(t)
	pub, err := e.srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	form := func(id, secret string, verifier bool) url.Values {
		f := url.Values{"grant_type": {"authorization_code"}, "code": {"random-code"}, "redirect_uri": {redirectURI}, "client_id": {id}}
		if secret != "" {
			f.Set("client_secret", secret)
		}
		if verifier {
			f.Set("code_verifier", "random-verifier")
		}
		return f
	}
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"public, wrong secret, verifier", form(pub.ClientID, "wrong", true), "invalid_grant"},
		{"public, wrong secret, no verifier", form(pub.ClientID, "wrong", false), "invalid_client"},
		{"public, right secret, no verifier", form(pub.ClientID, pub.ClientSecret, false), "invalid_grant"},
		{"public, no secret, verifier", form(pub.ClientID, "", true), "invalid_grant"},
		{"confidential, wrong secret, verifier", form(e.client.ClientID, "wrong", true), "invalid_client"},
		{"confidential, no secret, verifier", form(e.client.ClientID, "", true), "invalid_client"},
		{"confidential, right secret, verifier", form(e.client.ClientID, e.client.ClientSecret, true), "invalid_grant"},
		{"unknown client, verifier", form("nope", "", true), "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, tt.form)
			if status != 400 || body["error"] != tt.want {
				t.Errorf("got %d %v, want 400 %s", status, body, tt.want)
			}
		})
	}
}

// TestDateHeaderFollowsClock: the Date header is the server's clock.
func TestDateHeaderFollowsClock(t *testing.T) {
	e := newEnv(t)
	e.srv.Advance(2 * time.Hour)
	for _, path := range []string{"/.well-known/openid-configuration", "/nope"} {
		resp := get(t, e.srv.Client(), e.srv.URL+path)
		browsertest.Body(t, resp)
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			t.Fatalf("%s: Date %q: %v", path, resp.Header.Get("Date"), err)
		}
		if d := date.Sub(e.srv.Now()); d > time.Second || d < -2*time.Second {
			t.Errorf("%s: Date %s, server clock %s", path, date, e.srv.Now())
		}
	}
}
