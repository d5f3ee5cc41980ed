package fiefhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// appName is an application name with characters the pages must escape.
const appName = "Castles & <Co>"

// brandMarks are the two places a page names the application: the
// document's title and the heading above the card.
func brandMarks(title string) []string {
	escaped := "Castles &amp; &lt;Co&gt;"
	return []string{
		"<title>" + title + " · " + escaped + "</title>",
		`<header class="brand" id="brand">` + escaped + `</header>`,
	}
}

// TestPagesCarryAppName: with WebConfig.AppName, every page the flow
// serves (a failure of the sign-in, the 403 and 503 pages of a navigation,
// the sign-out confirmation) names the application in its title and
// heading, escaped; without it, none does.
func TestPagesCarryAppName(t *testing.T) {
	e := newFiefEnv(t)
	token := e.token(fieftest.TokenOptions{})
	for _, name := range []string{appName, ""} {
		flow, err := fiefhttp.NewWebFlow(e.newClient(t), fiefhttp.WebConfig{InsecureCookies: true, AppName: name})
		if err != nil {
			t.Fatal(err)
		}
		navigate := func(h http.Handler, method, target string) string {
			req := httptest.NewRequest(method, target, nil)
			req.AddCookie(&http.Cookie{Name: flow.SessionCookieName(), Value: token})
			req.Header.Set("Sec-Fetch-Mode", "navigate")
			req.Header.Set("Accept", "text/html")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Body.String()
		}
		pages := []struct {
			name, title, body string
		}{
			{"expired sign-in", "This sign-in link has expired", navigate(http.HandlerFunc(flow.Callback), "GET", "/auth-callback?state=bm90LWEtZmxvdw&code=x")},
			{"forbidden", "You do not have access to this page", navigate(flow.Auth().Authenticated(fiefhttp.Permissions("castles:write"))(infoHandler), "GET", "/castles")},
			{"sign-out", "Sign out", navigate(http.HandlerFunc(flow.Logout), "GET", "/logout")},
		}
		e.srv.FailNext(fieftest.EndpointUserInfo, 1, fieftest.Fault{Status: 500})
		pages = append(pages, struct{ name, title, body string }{"unavailable", "Sign-in is unavailable", navigate(flow.Auth().CurrentUser()(infoHandler), "GET", "/me")})
		for _, p := range pages {
			for _, mark := range brandMarks(p.title) {
				if got := strings.Contains(p.body, mark); got != (name != "") {
					t.Errorf("AppName %q, %s page: has %q: %v\n%s", name, p.name, mark, got, p.body)
				}
			}
			if name == "" && !strings.Contains(p.body, "<title>"+p.title+"</title>") {
				t.Errorf("no AppName, %s page: title is not %q alone\n%s", p.name, p.title, p.body)
			}
			if strings.Contains(p.body, "<Co>") {
				t.Errorf("%s page: the name is not escaped\n%s", p.name, p.body)
			}
		}
		if want := "Sign out of " + map[string]string{appName: "Castles &amp; &lt;Co&gt;", "": "this site"}[name] + "?"; !strings.Contains(pages[2].body, want) {
			t.Errorf("AppName %q: the sign-out page does not ask %q\n%s", name, want, pages[2].body)
		}
	}
}

// TestForbiddenPageWayBack: the 403 page of a navigation links back to the
// page the user came from when it is a page of this application, besides
// home; a Referer of another origin, of another scheme, or the refused page
// itself gets no back link.
func TestForbiddenPageWayBack(t *testing.T) {
	e := newFiefEnv(t)
	token := e.token(fieftest.TokenOptions{})
	for _, tt := range []struct {
		name, baseURL, referer, wantBack string
	}{
		{"same origin", "", "http://example.com/castles/list?page=2&sort=name", "/castles/list?page=2&amp;sort=name"},
		{"same origin, root", "", "http://example.com", "/"},
		{"BaseURL's origin", "https://app.example", "https://app.example/castles", "/castles"},
		{"other origin", "", "https://evil.example/castles", ""},
		{"other scheme", "https://app.example", "http://app.example/castles", ""},
		{"the refused page itself", "", "http://example.com/castles/storm", ""},
		{"no Referer", "", "", ""},
		{"not a URL", "", "::", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			flow, err := fiefhttp.NewWebFlow(e.newClient(t), fiefhttp.WebConfig{InsecureCookies: true, BaseURL: tt.baseURL, DefaultReturnPath: "/home"})
			if err != nil {
				t.Fatal(err)
			}
			var seen fiefhttp.Page
			flow2, err := fiefhttp.NewWebFlow(e.newClient(t), fiefhttp.WebConfig{InsecureCookies: true, BaseURL: tt.baseURL, DefaultReturnPath: "/home",
				Page: func(w http.ResponseWriter, r *http.Request, p fiefhttp.Page) { seen = p; fiefhttp.DefaultPage(w, r, p) }})
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range []*fiefhttp.WebFlow{flow, flow2} {
				req := httptest.NewRequest("GET", "/castles/storm", nil) // Host example.com
				req.AddCookie(&http.Cookie{Name: f.SessionCookieName(), Value: token})
				req.Header.Set("Sec-Fetch-Mode", "navigate")
				if tt.referer != "" {
					req.Header.Set("Referer", tt.referer)
				}
				rec := httptest.NewRecorder()
				f.Auth().Authenticated(fiefhttp.Permissions("castles:write"))(infoHandler).ServeHTTP(rec, req)
				body := rec.Body.String()
				if rec.Code != http.StatusForbidden {
					t.Fatalf("status %d, want 403", rec.Code)
				}
				home := `href="/home" id="retry">Go to the home page</a>`
				back := `<a class="button" href="` + tt.wantBack + `" id="back">Go back</a>`
				switch {
				case !strings.Contains(body, home):
					t.Errorf("no way home:\n%s", body)
				case tt.wantBack != "" && !strings.Contains(body, back):
					t.Errorf("no %s:\n%s", back, body)
				case tt.wantBack == "" && strings.Contains(body, `id="back"`):
					t.Errorf("a back link to another origin or to the page itself:\n%s", body)
				}
				if i == 1 && seen.BackPath != strings.ReplaceAll(tt.wantBack, "&amp;", "&") {
					t.Errorf("Page.BackPath %q, want %q", seen.BackPath, tt.wantBack)
				}
			}
		})
	}
}
