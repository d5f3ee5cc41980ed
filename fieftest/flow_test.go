package fieftest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
)

// exchange trades a code for tokens with client_secret_post.
func exchange(t *testing.T, e *env, base, code string, extra ...string) map[string]any {
	t.Helper()
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {e.client.ID}, "client_secret": {e.client.Secret},
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
		"client_id": e.client.ID, "redirect_uri": redirectURI, "state": "s1", "nonce": "n1",
		"scope": "openid offline_access", "login_hint": e.user.Email,
	})
	csrf := startLogin(t, b, authURL)

	t.Run("csrf mismatch", func(t *testing.T) {
		resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {e.user.Email}, "password": {password}, "csrf_token": {"forged"}})
		readBody(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "" {
			t.Errorf("got %d X-Fief-Error %q, want 400 without header", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	})
	for _, tc := range []struct{ name, email, password string }{
		{"unknown email", "nobody@example.com", password},
		{"wrong password", e.user.Email, "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {tc.email}, "password": {tc.password}, "csrf_token": {csrf}})
			readBody(t, resp)
			if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "bad_credentials" {
				t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
			}
		})
	}

	start := e.srv.Now()
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {strings.ToUpper(e.user.Email)}, "password": {password}, "csrf_token": {csrf}})
	readBody(t, resp)
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
		id["at_hash"] != halfHash(tok["access_token"].(string)) || id["email"] != e.user.Email {
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
		resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI}))
		readBody(t, resp)
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
			p := map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI}
			for k, v := range tc.extra {
				p[k] = v
			}
			startLogin(t, b, authorizeURL(e.srv.URL, p))
		})
	}
	t.Run("prompt=none with session", func(t *testing.T) {
		resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "prompt": "none"}))
		readBody(t, resp)
		if loc := callback(t, resp); loc.Query().Get("code") == "" {
			t.Errorf("callback %s", loc)
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		resp := get(t, noRedirectJar(e.srv, b), e.srv.URL+"/logout?redirect_uri="+url.QueryEscape("https://app.example"))
		readBody(t, resp)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://app.example/" {
			t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, `fief_session=""`) || !strings.Contains(sc, "Max-Age=0") {
			t.Errorf("Set-Cookie %s", sc)
		}
		startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI}))
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
	e.srv.AddUser(fieftest.UserConfig{Email: "gone@example.com", Password: password, Inactive: true})
	b := e.srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI}))
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {"gone@example.com"}, "password": {password}, "csrf_token": {csrf}})
	readBody(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "bad_credentials" {
		t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
}

func TestVerifyEmailFlow(t *testing.T) {
	e := newEnv(t)
	u := e.srv.AddUser(fieftest.UserConfig{Email: "new@example.com", Password: password, Unverified: true})
	b := e.srv.BrowserClient()
	csrf := startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "state": "x"}))
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {u.Email}, "password": {password}, "csrf_token": {csrf}})
	page := readBody(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/verify" || !strings.Contains(page, `name="code"`) {
		t.Fatalf("after login: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	code, ok := e.srv.EmailVerificationCode(u.ID)
	if !ok || len(code) != 6 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("code %q %v", code, ok)
	}

	t.Run("consent refuses an unverified user", func(t *testing.T) {
		resp := get(t, noRedirectJar(e.srv, b), e.srv.URL+"/consent")
		readBody(t, resp)
		if resp.StatusCode != 307 || resp.Header.Get("Location") != e.srv.URL+"/verify-request" {
			t.Errorf("got %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("wrong code", func(t *testing.T) {
		resp := postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {"AAAAAA"}, "csrf_token": {csrf}})
		readBody(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_code" {
			t.Errorf("got %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	})
	resp = postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {code}, "csrf_token": {csrf}})
	readBody(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" || loc.Query().Get("state") != "x" {
		t.Errorf("callback %s", loc)
	}
	if u.Claims()["email_verified"] != true {
		t.Errorf("email not verified: %v", u.Claims())
	}
}

func TestConsent(t *testing.T) {
	e := newEnv(t)
	tp := e.srv.AddClient(fieftest.ClientConfig{ThirdParty: true, RedirectURIs: []string{redirectURI}})
	b := e.srv.BrowserClient()
	authURL := authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ID, "redirect_uri": redirectURI, "state": "s", "scope": "openid castles"})
	csrf := startLogin(t, b, authURL)
	resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {e.user.Email}, "password": {password}, "csrf_token": {csrf}})
	page := readBody(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/consent" || !strings.Contains(page, `id="allow"`) || !strings.Contains(page, "castles") {
		t.Fatalf("want the consent page, got %d at %s", resp.StatusCode, resp.Request.URL)
	}
	csrf = csrfFrom(t, page)

	resp = postForm(t, b, e.srv.URL+"/consent", url.Values{"deny": {"1"}, "csrf_token": {csrf}})
	readBody(t, resp)
	loc := callback(t, resp)
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s" {
		t.Errorf("deny: %s", loc)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) == 0 || !strings.Contains(strings.Join(sc, "\n"), `fief_login_session=""`) {
		t.Errorf("login session cookie not cleared: %v", sc)
	}
	resp = get(t, noRedirectJar(e.srv, b), e.srv.URL+"/consent")
	readBody(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "missing_session" {
		t.Errorf("consent without login session: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}

	resp = get(t, b, authURL)
	page = readBody(t, resp)
	if resp.Request.URL.Path != "/consent" {
		t.Fatalf("second authorize landed on %s", resp.Request.URL)
	}
	resp = postForm(t, b, e.srv.URL+"/consent", url.Values{"allow": {"1"}, "csrf_token": {csrfFrom(t, page)}})
	readBody(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("allow: %s", loc)
	}

	// The grant now covers these scopes (and subsets): no page.
	resp = get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ID, "redirect_uri": redirectURI, "scope": "openid"}))
	readBody(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("granted: %s", loc)
	}
	// A new scope asks again.
	resp = get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ID, "redirect_uri": redirectURI, "scope": "openid moats"}))
	readBody(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/consent" {
		t.Errorf("new scope: %d at %s", resp.StatusCode, resp.Request.URL)
	}
}

