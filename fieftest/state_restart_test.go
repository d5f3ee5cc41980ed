package fieftest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fiefwebhook"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"github.com/go-jose/go-jose/v4"
)

// adminPaths are the admin API listings compared before and after a
// restart: a client of the admin API must see the same objects, ids and
// timestamps.
var adminPaths = []string{
	"/admin/api/tenants/", "/admin/api/clients/", "/admin/api/users/", "/admin/api/permissions/",
	"/admin/api/roles/", "/admin/api/webhooks/", "/admin/api/oauth-providers/", "/admin/api/user-fields/",
	"/admin/api/email-templates/",
}

// adminGet does an admin API GET and returns the body, failing unless 200.
func adminGet(t *testing.T, srv *fieftest.Server, key, path string) string {
	t.Helper()
	status, body := bearer(t, srv.Client(), "GET", srv.URL+path, key, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

// formSignIn goes through the login form with browser b and returns the code.
func formSignIn(t *testing.T, srv *fieftest.Server, b *http.Client, clientID, email string) string {
	t.Helper()
	csrf := startLogin(t, b, authorizeURL(srv.URL, map[string]string{
		"client_id": clientID, "redirect_uri": redirectURI, "scope": "openid offline_access",
	}))
	resp := postForm(t, b, srv.URL+"/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {csrf}})
	browsertest.Body(t, resp)
	return callback(t, resp).Query().Get("code")
}

// redeem exchanges a code for the client's tokens.
func redeem(t *testing.T, srv *fieftest.Server, c *fieftest.Client, code string) map[string]any {
	t.Helper()
	status, body, _ := tokenCall(t, srv.Client(), srv.URL, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
	}, c.ClientID, c.ClientSecret)
	if status != 200 {
		t.Fatalf("token: %d %v", status, body)
	}
	return body
}

func rawJWKS(t *testing.T, srv *fieftest.Server, base string) string {
	t.Helper()
	return browsertest.Body(t, get(t, srv.Client(), base+"/.well-known/jwks.json"))
}

func TestStateSurvivesRestart(t *testing.T) {
	const adminKey = "kept-admin-key"
	path := filepath.Join(t.TempDir(), "state.json")
	hooks := newReceiver(t)

	srv1 := fieftest.NewServer()
	defer srv1.Close()
	must(t, srv1.SetAdminAPIKey(adminKey))
	client, err := srv1.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	must(t, err)
	sealed, err := srv1.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}, Encrypt: true})
	must(t, err)
	must(t, srv1.AddPermission("castles:write", "Write castles"))
	roleID, err := srv1.AddRole(fieftest.RoleConfig{Name: "Castellan", Permissions: []string{"castles:write"}})
	must(t, err)
	user, err := srv1.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: password,
		Fields: map[string]any{"given_name": "Anne"}, Permissions: []string{"castles:read"}})
	must(t, err)
	must(t, user.GrantRole("Castellan"))
	acme, err := srv1.AddTenant("acme")
	must(t, err)
	hook, err := srv1.AddWebhook(fieftest.WebhookConfig{URL: hooks.URL, Events: []string{"user.updated"}})
	must(t, err)

	provider := obj(t, mustAdmin(t, srv1, 201, "POST", "/oauth-providers/", map[string]any{"provider": "GITHUB", "client_id": "gh", "client_secret": "ghs", "scopes": []string{"user:email"}}), "id")
	mustAdmin(t, srv1, 200, "PATCH", "/tenants/"+srv1.DefaultTenant().ID(), map[string]any{"oauth_providers": []any{provider}})
	mustAdmin(t, srv1, 201, "POST", "/user-fields/", map[string]any{"name": "Given name", "slug": "given_name", "type": "STRING",
		"configuration": map[string]any{"at_registration": true, "required": false, "at_update": true}})

	b := srv1.BrowserClient()
	tok := redeem(t, srv1, client, formSignIn(t, srv1, b, client.ClientID, "anne@bretagne.duchy"))
	pendingCode := formSignIn(t, srv1, srv1.BrowserClient(), client.ClientID, "anne@bretagne.duchy") // redeemed after the restart
	jwks, acmeJWKS := rawJWKS(t, srv1, srv1.URL), rawJWKS(t, srv1, acme.BaseURL())
	var set jose.JSONWebKeySet
	must(t, json.Unmarshal([]byte(jwks), &set))
	admin := map[string]string{}
	for _, p := range append(adminPaths, "/admin/api/users/"+user.ID+"/permissions", "/admin/api/users/"+user.ID+"/roles") {
		admin[p] = adminGet(t, srv1, adminKey, p)
	}
	addr := strings.TrimPrefix(srv1.URL, "http://")
	srv1.Close()
	must(t, srv1.SaveStateFile(path))

	fi, err := os.Stat(path)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	srv2 := fieftest.NewUnstartedServer()
	must(t, srv2.LoadStateFile(path))
	srv2.Addr = addr // the same issuer
	srv2.Start()
	defer srv2.Close()

	t.Run("same key sets", func(t *testing.T) {
		if got := rawJWKS(t, srv2, srv2.URL); got != jwks {
			t.Errorf("JWKS after restart\n%s\nwant\n%s", got, jwks)
		}
		if got := rawJWKS(t, srv2, acme.BaseURL()); got != acmeJWKS {
			t.Errorf("acme's JWKS after restart\n%s\nwant\n%s", got, acmeJWKS)
		}
	})
	t.Run("tokens issued before are accepted", func(t *testing.T) {
		status, body := bearer(t, srv2.Client(), "GET", srv2.URL+"/api/userinfo", tok["access_token"].(string), "")
		if status != 200 || !strings.Contains(body, `"sub":"`+user.ID+`"`) || !strings.Contains(body, `"given_name":"Anne"`) {
			t.Errorf("userinfo with the token from before: %d %s", status, body)
		}
	})
	t.Run("the refresh token from before refreshes", func(t *testing.T) {
		status, body, _ := tokenCall(t, srv2.Client(), srv2.URL, url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		}, client.ClientID, client.ClientSecret)
		if status != 200 {
			t.Fatalf("refresh: %d %v", status, body)
		}
		at := verifyJWS(t, body["access_token"].(string), set) // the key set cached before the restart
		if at["sub"] != user.ID || !slices.Contains(anyStrings(at["permissions"]), "castles:write") {
			t.Errorf("claims after refresh %v", at)
		}
	})
	t.Run("an authorization code issued before is redeemed after", func(t *testing.T) {
		if id := verifyJWS(t, redeem(t, srv2, client, pendingCode)["id_token"].(string), set); id["sub"] != user.ID {
			t.Errorf("id token %v", id)
		}
	})
	t.Run("the sign-in session from before signs in without the form", func(t *testing.T) {
		resp := get(t, b, authorizeURL(srv2.URL, map[string]string{"client_id": client.ClientID, "redirect_uri": redirectURI}))
		browsertest.Body(t, resp)
		code := callback(t, resp).Query().Get("code")
		if code == "" || strings.HasSuffix(resp.Request.URL.Path, "/login") {
			t.Fatalf("no code at once: %s", resp.Header.Get("Location"))
		}
		id := verifyJWS(t, redeem(t, srv2, client, code)["id_token"].(string), set)
		if id["sub"] != user.ID {
			t.Errorf("id token %v", id)
		}
	})
	t.Run("the password from before signs in, and encrypted ID tokens open with the key from before", func(t *testing.T) {
		fresh := srv2.BrowserClient()
		tok := redeem(t, srv2, sealed, formSignIn(t, srv2, fresh, sealed.ClientID, "anne@bretagne.duchy"))
		jwe, err := jose.ParseEncryptedCompact(tok["id_token"].(string), []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256CBC_HS512})
		must(t, err)
		var key jose.JSONWebKey
		must(t, json.Unmarshal([]byte(sealed.EncryptionKey), &key))
		inner, err := jwe.Decrypt(key.Key)
		must(t, err)
		if id := verifyJWS(t, string(inner), set); id["sub"] != user.ID {
			t.Errorf("id token %v", id)
		}
	})
	t.Run("the admin API answers as before, to the same key", func(t *testing.T) {
		for p, want := range admin {
			if got := adminGet(t, srv2, adminKey, p); !jsonEq(t, got, want) {
				t.Errorf("GET %s after restart\n%s\nwant\n%s", p, got, want)
			}
		}
		for _, p := range []string{"/admin/api/oauth-providers/", "/admin/api/user-fields/", "/admin/api/tenants/"} {
			if !strings.Contains(admin[p], `"given_name"`) && !strings.Contains(admin[p], provider.(string)) {
				t.Errorf("GET %s lists neither the user field nor the OAuth provider: %s", p, admin[p])
			}
		}
		if !strings.Contains(admin["/admin/api/users/"+user.ID+"/roles"], roleID) {
			t.Errorf("the role grant is not listed: %s", admin["/admin/api/users/"+user.ID+"/roles"])
		}
	})
	t.Run("webhooks are signed with the secret from before", func(t *testing.T) {
		status, body := bearer(t, srv2.Client(), "PATCH", srv2.URL+"/admin/api/users/"+user.ID, adminKey, `{"fields":{"given_name":"Anne de Bretagne"}}`)
		if status != 200 {
			t.Fatalf("PATCH user: %d %s", status, body)
		}
		wait(t, srv2)
		got := hooks.deliveries()
		if len(got) != 1 {
			t.Fatalf("%d deliveries, want 1", len(got))
		}
		d := got[0]
		if err := fiefwebhook.Verify([]string{hook.Secret}, d.header.Get("X-Fief-Webhook-Timestamp"), d.header.Get("X-Fief-Webhook-Signature"), d.body, time.Now(), time.Minute); err != nil {
			t.Errorf("delivery after restart: %v", err)
		}
	})
}

