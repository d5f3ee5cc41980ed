// Package browsertest drives web pages from the tests of this module as a
// browser would: a client that keeps cookies and follows redirects, page
// fetches that fail the test on a transport error, and Fief's HTML forms
// submitted with their CSRF token.
//
// fieftest's Server.BrowserClient stays inside the Fief server;
// this client follows redirects anywhere, back to the application under
// test included.
package browsertest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// New returns an HTTP client with its own cookie jar and transport (closed
// at the end of the test) that follows redirects, with a 30 s timeout so
// that a stuck server fails the test instead of hanging it.
func New(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}
}

// NoRedirect returns a copy of c, sharing its cookie jar, that stops at
// redirects and returns them.
func NoRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// Get fetches u and returns the response with its body.
func Get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, Body(t, resp)
}

// Body reads and closes the body of resp.
func Body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// CSRF returns the value of the csrf_token input of a Fief page.
func CSRF(t testing.TB, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf_token in the page:\n%s", page)
	}
	return m[1]
}

// Submit posts the form of page (the body of resp) to action, relative to
// resp's URL, with fields and the page's CSRF token, and returns where the
// browser ends with its body.
func Submit(t testing.TB, c *http.Client, resp *http.Response, page, action string, fields url.Values) (*http.Response, string) {
	t.Helper()
	fields.Set("csrf_token", CSRF(t, page))
	target, err := resp.Request.URL.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.PostForm(target.String(), fields)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return r, Body(t, r)
}

// LogIn fills Fief's login form, which resp (with body page) must be, and
// returns where the browser ends with its body.
func LogIn(t testing.TB, c *http.Client, resp *http.Response, page, email, password string) (*http.Response, string) {
	t.Helper()
	if !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		t.Fatalf("expected Fief's login form, got %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	return Submit(t, c, resp, page, "login", url.Values{"email": {email}, "password": {password}})
}

// externalRef matches an attribute that makes the browser load or open a
// URL of another origin (absolute or protocol-relative; group 1 is the
// URL), and the style constructs that load anything (url(...), @import).
var externalRef = regexp.MustCompile(`(?i)\b(?:src|href|action|srcset|poster|data|formaction)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:)?//[^"'\s>]*)|url\(|@import`)

// ExternalRefs returns what in page refers to another origin, or loads
// anything from a style, except the URLs starting with one of allowed (the
// application's own URL, say).
func ExternalRefs(page string, allowed ...string) []string {
	var out []string
	for _, m := range externalRef.FindAllStringSubmatch(page, -1) {
		if m[1] != "" && slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(m[1], a) }) {
			continue
		}
		out = append(out, m[0])
	}
	return out
}
