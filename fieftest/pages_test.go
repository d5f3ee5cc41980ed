package fieftest_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// TestPagesShowTheTenant: the pages carry the tenant's name, label every
// field, and load nothing from elsewhere.
func TestPagesShowTheTenant(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	other, err := srv.AddTenant("castles")
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range []*fieftest.Tenant{srv.DefaultTenant(), other} {
		if _, err := tn.AddClient(fieftest.ClientConfig{ClientID: "app", RedirectURIs: []string{redirectURI}}); err != nil {
			t.Fatal(err)
		}
	}
	b := srv.BrowserClient()
	loginURL := func(tn *fieftest.Tenant) string {
		return authorizeURL(tn.BaseURL(), map[string]string{"client_id": "app", "redirect_uri": redirectURI})
	}

	tests := []struct {
		name, url, wantBrand, wantTitle string
	}{
		{"default tenant", loginURL(srv.DefaultTenant()), "Default", "Sign in"},
		{"register", srv.URL + "/register", "Default", "Sign up"},
		{"other tenant", loginURL(other), "castles", "Sign in"},
		{"error page", authorizeURL(srv.URL, map[string]string{"client_id": "nobody", "redirect_uri": redirectURI}), "Default", "Error"},
		{"renamed", "rename", "Castles of Brittany", "Sign in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			if u == "rename" {
				other.SetName("Castles of Brittany")
				u = loginURL(other)
			}
			resp := get(t, b, u)
			page := browsertest.Body(t, resp)
			for _, want := range []string{
				`<header class="brand" id="brand">` + tt.wantBrand + `</header>`,
				`<h1 id="title">` + tt.wantTitle + `</h1>`,
				"<title>" + tt.wantTitle + " · " + tt.wantBrand + "</title>",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q:\n%s", want, page)
				}
			}
			if refs := browsertest.ExternalRefs(page); len(refs) > 0 {
				t.Errorf("page refers to other origins: %q", refs)
			}
			for _, id := range unlabelled(page) {
				t.Errorf("field %q has no label", id)
			}
		})
	}
	if other.Name() != "Castles of Brittany" || srv.DefaultTenant().Name() != "Default" {
		t.Errorf("names %q, %q", other.Name(), srv.DefaultTenant().Name())
	}
}

var (
	inputRE = regexp.MustCompile(`<input ([^>]*)>`)
	idRE    = regexp.MustCompile(`\bid="([^"]+)"`)
)

// unlabelled returns the ids of the visible inputs of page without a
// <label for=...>, and "?" for one without an id.
func unlabelled(page string) []string {
	var out []string
	for _, m := range inputRE.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], `type="hidden"`) {
			continue
		}
		id := idRE.FindStringSubmatch(m[1])
		if id == nil {
			out = append(out, "?")
		} else if !strings.Contains(page, `<label for="`+id[1]+`">`) {
			out = append(out, id[1])
		}
	}
	return out
}

// TestFlowPagesShowTheTenant: the verification and consent pages, reached
// through their flows, are cards under the tenant's name, with labelled
// fields and nothing loaded from elsewhere.
func TestFlowPagesShowTheTenant(t *testing.T) {
	e := newEnv(t)
	e.srv.DefaultTenant().SetName("Duchy of Brittany")
	tp, err := e.srv.AddClient(fieftest.ClientConfig{ThirdParty: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	requireCard := func(t *testing.T, page, title string, ids ...string) {
		t.Helper()
		for _, want := range append([]string{
			`<header class="brand" id="brand">Duchy of Brittany</header>`,
			`<h1 id="title">` + title + `</h1>`,
			"<title>" + title + " · Duchy of Brittany</title>",
			"prefers-color-scheme:dark",
		}, ids...) {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q:\n%s", want, page)
			}
		}
		if refs := browsertest.ExternalRefs(page); len(refs) > 0 {
			t.Errorf("page refers to other origins: %q", refs)
		}
		for _, id := range unlabelled(page) {
			t.Errorf("field %q has no label", id)
		}
	}

	t.Run("verification", func(t *testing.T) {
		b := e.srv.BrowserClient()
		resp := get(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": e.client.ClientID, "redirect_uri": redirectURI, "screen": "register"}))
		csrf := browsertest.CSRF(t, browsertest.Body(t, resp))
		resp = postForm(t, b, e.srv.URL+"/register", url.Values{"email": {"new@example.com"}, "password": {password}, "csrf_token": {csrf}})
		page := browsertest.Body(t, resp)
		if resp.Request.URL.Path != "/verify" {
			t.Fatalf("after register at %s", resp.Request.URL)
		}
		requireCard(t, page, "Verify your email", `<label for="code">`, `id="submit"`)
	})
	t.Run("consent", func(t *testing.T) {
		b := e.srv.BrowserClient()
		csrf := startLogin(t, b, authorizeURL(e.srv.URL, map[string]string{"client_id": tp.ClientID, "redirect_uri": redirectURI, "scope": "openid castles"}))
		resp := postForm(t, b, e.srv.URL+"/login", url.Values{"email": {e.user.Email()}, "password": {password}, "csrf_token": {csrf}})
		page := browsertest.Body(t, resp)
		if resp.Request.URL.Path != "/consent" {
			t.Fatalf("after login at %s", resp.Request.URL)
		}
		requireCard(t, page, "Authorize", `id="allow"`, `id="deny"`, "<li>castles</li>")
	})
}
