package fiefhttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestDefaultPage: each failure has a page in words, a button to start
// again, Fief's code escaped, and nothing loaded from elsewhere.
func TestDefaultPage(t *testing.T) {
	tests := []struct {
		failure   fiefhttp.PageKind
		status    int
		code      string
		wantTitle string
		wantText  string
		wantLabel string
	}{
		{fiefhttp.PageExpired, 400, "", "This sign-in link has expired", "opened in another browser", "Start again"},
		{fiefhttp.PageCancelled, 403, "access_denied", "Sign-in was cancelled", "Nothing was shared", "Start again"},
		{fiefhttp.PageRefused, 400, `<b onclick="x">`, "Sign-in was refused", "did not complete the sign-in", "Start again"},
		{fiefhttp.PageIncomplete, 400, "", "Sign-in did not complete", "incomplete", "Start again"},
		{fiefhttp.PageExchangeFailed, 502, "", "Sign-in could not be completed", "did not answer as expected", "Try again"},
		{fiefhttp.PageUnavailable, 503, "", "Sign-in is unavailable", "cannot be reached", "Try again"},
		{fiefhttp.PageInternal, 500, "", "Something went wrong", "could not start", "Try again"},
		{fiefhttp.PageMisconfigured, 500, "", "Sign-in is not working", "because of its own settings", "Try again"},
		{fiefhttp.PageForbidden, 403, "", "You do not have access to this page", "does not have the access this page of this site requires", "Go to the home page"},
	}
	for _, tt := range tests {
		t.Run(tt.failure.String(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			fiefhttp.DefaultPage(rec, httptest.NewRequest("GET", "/auth-callback", nil),
				fiefhttp.Page{Kind: tt.failure, Status: tt.status, Code: tt.code, RetryPath: "/home?x=1&y=2"})
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q, want default-src 'none'", csp)
			}
			for _, want := range []string{
				`<h1 id="title">` + tt.wantTitle + `</h1>`,
				tt.wantText,
				`<a class="button" href="/home?x=1&amp;y=2" id="retry">` + tt.wantLabel + `</a>`,
				"prefers-color-scheme:dark",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			if tt.code != "" && !strings.Contains(body, `<code id="error-code">`+htmlEscape(tt.code)+`</code>`) {
				t.Errorf("page lacks the escaped code %q:\n%s", tt.code, body)
			}
			if strings.Contains(body, "<b ") || strings.Contains(body, "<script") {
				t.Errorf("page has markup from the URL or a script:\n%s", body)
			}
			if refs := browsertest.ExternalRefs(body); len(refs) > 0 {
				t.Errorf("page refers to other origins: %q", refs)
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&#34;", "&", "&amp;").Replace(s)
}

// TestWebFlowPage: WebConfig.Page answers each failure a user can
// meet, in place of the default page, and receives what it needs.
func TestWebFlowPage(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []fiefhttp.Page
	)
	custom := func(w http.ResponseWriter, r *http.Request, e fiefhttp.Page) {
		mu.Lock()
		seen = append(seen, e)
		mu.Unlock()
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, "custom page: %s", e.Kind)
	}
	w := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, DefaultReturnPath: "/home", Page: custom}})
	w.srv.SetAutoLogin(testEmail)

	tests := []struct {
		name   string
		edit   func(cb *url.URL)
		fault  *fieftest.Fault
		want   fiefhttp.PageKind
		status int
		code   string
	}{
		{name: "expired", edit: func(cb *url.URL) { setQuery(cb, "state", "bm90LWEtZmxvdy1vZi10aGlzLWJyb3dzZXI") },
			want: fiefhttp.PageExpired, status: 400},
		{name: "cancelled", edit: func(cb *url.URL) { setQuery(cb, "code", ""); setQuery(cb, "error", "access_denied") },
			want: fiefhttp.PageCancelled, status: 403, code: "access_denied"},
		{name: "refused", edit: func(cb *url.URL) { setQuery(cb, "error", strings.Repeat("x", 100)) },
			want: fiefhttp.PageRefused, status: 400, code: strings.Repeat("x", 64)},
		{name: "incomplete", edit: func(cb *url.URL) { setQuery(cb, "code", "") },
			want: fiefhttp.PageIncomplete, status: 400},
		{name: "exchange failed", fault: &fieftest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`},
			want: fiefhttp.PageExchangeFailed, status: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := browsertest.New(t)
			cb, _ := url.Parse(w.callbackURL(t, c, w.startFlow(t, c, "/protected")))
			if tt.edit != nil {
				tt.edit(cb)
			}
			if tt.fault != nil {
				w.srv.FailNext(fieftest.EndpointToken, 1, *tt.fault)
			}
			mu.Lock()
			seen = nil
			mu.Unlock()
			resp, body := browsertest.Get(t, browsertest.NoRedirect(c), cb.String())
			if want := "custom page: " + tt.want.String(); resp.StatusCode != tt.status || body != want {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, want)
			}
			mu.Lock()
			defer mu.Unlock()
			want := fiefhttp.Page{Kind: tt.want, Status: tt.status, Code: tt.code, RetryPath: "/home"}
			if len(seen) != 1 || seen[0] != want {
				t.Errorf("Page received %+v, want once %+v", seen, want)
			}
		})
	}

	t.Run("unavailable", func(t *testing.T) {
		fresh := newWebApp(t, appOptions{cfg: fiefhttp.WebConfig{InsecureCookies: true, Page: custom}})
		fresh.srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Status: 503})
		resp, body := browsertest.Get(t, browsertest.NoRedirect(browsertest.New(t)), fresh.app.URL+"/protected")
		if resp.StatusCode != 503 || body != "custom page: unavailable" {
			t.Fatalf("got %d %q, want 503 from the custom page", resp.StatusCode, body)
		}
	})
}

// TestLogoutPage: GET of the logout URL answers a page in the style of the
// other pages, whose labelled button posts to the same URL and whose other
// button leads home, loading nothing from elsewhere.
func TestLogoutPage(t *testing.T) {
	e := newFiefEnv(t)
	flow, err := fiefhttp.NewWebFlow(e.client, fiefhttp.WebConfig{DefaultReturnPath: "/home?x=1&y=2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []http.HandlerFunc{flow.Logout, flow.LogoutEverywhere} {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("GET", "/account/logout?from=<x>", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Errorf("status %d, want 200", rec.Code)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "form-action") {
			t.Errorf("Content-Security-Policy %q, want default-src 'none' and no form-action", csp)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		for _, want := range []string{
			`<h1 id="title">Sign out</h1>`,
			`<p id="message">Sign out of this site?`,
			`<form method="post" action="/account/logout?from=%3cx%3e"><button type="submit" id="logout">Sign out</button></form>`,
			`<a class="button secondary" id="stay" href="/home?x=1&amp;y=2">Stay signed in</a>`,
			"prefers-color-scheme:dark",
			`<meta name="viewport"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<x>") {
			t.Errorf("page has a script or markup from the URL:\n%s", body)
		}
		if refs := browsertest.ExternalRefs(body); len(refs) > 0 {
			t.Errorf("page refers to other origins: %q", refs)
		}
	}
}

