package security_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// webEnv is a web application using fiefhttp.WebFlow on a fieftest tenant,
// driven by hand (no cookie jar): each test chooses which cookies to send.
type webEnv struct {
	*env
	app  *httptest.Server
	flow *fiefhttp.WebFlow
	hc   *http.Client // does not follow redirects
}

// newWebEnv starts the application. cfg.BaseURL, when "-", is left empty
// (derived from each request's Host); otherwise it is the app's URL.
func newWebEnv(t *testing.T, cfg fiefhttp.WebConfig) *webEnv {
	t.Helper()
	w := &webEnv{env: newEnv(t)}
	var h http.Handler
	w.app = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	t.Cleanup(w.app.Close)
	if cfg.BaseURL == "-" {
		cfg.BaseURL = ""
	} else {
		cfg.BaseURL = w.app.URL
	}
	w.fc.AddRedirectURI(w.app.URL + fiefhttp.DefaultCallbackPath)
	flow, err := fiefhttp.NewWebFlow(w.client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.flow = flow
	mux := http.NewServeMux()
	mux.Handle("GET /protected", flow.Auth().CurrentUser()(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		u, _ := fiefhttp.UserInfoFrom(r.Context())
		io.WriteString(rw, "hello "+u.Email())
	})))
	mux.HandleFunc("GET /login", func(rw http.ResponseWriter, r *http.Request) { flow.Login(rw, r, r.URL.Query().Get("next")) })
	mux.HandleFunc("GET "+fiefhttp.DefaultCallbackPath, flow.Callback)
	mux.HandleFunc("POST /logout", flow.Logout)
	h = mux
	w.hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	w.srv.SetAutoLogin(w.user.Email())
	return w
}

// flowPrefix is the start of the flow cookies' names: with the __Host-
// prefix when cookies are Secure.
func (w *webEnv) flowPrefix() string {
	return strings.TrimSuffix(w.flow.SessionCookieName(), fiefhttp.DefaultSessionCookieName) + fiefhttp.DefaultFlowCookiePrefix
}

// do sends a request to the app (or to Fief) with the given cookies and,
// if host is not empty, that Host header.
func (w *webEnv) do(t *testing.T, method, u, host string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	r, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		r.Host = host
	}
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := w.hc.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// cookieNamed returns the Set-Cookie of resp with this name (or prefix when
// name ends with "*").
func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name || strings.HasSuffix(name, "*") && strings.HasPrefix(c.Name, strings.TrimSuffix(name, "*")) {
			return c
		}
	}
	return nil
}

// flowStart is what a login leaves in the browser.
type flowStart struct {
	cookie  *http.Cookie // the flow cookie
	authURL string       // where the browser goes next
	state   string
}

// start asks the app for path (anonymously) and returns the flow it starts.
func (w *webEnv) start(t *testing.T, path string) flowStart {
	t.Helper()
	resp := w.do(t, "GET", w.app.URL+path, "")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: status %d, want a redirect to Fief", path, resp.StatusCode)
	}
	fs := flowStart{cookie: cookieNamed(resp, w.flowPrefix()+"*"), authURL: resp.Header.Get("Location")}
	if fs.cookie == nil {
		t.Fatalf("GET %s set no flow cookie", path)
	}
	u, err := url.Parse(fs.authURL)
	if err != nil {
		t.Fatal(err)
	}
	fs.state = u.Query().Get("state")
	if fs.cookie.Name != w.flowPrefix()+fs.state {
		t.Fatalf("flow cookie %q does not name state %q", fs.cookie.Name, fs.state)
	}
	return fs
}

