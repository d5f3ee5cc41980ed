package e2e

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// newBrowserContext opens a tab in a new browser context: a fresh cookie
// jar, as in a new private window. Its browsing is bounded by testTimeout;
// it is closed at the end of t.
func (s *suite) newBrowserContext(t *testing.T) context.Context {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newTabBeside opens another tab in the browser context of tab, sharing its
// cookies.
func newTabBeside(t *testing.T, tab context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(tab)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a second tab: %v", err)
	}
	return ctx
}

// navigate loads u in the tab, following redirects, and returns the
// response of the page it lands on.
func navigate(t *testing.T, tab context.Context, u string) *network.Response {
	t.Helper()
	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("opening %s: %v", u, err)
	}
	return resp
}

// pageText returns the text of the page shown in the tab.
func pageText(t *testing.T, tab context.Context) string {
	t.Helper()
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return text
}

// requireLoginForm fails t unless the tab shows Fief's login form, served
// by Fief (not by the application) with a 200.
func (s *suite) requireLoginForm(t *testing.T, tab context.Context, resp *network.Response) {
	t.Helper()
	u, err := url.Parse(resp.URL)
	if err != nil {
		t.Fatalf("landed on an invalid URL %q: %v", resp.URL, err)
	}
	app, _ := url.Parse(s.app.URL)
	if u.Host == app.Host || !strings.HasSuffix(u.Path, "/login") || resp.Status != 200 {
		t.Fatalf("landed on %s (status %d), want Fief's login form; page:\n%s", resp.URL, resp.Status, pageText(t, tab))
	}
	ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](
		`["email", "password", "submit"].every(id => document.getElementById(id) !== null)`))
	if err != nil {
		t.Fatalf("inspecting the login page: %v", err)
	}
	if !ok {
		t.Fatalf("%s has no #email, #password and #submit; page:\n%s", resp.URL, pageText(t, tab))
	}
}

// signIn types the credentials into the login form shown in the tab (the
// email field may be prefilled: it is cleared first), submits it, and
// returns the response of the page the browser lands on.
func signIn(t *testing.T, tab context.Context, email, password string) *network.Response {
	t.Helper()
	err := chromedp.Do(tab,
		chromedp.Clear(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.Clear(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	if err != nil {
		t.Fatalf("typing the credentials: %v", err)
	}
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("submit")))
	if err != nil {
		t.Fatalf("submitting the login form: %v", err)
	}
	return resp
}

// requireProtectedPage fails t unless the tab landed on wantURL with a 200
// and shows the page of an authenticated demo user.
func requireProtectedPage(t *testing.T, tab context.Context, resp *network.Response, wantURL string) {
	t.Helper()
	text := pageText(t, tab)
	const want = "You are authenticated. Your user email is " + demoEmail
	if resp.URL != wantURL || resp.Status != 200 || !strings.Contains(text, want) {
		t.Fatalf("landed on %s (status %d), want %s saying %q; page:\n%s", resp.URL, resp.Status, wantURL, want, text)
	}
}

// cookies returns the cookies the browser would send to u.
func cookies(t *testing.T, tab context.Context, u string) []*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
	if err != nil {
		t.Fatalf("reading the cookies of %s: %v", u, err)
	}
	return res.Cookies
}

// cookieNamed returns the cookie named name, or nil.
func cookieNamed(cs []*network.Cookie, name string) *network.Cookie {
	i := slices.IndexFunc(cs, func(c *network.Cookie) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return cs[i]
}

// cookieNames returns the names of cs starting with prefix, sorted.
func cookieNames(cs []*network.Cookie, prefix string) []string {
	var names []string
	for _, c := range cs {
		if strings.HasPrefix(c.Name, prefix) {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names
}