// TestWebFlowForbiddenAndUnavailablePages: with a session, a page
// navigation that the session's rights or Fief's absence stops gets the
// flow's error page; other requests keep the plain answers of an API.
func TestWebFlowForbiddenAndUnavailablePages(t *testing.T) {
	e := newFiefEnv(t)
	var seen []fiefhttp.Page
	custom := func(w http.ResponseWriter, r *http.Request, pe fiefhttp.Page) {
		seen = append(seen, pe)
		w.WriteHeader(pe.Status)
		fmt.Fprintf(w, "custom page: %s", pe.Kind)
	}
	token := e.token(fieftest.TokenOptions{})
	for _, tt := range []struct {
		name       string
		route      []fiefhttp.RouteOption
		fault      bool
		navigation bool
		status     int
		want       string // in the default page's body
		failure    fiefhttp.PageKind
	}{
		{"missing permission, navigation", []fiefhttp.RouteOption{fiefhttp.Permissions("castles:write")}, false, true, 403, `<h1 id="title">You do not have access to this page</h1>`, fiefhttp.PageForbidden},
		{"missing permission, fetch", []fiefhttp.RouteOption{fiefhttp.Permissions("castles:write")}, false, false, 403, "Forbidden\n", 0},
		{"Fief down, navigation", nil, true, true, 503, `<h1 id="title">Sign-in is unavailable</h1>`, fiefhttp.PageUnavailable},
		{"Fief down, fetch", nil, true, false, 503, "Service Unavailable\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, page := range []fiefhttp.PageFunc{nil, custom} {
				flow, err := fiefhttp.NewWebFlow(e.newClient(t), fiefhttp.WebConfig{InsecureCookies: true, DefaultReturnPath: "/home", Page: page})
				if err != nil {
					t.Fatal(err)
				}
				h := flow.Auth().CurrentUser(tt.route...)(infoHandler)
				if tt.fault {
					e.srv.FailNext(fieftest.EndpointUserInfo, 1, fieftest.Fault{Status: 500})
				}
				req := httptest.NewRequest("GET", "/castles", nil)
				req.AddCookie(&http.Cookie{Name: flow.SessionCookieName(), Value: token})
				if tt.navigation {
					req.Header.Set("Sec-Fetch-Mode", "navigate")
					req.Header.Set("Accept", "text/html")
				} else {
					req.Header.Set("Sec-Fetch-Mode", "cors")
				}
				seen = nil
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				body := rec.Body.String()
				if rec.Code != tt.status {
					t.Fatalf("status %d %q, want %d", rec.Code, body, tt.status)
				}
				switch {
				case page == nil && tt.navigation:
					if !strings.Contains(body, tt.want) || !strings.Contains(body, `href="/home" id="retry"`) || !strings.Contains(body, "prefers-color-scheme:dark") {
						t.Errorf("page lacks %q or a way home:\n%s", tt.want, body)
					}
					if tt.status == 403 && !strings.Contains(rec.Header().Get("WWW-Authenticate"), "insufficient_scope") {
						t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
					}
				case page == nil:
					if body != tt.want {
						t.Errorf("body %q, want %q", body, tt.want)
					}
				case tt.navigation:
					want := fiefhttp.Page{Kind: tt.failure, Status: tt.status, RetryPath: "/home"}
					if len(seen) != 1 || seen[0] != want {
						t.Errorf("Page received %+v, want once %+v", seen, want)
					}
				default:
					if len(seen) != 0 {
						t.Errorf("Page called for a fetch: %+v", seen)
					}
				}
			}
		})
	}
}
