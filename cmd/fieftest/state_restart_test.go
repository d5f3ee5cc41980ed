package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/go-jose/go-jose/v4"
)

const stateAdminKey = "state-test-admin-key"

// runState starts the program on addr with -state dir, as a developer
// would, waits until it answers, and returns a func that stops it with
// SIGINT and waits for it to exit, and one that kills it with SIGKILL, as a
// crash would.
func runState(t *testing.T, binDir, addr, dir string) (stop, kill func()) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "fieftest"), "-addr", addr, "-state", dir, "-quiet")
	cmd.Env = append(os.Environ(), "FIEF_ADMIN_API_KEY="+stateAdminKey)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("fieftest exited with %v; log:\n%s", err, logs)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("fieftest did not stop on SIGINT; log:\n%s", logs)
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("fieftest exited (%v):\n%s", err, logs)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/.well-known/openid-configuration"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				kill = func() {
					stopped = true
					cmd.Process.Kill()
					<-exited
				}
				return stop, kill
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("fieftest did not answer on %s:\n%s", addr, logs)
	return nil, nil
}

// adminCall calls the admin API of base and decodes the JSON answer into out.
func adminCall(t *testing.T, base, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+stateAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
}

// defaultTenantID returns the id of the server's only tenant.
func defaultTenantID(t *testing.T, base string) string {
	t.Helper()
	var tenants struct{ Results []struct{ ID string } }
	adminCall(t, base, "GET", "/admin/api/tenants/", "", &tenants)
	if len(tenants.Results) != 1 {
		t.Fatalf("%d tenants, want the default one", len(tenants.Results))
	}
	return tenants.Results[0].ID
}

// tokens are the answer of /api/token.
type tokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
}

// tokenRequest posts form to /api/token with the client's credentials.
func tokenRequest(t *testing.T, base, clientID, secret string, form url.Values) (int, tokens) {
	t.Helper()
	form.Set("client_id", clientID)
	form.Set("client_secret", secret)
	resp, err := http.PostForm(base+"/api/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok tokens
	json.Unmarshal([]byte(browsertest.Body(t, resp)), &tok)
	return resp.StatusCode, tok
}

// formSignIn signs email in through the login form with browser b (a
// cookie jar, redirects followed up to the application) and returns the
// tokens of the code.
func formSignIn(t *testing.T, b *http.Client, base, clientID, secret, redirect, email, password string) tokens {
	t.Helper()
	auth := base + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "scope": {"openid offline_access"},
	}.Encode()
	resp, page := browsertest.Get(t, b, auth)
	if strings.HasSuffix(resp.Request.URL.Path, "/login") {
		resp, _ = browsertest.LogIn(t, b, resp, page, email, password)
	}
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in ended with %d at %s", resp.StatusCode, resp.Request.URL)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in %q", resp.Header.Get("Location"))
	}
	status, tok := tokenRequest(t, base, clientID, secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect},
	})
	if status != 200 || tok.AccessToken == "" {
		t.Fatalf("code exchange: %d", status)
	}
	return tok
}

// verified checks token's signature with set, fetched before any restart,
// and returns its sub.
func verified(t *testing.T, set jose.JSONWebKeySet, token string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the key set from before the restart", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0].Key)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var c struct{ Sub string }
	json.Unmarshal(payload, &c)
	return c.Sub
}

