package fiefcli_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
)

// TestBlindRequestDoesNotEndCLISignIn: while the sign-in waits, requests to
// the callback server without this sign-in's state, or addressed to another
// host or port (a web page's blind GET, DNS rebinding, another local
// program), get a 400 page and do not end the sign-in; the genuine callback
// that follows completes it. Before, the first request to the callback path
// ended the sign-in (with errStateMismatch), and the genuine callback got
// 409.
func TestBlindRequestDoesNotEndCLISignIn(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.srv.SetAutoLogin(testEmail)
	b := newBrowser(e.srv.Client())
	var problems []string
	open := func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		redirect, state := q.Get("redirect_uri"), url.QueryEscape(q.Get("state"))
		port := strconv.Itoa(e.port)
		for _, blind := range []struct{ name, host, query string }{
			{"no query", "", ""},
			{"code without state", "", "code=abc"},
			{"forged state", "", "state=forged&code=abc"},
			{"state with a suffix", "", "state=" + state + "x&code=abc"},
			{"error without state", "", "error=access_denied"},
			{"state, another host", "evil.example:" + port, "state=" + state + "&code=abc"},
			{"state, localhost instead of 127.0.0.1", "localhost:" + port, "state=" + state + "&code=abc"},
			{"state, another port", "127.0.0.1:1", "state=" + state + "&code=abc"},
			{"state, no port", "127.0.0.1", "state=" + state + "&code=abc"},
		} {
			req, err := http.NewRequest(http.MethodGet, redirect+"?"+blind.query, nil)
			if err != nil {
				return err
			}
			if blind.host != "" {
				req.Host = blind.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", blind.name, err))
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := "This sign-in link has expired" // the state is not this sign-in's
			if blind.host != "" {
				want = "Not a sign-in request" // addressed to another host or port
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), want) {
				problems = append(problems, fmt.Sprintf("%s: HTTP %d %.300q, want 400 and a page saying %q", blind.name, resp.StatusCode, body, want))
			}
		}
		return b.open(authURL)
	}
	a := e.auth(t, open, func(c *fiefcli.Config) { c.Timeout = 20 * time.Second })
	user, err := a.Authorize(t.Context())
	for _, p := range problems {
		t.Error(p)
	}
	if err != nil {
		t.Fatalf("Authorize after blind requests: %v, want the genuine callback to complete the sign-in", err)
	}
	if user.Email() != testEmail {
		t.Errorf("user = %v", user)
	}
	if status, body := b.page(); status != http.StatusOK || !strings.Contains(body, "You are signed in") {
		t.Errorf("genuine callback page: HTTP %d %q", status, body)
	}
}

// TestRedirectURIIsLoopbackLiteral: the redirect URI names 127.0.0.1 by
// default (RFC 8252, section 8.3), the address the callback server listens
// on. Before, it named localhost, which a browser may resolve to ::1, where
// another local user could be listening.
func TestRedirectURIIsLoopbackLiteral(t *testing.T) {
	client, err := fief.New(fief.Config{BaseURL: "https://fief.test", ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ host, want string }{
		{"", "http://127.0.0.1:51562/callback"},
		{"127.0.0.1", "http://127.0.0.1:51562/callback"},
		{"localhost", "http://localhost:51562/callback"},
		{"[::1]", "http://[::1]:51562/callback"},
		{"::1", "http://[::1]:51562/callback"},
	} {
		a, err := fiefcli.New(client, fiefcli.Config{AppName: "tool", RedirectHost: tc.host})
		if err != nil {
			t.Fatalf("RedirectHost %q: %v", tc.host, err)
		}
		if got := a.RedirectURI(); got != tc.want {
			t.Errorf("RedirectHost %q: RedirectURI() = %q, want %q", tc.host, got, tc.want)
		}
	}
	for _, bad := range []string{"example.com", "0.0.0.0", "127.0.0.2", "LOCALHOST.", "localhost:80", "[::]"} {
		_, err := fiefcli.New(client, fiefcli.Config{AppName: "tool", RedirectHost: bad})
		var ce *fief.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(ce.Field, "RedirectHost") {
			t.Errorf("RedirectHost %q: err = %v, want a ConfigError on RedirectHost", bad, err)
		}
	}
}

// TestLocalhostRedirectBindsBothLoopbacks: with RedirectHost "localhost",
// the callback server listens on 127.0.0.1 and [::1], and the sign-in fails
// before opening the browser when another program holds either, so that
// the browser's redirect cannot go to a squatter.
func TestLocalhostRedirectBindsBothLoopbacks(t *testing.T) {
	ipv6 := true
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		ipv6 = false
		t.Logf("no IPv6 loopback on this machine (%v): only 127.0.0.1 is checked", err)
	} else {
		ln.Close()
	}
	newLocalhostEnv := func(t *testing.T) (*env, *fiefcli.Auth, *browser) {
		e := newEnv(t, envOptions{})
		fc, err := e.srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{fmt.Sprintf("http://localhost:%d/callback", e.port)}})
		if err != nil {
			t.Fatal(err)
		}
		client, err := fief.New(fief.Config{BaseURL: e.srv.URL, ClientID: fc.ClientID, HTTPClient: e.srv.Client(), Clock: e.srv.Now})
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(e.srv.Client())
		a, err := fiefcli.New(client, fiefcli.Config{CredentialsPath: e.path, Port: e.port, RedirectHost: "localhost", OpenBrowser: b.open, Output: io.Discard, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return e, a, b
	}
	squatted := []string{"127.0.0.1"}
	if ipv6 {
		squatted = append(squatted, "::1")
	}
	for _, host := range squatted {
		t.Run("squatter on "+host, func(t *testing.T) {
			e, a, b := newLocalhostEnv(t)
			addr := net.JoinHostPort(host, strconv.Itoa(e.port))
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			_, err = a.Authorize(t.Context())
			if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), addr) {
				t.Fatalf("err = %v, want EADDRINUSE naming %s", err, addr)
			}
			if len(b.authURLs) != 0 {
				t.Fatal("the browser was opened although the redirect could go to another program")
			}
		})
	}
	t.Run("both free", func(t *testing.T) {
		e, a, b := newLocalhostEnv(t)
		e.srv.SetAutoLogin(testEmail)
		held := make(chan []error, 1)
		b.drive = func(authURL string) (*http.Response, error) {
			// While the sign-in waits, both loopback addresses are held.
			var errs []error
			for _, host := range squatted {
				if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(e.port))); err == nil {
					ln.Close()
					errs = append(errs, fmt.Errorf("%s:%d is free during the sign-in", host, e.port))
				}
			}
			held <- errs
			return b.client.Get(authURL)
		}
		if _, err := a.Authorize(t.Context()); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		for _, err := range <-held {
			t.Error(err)
		}
		if got := b.lastAuthURL(t).Query().Get("redirect_uri"); got != fmt.Sprintf("http://localhost:%d/callback", e.port) {
			t.Errorf("redirect_uri = %q", got)
		}
	})
}
