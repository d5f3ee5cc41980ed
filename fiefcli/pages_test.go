package fiefcli_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestDefaultPage: each page says what happened, what to do next, shows
// Fief's texts escaped, and loads nothing from elsewhere.
func TestDefaultPage(t *testing.T) {
	const script = `<script>alert("x")</script>`
	tests := []struct {
		kind      fiefcli.PageKind
		status    int
		wantTitle string
		wantText  string
		wantNext  string
	}{
		{fiefcli.PageSignedIn, 200, "You are signed in", "close this window", ""},
		{fiefcli.PageCancelled, 400, "Sign-in was cancelled", "Nothing was shared", "start again from the terminal"},
		{fiefcli.PageRefused, 400, "Sign-in was refused", "Fief refused the sign-in", "Start the sign-in again from the terminal"},
		{fiefcli.PageExpired, 400, "This sign-in link has expired", "another sign-in than the one running in the terminal", "Start the sign-in again from the terminal"},
		{fiefcli.PageIncomplete, 400, "Sign-in did not complete", "no authorization code", "Start the sign-in again"},
		{fiefcli.PageUnavailable, 502, "Sign-in could not be completed", "could not be reached", "try again in a moment"},
		{fiefcli.PageFailed, 500, "Sign-in failed", "did not complete", "Return to the terminal"},
		{fiefcli.PageOver, 409, "Sign-in already handled", "This sign-in is over", "Return to the terminal"},
		{fiefcli.PageBadRequest, 400, "Not a sign-in request", "only answers the sign-in", "Start the sign-in again"},
	}
	for _, tt := range tests {
		t.Run(tt.wantTitle, func(t *testing.T) {
			rec := httptest.NewRecorder()
			p := fiefcli.Page{Kind: tt.kind, Status: tt.status}
			if tt.kind == fiefcli.PageCancelled || tt.kind == fiefcli.PageRefused {
				p.Code, p.Description = "access_denied"+script, "No "+script
			}
			fiefcli.DefaultPage(rec, httptest.NewRequest("GET", "/callback", nil), p)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("HTTP %d %q, want %d text/html", rec.Code, rec.Header().Get("Content-Type"), tt.status)
			}
			wants := []string{`<h1 id="title">` + tt.wantTitle + `</h1>`, tt.wantText, "prefers-color-scheme:dark"}
			if tt.wantNext != "" {
				wants = append(wants, tt.wantNext)
			}
			if p.Code != "" {
				wants = append(wants, `<code id="error-code">access_denied&lt;script&gt;`, "No &lt;script&gt;")
			}
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "<script") {
				t.Errorf("page has a script:\n%s", body)
			}
			if refs := browsertest.ExternalRefs(body); len(refs) > 0 {
				t.Errorf("page refers to other origins: %q", refs)
			}
		})
	}
}

// TestConfigPage: Config.Page answers each page of a real sign-in in place
// of the default one.
func TestConfigPage(t *testing.T) {
	tests := []struct {
		name   string
		params func(q url.Values) url.Values
		want   fiefcli.Page
	}{
		{"signed in", nil, fiefcli.Page{Kind: fiefcli.PageSignedIn, Status: 200}},
		{"expired", func(q url.Values) url.Values { return url.Values{"state": {"old"}, "code": {"x"}} },
			fiefcli.Page{Kind: fiefcli.PageExpired, Status: 400}},
		{"cancelled", func(q url.Values) url.Values {
			return url.Values{"state": {q.Get("state")}, "error": {"access_denied"}, "error_description": {"no"}}
		}, fiefcli.Page{Kind: fiefcli.PageCancelled, Status: 400, Code: "access_denied", Description: "no"}},
		{"refused", func(q url.Values) url.Values {
			return url.Values{"state": {q.Get("state")}, "error": {"invalid_scope"}}
		},
			fiefcli.Page{Kind: fiefcli.PageRefused, Status: 400, Code: "invalid_scope"}},
		{"incomplete", func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}} },
			fiefcli.Page{Kind: fiefcli.PageIncomplete, Status: 400}},
		{"exchange refused", func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}, "code": {"not-a-code"}} },
			fiefcli.Page{Kind: fiefcli.PageFailed, Status: 502}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			b := newBrowser(e.srv.Client())
			open := b.open
			if tt.params == nil {
				e.srv.SetAutoLogin(testEmail)
			} else {
				open = callbackBrowser(b, tt.params)
			}
			var (
				mu   sync.Mutex
				seen []fiefcli.Page
			)
			a := e.auth(t, open, func(c *fiefcli.Config) {
				if tt.want.Kind == fiefcli.PageExpired {
					// A request without the sign-in's state does not end
					// it: the sign-in waits for the genuine callback.
					c.Timeout = 2 * time.Second
				}
				c.Page = func(w http.ResponseWriter, r *http.Request, p fiefcli.Page) {
					mu.Lock()
					seen = append(seen, p)
					mu.Unlock()
					w.WriteHeader(p.Status)
					fmt.Fprintf(w, "custom page %d", p.Kind)
				}
			})
			a.Authorize(t.Context())
			status, body := b.page()
			if want := fmt.Sprintf("custom page %d", tt.want.Kind); status != tt.want.Status || body != want {
				t.Errorf("page: HTTP %d %q, want %d %q", status, body, tt.want.Status, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen[0] != tt.want {
				t.Errorf("Config.Page received %+v, want once %+v", seen, tt.want)
			}
		})
	}
}

// TestPagesCarryAppName: Config.AppName names the program in the title and
// heading of the callback server's pages, escaped, and in their text; Page
// receives it; without it the pages name nobody.
func TestPagesCarryAppName(t *testing.T) {
	const name = "Castles & <Co>"
	for _, app := range []string{name, ""} {
		e := newEnv(t, envOptions{})
		e.srv.SetAutoLogin(testEmail)
		b := newBrowser(e.srv.Client())
		var seen fiefcli.Page
		a := e.auth(t, b.open, func(c *fiefcli.Config) {
			c.AppName = app // CredentialsPath set: the name only names the program
			c.Page = func(w http.ResponseWriter, r *http.Request, p fiefcli.Page) { seen = p; fiefcli.DefaultPage(w, r, p) }
		})
		if _, err := a.Authorize(t.Context()); err != nil {
			t.Fatal(err)
		}
		status, body := b.page()
		escaped := "Castles &amp; &lt;Co&gt;"
		marks := []string{
			"<title>You are signed in · " + escaped + "</title>",
			`<header class="brand" id="brand">` + escaped + `</header>`,
			"You are signed in to " + escaped + ".",
		}
		for _, mark := range marks {
			if got := strings.Contains(body, mark); got != (app != "") {
				t.Errorf("AppName %q: HTTP %d, page has %q: %v\n%s", app, status, mark, got, body)
			}
		}
		if app == "" && (!strings.Contains(body, "<title>You are signed in</title>") || !strings.Contains(body, "signed in to the program")) {
			t.Errorf("no AppName: the page does not stand alone:\n%s", body)
		}
		if seen.AppName != app {
			t.Errorf("Page.AppName %q, want %q", seen.AppName, app)
		}
	}
}