// TestStateRestart sets up a client and a user through the admin API of
// the program started with -state, signs in, stops it with SIGINT, starts
// it again and checks, as a running application would, that nothing it
// holds broke.
func TestStateRestart(t *testing.T) {
	binDir := buildBinary(t)
	addr, dir := freeAddr(t), filepath.Join(t.TempDir(), "state")
	base := "http://" + addr
	stop, _ := runState(t, binDir, addr, dir)

	tenantID := defaultTenantID(t, base)
	const redirect = "http://localhost:3000/callback"
	var client struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	adminCall(t, base, "POST", "/admin/api/clients/", fmt.Sprintf(`{"name":"App","first_party":true,"client_type":"confidential","redirect_uris":[%q],"tenant_id":%q}`, redirect, tenantID), &client)
	var user struct{ ID, Email string }
	adminCall(t, base, "POST", "/admin/api/users/", fmt.Sprintf(`{"email":"anne@bretagne.duchy","password":"herminetincture","email_verified":true,"tenant_id":%q}`, tenantID), &user)

	b := browsertestClient(t, base)
	before := formSignIn(t, b, base, client.ClientID, client.ClientSecret, redirect, user.Email, "herminetincture")
	_, jwks := browsertest.Get(t, http.DefaultClient, base+"/.well-known/jwks.json")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks), &set); err != nil {
		t.Fatal(err)
	}
	stop()

	fi, err := os.Stat(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the state file's mode is %v, want 0600", fi.Mode().Perm())
	}
	runState(t, binDir, addr, dir)

	if _, got := browsertest.Get(t, http.DefaultClient, base+"/.well-known/jwks.json"); got != jwks {
		t.Errorf("key set after the restart\n%s\nwant\n%s", got, jwks)
	}
	req, _ := http.NewRequest("GET", base+"/api/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+before.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := browsertest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(body, user.ID) {
		t.Errorf("the access token from before: %d %s", resp.StatusCode, body)
	}
	// The browser's session from before signs in without the form.
	again := formSignIn(t, b, base, client.ClientID, client.ClientSecret, redirect, "", "")
	if sub := verified(t, set, again.AccessToken); sub != user.ID {
		t.Errorf("sub %q after the restart, want the same user id %q", sub, user.ID)
	}
	// A new browser signs in with the password from before.
	fresh := formSignIn(t, browsertestClient(t, base), base, client.ClientID, client.ClientSecret, redirect, user.Email, "herminetincture")
	verified(t, set, fresh.IDToken)
	status, refreshed := tokenRequest(t, base, client.ClientID, client.ClientSecret, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {before.RefreshToken},
	})
	if status != 200 {
		t.Fatalf("the refresh token from before: %d", status)
	}
	verified(t, set, refreshed.AccessToken)
}

// TestStateCrash kills the program (SIGKILL, no chance to save) after a
// change: the change is on disk within about a second, and a restart
// carries on from it.
func TestStateCrash(t *testing.T) {
	binDir := buildBinary(t)
	addr, dir := freeAddr(t), filepath.Join(t.TempDir(), "state")
	base := "http://" + addr
	_, kill := runState(t, binDir, addr, dir)
	tenantID := defaultTenantID(t, base)
	var user struct{ ID string }
	adminCall(t, base, "POST", "/admin/api/users/", fmt.Sprintf(`{"email":"claude@france.kingdom","password":"herminetincture","email_verified":true,"tenant_id":%q}`, tenantID), &user)
	// The periodic save runs every second; allow for a loaded machine.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "state.json"))
		if strings.Contains(string(b), user.ID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new user did not reach the state file")
		}
		time.Sleep(50 * time.Millisecond)
	}
	kill()
	runState(t, binDir, addr, dir)
	var got struct{ ID, Email string }
	adminCall(t, base, "GET", "/admin/api/users/"+user.ID, "", &got)
	if got.ID != user.ID || got.Email != "claude@france.kingdom" {
		t.Errorf("the user after the crash: %+v", got)
	}
}

// browsertestClient is a new browser that stops at the redirect back to
// the application.
func browsertestClient(t *testing.T, base string) *http.Client {
	t.Helper()
	b := browsertest.New(t)
	b.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), base+"/") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return b
}

// TestStateErrors checks that a state the program cannot use stops it
// with a message, and that a damaged file is never overwritten.
func TestStateErrors(t *testing.T) {
	binDir := buildBinary(t)
	for _, tc := range []struct{ name, content, want string }{
		{"damaged", `{"format":"fieftest-state","version":1,"tenants":[`, "not a usable fieftest state"},
		{"foreign", `{"hello":"world"}`, "not written by fieftest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(binDir, "fieftest"), "-addr", freeAddr(t), "-state", dir, "-quiet")
			out, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
				t.Errorf("exit: %v, want status 2", err)
			}
			if !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "panic") {
				t.Errorf("output %q, want a message saying %q", out, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Error("the file was overwritten")
			}
		})
	}
	t.Run("not a directory", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(filepath.Join(binDir, "fieftest"), "-addr", freeAddr(t), "-state", file, "-quiet").CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "-state") {
			t.Errorf("exit %v, output %q: want status 2 and a message about -state", err, out)
		}
	})
}
