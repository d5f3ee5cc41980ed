package main

import (
	"context"
	"encoding/base64"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/demotest"
)

func TestMain(m *testing.M) {
	demotest.MaybeRunMain(main)
	os.Exit(m.Run())
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func runOut(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), args, getenv, &out)
	return out.String(), err
}

// TestDemo runs each command on the demo Fief of -demo.
func TestDemo(t *testing.T) {
	noEnv := env(nil)
	for _, tc := range []struct {
		args    []string
		want    string // a line of the output
		wantErr string
	}{
		{args: []string{"users", "list"}, want: fiefdemo.Email + "\t"},
		{args: []string{"users", "list", "nobody"}, want: "0 user(s)"},
		{args: []string{"users", "create", "claude@france.kingdom", "Herm1ne-Tincture-Duchy!"}, want: "created claude@france.kingdom ("},
		{args: []string{"users", "create", fiefdemo.Email, "Herm1ne-Tincture-Duchy!"}, wantErr: "already a user"},
		{args: []string{"users", "create", "weak@example.com", "abc"}, wantErr: "password refused: [Password must be at least 8 characters long."},
		{args: []string{"users", "create", "not-an-email", "Herm1ne-Tincture-Duchy!"}, wantErr: "refused: body.email: "},
		{args: []string{"users", "delete", strings.ToUpper(fiefdemo.Email)}, want: "deleted " + fiefdemo.Email},
		{args: []string{"users", "delete", "nobody@example.com"}, wantErr: "no user nobody@example.com"},
		{args: []string{"grant", "castles:write", fiefdemo.Email}, want: "granted castles:write to " + fiefdemo.Email},
		{args: []string{"grant", "castles:read", fiefdemo.Email}, want: fiefdemo.Email + " already holds castles:read"},
		{args: []string{"grant", "castles", fiefdemo.Email}, wantErr: "no permission castles"},
		{args: []string{"revoke", "castles:read", fiefdemo.Email}, want: "revoked castles:read from " + fiefdemo.Email},
		{args: []string{"revoke", "castles:write", fiefdemo.Email}, wantErr: "does not hold castles:write directly"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := runOut(t, noEnv, append([]string{"-demo"}, tc.args...)...)
			if !strings.Contains(out, "demo Fief") {
				t.Errorf("no word of the demo Fief in %q", out)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output %q, want a line with %q", out, tc.want)
			}
		})
	}
}

// TestOnFief works on a Fief named by FIEF_BASE_URL: changes persist from
// one run to the next, and show in the user's access tokens.
func TestOnFief(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	if _, err := srv.AddUser(fieftest.UserConfig{Email: fiefdemo.Email, Password: fiefdemo.Password, Permissions: []string{"castles:read"}}); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"FIEF_BASE_URL": srv.URL + "/", "FIEF_ADMIN_API_KEY": srv.AdminAPIKey()})
	step := func(want string, args ...string) {
		t.Helper()
		out, err := runOut(t, getenv, args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if strings.Contains(out, "embedded") || !strings.Contains(out, want) {
			t.Fatalf("%q: output %q, want %q", args, out, want)
		}
	}
	step("created bob@example.com", "users", "create", "bob@example.com", "Herm1ne-Tincture-Duchy!")
	step("granted castles:read to bob@example.com", "grant", "castles:read", "bob@example.com")
	step("bob@example.com\t", "users", "list", "bob")

	bob, ok := srv.DefaultTenant().User("bob@example.com")
	if !ok {
		t.Fatal("bob is not a user of the server")
	}
	if claims := tokenClaims(t, srv.MintAccessToken(bob.ID, fieftest.TokenOptions{})); !strings.Contains(claims, `"castles:read"`) {
		t.Errorf("bob's token does not carry castles:read: %s", claims)
	}
	if !regexp.MustCompile(`bob@example.com\t[0-9a-f-]{36}\t\[castles:read\]`).MatchString(mustRun(t, getenv, "users", "list")) {
		t.Error("the list does not show bob's permission")
	}
	step("revoked castles:read from bob@example.com", "revoke", "castles:read", "bob@example.com")
	step("deleted bob@example.com", "users", "delete", "bob@example.com")
	if _, ok := srv.DefaultTenant().User("bob@example.com"); ok {
		t.Error("bob is still a user of the server")
	}
	step("1 user(s)", "users", "list")

	_, err := runOut(t, env(map[string]string{"FIEF_BASE_URL": srv.URL}), "users", "list")
	if err == nil || !strings.Contains(err.Error(), "FIEF_ADMIN_API_KEY") {
		t.Errorf("without a key: %v", err)
	}
	_, err = runOut(t, env(map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_ADMIN_API_KEY": "wrong"}), "users", "list")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("with a wrong key: %v", err)
	}
}

func mustRun(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	out, err := runOut(t, getenv, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tokenClaims returns the payload of a JWT, decoded.
func tokenClaims(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExitCodes runs the program: 2 for a usage mistake, 1 for an error.
func TestExitCodes(t *testing.T) {
	if _, stderr, code := demotest.RunMain(t, []string{"FIEF_BASE_URL="}, "-demo", "users", "rename"); code != 2 || !strings.Contains(stderr, "usage:") {
		t.Errorf("usage mistake: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := demotest.RunMain(t, []string{"FIEF_BASE_URL="}, "-demo", "users", "delete", "nobody@example.com"); code != 1 || !strings.Contains(stderr, "error: no user") {
		t.Errorf("error: exit %d, stderr %q", code, stderr)
	}
	if stdout, _, code := demotest.RunMain(t, []string{"FIEF_BASE_URL="}, "-demo", "users", "list"); code != 0 || !strings.Contains(stdout, fiefdemo.Email) {
		t.Errorf("list: exit %d, stdout %q", code, stdout)
	}
	// Without FIEF_BASE_URL and without -demo: a clear stop, no demo Fief.
	if stdout, stderr, code := demotest.RunMain(t, []string{"FIEF_BASE_URL="}, "users", "list"); code != 1 ||
		!strings.Contains(stderr, "FIEF_BASE_URL") || !strings.Contains(stderr, "-demo") || strings.Contains(stdout, "demo Fief") {
		t.Errorf("no Fief, no -demo: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
