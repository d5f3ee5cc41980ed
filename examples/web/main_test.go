package main

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/demo"
	"github.com/fief-dev/fief-go/internal/demotest"
)

func TestMain(m *testing.M) {
	demotest.MaybeRunMain(main)
	os.Exit(m.Run())
}

const wantMessage = "You are authenticated. Your user email is " + demo.Email

// TestRunEmbedded signs in to the program as a user would, with the printed
// credentials, on both of the hosts a local browser may use.
func TestRunEmbedded(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, output := demotest.Start(t, run)
	for _, want := range []string{appURL + "/protected", "email:    " + demo.Email, "password: " + demo.Password} {
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
			resp, page = browsertest.LogIn(t, b, resp, page, demo.Email, demo.Password)
			if resp.StatusCode != 200 || resp.Request.URL.String() != base+"/protected" || !strings.Contains(page, wantMessage) {
				t.Fatalf("after login: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			u, _ := url.Parse(base)
			var session *http.Cookie
			for _, c := range b.Jar.Cookies(u) {
				if c.Name == "fiefhttp_session" {
					session = c
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}

			// Log out: back home, and /protected asks for the login form again.
			resp, err := b.Post(base+"/logout", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if page := browsertest.Body(t, resp); resp.Request.URL.String() != base+"/" || !strings.Contains(page, "Fief web example") {
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
	fc := srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	srv.AddUser(fieftest.UserConfig{Email: "someone@example.com", Password: "correct horse"})
	t.Setenv("FIEF_BASE_URL", srv.URL)
	t.Setenv("FIEF_CLIENT_ID", fc.ID)
	t.Setenv("FIEF_CLIENT_SECRET", fc.Secret)
	t.Setenv("FIEF_ENCRYPTION_KEY", fc.EncryptionKey)
	appURL, output := demotest.Start(t, run)
	fc.AddRedirectURI(appURL + "/auth-callback")
	if strings.Contains(output(), demo.Password) || !strings.Contains(output(), appURL+"/auth-callback") {
		t.Errorf("output:\n%s", output())
	}
	b := browsertest.New(t)
	resp, page := browsertest.Get(t, b, appURL+"/protected")
	resp, page = browsertest.LogIn(t, b, resp, page, "someone@example.com", "correct horse")
	if resp.StatusCode != 200 || !strings.Contains(page, "Your user email is someone@example.com") {
		t.Fatalf("after login: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
}

func TestHomeAndUnknownPaths(t *testing.T) {
	t.Setenv("FIEF_BASE_URL", "")
	appURL, _ := demotest.Start(t, run)
	c := browsertest.New(t)
	if resp, page := browsertest.Get(t, c, appURL+"/"); resp.StatusCode != 200 || !strings.Contains(page, `href="/protected"`) {
		t.Errorf("home: %d %s", resp.StatusCode, page)
	}
	if resp, _ := browsertest.Get(t, c, appURL+"/nope"); resp.StatusCode != 404 {
		t.Errorf("/nope: %d, want 404", resp.StatusCode)
	}
}

func TestBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		wantErr string
	}{
		{"unreachable Fief", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x"}, "cannot use Fief at http://127.0.0.1:1"},
		{"malformed URL", []string{"FIEF_BASE_URL=http://exa mple", "FIEF_CLIENT_ID=x"}, "BaseURL"},
		{"bad encryption key", []string{"FIEF_BASE_URL=http://127.0.0.1:1", "FIEF_CLIENT_ID=x", "FIEF_ENCRYPTION_KEY={"}, "EncryptionKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := demotest.RunMain(t, tt.env, "-addr", "localhost:0")
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q, want one line with %q", stderr, tt.wantErr)
			}
		})
	}
}
