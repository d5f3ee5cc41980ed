package fiefhttp_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// fiefEnv is a fieftest server with a client and a user, and a fief.Client
// talking to it.
type fiefEnv struct {
	srv    *fieftest.Server
	fc     *fieftest.Client
	user   *fieftest.User
	client *fief.Client
}

const (
	testEmail    = "anne@bretagne.duchy"
	testPassword = "herminetincture"
)

func newFiefEnv(t *testing.T) *fiefEnv {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	e := &fiefEnv{srv: srv}
	e.fc = srv.AddClient(fieftest.ClientConfig{})
	e.user = srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword, Permissions: []string{"castles:read"}})
	e.client = e.newClient(t)
	return e
}

// newClient returns a fresh fief.Client, with empty caches.
func (e *fiefEnv) newClient(t testing.TB) *fief.Client {
	t.Helper()
	c, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ID, ClientSecret: e.fc.Secret, HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *fiefEnv) token(o fieftest.TokenOptions) string {
	return e.srv.MintAccessToken(e.user.ID, o)
}

// browser returns an HTTP client with a cookie jar that follows redirects,
// like a browser.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: tr}
}

// noRedirect returns a copy of c that stops at redirects.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// submitForm posts Fief's form on page (the body of resp) with fields and
// its CSRF token, and returns where the browser ends.
func submitForm(t *testing.T, c *http.Client, resp *http.Response, page, action string, fields url.Values) (*http.Response, string) {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page at %s:\n%s", resp.Request.URL, page)
	}
	fields.Set("csrf_token", m[1])
	target, err := resp.Request.URL.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.PostForm(target.String(), fields)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return r, readBody(t, r)
}

// logIn fills Fief's login form shown by resp.
func logIn(t *testing.T, c *http.Client, resp *http.Response, page string) (*http.Response, string) {
	t.Helper()
	if !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Fatalf("expected Fief's login form, got %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	return submitForm(t, c, resp, page, "login", url.Values{"email": {testEmail}, "password": {testPassword}})
}

// setCookie returns the Set-Cookie of name in resp.
func setCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func setCookiesWithPrefix(resp *http.Response, prefix string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, prefix) {
			out = append(out, c)
		}
	}
	return out
}
