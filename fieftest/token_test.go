package fieftest_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// codeFor gets an authorization code through auto-login.
func codeFor(t *testing.T, srv *fieftest.Server, clientID string, params map[string]string) string {
	t.Helper()
	p := map[string]string{"client_id": clientID, "redirect_uri": redirectURI}
	for k, v := range params {
		p[k] = v
	}
	resp := get(t, noRedirect(srv), authorizeURL(srv.URL, p))
	browsertest.Body(t, resp)
	code := callback(t, resp).Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %s", resp.Header.Get("Location"))
	}
	return code
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	pub, err := e.srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	code := codeFor(t, e.srv, e.client.ClientID, nil)
	pkceCode := codeFor(t, e.srv, e.client.ClientID, map[string]string{"code_challenge": s256("verifier"), "code_challenge_method": "S256"})

	secret := func(kv ...string) url.Values {
		v := url.Values{"client_id": {e.client.ClientID}, "client_secret": {e.client.ClientSecret}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	codeGrant := func(kv ...string) url.Values {
		return secret(append([]string{"grant_type", "authorization_code", "code", code, "redirect_uri", redirectURI}, kv...)...)
	}
	tests := []struct {
		name   string
		form   url.Values
		basic  []string
		rawHdr string // raw Authorization header
		status int
		want   string // error, or detail for the 401
	}{
		{"no grant_type before client auth", url.Values{}, nil, "", 400, "invalid_request"},
		{"malformed basic before everything", url.Values{}, nil, "Basic !!!notbase64", 401, "Invalid authentication credentials"},
		{"basic without colon", url.Values{"grant_type": {"authorization_code"}}, nil, "Basic " + b64std("nocolon"), 401, "Invalid authentication credentials"},
		{"no client auth", url.Values{"grant_type": {"authorization_code"}}, nil, "", 400, "invalid_client"},
		{"unknown client", url.Values{"grant_type": {"refresh_token"}, "client_id": {"nope"}, "client_secret": {"x"}}, nil, "", 400, "invalid_client"},
		{"wrong secret post", codeGrant("client_secret", "wrong"), nil, "", 400, "invalid_client"},
		{"wrong secret basic", url.Values{"grant_type": {"authorization_code"}}, []string{e.client.ClientID, "wrong"}, "", 400, "invalid_client"},
		{"wrong basic falls through to post", secret("grant_type", "password"), []string{e.client.ClientID, "wrong"}, "", 400, "unsupported_grant_type"},
		{"none for a confidential client", url.Values{"grant_type": {"authorization_code"}, "client_id": {e.client.ClientID}, "code_verifier": {"v"}}, nil, "", 400, "invalid_client"},
		{"none without verifier", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub.ClientID}, "code": {code}}, nil, "", 400, "invalid_client"},
		{"none for refresh", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub.ClientID}}, nil, "", 400, "invalid_request"},
		{"unsupported grant unauthenticated", url.Values{"grant_type": {"client_credentials"}}, nil, "", 400, "invalid_client"},
		{"unsupported grant", secret("grant_type", "client_credentials"), nil, "", 400, "unsupported_grant_type"},
		{"missing code", secret("grant_type", "authorization_code", "redirect_uri", redirectURI), nil, "", 400, "invalid_request"},
		{"missing redirect_uri", secret("grant_type", "authorization_code", "code", code), nil, "", 400, "invalid_request"},
		{"unknown code", codeGrant("code", "nope"), nil, "", 400, "invalid_grant"},
		{"code of another client", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}, []string{other.ClientID, other.ClientSecret}, "", 400, "invalid_grant"},
		{"redirect_uri mismatch", codeGrant("redirect_uri", redirectURI+"/"), nil, "", 400, "invalid_grant"},
		{"verifier without challenge", codeGrant("code_verifier", "verifier"), nil, "", 400, "invalid_grant"},
		{"challenge without verifier", codeGrant("code", pkceCode), nil, "", 400, "invalid_grant"},
		{"wrong verifier", codeGrant("code", pkceCode, "code_verifier", "other"), nil, "", 400, "invalid_grant"},
		{"S256 verifier sent as challenge", codeGrant("code", pkceCode, "code_verifier", s256("verifier")), nil, "", 400, "invalid_grant"},
		{"missing refresh_token", secret("grant_type", "refresh_token"), nil, "", 400, "invalid_request"},
		{"unknown refresh_token", secret("grant_type", "refresh_token", "refresh_token", "nope"), nil, "", 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic != nil {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			if tt.rawHdr != "" {
				req.Header.Set("Authorization", tt.rawHdr)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := browsertest.Body(t, resp)
			want := `{"error":"` + tt.want + `"}`
			if tt.status == 401 {
				want = `{"detail":"` + tt.want + `"}`
				if resp.Header.Get("WWW-Authenticate") != "Basic" {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			} else if resp.Header.Get("WWW-Authenticate") != "" || resp.Header.Get("Cache-Control") != "" {
				t.Errorf("error carries WWW-Authenticate or Cache-Control")
			}
			if resp.StatusCode != tt.status || !jsonEq(t, body, want) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.status, want)
			}
		})
	}

	t.Run("json body is an empty form", func(t *testing.T) {
		resp, err := e.srv.Client().Post(e.srv.URL+"/api/token", "application/json", strings.NewReader(`{"grant_type":"authorization_code"}`))
		if err != nil {
			t.Fatal(err)
		}
		if body := browsertest.Body(t, resp); resp.StatusCode != 400 || !jsonEq(t, body, `{"error":"invalid_request"}`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("failed attempts do not consume the code, success does", func(t *testing.T) {
		status, body, hdr := tokenCall(t, e.srv.Client(), e.srv.URL, codeGrant())
		if status != 200 || hdr.Get("Cache-Control") != "no-store" || hdr.Get("Pragma") != "no-cache" {
			t.Fatalf("got %d %v %v", status, body, hdr)
		}
		var keys []string
		for k := range body {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"access_token", "expires_in", "id_token", "token_type"}) || body["expires_in"] != 86400.0 || body["token_type"] != "bearer" {
			t.Errorf("body %v", body)
		}
		if status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, codeGrant()); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("reuse: %d %v", status, body)
		}
	})
	t.Run("S256", func(t *testing.T) {
		if status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, codeGrant("code", pkceCode, "code_verifier", "verifier")); status != 200 {
			t.Errorf("got %d %v", status, body)
		}
	})
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestPKCE(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	pub, err := e.srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	verifier := strings.Repeat("v", 43)
	tests := []struct {
		name, challenge, method, verifier string
		ok                                bool
	}{
		{"plain explicit", verifier, "plain", verifier, true},
		{"plain default", verifier, "", verifier, true},
		{"plain wrong", verifier, "plain", verifier + "x", false},
		{"S256", s256(verifier), "S256", verifier, true},
		{"S256 wrong", s256(verifier), "S256", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := map[string]string{"code_challenge": tt.challenge, "code_challenge_method": tt.method}
			code := codeFor(t, e.srv, pub.ClientID, p)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "client_id": {pub.ClientID}, "code_verifier": {tt.verifier}}
			status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, form)
			if (status == 200) != tt.ok {
				t.Errorf("got %d %v, want ok=%v", status, body, tt.ok)
			}
		})
	}
	t.Run("public client may use its secret without PKCE", func(t *testing.T) {
		code := codeFor(t, e.srv, pub.ClientID, nil)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
		if status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, form, pub.ClientID, pub.ClientSecret); status != 200 {
			t.Errorf("got %d %v", status, body)
		}
	})
}