// callbackURL plays Fief (auto-login) and returns the URL it sends the
// browser back to.
func (w *webEnv) callbackURL(t *testing.T, fs flowStart) string {
	t.Helper()
	resp := w.do(t, "GET", fs.authURL, "")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, w.app.URL+fiefhttp.DefaultCallbackPath) {
		t.Fatalf("authorize: status %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

// signIn runs a whole flow from path and returns the callback's answer.
func (w *webEnv) signIn(t *testing.T, path string) *http.Response {
	t.Helper()
	fs := w.start(t, path)
	return w.do(t, "GET", w.callbackURL(t, fs), "", fs.cookie)
}

// TestWebFlowControl: the flow the attacks below depart from.
func TestWebFlowControl(t *testing.T) {
	w := newWebEnv(t, fiefhttp.WebConfig{})
	resp := w.signIn(t, "/protected?tab=2")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/protected?tab=2" {
		t.Fatalf("callback: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	session := cookieNamed(resp, w.flow.SessionCookieName())
	if session == nil || session.Value == "" {
		t.Fatal("no session cookie")
	}
	page := w.do(t, "GET", w.app.URL+"/protected", "", session)
	if got := browsertest.Body(t, page); page.StatusCode != 200 || got != "hello "+w.user.Email() {
		t.Fatalf("protected page: %d %q", page.StatusCode, got)
	}
}

// TestWebFlowAttacks: each attack on the callback is refused with an error
// page, sets no session cookie, and (where the state is not valid) does not
// exchange any code.
func TestWebFlowAttacks(t *testing.T) {
	w := newWebEnv(t, fiefhttp.WebConfig{})
	for _, tc := range []struct {
		name string
		// attack returns the callback URL and the cookies to send.
		attack   func(t *testing.T) (string, []*http.Cookie)
		status   int
		exchange bool // whether the code reaches the token endpoint
	}{
		{name: "replay of a used code with its flow cookie", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			cb := w.callbackURL(t, fs)
			if resp := w.do(t, "GET", cb, "", fs.cookie); resp.StatusCode != http.StatusFound {
				t.Fatalf("first callback: %d", resp.StatusCode)
			}
			return cb, []*http.Cookie{fs.cookie}
		}, status: http.StatusBadGateway, exchange: true},
		{name: "callback without cookies", attack: func(t *testing.T) (string, []*http.Cookie) {
			return w.callbackURL(t, w.start(t, "/protected")), nil
		}, status: http.StatusBadRequest},
		{name: "callback with another flow's cookie (its own name)", attack: func(t *testing.T) (string, []*http.Cookie) {
			victim, other := w.start(t, "/protected"), w.start(t, "/protected")
			return w.callbackURL(t, victim), []*http.Cookie{other.cookie}
		}, status: http.StatusBadRequest},
		{name: "another flow's cookie value under this flow's name", attack: func(t *testing.T) (string, []*http.Cookie) {
			victim, other := w.start(t, "/protected"), w.start(t, "/protected")
			return w.callbackURL(t, victim), []*http.Cookie{{Name: victim.cookie.Name, Value: other.cookie.Value}}
		}, status: http.StatusBadRequest},
		{name: "attacker's code and state, victim's cookie (login CSRF)", attack: func(t *testing.T) (string, []*http.Cookie) {
			victim, attacker := w.start(t, "/protected"), w.start(t, "/protected")
			return w.callbackURL(t, attacker), []*http.Cookie{victim.cookie}
		}, status: http.StatusBadRequest},
		{name: "flow cookie with a byte of its nonce changed", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: tamperFlow(t, fs.cookie.Value, 0)}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie with a byte of its ciphertext changed", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: tamperFlow(t, fs.cookie.Value, 20)}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie with a byte of its tag changed", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: tamperFlow(t, fs.cookie.Value, -1)}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie truncated", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: fs.cookie.Value[:len(fs.cookie.Value)-5]}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie without its tag", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: dropTag(t, fs.cookie.Value)}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie empty", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: ""}}
		}, status: http.StatusBadRequest},
		{name: "flow cookie of 8 KiB", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.callbackURL(t, fs), []*http.Cookie{{Name: fs.cookie.Name, Value: strings.Repeat("A", 8<<10) + "." + strings.Repeat("B", 43)}}
		}, status: http.StatusBadRequest},
		{name: "state missing", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return stripParam(t, w.callbackURL(t, fs), "state"), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadRequest},
		{name: "state of 4 KiB", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return setParam(t, w.callbackURL(t, fs), "state", strings.Repeat("a", 4096)), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadRequest},
		{name: "state with cookie-syntax characters", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return setParam(t, w.callbackURL(t, fs), "state", fs.state+"; other=1"), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadRequest},
		{name: "code missing", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return stripParam(t, w.callbackURL(t, fs), "code"), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadRequest},
		{name: "code forged", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return setParam(t, w.callbackURL(t, fs), "code", "forged"), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadGateway, exchange: true},
		{name: "error parameter with markup", attack: func(t *testing.T) (string, []*http.Cookie) {
			fs := w.start(t, "/protected")
			return w.app.URL + fiefhttp.DefaultCallbackPath + "?state=" + fs.state + "&error=" + url.QueryEscape(`<script>alert(1)</script>`), []*http.Cookie{fs.cookie}
		}, status: http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, cookies := tc.attack(t)
			before := w.srv.RequestCount(fieftest.EndpointToken)
			resp := w.do(t, "GET", cb, "", cookies...)
			page := browsertest.Body(t, resp)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if c := cookieNamed(resp, w.flow.SessionCookieName()); c != nil && c.Value != "" {
				t.Error("a session cookie was set")
			}
			if exchanged := w.srv.RequestCount(fieftest.EndpointToken) > before; exchanged != tc.exchange {
				t.Errorf("code exchanged: %t, want %t", exchanged, tc.exchange)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, `id="message"`) {
				t.Errorf("not an error page: %q", page)
			}
			for _, leak := range []string{"<script>", "fief:", "invalid_grant", "go-jose"} {
				if strings.Contains(page, leak) {
					t.Errorf("page shows %q:\n%s", leak, page)
				}
			}
		})
	}
}

