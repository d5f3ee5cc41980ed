package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateSurvivesARestart: with -state, a restarted server serves the
// same key set and secrets, accepts the access token it issued before the
// restart and refreshes the refresh token, as a running application
// needs; without -state, the key set changes.
func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	pwFile, keyFile := filepath.Join(dir, "password"), filepath.Join(dir, "admin-key")
	if err := os.WriteFile(pwFile, []byte("Herm1ne-Tincture!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte("state-test-admin-key-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := []string{"-addr", addr, "-state", filepath.Join(dir, "state"), "-admin-key-file", keyFile, "-client-id", "web",
		"-redirect-uri", "http://localhost:3000/callback", "-user", "anne@bretagne.duchy:Herm1ne-Tincture!", "-quiet"}

	var jwks1, access, refresh string
	first := runPrinted(t, args, func(base string) {
		jwks1 = get(t, base+"/.well-known/jwks.json", "")
		var out, errOut bytes.Buffer
		err := runToken(t.Context(), []string{"-url", base, "-admin-key-file", keyFile, "-password-file", pwFile,
			"-acr", "1", "-scope", "openid offline_access", "-json", "anne@bretagne.duchy"}, &out, &errOut)
		if err != nil {
			t.Fatalf("token: %v %s", err, errOut.String())
		}
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.Unmarshal(out.Bytes(), &tok); err != nil || tok.RefreshToken == "" {
			t.Fatalf("token answer %s: %v", out.String(), err)
		}
		access, refresh = tok.AccessToken, tok.RefreshToken
	})

	stderr := &syncBuffer{}
	second := runPrintedTo(t, stderr, args, func(base string) {
		if jwks := get(t, base+"/.well-known/jwks.json", ""); jwks != jwks1 {
			t.Errorf("key set after the restart\n%s\nbefore\n%s", jwks, jwks1)
		}
		if body := get(t, base+"/api/userinfo", access); !strings.Contains(body, `"email":"anne@bretagne.duchy"`) {
			t.Errorf("userinfo with the token issued before the restart: %s", body)
		}
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"web"}, "client_secret": {first["FIEF_CLIENT_SECRET"]}}
		resp, err := http.PostForm(base+"/api/token", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"refresh_token"`) {
			t.Errorf("refresh with the refresh token issued before the restart: %d %s", resp.StatusCode, b)
		}
	})
	for _, k := range []string{"FIEF_BASE_URL", "FIEF_ADMIN_API_KEY", "FIEF_CLIENT_ID", "FIEF_CLIENT_SECRET"} {
		if first[k] != second[k] {
			t.Errorf("%s %q after the restart, %q before", k, second[k], first[k])
		}
	}
	// The state holds secrets: its directory and file are its owner's only.
	for _, p := range []string{filepath.Join(dir, "state"), filepath.Join(dir, "state", "state.json")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group and others", p, fi.Mode())
		}
	}
	if !strings.Contains(stderr.String(), "state restored") {
		t.Errorf("the restart does not say it restored the state: %s", stderr)
	}

	// Without -state, a restart makes new keys.
	fresh := []string{"-addr", addr, "-quiet", "-client-id", "web"}
	var jwks2 string
	runPrinted(t, fresh, func(base string) { jwks2 = get(t, base+"/.well-known/jwks.json", "") })
	if jwks2 == jwks1 {
		t.Error("a server without -state serves the key set of the one with it")
	}
}

// get fetches url, with a bearer token unless token is "".
func get(t *testing.T, u, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