func TestCodeExpiry(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	short, err := e.srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}, CodeLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		client  *fieftest.Client
		advance time.Duration
		ok      bool
	}{
		{"default lifetime, fresh", e.client, 599 * time.Second, true},
		{"default lifetime, expired", e.client, 601 * time.Second, false},
		{"custom lifetime, expired", short, 61 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := codeFor(t, e.srv, tc.client.ClientID, nil)
			e.srv.Advance(tc.advance)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
			status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, form, tc.client.ClientID, tc.client.ClientSecret)
			if (status == 200) != tc.ok || (!tc.ok && body["error"] != "invalid_grant") {
				t.Errorf("got %d %v", status, body)
			}
		})
	}
}

func TestRefreshToken(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	other, err := e.srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	set := fetchJWKS(t, e.srv.Client(), e.srv.URL)
	authTime := e.srv.Now().Unix()
	tok := exchange(t, e, e.srv.URL, codeFor(t, e.srv, e.client.ClientID, map[string]string{"scope": "openid offline_access castles", "nonce": "n"}))
	rt := tok["refresh_token"].(string)
	if len(rt) != 43 {
		t.Fatalf("refresh token %q", rt)
	}
	refresh := func(token, scope string, c *fieftest.Client) (int, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		if scope != "-" {
			form.Set("scope", scope)
		}
		status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, form, c.ClientID, c.ClientSecret)
		return status, body
	}

	if status, body := refresh(rt, "-", other); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("other client: %d %v", status, body)
	}
	if status, body := refresh(rt, "openid offline_access moats", e.client); status != 400 || body["error"] != "invalid_scope" {
		t.Errorf("wider scope: %d %v", status, body)
	}
	e.srv.Advance(time.Hour)
	status, body := refresh(rt, "-", e.client)
	if status != 200 || body["refresh_token"] == nil || body["refresh_token"] == rt {
		t.Fatalf("rotation: %d %v", status, body)
	}
	at := verifyJWS(t, body["access_token"].(string), set)
	id := verifyJWS(t, body["id_token"].(string), set)
	if at["acr"] != "0" || at["scope"] != "openid offline_access castles" || int64(at["auth_time"].(float64)) < authTime || int64(at["auth_time"].(float64)) > authTime+5 ||
		int64(at["iat"].(float64)) < authTime+3600 {
		t.Errorf("access claims %v", at)
	}
	if id["nonce"] != nil || id["c_hash"] != nil || id["at_hash"] != halfHash(body["access_token"].(string)) || id["acr"] != "0" {
		t.Errorf("id claims %v", id)
	}
	if status, body := refresh(rt, "-", e.client); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("old token reused: %d %v", status, body)
	}
	rt2 := body["refresh_token"].(string)
	status, body = refresh(rt2, "openid castles", e.client)
	if status != 200 {
		t.Fatalf("narrowing: %d %v", status, body)
	}
	if _, has := body["refresh_token"]; has {
		t.Errorf("refresh_token present without offline_access: %v", body)
	}
	if c := verifyJWS(t, body["access_token"].(string), set); c["scope"] != "openid castles" {
		t.Errorf("scope %v", c["scope"])
	}

	t.Run("expiry", func(t *testing.T) {
		tok := exchange(t, e, e.srv.URL, codeFor(t, e.srv, e.client.ClientID, map[string]string{"scope": "openid offline_access"}))
		e.srv.Advance(30*24*time.Hour + time.Second)
		if status, body := refresh(tok["refresh_token"].(string), "-", e.client); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("expired: %d %v", status, body)
		}
	})
	t.Run("removed user", func(t *testing.T) {
		u, err := e.srv.AddUser(fieftest.UserConfig{Email: "temp@example.com", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		e.srv.SetAutoLogin(u.Email())
		defer e.srv.SetAutoLogin(e.user.Email())
		tok := exchange(t, e, e.srv.URL, codeFor(t, e.srv, e.client.ClientID, map[string]string{"scope": "openid offline_access"}))
		code := codeFor(t, e.srv, e.client.ClientID, nil)
		e.srv.DefaultTenant().RemoveUser(u.ID)
		if status, body := refresh(tok["refresh_token"].(string), "-", e.client); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("refresh: %d %v", status, body)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
		if status, body, _ := tokenCall(t, e.srv.Client(), e.srv.URL, form, e.client.ClientID, e.client.ClientSecret); status != 400 || body["error"] != "invalid_grant" {
			t.Errorf("code: %d %v", status, body)
		}
		if st, body := bearer(t, e.srv.Client(), "GET", e.srv.URL+"/api/userinfo", tok["access_token"].(string), ""); st != 500 {
			t.Errorf("userinfo of a removed user: %d %s", st, body)
		}
	})
}