// tamperFlow flips the bits of byte i (from the end when negative) of a
// sealed flow cookie (nonce, then ciphertext, then the 16-byte GCM tag).
func tamperFlow(t *testing.T, value string, i int) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		t.Fatalf("flow cookie %q is not base64url: %v", value, err)
	}
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0xff
	return base64.RawURLEncoding.EncodeToString(b)
}

// dropTag removes the GCM tag of a sealed flow cookie.
func dropTag(t *testing.T, value string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:len(b)-16])
}

// returnPath completes the flow a response started and returns where the
// callback sends the browser.
func (w *webEnv) returnPath(t *testing.T, resp *http.Response) string {
	t.Helper()
	fs := flowStart{cookie: cookieNamed(resp, w.flowPrefix()+"*"), authURL: resp.Header.Get("Location")}
	out := w.do(t, "GET", w.callbackURL(t, fs), "", fs.cookie)
	if out.StatusCode != http.StatusFound {
		t.Fatalf("callback status %d", out.StatusCode)
	}
	return out.Header.Get("Location")
}

func stripParam(t *testing.T, u, name string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Del(name)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func setParam(t *testing.T, u, name, v string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set(name, v)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// TestOpenRedirects: whatever return URL an attacker puts in a login link
// (/login?next=...) or in the first URL asked for, the browser lands on a
// path of the application after signing in.
func TestOpenRedirects(t *testing.T) {
	w := newWebEnv(t, fiefhttp.WebConfig{DefaultReturnPath: "/home"})
	for _, tc := range []struct{ next, want string }{
		{"/account?tab=2", "/account?tab=2"},
		{"//evil.test", "/home"},
		{"//evil.test/path", "/home"},
		{"///evil.test", "/home"},
		{`/\evil.test`, "/home"},
		{`\\evil.test`, "/home"},
		{`\/evil.test`, "/home"},
		{"https://evil.test", "/home"},
		{"http:evil.test", "/home"},
		{"HTTPS://evil.test", "/home"},
		{"javascript:alert(1)", "/home"},
		{"evil.test", "/home"},
		{"/\t/evil.test", "/home"},
		{"/\r\n/evil.test", "/home"},
		{"/ /evil.test", "/home"},
		{"/%2F%2Fevil.test", "/home"},
		{"/%2f/evil.test", "/home"},
		{"/%5Cevil.test", "/home"}, // harmless, but refused: it decodes to "/\\"
		{"//evil.test@app.test", "/home"},
		{"/@evil.test", "/@evil.test"},
		{"", "/home"},
		{"/" + strings.Repeat("a", 2000), "/home"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			fs := w.start(t, "/login?next="+url.QueryEscape(tc.next))
			resp := w.do(t, "GET", w.callbackURL(t, fs), "", fs.cookie)
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("callback status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tc.want {
				t.Errorf("landed on %q, want %q", got, tc.want)
			}
		})
	}
	// The first URL asked for becomes the return path when the unauthorized
	// handler starts the sign-in. net/http's ServeMux cleans "//" paths
	// before any handler runs; a router that does not must still be safe.
	for _, tc := range []struct{ path, want string }{
		{"//evil.test/protected", "/home"},
		{`/\evil.test`, "/home"},
		{"/\t/evil.test", "/%09/evil.test"}, // escaped by URL.RequestURI: harmless
	} {
		path := tc.path
		t.Run("requested "+path, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/protected", nil)
			r.URL.Path, r.URL.RawPath = path, ""
			rec := httptest.NewRecorder()
			w.flow.Unauthorized(rec, r, fiefhttp.ErrNoToken)
			resp := rec.Result()
			c := cookieNamed(resp, w.flowPrefix()+"*")
			if resp.StatusCode != http.StatusFound || c == nil {
				t.Fatalf("status %d, flow cookie %v", resp.StatusCode, c)
			}
			if got := w.returnPath(t, resp); got != tc.want {
				t.Errorf("return path %q, want %q", got, tc.want)
			}
		})
	}
	// Configuration that would redirect elsewhere is refused up front.
	for _, cfg := range []fiefhttp.WebConfig{
		{DefaultReturnPath: "//evil.test"},
		{DefaultReturnPath: "https://evil.test"},
		{CallbackPath: "//evil.test/cb"},
		{PostLogoutRedirect: "javascript:alert(1)"},
		{PostLogoutRedirect: "//evil.test"},
	} {
		if _, err := fiefhttp.NewWebFlow(w.client, cfg); err == nil {
			t.Errorf("NewWebFlow(%+v) accepted", cfg)
		}
	}
}