func TestConsentWithoutSession(t *testing.T) {
	e := newEnv(t)
	resp := get(t, noRedirect(e.srv), e.srv.URL+"/consent")
	body := readBody(t, resp)
	if resp.StatusCode != 307 || resp.Header.Get("Location") != e.srv.URL+"/login" || !jsonEq(t, body, `{"detail":"Temporary Redirect"}`) {
		t.Errorf("got %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
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
	readBody(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_session" {
		t.Errorf("forged: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}

	b := e.srv.BrowserClient()
	startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "state": "s", "code_challenge": "abc"}))
	e.srv.Advance(2 * time.Hour)
	resp = get(t, noRedirectJar(e.srv, b), e.srv.URL+"/login")
	readBody(t, resp)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 303 || loc.Path != "/authorize" || loc.Query().Get("acr_values") != "1" ||
		loc.Query().Get("state") != "s" || loc.Query().Get("code_challenge_method") != "plain" || loc.Host == "" {
		t.Errorf("expired: %d %s", resp.StatusCode, loc)
	}
}

func TestHybridFlows(t *testing.T) {
	e := newEnv(t)
	enc := e.srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}, Encrypt: true})
	e.srv.SetAutoLogin(e.user.Email)
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
				"client_id": e.client.ID, "redirect_uri": redirectURI, "response_type": tc.responseType, "nonce": "nn", "state": "st",
			}))
			readBody(t, resp)
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
			"client_id": enc.ID, "redirect_uri": redirectURI, "response_type": "code id_token", "nonce": "nn",
		}))
		readBody(t, resp)
		f, _ := url.ParseQuery(callback(t, resp).Fragment)
		claims := decryptIDToken(t, f.Get("id_token"), enc, set)
		if claims["c_hash"] != halfHash(f.Get("code")) {
			t.Errorf("claims %v", claims)
		}
	})
}

func TestAutoLogin(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email)
	resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "state": "s", "nonce": "n"}))
	readBody(t, resp)
	loc := callback(t, resp)
	tok := exchange(t, e, e.srv.URL, loc.Query().Get("code"))
	id := verifyJWS(t, tok["id_token"].(string), fetchJWKS(t, e.srv.Client(), e.srv.URL))
	if id["sub"] != e.user.ID || id["acr"] != "1" || id["nonce"] != "n" || loc.Query().Get("state") != "s" {
		t.Errorf("claims %v", id)
	}
	t.Run("validation still applies", func(t *testing.T) {
		resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "scope": "email"}))
		readBody(t, resp)
		if loc := callback(t, resp); loc.Query().Get("error") != "invalid_scope" {
			t.Errorf("%s", loc)
		}
	})
	t.Run("off", func(t *testing.T) {
		e.srv.SetAutoLogin("")
		resp := get(t, noRedirect(e.srv), authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI}))
		readBody(t, resp)
		if resp.Header.Get("Location") != "/login" {
			t.Errorf("Location %s", resp.Header.Get("Location"))
		}
	})
}

