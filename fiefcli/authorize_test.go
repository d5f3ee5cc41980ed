package fiefcli_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

func TestAuthorizeSignsIn(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *env, b *browser)
	}{
		{"auto-login", func(e *env, b *browser) { e.srv.SetAutoLogin(testEmail) }},
		{"login form", func(e *env, b *browser) { b.drive = formLogin(e.srv, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			b := newBrowser(e.srv.Client())
			tt.setup(e, b)
			a := e.auth(t, b.open, nil)

			user, err := a.Authorize(t.Context())
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if user.Email() != testEmail || user.ID() != e.user.ID {
				t.Errorf("user = %s %s, want %s %s", user.Email(), user.ID(), testEmail, e.user.ID)
			}
			status, body := b.page()
			if status != http.StatusOK || !strings.Contains(body, "You are signed in") {
				t.Errorf("callback page: HTTP %d %q", status, body)
			}
			f := e.stored(t)
			if f.accessToken() == "" || f.refreshToken() == "" {
				t.Errorf("stored tokens lack the access or refresh token: %v", f.Tokens)
			}
			if f.UserInfo["email"] != testEmail || f.ClientID != e.fc.ClientID || f.BaseURL != e.srv.URL {
				t.Errorf("stored file = %+v", f)
			}
			info, err := a.AccessTokenInfo(t.Context())
			if err != nil {
				t.Fatalf("AccessTokenInfo: %v", err)
			}
			if info.ID != e.user.ID || !info.HasPermission("castles:read") || !info.HasScope("offline_access") || info.ACR != fief.ACRLevel1 {
				t.Errorf("AccessTokenInfo = %v", info)
			}
			if n := e.srv.RequestCount(fieftest.EndpointToken); n != 1 {
				t.Errorf("token endpoint called %d times, want 1 (the code exchange)", n)
			}
		})
	}
}

func TestAuthorizeURL(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	b := newBrowser(e.srv.Client())
	a := e.auth(t, b.open, func(c *fiefcli.Config) {
		c.Scopes = []string{"castles", "openid", "castles"}
		c.Lang = "fr"
		c.Extra = url.Values{"login_hint": {testEmail}, "state": {"overridden?"}}
	})
	if _, err := a.Authorize(t.Context()); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	q := b.lastAuthURL(t).Query()
	if got, want := strings.Fields(q.Get("scope")), []string{"openid", "offline_access", "castles"}; !slices.Equal(got, want) {
		t.Errorf("scope = %q, want %q", got, want)
	}
	checks := map[string]string{
		"redirect_uri":          fmt.Sprintf("http://127.0.0.1:%d/callback", e.port),
		"response_type":         "code",
		"code_challenge_method": "S256",
		"lang":                  "fr",
		"login_hint":            testEmail,
		"client_id":             e.fc.ClientID,
	}
	for k, want := range checks {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if s := q.Get("state"); len(s) < 32 || s == "overridden?" {
		t.Errorf("state = %q, want a random state", s)
	}
	if c := q.Get("code_challenge"); len(c) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		t.Errorf("code_challenge = %q, want an S256 challenge", c)
	}
	if got := a.RedirectURI(); got != q.Get("redirect_uri") {
		t.Errorf("RedirectURI() = %q, want %q", got, q.Get("redirect_uri"))
	}
}

// TestAuthorizeStateIsFresh checks that two sign-ins use different states
// and PKCE challenges.
func TestAuthorizeStateIsFresh(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	b := newBrowser(e.srv.Client())
	a := e.auth(t, b.open, nil)
	var states, challenges []string
	for range 2 {
		if _, err := a.Authorize(t.Context()); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		q := b.lastAuthURL(t).Query()
		states = append(states, q.Get("state"))
		challenges = append(challenges, q.Get("code_challenge"))
	}
	if states[0] == states[1] || challenges[0] == challenges[1] {
		t.Errorf("states %q and challenges %q repeat", states, challenges)
	}
}

