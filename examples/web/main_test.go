package main

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/demotest"
)

func TestMain(m *testing.M) {
	demotest.MaybeRunMain(main)
	os.Exit(m.Run())
}

const wantMessage = "You are authenticated. Your user email is " + fiefdemo.Email

// TestRunDemo signs in to the program started with -demo as a user would,
// with the printed credentials, on both of the hosts a local browser may
// use: 127.0.0.1 is sent to the application's URL, on localhost, where the
// sign-in ends. GET /logout shows the confirmation page; its POST signs
// out.
func TestRunDemo(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, output := demotest.Start(t, run, "-demo")
	for _, want := range []string{appURL + "/protected", "email:    " + fiefdemo.Email, "password: " + fiefdemo.Password} {
		if !strings.Contains(output(), want) {
			t.Errorf("output lacks %q:\n%s", want, output())
		}
	}
	if !strings.HasPrefix(appURL, "http://localhost:") {
		t.Fatalf("URL %s, want http://localhost:PORT", appURL)
	}
	for _, base := range []string{appURL, strings.Replace(appURL, "localhost", "127.0.0.1", 1)} {
		t.Run(base, func(t *testing.T) {
			b := browsertest.New(t)
			resp, page := browsertest.Get(t, b, base+"/protected")
			resp, page = browsertest.LogIn(t, b, resp, page, fiefdemo.Email, fiefdemo.Password)
			if resp.StatusCode != 200 || resp.Request.URL.String() != appURL+"/protected" || !strings.Contains(page, wantMessage) {
				t.Fatalf("after login: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			u, _ := url.Parse(appURL)
			var session *http.Cookie
			for _, c := range b.Jar.Cookies(u) {
				if c.Name == "fiefhttp_session" {
					session = c
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}

			// GET /logout: the page, named after the application, whose
			// button posts to /logout.
			resp, page = browsertest.Get(t, b, appURL+"/logout")
			if resp.StatusCode != 200 || !strings.Contains(page, `method="post"`) || !strings.Contains(page, `<header class="brand" id="brand">Fief web example</header>`) {
				t.Fatalf("GET /logout: %d:\n%s", resp.StatusCode, page)
			}
			// Log out: back home, and /protected asks for the login form again.
			resp, err := b.Post(appURL+"/logout", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if page := browsertest.Body(t, resp); resp.Request.URL.String() != appURL+"/" || !strings.Contains(page, "Fief web example") {
				t.Fatalf("after logout: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			resp, page = browsertest.Get(t, b, base+"/protected")
			if !strings.HasSuffix(resp.Request.URL.Path, "/login") || strings.Contains(page, wantMessage) {
				t.Fatalf("/protected after logout: %d at %s", resp.StatusCode, resp.Request.URL)
			}
		})
	}
}

// TestRunWithFiefFromEnvironment points the program at a Fief through the
// environment variables.
func TestRunWithFiefFromEnvironment(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "someone@example.com", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FIEF_BASE_URL", srv.URL)
	t.Setenv("FIEF_CLIENT_ID", fc.ClientID)
	t.Setenv("FIEF_CLIENT_SECRET", fc.ClientSecret)
	t.Setenv("FIEF_ENCRYPTION_KEY", fc.EncryptionKey)
	port := freePort(t)
	fc.AddRedirectURI("http://localhost:" + port + "/auth-callback") // checked at startup
	appURL, output := demotest.Start(t, run, "-addr", "localhost:"+port)
	if strings.Contains(output(), fiefdemo.Password) || !strings.Contains(output(), appURL+"/auth-callback") {
		t.Errorf("output:\n%s", output())
	}
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, appURL+"/protected")
	resp, page = browsertest.LogIn(t, b, resp, page, "someone@example.com", "correct horse")
	if resp.StatusCode != 200 || !strings.Contains(page, "Your user email is someone@example.com") {
		t.Fatalf("after login: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
}

// TestNoFiefNoDemo: without FIEF_BASE_URL and without -demo, the program
// stops with a message naming both, and starts no demo Fief.
func TestNoFiefNoDemo(t *testing.T) { demotest.CheckNoFiefNoDemo(t, "-addr", "localhost:0") }

func TestHomeAndUnknownPaths(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, _ := demotest.Start(t, run, "-demo")
	c := browsertest.New(t)
	if resp, page := browsertest.Get(t, c, appURL+"/"); resp.StatusCode != 200 || !strings.Contains(page, `href="/protected"`) {
		t.Errorf("home: %d %s", resp.StatusCode, page)
	}
	if resp, _ := browsertest.Get(t, c, appURL+"/nope"); resp.StatusCode != 404 {
		t.Errorf("/nope: %d, want 404", resp.StatusCode)
	}
}

// TestBadConfiguration: an invalid configuration, or one Fief refuses,
// stops the program with the report of the startup check.
func TestBadConfiguration(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort(t)
	fc, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{"http://localhost:" + port + "/auth-callback"}})
	if err != nil {
		t.Fatal(err)
	}
	good := []string{"FIEF_BASE_URL=" + srv.URL, "FIEF_CLIENT_ID=" + fc.ClientID, "FIEF_CLIENT_SECRET=" + fc.ClientSecret}
	tests := []struct {
		name  string
		env   []string
		addr  string
		wants []string // in stderr
		// report: stderr starts with the startup check's report (an
		// invalid setting is refused before, by fief.New).
		report bool
	}{
		{"wrong secret", append(good[:2:2], "FIEF_CLIENT_SECRET=wrong-secret-1234"), "localhost:" + port,
			[]string{"FAILURE  client_credentials", "the secret is wrong", "FIEF_CLIENT_SECRET"}, true},
		{"redirect URI not registered", good, "localhost:0",
			[]string{"FAILURE  redirect_uri", "/auth-callback\" is not a redirect URI of the client", "to the client's redirect URIs in Fief"}, true},
		{"unreachable Fief", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x"}, "localhost:0",
			[]string{"FAILURE  reachable", "connection refused", "FIEF_BASE_URL"}, true},
		{"malformed URL", []string{"FIEF_BASE_URL=http://exa mple", "FIEF_CLIENT_ID=x"}, "localhost:0",
			[]string{"invalid config: BaseURL"}, false},
		{"URL without scheme", []string{"FIEF_BASE_URL=localhost:8000", "FIEF_CLIENT_ID=x"}, "localhost:0",
			[]string{"invalid config: BaseURL", `write "https://localhost:8000"`}, false},
		{"bad encryption key", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x", "FIEF_ENCRYPTION_KEY={"}, "localhost:0",
			[]string{"invalid config: EncryptionKey"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := demotest.RunMain(t, tt.env, "-addr", tt.addr)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if tt.report != strings.HasPrefix(stderr, "the Fief configuration does not work:\nFief check of ") {
				t.Errorf("stderr, report %t:\n%s", tt.report, stderr)
			}
			for _, want := range tt.wants {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stdout, "Listening on") || strings.Contains(stderr+stdout, "wrong-secret-1234") || strings.Contains(stderr+stdout, fc.ClientSecret) {
				t.Errorf("stdout %q, stderr %q: listening, or a secret shown", stdout, stderr)
			}
		})
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
