package fieftest_test

import (
	"net/url"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestHybridFlows(t *testing.T) {
	e := newEnv(t)
	enc, err := e.srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}, Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetAutoLogin(e.user.Email())
	set := fetchJWKS(t, e.srv.Client(), e.srv.URL)
	for _, tc := range []struct {
		responseType  string
		access, idTok bool
	}{
		{"code id_token", false, true},
		{"code token", true, false},
		{"code id_token token", true, true},
	} {
		t.Run(tc.responseType, func(t *testing.T) {
			resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{
				"client_id": e.client.ClientID, "redirect_uri": redirectURI, "response_type": tc.responseType, "nonce": "nn", "state": "st",
			}))
			browsertest.Body(t, resp)
			loc := callback(t, resp)
			if loc.RawQuery != "" {
				t.Errorf("query %q on a hybrid response", loc.RawQuery)
			}
			f, _ := url.ParseQuery(loc.Fragment)
			code := f.Get("code")
			if code == "" || f.Get("state") != "st" || f.Has("expires_in") || f.Has("refresh_token") {
				t.Fatalf("fragment %v", f)
			}
			if tc.access != f.Has("access_token") || tc.access != (f.Get("token_type") == "bearer") {
				t.Errorf("access token presence: %v", f)
			}
			if tc.access {
				verifyJWS(t, f.Get("access_token"), set)
			}
			if tc.idTok != f.Has("id_token") {
				t.Fatalf("id token presence: %v", f)
			}
			if tc.idTok {
				id := verifyJWS(t, f.Get("id_token"), set)
				if id["c_hash"] != halfHash(code) || id["nonce"] != "nn" || id["acr"] != "1" {
					t.Errorf("id claims %v", id)
				}
				if _, has := id["at_hash"]; has != tc.access || (tc.access && id["at_hash"] != halfHash(f.Get("access_token"))) {
					t.Errorf("at_hash %v", id["at_hash"])
				}
			}
		})
	}
	t.Run("encrypted", func(t *testing.T) {
		resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{
			"client_id": enc.ClientID, "redirect_uri": redirectURI, "response_type": "code id_token", "nonce": "nn",
		}))
		browsertest.Body(t, resp)
		f, _ := url.ParseQuery(callback(t, resp).Fragment)
		claims := decryptIDToken(t, f.Get("id_token"), enc, set)
		if claims["c_hash"] != halfHash(f.Get("code")) {
			t.Errorf("claims %v", claims)
		}
	})
}

func TestAutoLogin(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "state": "s", "nonce": "n"}))
	browsertest.Body(t, resp)
	loc := callback(t, resp)
	tok := exchange(t, e, e.srv.URL, loc.Query().Get("code"))
	id := verifyJWS(t, tok["id_token"].(string), fetchJWKS(t, e.srv.Client(), e.srv.URL))
	if id["sub"] != e.user.ID || id["acr"] != "1" || id["nonce"] != "n" || loc.Query().Get("state") != "s" {
		t.Errorf("claims %v", id)
	}
	t.Run("validation still applies", func(t *testing.T) {
		resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "scope": "email"}))
		browsertest.Body(t, resp)
		if loc := callback(t, resp); loc.Query().Get("error") != "invalid_scope" {
			t.Errorf("%s", loc)
		}
	})
	t.Run("off", func(t *testing.T) {
		e.srv.SetAutoLogin("")
		resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}))
		browsertest.Body(t, resp)
		if resp.Header.Get("Location") != "/login" {
			t.Errorf("Location %s", resp.Header.Get("Location"))
		}
	})
}