func TestAuthorizeCallbackErrors(t *testing.T) {
	const script = `<script>alert("pwned")</script>`
	tests := []struct {
		name       string
		params     func(q url.Values) url.Values
		check      func(t *testing.T, err error)
		wantStatus int
		wantPage   []string // substrings of the page
		notInPage  []string
	}{
		{
			name: "error from Fief, escaped",
			params: func(q url.Values) url.Values {
				return url.Values{"state": {q.Get("state")}, "error": {"access_denied" + script}, "error_description": {"No " + script}}
			},
			check: func(t *testing.T, err error) {
				var ae *fiefcli.AuthorizationError
				if !errors.As(err, &ae) || ae.Code != "access_denied"+script || ae.Description != "No "+script {
					t.Errorf("err = %v, want an AuthorizationError carrying Fief's texts", err)
				}
			},
			wantStatus: http.StatusBadRequest,
			wantPage:   []string{"access_denied&lt;script&gt;", "No &lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"},
			notInPage:  []string{"<script>"},
		},
		{
			name:   "missing code",
			params: func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}} },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, fiefcli.ErrMissingCode) {
					t.Errorf("err = %v, want ErrMissingCode", err)
				}
			},
			wantStatus: http.StatusBadRequest,
		},
		{
			name:   "code refused by Fief",
			params: func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}, "code": {"not-a-code"}} },
			check: func(t *testing.T, err error) {
				var re *fief.ResponseError
				if !errors.As(err, &re) || re.Code != "invalid_grant" {
					t.Errorf("err = %v, want Fief's invalid_grant", err)
				}
			},
			wantStatus: http.StatusBadGateway,
			notInPage:  []string{"invalid_grant"}, // back-channel details stay in the terminal
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			b := newBrowser(e.srv.Client())
			a := e.auth(t, callbackBrowser(b, tt.params), nil)
			user, err := a.Authorize(t.Context())
			if user != nil {
				t.Errorf("user = %v, want none", user)
			}
			tt.check(t, err)
			status, body := b.page()
			if status != tt.wantStatus || !strings.Contains(body, `<body class="error">`) {
				t.Errorf("page: HTTP %d %q, want HTTP %d and a failure page", status, body, tt.wantStatus)
			}
			for _, s := range tt.wantPage {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q: %s", s, body)
				}
			}
			for _, s := range tt.notInPage {
				if strings.Contains(body, s) {
					t.Errorf("page contains %q: %s", s, body)
				}
			}
			if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("credentials file after a failed sign-in: %v", err)
			}
		})
	}
}

// TestAuthorizeConsentDenied goes through Fief's consent page and refuses.
func TestAuthorizeConsentDenied(t *testing.T) {
	e := newEnv(t, envOptions{thirdParty: true})
	b := newBrowser(e.srv.Client())
	b.drive = formLogin(e.srv, "deny")
	a := e.auth(t, b.open, nil)
	_, err := a.Authorize(t.Context())
	var ae *fiefcli.AuthorizationError
	if !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Fatalf("err = %v, want access_denied", err)
	}
	if status, body := b.page(); status != http.StatusBadRequest || !strings.Contains(body, "access_denied") {
		t.Errorf("page: HTTP %d %q", status, body)
	}
}

func TestAuthorizeConsentAllowed(t *testing.T) {
	e := newEnv(t, envOptions{thirdParty: true})
	b := newBrowser(e.srv.Client())
	b.drive = formLogin(e.srv, "allow")
	a := e.auth(t, b.open, nil)
	if user, err := a.Authorize(t.Context()); err != nil || user.Email() != testEmail {
		t.Fatalf("Authorize = %v, %v", user, err)
	}
}

func TestAuthorizeTimeout(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.auth(t, func(string) error { return nil }, func(c *fiefcli.Config) {
		c.Timeout = 50 * time.Millisecond
	})
	_, err := a.Authorize(t.Context())
	if !errors.Is(err, fiefcli.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	// The callback server is gone and its port free.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", e.port))
	if err != nil {
		t.Fatalf("the port is still held after the timeout: %v", err)
	}
	ln.Close()
}

func TestAuthorizeCanceled(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a := e.auth(t, func(string) error { cancel(); return nil }, nil)
	_, err := a.Authorize(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, fiefcli.ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestAuthorizePortInUse(t *testing.T) {
	e := newEnv(t, envOptions{})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", e.port))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	opened := false
	a := e.auth(t, func(string) error { opened = true; return nil }, nil)
	_, err = a.Authorize(t.Context())
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("err = %v, want EADDRINUSE", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("port %d", e.port)) {
		t.Errorf("err = %q, want it to name the port", err)
	}
	if opened {
		t.Error("the browser was opened though the callback could not be received")
	}
}

// TestAuthorizeNoBrowser checks that the URL is printed when no browser
// opens, and that opening it by hand completes the sign-in.
func TestAuthorizeNoBrowser(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	urls := make(chan string, 1)
	var out lockedBuffer
	a := e.auth(t, func(u string) error {
		urls <- u
		return errors.New("no browser here")
	}, func(c *fiefcli.Config) { c.Output = &out })
	handDone := make(chan error, 1)
	go func() {
		resp, err := e.srv.Client().Get(<-urls) // the user copies the URL
		if err == nil {
			resp.Body.Close()
		}
		handDone <- err
	}()
	user, err := a.Authorize(t.Context())
	if err != nil || user.Email() != testEmail {
		t.Fatalf("Authorize = %v, %v", user, err)
	}
	if err := <-handDone; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	u := urlLine(t, got)
	if !strings.Contains(got, "no browser here") || !strings.Contains(u, "/authorize?") || !strings.Contains(got, "Waiting for the sign-in") {
		t.Errorf("output = %q, want the reason and the URL", got)
	}
}

// urlLine returns the indented URL line of Authorize's output.
func urlLine(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "    http") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no URL line in %q", out)
	return ""
}
