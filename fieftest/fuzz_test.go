package fieftest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// fuzzCall sends one request and checks that the answer has an expected
// status (never a 500) and, for JSON answers, a JSON body.
func fuzzCall(t *testing.T, srv *fieftest.Server, method, path, auth, ctype, body string, statuses ...int) {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		return
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return // e.g. a header value net/http refuses to send
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	got := string(raw)
	if !slices.Contains(statuses, resp.StatusCode) {
		t.Fatalf("%s %s: status %d: %s", method, path, resp.StatusCode, got)
	}
	if resp.Header.Get("Content-Type") == "application/json" && !json.Valid([]byte(got)) {
		t.Fatalf("invalid JSON body %q", got)
	}
}

func FuzzTokenEndpoint(f *testing.F) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c, err := srv.AddClient(fieftest.ClientConfig{ClientID: "app", ClientSecret: "secret", Public: true, RedirectURIs: []string{redirectURI}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("", "grant_type=authorization_code&code=x&redirect_uri=y&client_id=app&client_secret=secret")
	f.Add("Basic YXBwOnNlY3JldA==", "grant_type=refresh_token&refresh_token=x&scope=openid")
	f.Add("Basic !!", "")
	f.Add("basic YXBw", "grant_type=password")
	f.Add("", "grant_type=authorization_code&client_id="+c.ClientID+"&code_verifier=v&code=%zz")
	f.Fuzz(func(t *testing.T, auth, body string) {
		fuzzCall(t, srv, "POST", "/api/token", auth, "application/x-www-form-urlencoded", body, 400, 401)
	})
}

func FuzzBearer(f *testing.F) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("Bearer "+srv.MintAccessToken(u.ID, fieftest.TokenOptions{}), `{"password":"x"}`)
	f.Add("Bearer a.b.c", `{`)
	f.Add("bearer", "")
	f.Add("Bearer eyJhbGciOiJub25lIn0.e30.", `{"email":1}`)
	f.Fuzz(func(t *testing.T, auth, body string) {
		fuzzCall(t, srv, "GET", "/api/userinfo", auth, "", "", 200, 401)
		fuzzCall(t, srv, "PATCH", "/api/password", auth, "application/json", body, 200, 400, 401, 403, 422)
		fuzzCall(t, srv, "PATCH", "/api/profile", auth, "application/json", body, 200, 401, 422)
	})
}

func FuzzUserAPIBody(f *testing.F) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "b@example.com"}); err != nil {
		f.Fatal(err)
	}
	auth := "Bearer " + srv.MintAccessToken(u.ID, fieftest.TokenOptions{ACR: "1"})
	for _, s := range []string{`{"password":"correct horse battery"}`, `{"email":"b@example.com"}`, `{"code":"ABC123"}`, `{"fields":{"a":[1,{"b":null}]}}`, `[]`, `"x"`, `{} {}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fuzzCall(t, srv, "PATCH", "/api/profile", auth, "application/json", body, 200, 422)
		fuzzCall(t, srv, "PATCH", "/api/password", auth, "application/json", body, 200, 400, 422)
		fuzzCall(t, srv, "PATCH", "/api/email/change", auth, "application/json", body, 202, 400, 422)
		fuzzCall(t, srv, "POST", "/api/email/verify", auth, "application/json", body, 200, 400, 422)
	})
}

func FuzzAuthorize(f *testing.F) {
	srv := fieftest.NewServer()
	defer srv.Close()
	if _, err := srv.AddClient(fieftest.ClientConfig{ClientID: "app", RedirectURIs: []string{redirectURI, redirectURI + "?a=b#frag"}}); err != nil {
		f.Fatal(err)
	}
	f.Add("client_id=app&redirect_uri=" + redirectURI + "&response_type=code&scope=openid")
	f.Add("client_id=app&redirect_uri=" + redirectURI + "%3Fa%3Db%23frag&response_type=code+id_token&scope=openid&nonce=n&state=%00")
	f.Add("client_id=app&redirect_uri=" + redirectURI + "&max_age=x")
	f.Add("client_id=app&redirect_uri=" + redirectURI + "&response_type=code&scope=openid&code_challenge=a&code_challenge_method=S256&prompt=none")
	f.Fuzz(func(t *testing.T, query string) {
		fuzzCall(t, srv, "GET", "/authorize?"+query, "", "", "", 302, 400, 422)
	})
}