// TestRedirectURITampering: the redirect URI is bound to the code. A Host
// header naming another site makes Fief refuse the authorization request (or,
// at the callback, the exchange), and with WebConfig.BaseURL set the Host
// header is not used at all.
func TestRedirectURITampering(t *testing.T) {
	t.Run("Host header at login, BaseURL unset", func(t *testing.T) {
		w := newWebEnv(t, fiefhttp.WebConfig{BaseURL: "-"})
		resp := w.do(t, "GET", w.app.URL+"/protected", "evil.test")
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if ru := loc.Query().Get("redirect_uri"); !strings.HasPrefix(ru, "http://evil.test/") {
			t.Fatalf("redirect_uri %q: expected it to follow the Host header when BaseURL is unset", ru)
		}
		// Fief refuses the unregistered redirect URI: no code goes to evil.test.
		authz := w.do(t, "GET", loc.String(), "")
		if authz.StatusCode == http.StatusFound && strings.Contains(authz.Header.Get("Location"), "evil.test") {
			t.Errorf("Fief redirected to %q", authz.Header.Get("Location"))
		}
	})
	t.Run("Host header at the callback, BaseURL unset", func(t *testing.T) {
		w := newWebEnv(t, fiefhttp.WebConfig{BaseURL: "-"})
		fs := w.start(t, "/protected")
		resp := w.do(t, "GET", w.callbackURL(t, fs), "evil.test", fs.cookie)
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("status %d, want 502 (Fief refuses the exchange with another redirect_uri)", resp.StatusCode)
		}
		if c := cookieNamed(resp, w.flow.SessionCookieName()); c != nil && c.Value != "" {
			t.Error("a session cookie was set")
		}
	})
	t.Run("Host header with BaseURL set", func(t *testing.T) {
		w := newWebEnv(t, fiefhttp.WebConfig{})
		resp := w.do(t, "GET", w.app.URL+"/protected", "evil.test")
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if ru := loc.Query().Get("redirect_uri"); ru != w.app.URL+fiefhttp.DefaultCallbackPath {
			t.Errorf("redirect_uri %q, want the configured %q", ru, w.app.URL+fiefhttp.DefaultCallbackPath)
		}
	})
	t.Run("redirect_uri changed in the authorization URL", func(t *testing.T) {
		w := newWebEnv(t, fiefhttp.WebConfig{})
		fs := w.start(t, "/protected")
		authz := w.do(t, "GET", setParam(t, fs.authURL, "redirect_uri", "http://evil.test/auth-callback"), "")
		if authz.StatusCode == http.StatusFound && strings.Contains(authz.Header.Get("Location"), "evil.test") {
			t.Errorf("Fief redirected to %q", authz.Header.Get("Location"))
		}
	})
}