func TestRegister(t *testing.T) {
	e := newEnv(t)
	b := e.srv.BrowserClient()
	resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ID, "redirect_uri": redirectURI, "screen": "register"}))
	page := readBody(t, resp)
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/register" {
		t.Fatalf("%d at %s", resp.StatusCode, resp.Request.URL)
	}
	csrf := csrfFrom(t, page)
	for _, tc := range []struct{ name, email, pw, fiefErr string }{
		{"taken", strings.ToUpper(e.user.Email), password, "user_already_exists"},
		{"weak password", "new@example.com", "password", ""},
	} {
		resp := postForm(t, b, e.srv.URL+"/register", url.Values{"email": {tc.email}, "password": {tc.pw}, "csrf_token": {csrf}})
		readBody(t, resp)
		if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != tc.fiefErr {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, resp.Header.Get("X-Fief-Error"))
		}
	}
	resp = postForm(t, b, e.srv.URL+"/register", url.Values{"email": {"new@example.com"}, "password": {password}, "csrf_token": {csrf}})
	readBody(t, resp)
	if resp.Request.URL.Path != "/verify" {
		t.Fatalf("after register at %s", resp.Request.URL)
	}
	u, ok := e.srv.DefaultTenant().User("new@example.com")
	if !ok {
		t.Fatal("user not created")
	}
	code, _ := e.srv.EmailVerificationCode(u.ID)
	resp = postForm(t, b, e.srv.URL+"/verify", url.Values{"code": {code}, "csrf_token": {csrf}})
	readBody(t, resp)
	if loc := callback(t, resp); loc.Query().Get("code") == "" {
		t.Errorf("callback %s", loc)
	}

	e.srv.DefaultTenant().SetRegistrationAllowed(false)
	resp = get(t, b, e.srv.URL+"/register")
	readBody(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "registration_disabled" {
		t.Errorf("disabled: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
}

func TestLogoutErrors(t *testing.T) {
	e := newEnv(t)
	c := noRedirect(e.srv)
	resp := get(t, c, e.srv.URL+"/logout")
	readBody(t, resp)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fief-Error") != "invalid_request" {
		t.Errorf("missing: %d %q", resp.StatusCode, resp.Header.Get("X-Fief-Error"))
	}
	resp = get(t, c, e.srv.URL+"/logout?redirect_uri=/relative")
	body := readBody(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, `"url_parsing"`) {
		t.Errorf("relative: %d %s", resp.StatusCode, body)
	}
	resp = get(t, c, e.srv.URL+"/logout?redirect_uri="+url.QueryEscape("https://anywhere.example/bye?x=1"))
	readBody(t, resp)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://anywhere.example/bye?x=1" {
		t.Errorf("any url: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSlugTenantEndToEnd(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	tn := srv.AddTenant("secondary")
	cl := tn.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	u := tn.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: password, Unverified: true})
	// The same email in the default tenant is another user.
	srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "another-password-here"})

	base := tn.BaseURL()
	b := srv.BrowserClient()
	resp := get(t, b, authorizeURL(base, map[string]string{"client_id": cl.ID, "redirect_uri": redirectURI, "scope": "openid offline_access"}))
	page := readBody(t, resp)
	if resp.Request.URL.Path != "/secondary/login" || !strings.Contains(page, `action="/secondary/login"`) {
		t.Fatalf("at %s", resp.Request.URL)
	}
	resp = postForm(t, b, base+"/login", url.Values{"email": {u.Email}, "password": {password}, "csrf_token": {csrfFrom(t, page)}})
	page = readBody(t, resp)
	if resp.Request.URL.Path != "/secondary/verify" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	code, _ := srv.EmailVerificationCode(u.ID)
	resp = postForm(t, b, base+"/verify", url.Values{"code": {code}, "csrf_token": {csrfFrom(t, page)}})
	readBody(t, resp)
	loc := callback(t, resp)

	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI}}
	// The default tenant's token endpoint does not know this client.
	if status, body, _ := tokenCall(t, srv.Client(), srv.URL, form, cl.ID, cl.Secret); status != 400 || body["error"] != "invalid_client" {
		t.Errorf("wrong tenant: %d %v", status, body)
	}
	status, tok, _ := tokenCall(t, srv.Client(), base, form, cl.ID, cl.Secret)
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
	if status, tok2, _ := tokenCall(t, srv.Client(), base, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, cl.ID, cl.Secret); status != 200 || tok2["refresh_token"] == nil {
		t.Errorf("refresh: %d %v", status, tok2)
	}
}
