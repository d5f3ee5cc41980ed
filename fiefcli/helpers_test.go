package fiefcli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

const (
	testEmail    = "anne@example.com"
	testPassword = "herminetincture-42"
	tokenLife    = time.Hour
)

// env is a Fief server with a public client and a user, a fief.Client on
// the server's clock, and a free callback port.
type env struct {
	srv    *fieftest.Server
	fc     *fieftest.Client
	user   *fieftest.User
	client *fief.Client
	port   int
	path   string // credentials file
}

type envOptions struct {
	thirdParty  bool
	refreshLife time.Duration
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	srv := fieftest.NewServer()
	t.Cleanup(srv.Close)
	port := freePort()
	fc, err := srv.AddClient(fieftest.ClientConfig{
		Public:               true,
		ThirdParty:           o.thirdParty,
		RedirectURIs:         []string{fmt.Sprintf("http://127.0.0.1:%d/callback", port)},
		TokenLifetime:        tokenLife,
		RefreshTokenLifetime: o.refreshLife,
	})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: testEmail, Password: testPassword, Permissions: []string{"castles:read"}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, fc: fc, user: user, client: client, port: port, path: filepath.Join(t.TempDir(), "app", "credentials.json")}
}

// auth returns an Auth on e's port and file, with a silent output and the
// given browser, after applying mod to its config.
func (e *env) auth(t *testing.T, open func(string) error, mod func(*fiefcli.Config)) *fiefcli.Auth {
	t.Helper()
	cfg := fiefcli.Config{CredentialsPath: e.path, Port: e.port, OpenBrowser: open, Output: io.Discard, Timeout: time.Minute}
	if mod != nil {
		mod(&cfg)
	}
	a, err := fiefcli.New(e.client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// authVia returns an Auth on e's port and file whose Fief client sends its
// requests through rt: another process sharing the credentials file.
func (e *env) authVia(t *testing.T, rt http.RoundTripper) *fiefcli.Auth {
	t.Helper()
	client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: e.fc.ClientID, HTTPClient: &http.Client{Transport: rt}, Clock: e.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	a, err := fiefcli.New(client, fiefcli.Config{CredentialsPath: e.path, Port: e.port})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signIn runs a whole auto-login sign-in and returns the Auth.
func (e *env) signIn(t *testing.T) *fiefcli.Auth {
	t.Helper()
	e.srv.SetAutoLogin(testEmail)
	b := newBrowser(e.srv.Client())
	a := e.auth(t, b.open, nil)
	if _, err := a.Authorize(t.Context()); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	return a
}

// stored reads the credentials file as the test sees it.
func (e *env) stored(t *testing.T) storedFile {
	t.Helper()
	b, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	var f storedFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// replaceStored rewrites the credentials file with the first old replaced
// by new.
func (e *env) replaceStored(t *testing.T, old, new string) {
	t.Helper()
	b, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

type storedFile struct {
	Version  int            `json:"version"`
	BaseURL  string         `json:"base_url"`
	ClientID string         `json:"client_id"`
	Tokens   map[string]any `json:"tokens"`
	UserInfo map[string]any `json:"userinfo"`
}

func (f storedFile) accessToken() string  { s, _ := f.Tokens["access_token"].(string); return s }
func (f storedFile) refreshToken() string { s, _ := f.Tokens["refresh_token"].(string); return s }

// freePort returns a loopback port that was free a moment ago.
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// browser plays the user's browser: open follows the authorization URL
// with an HTTP client (through Fief's auto-login, or a function that
// drives the forms) to the callback, and records what the callback showed.
type browser struct {
	client *http.Client
	drive  func(authURL string) (*http.Response, error) // nil: follow redirects

	mu       sync.Mutex
	authURLs []string
	status   int
	body     string
}

func newBrowser(c *http.Client) *browser { return &browser{client: c} }

func (b *browser) open(authURL string) error {
	b.mu.Lock()
	b.authURLs = append(b.authURLs, authURL)
	b.mu.Unlock()
	var (
		resp *http.Response
		err  error
	)
	if b.drive != nil {
		resp, err = b.drive(authURL)
	} else {
		resp, err = b.client.Get(authURL)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	b.mu.Lock()
	b.status, b.body = resp.StatusCode, string(body)
	b.mu.Unlock()
	return err
}

func (b *browser) page() (int, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status, b.body
}

func (b *browser) lastAuthURL(t *testing.T) *url.URL {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.authURLs) == 0 {
		t.Fatal("the browser was not opened")
	}
	u, err := url.Parse(b.authURLs[len(b.authURLs)-1])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// callbackBrowser returns an OpenBrowser that skips Fief and calls the
// callback with the parameters params returns for the authorization URL's
// query, recording the page in b.
func callbackBrowser(b *browser, params func(q url.Values) url.Values) func(string) error {
	b.drive = func(authURL string) (*http.Response, error) {
		u, err := url.Parse(authURL)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		return b.client.Get(q.Get("redirect_uri") + "?" + params(q).Encode())
	}
	return b.open
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formLogin drives Fief's login form (and, with consent set to "allow" or
// "deny", the consent form) with a cookie-keeping client, then follows the
// redirect to the callback.
func formLogin(srv *fieftest.Server, consent string) func(string) (*http.Response, error) {
	return func(authURL string) (*http.Response, error) {
		c := srv.BrowserClient()
		resp, err := c.Get(authURL) // → /login form
		if err != nil {
			return nil, err
		}
		csrf, err := csrfToken(resp)
		if err != nil {
			return nil, err
		}
		resp, err = c.PostForm(srv.URL+"/login", url.Values{"email": {testEmail}, "password": {testPassword}, "csrf_token": {csrf}})
		if err != nil {
			return nil, err
		}
		if consent != "" {
			if resp.StatusCode != http.StatusOK {
				resp.Body.Close()
				return nil, fmt.Errorf("expected the consent page, got HTTP %d", resp.StatusCode)
			}
			csrf, err := csrfToken(resp)
			if err != nil {
				return nil, err
			}
			resp, err = c.PostForm(srv.URL+"/consent", url.Values{consent: {consent}, "csrf_token": {csrf}})
			if err != nil {
				return nil, err
			}
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:") {
			return nil, fmt.Errorf("expected a redirect to the callback, got HTTP %d to %q", resp.StatusCode, loc)
		}
		return srv.Client().Get(loc)
	}
}

func csrfToken(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("no csrf_token in the page (HTTP %d): %.200s", resp.StatusCode, body)
	}
	return string(m[1]), nil
}

// lockedBuffer is an io.Writer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
