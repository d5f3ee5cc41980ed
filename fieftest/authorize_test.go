package fieftest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestAuthorizeErrors(t *testing.T) {
	e := newEnv(t)
	const withQuery = "http://localhost:8080/cb?foo=bar"
	e.client.AddRedirectURI(withQuery)
	secondary, err := e.srv.AddTenant("secondary")
	if err != nil {
		t.Fatal(err)
	}
	other, err := secondary.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "state": "st"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name      string
		params    map[string]string
		status    int
		fiefError string // X-Fief-Error of an HTML error page
		redirect  string // error in the redirect
		fragment  bool
	}{
		{"missing client_id", with("client_id", ""), 400, "invalid_client", "", false},
		{"unknown client_id", with("client_id", "nope"), 400, "invalid_client", "", false},
		{"client of another tenant", with("client_id", other.ClientID), 400, "invalid_client", "", false},
		{"client before redirect_uri", with("client_id", "nope", "redirect_uri", "http://evil"), 400, "invalid_client", "", false},
		{"missing redirect_uri", with("redirect_uri", ""), 400, "invalid_redirect_uri", "", false},
		{"unregistered redirect_uri", with("redirect_uri", redirectURI+"/"), 400, "invalid_redirect_uri", "", false},
		{"redirect_uri before response_type", with("redirect_uri", "http://evil", "response_type", "bad"), 400, "invalid_redirect_uri", "", false},
		{"missing response_type", with("response_type", ""), 302, "", "invalid_request", false},
		{"invalid response_type", with("response_type", "token"), 302, "", "invalid_request", false},
		{"request with code", with("request", "x"), 302, "", "request_not_supported", false},
		{"request with hybrid goes to fragment", with("request", "x", "response_type", "code id_token", "nonce", "n"), 302, "", "request_not_supported", true},
		{"request before scope", with("request", "x", "scope", ""), 302, "", "request_not_supported", false},
		{"missing scope", with("scope", ""), 302, "", "invalid_request", false},
		{"scope without openid", with("scope", "profile"), 302, "", "invalid_scope", false},
		{"invalid prompt", with("prompt", "select_account"), 302, "", "invalid_request", false},
		{"prompt none without session", with("prompt", "none"), 302, "", "login_required", false},
		{"prompt consent without session", with("prompt", "consent"), 302, "", "login_required", false},
		{"invalid screen", with("screen", "welcome"), 302, "", "invalid_request", false},
		{"invalid challenge method", with("code_challenge", "abc", "code_challenge_method", "S512"), 302, "", "invalid_request", false},
		{"hybrid without nonce", with("response_type", "code id_token"), 302, "", "invalid_request", true},
		{"hybrid token without nonce", with("response_type", "code id_token token"), 302, "", "invalid_request", true},
		{"invalid response_type is in the query even if hybrid-like", with("response_type", "id_token"), 302, "", "invalid_request", false},
	}
	c := noRedirect(e.srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, c, authorizeURL(e.srv.URL, tt.params))
			body := browsertest.Body(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if got := resp.Header.Get("X-Fief-Error"); got != tt.fiefError {
				t.Errorf("X-Fief-Error = %q, want %q", got, tt.fiefError)
			}
			if tt.redirect == "" {
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Errorf("error page content type %q", resp.Header.Get("Content-Type"))
				}
				return
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
				t.Errorf("redirected to %s", got)
			}
			params := loc.Query()
			if tt.fragment {
				if loc.RawQuery != "" {
					t.Errorf("query %q, want the error in the fragment", loc.RawQuery)
				}
				params, _ = url.ParseQuery(loc.Fragment)
			} else if loc.Fragment != "" {
				t.Errorf("fragment %q, want the error in the query", loc.Fragment)
			}
			if params.Get("error") != tt.redirect || params.Get("state") != "st" || params.Get("error_description") == "" {
				t.Errorf("params = %v, want error %s and state", params, tt.redirect)
			}
		})
	}

	t.Run("appended to the redirect_uri query", func(t *testing.T) {
		resp := get(t, c, authorizeURL(e.srv.URL, with("redirect_uri", withQuery, "scope", "email")))
		browsertest.Body(t, resp)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, withQuery+"&error=invalid_scope&error_description=") || !strings.HasSuffix(loc, "&state=st") {
			t.Errorf("Location = %s", loc)
		}
	})
	t.Run("no state, no state param", func(t *testing.T) {
		resp := get(t, c, authorizeURL(e.srv.URL, with("state", "", "scope", "email")))
		browsertest.Body(t, resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc.Query().Has("state") {
			t.Errorf("Location = %s", loc)
		}
	})
	t.Run("unknown slug", func(t *testing.T) {
		resp := get(t, c, authorizeURL(e.srv.URL+"/nope", base))
		if body := browsertest.Body(t, resp); resp.StatusCode != 400 || !jsonEq(t, body, `{"detail":"Bad Request"}`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("max_age not an integer", func(t *testing.T) {
		resp := get(t, c, authorizeURL(e.srv.URL, with("max_age", "soon")))
		body := browsertest.Body(t, resp)
		if resp.StatusCode != 422 || !strings.Contains(body, `"loc":["query","max_age"]`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
}

func TestAuthorizeSuccess(t *testing.T) {
	e := newEnv(t)
	c := noRedirect(e.srv)
	base := map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI}
	tests := []struct {
		name     string
		extra    map[string]string
		location string
		cookies  []string
	}{
		{"login", nil, "/login", []string{"fief_login_session"}},
		{"register screen", map[string]string{"screen": "register"}, "/register", []string{"fief_login_session"}},
		{"challenge without method", map[string]string{"code_challenge": "abc"}, "/login", nil},
		{"bad method ignored without challenge", map[string]string{"code_challenge_method": "S512"}, "/login", nil},
		{"hints", map[string]string{"login_hint": "anne@bretagne.duchy", "lang": "fr"}, "/login", []string{"fief_login_session", "fief_login_hint", "fief_locale"}},
		{"hybrid with nonce", map[string]string{"response_type": "code id_token", "nonce": "n"}, "/login", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := map[string]string{}
			for k, v := range base {
				p[k] = v
			}
			for k, v := range tt.extra {
				p[k] = v
			}
			resp := get(t, c, authorizeURL(e.srv.URL, p))
			browsertest.Body(t, resp)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tt.location {
				t.Fatalf("got %d Location %q, want 302 %s", resp.StatusCode, resp.Header.Get("Location"), tt.location)
			}
			got := map[string]*http.Cookie{}
			for _, ck := range resp.Cookies() {
				got[ck.Name] = ck
			}
			for _, name := range tt.cookies {
				if got[name] == nil {
					t.Errorf("cookie %s not set", name)
				}
			}
			if ls := got["fief_login_session"]; ls == nil || ls.HttpOnly || ls.Path != "/" || ls.SameSite != http.SameSiteLaxMode || ls.MaxAge != 0 {
				t.Errorf("fief_login_session cookie = %+v", ls)
			}
			if h := got["fief_login_hint"]; h != nil && (h.Value != "anne%40bretagne.duchy" || !h.HttpOnly) {
				t.Errorf("fief_login_hint = %+v", h)
			}
		})
	}
}
