package demotest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/fief-dev/fief-go/internal/demo"
)

var curlToken = regexp.MustCompile(`curl -H 'Authorization: Bearer ([^']+)' (\S+)/authenticated\n`)

// CheckAPIEmbedded checks an API example (the routes [demo.APIRoutes])
// started by [Start] with its embedded Fief, as a user would: the curl
// command of [demo.PrintAPIInstructions] in output works on every route,
// which answers the token's info as JSON; an anonymous request gets 401
// "Unauthorized", or {} on /authenticated-optional.
func CheckAPIEmbedded(t *testing.T, appURL, output string) {
	t.Helper()
	m := curlToken.FindStringSubmatch(output)
	if m == nil || m[2] != appURL {
		t.Fatalf("no curl command for %s in the output:\n%s", appURL, output)
	}
	token := m[1]
	c := browsertest.New(t)
	for _, route := range strings.Fields(demo.APIRoutes) {
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
			want, wantBody := 401, "Unauthorized\n"
			if route == "/authenticated-optional" {
				want, wantBody = 200, "{}\n"
			}
			if resp.StatusCode != want || body != wantBody {
				t.Errorf("anonymous: %d %q, want %d %q", resp.StatusCode, body, want, wantBody)
			}
		})
	}
}
