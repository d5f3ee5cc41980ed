package fiefhttp_test

import (
	"net/http"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
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
	var err error
	e.fc, err = srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	e.user, err = srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword, Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	e.client = e.newClient(t)
	return e
}

// newClient returns a fresh fief.Client, with empty caches.
func (e *fiefEnv) newClient(t testing.TB) *fief.Client {
	t.Helper()
	c, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, ClientSecret: e.fc.ClientSecret, HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *fiefEnv) token(o fieftest.TokenOptions) string {
	return e.srv.MintAccessToken(e.user.ID, o)
}

// logIn fills Fief's login form shown by resp as the test user.
func logIn(t *testing.T, c *http.Client, resp *http.Response, page string) (*http.Response, string) {
	t.Helper()
	return browsertest.LogIn(t, c, resp, page, testEmail, testPassword)
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