// anyStrings returns the strings of a JSON array value.
func anyStrings(v any) []string {
	var out []string
	a, _ := v.([]any)
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadStateErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	srv := fieftest.NewServer()
	_, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	must(t, err)
	must(t, srv.SaveStateFile(good))
	srv.Close()
	valid, err := os.ReadFile(good)
	must(t, err)

	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	cases := []struct{ name, content, want string }{
		{"empty", "", "not JSON"},
		{"truncated", string(valid[:len(valid)/2]), "not JSON"},
		{"foreign JSON", `{"users":[]}`, "not written by fieftest"},
		{"JSON array", `[1,2]`, "not JSON"},
		{"newer layout", strings.Replace(string(valid), `"version": 1,`, `"version": 99,`, 1), "layout version 99"},
		{"unknown member", strings.Replace(string(valid), `"seq":`, `"surprise": 1, "seq":`, 1), "damaged"},
		{"dangling permission", strings.Replace(string(valid), `"permission": "`, `"permission": "0`, 1), "unknown permission"},
		{"bad signing key", strings.Replace(string(valid), `"pkcs8": "`, `"pkcs8": "AAAA`, 1), "signing key"},
		{"no default tenant", strings.Replace(string(valid), `"slug": ""`, `"slug": "other"`, 1), "no default tenant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.content == string(valid) {
				t.Fatal("the case changes nothing")
			}
			s := fieftest.NewUnstartedServer()
			before := s.DefaultTenant()
			err := s.LoadStateFile(write(tc.name+".json", tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadState: %v, want an error saying %q", err, tc.want)
			}
			if s.DefaultTenant() != before {
				t.Error("a failed LoadState changed the server")
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		err := fieftest.NewUnstartedServer().LoadStateFile(filepath.Join(dir, "none.json"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadState: %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("after Start", func(t *testing.T) {
		s := fieftest.NewServer()
		defer s.Close()
		if err := s.LoadStateFile(good); err == nil {
			t.Error("LoadState after Start succeeded")
		}
	})
	t.Run("unwritable directory", func(t *testing.T) {
		s := fieftest.NewUnstartedServer()
		if err := s.SaveStateFile(filepath.Join(dir, "missing", "state.json")); err == nil {
			t.Error("SaveState into a missing directory succeeded")
		}
	})
}

// FuzzLoadState checks that no document makes LoadState panic, and that a
// document it accepts makes a server that serves.
func FuzzLoadState(f *testing.F) {
	srv := fieftest.NewServer()
	srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	srv.AddClient(fieftest.ClientConfig{Encrypt: true})
	var valid bytes.Buffer
	if err := srv.SaveState(&valid); err != nil {
		f.Fatal(err)
	}
	srv.Close()
	f.Add(valid.Bytes())
	f.Add([]byte(`{"format":"fieftest-state","version":1}`))
	f.Add([]byte(`{"format":"fieftest-state","version":1,"admin_api_key":"k","tenants":[{"slug":"","id":"x","clients":[{"client_id":"c"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := fieftest.NewUnstartedServer()
		if err := s.LoadState(bytes.NewReader(b)); err != nil {
			return
		}
		s.Start() // a loaded state must serve
		defer s.Close()
		get(t, s.Client(), s.URL+"/.well-known/jwks.json").Body.Close()
	})
}
