package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenCommand starts the built command with its users in a file and a
// permission from a flag, then asks "fieftest token" for tokens of ACR 0
// (admin API) and 1 (login form), and checks its refusals.
func TestTokenCommand(t *testing.T) {
	binDir := buildBinary(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	users := write("users.txt", "# the team\nanne@bretagne.duchy:Herm1ne-Tincture!\n\nclaude@france.kingdom:Fleur-de-L1s!\n")
	const key = "token-test-admin-key-0123456789"
	vars, _, _ := startBinaryEnv(t, binDir, []string{"FIEF_ADMIN_API_KEY=" + key, "FIEF_CLIENT_SECRET="},
		"-addr", "127.0.0.1:0", "-client-id", "web", "-redirect-uri", "http://localhost:3000/callback",
		"-user-file", users, "-permission", "anne@bretagne.duchy=castles:read,castles:list", "-quiet")
	if vars["FIEF_ADMIN_API_KEY"] != key {
		t.Fatalf("admin key %q, want the one of FIEF_ADMIN_API_KEY", vars["FIEF_ADMIN_API_KEY"])
	}
	base := vars["FIEF_BASE_URL"]
	token := func(env []string, args ...string) (string, string, error) {
		cmd := exec.Command(filepath.Join(binDir, "fieftest"), append([]string{"token"}, args...)...)
		cmd.Env = append(os.Environ(), "FIEF_BASE_URL="+base, "FIEF_ADMIN_API_KEY="+key, "FIEF_USER_PASSWORD=", "FIEF_CA_FILE=")
		cmd.Env = append(cmd.Env, env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}

	out, errOut, err := token(nil, "anne@bretagne.duchy", "-scope", "openid profile")
	if err != nil {
		t.Fatalf("token: %v %s", err, errOut)
	}
	c := tokenClaims(t, out)
	if c.ACR != "0" || c.Scope != "openid profile" || strings.Join(c.Aud, ",") != "web" ||
		strings.Join(c.Permissions, ",") != "castles:read,castles:list" {
		t.Errorf("admin API token claims %+v", c)
	}

	// ACR 1 through the login form, the password from the environment;
	// flags before the email work too.
	out, errOut, err = token([]string{"FIEF_USER_PASSWORD=Fleur-de-L1s!"}, "-acr", "1", "-json", "claude@france.kingdom", "-permission", "castles:read")
	if err != nil {
		t.Fatalf("token -acr 1: %v %s", err, errOut)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(out), &answer); err != nil || answer.IDToken == "" || answer.TokenType != "bearer" {
		t.Fatalf("-json answer %s (%v)", out, err)
	}
	if c := tokenClaims(t, answer.AccessToken); c.ACR != "1" || strings.Join(c.Permissions, ",") != "castles:read" {
		t.Errorf("signed-in token claims %+v", c)
	}

	wrongKey := filepath.Join(dir, "wrong-key")
	os.WriteFile(wrongKey, []byte("nope\n"), 0o600)
	badPassword := write("bad-password", "wrong\n")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no email", nil, nil, "Give an EMAIL"},
		{"unknown user", nil, []string{"bob@x.org"}, "no user bob@x.org"},
		{"unknown client", nil, []string{"anne@bretagne.duchy", "-client", "mobile"}, `no client "mobile"`},
		{"wrong admin key", nil, []string{"anne@bretagne.duchy", "-admin-key-file", wrongKey}, "401"},
		{"no admin key", []string{"FIEF_ADMIN_API_KEY="}, []string{"anne@bretagne.duchy"}, "no admin API key"},
		{"acr 1 without password", nil, []string{"anne@bretagne.duchy", "-acr", "1"}, "give the password"},
		{"acr 1, wrong password", nil, []string{"anne@bretagne.duchy", "-acr", "1", "-password-file", badPassword}, "login form refused"},
		{"acr 2", nil, []string{"anne@bretagne.duchy", "-acr", "2"}, "levels are 0 and 1"},
		{"no server", []string{"FIEF_BASE_URL=http://" + freeAddr(t)}, []string{"anne@bretagne.duchy"}, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := token(tc.env, tc.args...)
			if err == nil || !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("exit %v, stdout %q, stderr %q; want a failure saying %q", err, out, errOut, tc.want)
			}
		})
	}
}

// TestRandomSecret: a secret the command makes up never starts with "-"
// (read as a flag when pasted), and is not repeated.
func TestRandomSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 5000 {
		s := randomSecret()
		if strings.HasPrefix(s, "-") || len(s) < 40 || seen[s] {
			t.Fatalf("secret %q", s)
		}
		seen[s] = true
	}
}

// TestTokenTenants: "fieftest token" asks which tenant when the email is a
// user of several, and signs in at the tenant's own URL (-acr 1).
func TestTokenTenants(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "fieftest.json")
	os.WriteFile(cfg, []byte(`{
  "admin_api_key": "tenants-admin-key-0123456789",
  "tenants": [
    {"clients": [{"client_id": "web"}], "users": [{"email": "claude@france.kingdom", "password": "Herm1ne-Tincture!"}]},
    {"slug": "france", "clients": [{"client_id": "paris", "redirect_uris": ["http://localhost:3000/callback"]}],
     "users": [{"email": "claude@france.kingdom", "password": "Fleur-de-L1s!"}]}
  ]
}`), 0o600)
	t.Setenv("FIEF_ADMIN_API_KEY", "tenants-admin-key-0123456789")
	t.Setenv("FIEF_CA_FILE", "")
	runPrinted(t, []string{"-addr", "127.0.0.1:0", "-config", cfg, "-quiet"}, func(base string) {
		t.Setenv("FIEF_BASE_URL", base)
		t.Setenv("FIEF_USER_PASSWORD", "Fleur-de-L1s!")
		token := func(args ...string) (string, error) {
			var out, errb bytes.Buffer
			err := runToken(t.Context(), args, &out, &errb)
			return out.String(), err
		}
		if _, err := token("claude@france.kingdom"); err == nil || !strings.Contains(err.Error(), "several tenants") {
			t.Errorf("without -tenant: %v", err)
		}
		out, err := token("claude@france.kingdom", "-tenant", "france", "-acr", "1")
		if err != nil {
			t.Fatalf("-tenant france -acr 1: %v", err)
		}
		if c := tokenClaims(t, out); c.Iss != "https://"+strings.TrimPrefix(base, "http://")+"/france" || c.ACR != "1" || strings.Join(c.Aud, ",") != "paris" {
			t.Errorf("france token claims %+v", c)
		}
		out, err = token("claude@france.kingdom", "-tenant", "")
		if err != nil {
			t.Fatalf("-tenant '': %v", err)
		}
		if c := tokenClaims(t, out); c.Iss != "https://"+strings.TrimPrefix(base, "http://") || strings.Join(c.Aud, ",") != "web" {
			t.Errorf("default tenant token claims %+v", c)
		}
		if _, err := token("claude@france.kingdom", "-tenant", "", "-acr", "1"); err == nil || !strings.Contains(err.Error(), "no redirect URI") {
			t.Errorf("-acr 1 with a client without redirect URI: %v", err)
		}
	})
}
