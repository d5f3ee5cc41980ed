package demotest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// APIRoutes are the routes of the API examples (examples/api, and its gin
// twin), each asking more of the token than the one before.
const APIRoutes = "/authenticated /authenticated-scope /authenticated-permissions /authenticated-acr /authenticated-optional"

var curlToken = regexp.MustCompile(`curl -H 'Authorization: Bearer ([^']+)' (\S+)/authenticated\n`)

// CheckAPIEmbedded checks an API example (the routes [APIRoutes])
// started by [Start] with -demo, as a user would: the printed curl
// command works on every route,
// which answers the token's info as JSON; an anonymous request gets 401
// with unauthorizedBody, or {} on /authenticated-optional.
func CheckAPIEmbedded(t *testing.T, appURL, output, unauthorizedBody string) {
	t.Helper()
	m := curlToken.FindStringSubmatch(output)
	if m == nil || m[2] != appURL {
		t.Fatalf("no curl command for %s in the output:\n%s", appURL, output)
	}
	token := m[1]
	c := browsertest.New(t)
	for _, route := range strings.Fields(APIRoutes) {
		t.Run(route, func(t *testing.T) {
			req, _ := http.NewRequest("GET", appURL+route, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := browsertest.Body(t, resp)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var info map[string]any
			if err := json.Unmarshal([]byte(body), &info); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"id", "scope", "acr", "permissions", "access_token"} {
				if _, ok := info[k]; !ok {
					t.Errorf("no %q in %s", k, body)
				}
			}
			if info["access_token"] != token || info["acr"] != "1" {
				t.Errorf("token info %s", body)
			}

			resp, body = browsertest.Get(t, c, appURL+route)
			want, wantBody := 401, unauthorizedBody
			if route == "/authenticated-optional" {
				want, wantBody = 200, "{}\n"
			}
			if resp.StatusCode != want || body != wantBody {
				t.Errorf("anonymous: %d %q, want %d %q", resp.StatusCode, body, want, wantBody)
			}
		})
	}
}

// CheckAPIFromEnvironment points an API example at a Fief through the
// environment variables (FIEF_BASE_URL, FIEF_CLIENT_ID,
// FIEF_CLIENT_SECRET), starts it with [Start], and checks that it names
// that Fief rather than the embedded one and accepts that Fief's tokens.
func CheckAPIFromEnvironment(t *testing.T, run RunFunc) {
	t.Helper()
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "someone@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FIEF_BASE_URL", srv.URL)
	t.Setenv("FIEF_CLIENT_ID", fc.ClientID)
	t.Setenv("FIEF_CLIENT_SECRET", fc.ClientSecret)
	appURL, output := Start(t, run)
	if strings.Contains(output(), fiefdemo.Email) || !strings.Contains(output(), srv.URL) {
		t.Errorf("output:\n%s", output())
	}
	req, _ := http.NewRequest("GET", appURL+"/authenticated", nil)
	req.Header.Set("Authorization", "Bearer "+srv.MintAccessToken(user.ID, fieftest.TokenOptions{Lifetime: time.Minute}))
	resp, err := browsertest.New(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := browsertest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(body, user.ID) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}