// TestOversizedCookies: a session cookie over fief.MaxTokenSize is refused
// before parsing (the browser is sent to sign in again), and a Cookie header
// beyond net/http's limit is refused by the server.
func TestOversizedCookies(t *testing.T) {
	w := newWebEnv(t, fiefhttp.WebConfig{})
	w.start(t, "/protected") // the discovery document is loaded: a new sign-in needs no request to Fief
	before := requestsToFief(w.srv)
	resp := w.do(t, "GET", w.app.URL+"/protected", "", &http.Cookie{Name: w.flow.SessionCookieName(), Value: strings.Repeat("A", fief.MaxTokenSize+1)})
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/authorize") {
		t.Errorf("oversized session cookie: status %d, Location %q, want a new sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if requestsToFief(w.srv) != before {
		t.Error("an oversized session cookie made requests to Fief")
	}
	var cookies []*http.Cookie
	for i := range 40 {
		cookies = append(cookies, &http.Cookie{Name: w.flowPrefix() + strings.Repeat("s", 10) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Value: strings.Repeat("A", 32<<10)})
	}
	if resp := w.do(t, "GET", w.app.URL+fiefhttp.DefaultCallbackPath+"?state=x&code=y", "", cookies...); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("1.25 MiB of cookies: status %d, want 431 or 400", resp.StatusCode)
	}
}

// TestCookieAttributes: the flow and session cookies are HttpOnly,
// SameSite=Lax and scoped; Secure in production, not in development
// (InsecureCookies); deleting cookies carry the same attributes.
func TestCookieAttributes(t *testing.T) {
	for _, mode := range []struct {
		name   string
		cfg    fiefhttp.WebConfig
		secure bool
	}{
		{"production", fiefhttp.WebConfig{}, true},
		{"development", fiefhttp.WebConfig{InsecureCookies: true}, false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			w := newWebEnv(t, mode.cfg)
			fs := w.start(t, "/protected")
			check := func(what string, c *http.Cookie, path string, maxAge func(int) bool) {
				t.Helper()
				if c == nil {
					t.Fatalf("%s: no cookie", what)
				}
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != mode.secure || c.Path != path || !maxAge(c.MaxAge) {
					t.Errorf("%s: %s; want HttpOnly, SameSite=Lax, Secure=%t, Path=%s", what, c, mode.secure, path)
				}
			}
			flowPath := fiefhttp.DefaultCallbackPath
			if mode.secure {
				flowPath = "/" // a __Host- cookie
			}
			check("flow cookie", fs.cookie, flowPath, func(m int) bool { return m > 0 && m <= int(fiefhttp.DefaultFlowMaxAge/time.Second) })
			resp := w.do(t, "GET", w.callbackURL(t, fs), "", fs.cookie)
			check("session cookie", cookieNamed(resp, w.flow.SessionCookieName()), "/", func(m int) bool { return m > 0 && m <= 24*3600 })
			check("flow cookie deletion", cookieNamed(resp, fs.cookie.Name), flowPath, func(m int) bool { return m < 0 })
			out := w.do(t, "POST", w.app.URL+"/logout", "", cookieNamed(resp, w.flow.SessionCookieName()))
			check("session cookie deletion", cookieNamed(out, w.flow.SessionCookieName()), "/", func(m int) bool { return m < 0 })
		})
	}
}

// TestCallbackTokenErrors: when the token endpoint refuses the exchange, the
// callback shows an error page (502) without Fief's internals, and sets no
// session.
func TestCallbackTokenErrors(t *testing.T) {
	w := newWebEnv(t, fiefhttp.WebConfig{})
	for _, f := range []fieftest.Fault{
		{Status: 400, Body: `{"error":"invalid_client"}`},
		{Status: 401, Body: `{"detail":"Unauthorized"}`},
		{Status: 500, Body: `<html>Internal Server Error</html>`, ContentType: "text/html"},
		{Status: 200, Body: `{"error":"server_error"}`},
	} {
		t.Run(f.Body, func(t *testing.T) {
			fs := w.start(t, "/protected")
			cb := w.callbackURL(t, fs)
			w.srv.FailNext(fieftest.EndpointToken, 1, f)
			resp := w.do(t, "GET", cb, "", fs.cookie)
			page := browsertest.Body(t, resp)
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "could not be completed") {
				t.Errorf("status %d, page %q", resp.StatusCode, page)
			}
			if strings.Contains(page, "invalid_client") || strings.Contains(page, "Unauthorized") || strings.Contains(page, "server_error") {
				t.Errorf("page shows Fief's answer:\n%s", page)
			}
			if c := cookieNamed(resp, w.flow.SessionCookieName()); c != nil && c.Value != "" {
				t.Error("a session cookie was set")
			}
		})
	}
}
