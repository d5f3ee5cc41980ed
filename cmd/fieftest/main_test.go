package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/internal/browsertest"
)

const testConfig = `{
  "admin_api_key": "ci-admin-key-0123456789",
  "permissions": [{"codename": "castles:read", "name": "Castles read"}],
  "roles": [{"name": "Castle manager", "permissions": ["castles:read", "castles:write"]}],
  "tenants": [
    {
      "name": "Bretagne",
      "clients": [{"name": "Web app", "client_id": "web", "client_secret": "web-secret", "redirect_uris": ["http://localhost:9999/callback"]}],
      "users": [{"email": "anne@bretagne.duchy", "password": "Herm1ne-Tincture!", "roles": ["Castle manager"], "fields": {"given_name": "Anne"}}]
    },
    {"slug": "france", "name": "France", "users": [{"email": "claude@france.kingdom", "password": "Herm1ne-Tincture!"}]}
  ]
}`

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBinary builds the command, runs it with args and returns the
// variables it printed, its log, and a function that stops it and waits.
func startBinary(t *testing.T, args ...string) (map[string]string, *syncBuffer, func() error) {
	t.Helper()
	return startBinaryEnv(t, buildBinary(t), nil, args...)
}

// startBinaryEnv is startBinary with the command of binDir and more
// environment variables.
func startBinaryEnv(t *testing.T, binDir string, env []string, args ...string) (map[string]string, *syncBuffer, func() error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "fieftest"), args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		return cmd.Wait()
	}
	t.Cleanup(func() { stop() })
	vars := map[string]string{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(60 * time.Second)
	for vars["FIEF_CLIENT_SECRET"] == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the command ended early; log:\n%s", logs)
			}
			k, v, _ := strings.Cut(l, "=")
			vars[k] = v
		case <-deadline:
			t.Fatalf("no coordinates printed; log:\n%s", logs)
		}
	}
	go func() {
		for range lines {
		}
	}()
	return vars, logs, stop
}

// TestBinary runs the command with a configuration file, signs a user in
// through the login form, reads its token's permissions, and uses the
// admin API with the printed key.
func TestBinary(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "fieftest.json")
	if err := os.WriteFile(cfg, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, logs, stop := startBinary(t, "-addr", "127.0.0.1:0", "-config", cfg)
	base, key := vars["FIEF_BASE_URL"], vars["FIEF_ADMIN_API_KEY"]
	if key != "ci-admin-key-0123456789" || vars["FIEF_CLIENT_ID"] != "web" || vars["FIEF_CLIENT_SECRET"] != "web-secret" {
		t.Fatalf("printed %v", vars)
	}
	const redirectURI = "http://localhost:9999/callback"

	// Sign in with the form.
	b := browsertest.New(t)
	b.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, page := browsertest.Get(t, b, base+"/authorize?"+url.Values{
		"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {redirectURI}, "scope": {"openid"}, "state": {"s1"},
	}.Encode())
	resp, _ = browsertest.LogIn(t, b, resp, page, "anne@bretagne.duchy", "Herm1ne-Tincture!")
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("after the login form: %d, no redirect", resp.StatusCode)
	}
	code := loc.Query().Get("code")
	tr, err := http.PostForm(base+"/api/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {"web"}, "client_secret": {"web-secret"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(tr.Body).Decode(&tok)
	tr.Body.Close()
	if tr.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d", tr.StatusCode)
	}
	payload, _ := base64URLDecode(strings.Split(tok.AccessToken, ".")[1])
	var claims struct {
		Permissions []string `json:"permissions"`
	}
	json.Unmarshal(payload, &claims)
	if strings.Join(claims.Permissions, ",") != "castles:read,castles:write" {
		t.Errorf("permissions claim %v, want the role's", claims.Permissions)
	}

	// The admin API with the printed key.
	req, _ := http.NewRequest("GET", base+"/admin/api/users/?ordering=email", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	ar, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(ar.Body)
	ar.Body.Close()
	var users struct {
		Count   int `json:"count"`
		Results []struct {
			Email  string `json:"email"`
			Tenant struct {
				Name string `json:"name"`
			} `json:"tenant"`
		} `json:"results"`
	}
	json.Unmarshal(body, &users)
	if ar.StatusCode != 200 || users.Count != 2 || users.Results[0].Tenant.Name != "Bretagne" || users.Results[1].Email != "claude@france.kingdom" {
		t.Errorf("admin users: %d %s", ar.StatusCode, body)
	}

	if err := stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	log := logs.String()
	for _, want := range []string{"method=GET path=/authorize status=302", "path=/api/token status=200", "path=/admin/api/users/ status=200"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, code) || strings.Contains(log, "s1") {
		t.Errorf("the log shows a query:\n%s", log)
	}
}

// TestBadInvocations: the command refuses bad flags and configurations
// with a message, without starting.
func TestBadInvocations(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	badState := filepath.Join(dir, "bad-state")
	if err := os.MkdirAll(badState, 0o700); err != nil {
		t.Fatal(err)
	}
	write("bad-state/state.json", "{")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"user without password", []string{"-user", "anne@x.org"}, "EMAIL:PASSWORD"},
		{"secret without client", []string{"-client-secret", "s"}, "need -client-id"},
		{"unknown member", []string{"-config", write("typo.json", `{"tenant": []}`)}, "unknown field"},
		{"unknown role", []string{"-config", write("role.json", `{"tenants":[{"users":[{"email":"a@x.org","roles":["nope"]}]}]}`)}, "unknown role"},
		{"duplicate email", []string{"-config", write("dup.json", `{"tenants":[{"users":[{"email":"a@x.org"},{"email":"A@x.org"}]}]}`)}, "duplicate user email"},
		{"missing file", []string{"-config", filepath.Join(dir, "none.json")}, "reading the configuration"},
		{"small key", []string{"-key-size", "1024"}, "below 2048"},
		{"small key in the file", []string{"-config", write("key.json", `{"key_size": 512}`)}, "below 2048"},
		{"bad slug", []string{"-config", write("slug.json", `{"tenants":[{"slug":"api"}]}`)}, `configuration: invalid tenant slug "api"`},
		{"port in use", []string{"-addr", busy}, "failed to listen"},
		{"unknown Fief version", []string{"-fief-version", "0.27.0"}, `unknown Fief version "0.27.0"`},
		{"unreadable state", []string{"-state", badState}, "not a usable fieftest state"},
		{"every interface", []string{"-addr", "0.0.0.0:0"}, "reachable from other machines"},
		{"every interface, no host", []string{"-addr", ":0"}, "add -allow-remote"},
		{"no port", []string{"-addr", "127.0.0.1"}, "missing port"},
		{"tls key without certificate", []string{"-tls-key", "k.pem"}, "go together"},
		{"missing certificate", []string{"-tls-cert", filepath.Join(dir, "none.pem"), "-tls-key", filepath.Join(dir, "none.pem")}, "-tls-cert and -tls-key"},
		{"permission of an unknown user", []string{"-user", "anne@x.org:pw-Secret1", "-permission", "bob@x.org=castles:read"}, "no user of -user or -user-file"},
		{"permission without codename", []string{"-user", "anne@x.org:pw-Secret1", "-permission", "anne@x.org"}, "EMAIL=CODENAME"},
		{"user file without password", []string{"-user-file", write("users.txt", "anne@x.org:pw-Secret1\nbob@x.org\n")}, "line 2 wants EMAIL:PASSWORD"},
		{"user twice", []string{"-user", "anne@x.org:pw-Secret1", "-user-file", write("users2.txt", "Anne@x.org:pw-Secret2\n")}, "given twice"},
		{"missing user file", []string{"-user-file", filepath.Join(dir, "none.txt")}, "reading -user-file"},
		{"admin key twice", []string{"-admin-key", "k1", "-admin-key-file", write("key", "k2")}, "given twice"},
		{"empty admin key file", []string{"-admin-key-file", write("empty", "\n")}, "is empty"},
		{"client secret file without client", []string{"-client-secret-file", write("secret", "s")}, "need -client-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(t.Context())
			cancel() // a run that starts returns at once
			err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q", stdout.String())
			}
			if strings.Contains(err.Error(), "pw-Secret") {
				t.Errorf("the error shows a password: %v", err)
			}
		})
	}
}

func base64URLDecode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

// TestFlags runs the command as the README shows it, with flags only: the
// client and the user of the flags sign in, and the random admin key it
// prints opens the admin API.
func TestFlags(t *testing.T) {
	const redirectURI = "http://localhost:3000/callback"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-client-id", "web", "-redirect-uri", redirectURI,
			"-user", "anne@bretagne.duchy:Herm1ne-Tincture!", "-quiet"}, stdout, stderr)
	}()
	vars := map[string]string{}
	for deadline := time.Now().Add(30 * time.Second); vars["FIEF_CLIENT_SECRET"] == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no coordinates printed: %q, %q", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("the command ended early: %v", err)
		default:
		}
		for _, l := range strings.Split(stdout.String(), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				vars[k] = v
			}
		}
	}
	base, key, secret := vars["FIEF_BASE_URL"], vars["FIEF_ADMIN_API_KEY"], vars["FIEF_CLIENT_SECRET"]
	if vars["FIEF_CLIENT_ID"] != "web" || len(key) < 20 || len(secret) < 20 || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("printed %v", vars)
	}

	// The user of -user signs in to the client of -client-id.
	b := browsertest.New(t)
	b.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, page := browsertest.Get(t, b, base+"/authorize?"+url.Values{
		"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {redirectURI}, "scope": {"openid"}, "state": {"s1"},
	}.Encode())
	resp, _ = browsertest.LogIn(t, b, resp, page, "anne@bretagne.duchy", "Herm1ne-Tincture!")
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("after the login form: %d, no redirect", resp.StatusCode)
	}
	tr, err := http.PostForm(base+"/api/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {"web"}, "client_secret": {secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.Body.Close()
	if tr.StatusCode != http.StatusOK {
		t.Fatalf("token with the printed secret: %d", tr.StatusCode)
	}

	// The printed key opens the admin API; another one does not.
	for _, tc := range []struct {
		key  string
		want int
	}{{key, http.StatusOK}, {key + "x", http.StatusUnauthorized}} {
		req, _ := http.NewRequest("GET", base+"/admin/api/users/?email=anne@bretagne.duchy", nil)
		req.Header.Set("Authorization", "Bearer "+tc.key)
		ar, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(ar.Body)
		ar.Body.Close()
		if ar.StatusCode != tc.want || (tc.want == http.StatusOK && !strings.Contains(string(body), `"count":1`)) {
			t.Errorf("admin API with key %q: %d %s", tc.key, ar.StatusCode, body)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after its context ended: %v", err)
	}
	if strings.Contains(stderr.String(), "path=") {
		t.Errorf("-quiet, yet requests were logged: %s", stderr.String())
	}
}

// TestSecretsFromEnvironmentAndFiles: the admin key and the client secret
// come from a file or the environment, so that they need not be flags
// (visible in ps); a flag wins over its file, which wins over the
// environment, which wins over the configuration file.
func TestSecretsFromEnvironmentAndFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := write("fieftest.json", `{"admin_api_key": "key-of-the-config"}`)
	keyFile, secretFile := write("admin-key", "key-of-the-file\n"), write("client-secret", "secret-of-the-file\r\n")
	for _, tc := range []struct {
		name              string
		env, args         []string
		wantKey, wantSecr string
	}{
		{"files", nil, []string{"-admin-key-file", keyFile, "-client-secret-file", secretFile}, "key-of-the-file", "secret-of-the-file"},
		{"environment", []string{"FIEF_ADMIN_API_KEY=key-of-the-env", "FIEF_CLIENT_SECRET=secret-of-the-env"}, nil, "key-of-the-env", "secret-of-the-env"},
		{"file over environment", []string{"FIEF_ADMIN_API_KEY=key-of-the-env", "FIEF_CLIENT_SECRET=secret-of-the-env"},
			[]string{"-admin-key-file", keyFile, "-client-secret-file", secretFile}, "key-of-the-file", "secret-of-the-file"},
		{"flag over environment", []string{"FIEF_ADMIN_API_KEY=key-of-the-env"}, []string{"-admin-key", "key-of-the-flag", "-client-secret", "s-flag"}, "key-of-the-flag", "s-flag"},
		{"environment over configuration", []string{"FIEF_ADMIN_API_KEY=key-of-the-env"}, []string{"-config", cfg}, "key-of-the-env", ""},
		{"configuration", nil, []string{"-config", cfg}, "key-of-the-config", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FIEF_ADMIN_API_KEY", "")
			t.Setenv("FIEF_CLIENT_SECRET", "")
			for _, e := range tc.env {
				k, v, _ := strings.Cut(e, "=")
				t.Setenv(k, v)
			}
			vars := runPrinted(t, append([]string{"-addr", "127.0.0.1:0", "-client-id", "web", "-quiet"}, tc.args...))
			if vars["FIEF_ADMIN_API_KEY"] != tc.wantKey {
				t.Errorf("admin key %q, want %q", vars["FIEF_ADMIN_API_KEY"], tc.wantKey)
			}
			if tc.wantSecr != "" && vars["FIEF_CLIENT_SECRET"] != tc.wantSecr {
				t.Errorf("client secret %q, want %q", vars["FIEF_CLIENT_SECRET"], tc.wantSecr)
			}
			if tc.wantSecr == "" && (len(vars["FIEF_CLIENT_SECRET"]) < 40 || strings.HasPrefix(vars["FIEF_CLIENT_SECRET"], "-")) {
				t.Errorf("random client secret %q", vars["FIEF_CLIENT_SECRET"])
			}
		})
	}
}

// runPrinted runs the command in-process until it has printed its
// coordinates, calls each of during with the base URL, stops it, and
// returns what it printed.
func runPrinted(t *testing.T, args []string, during ...func(base string)) map[string]string {
	t.Helper()
	return runPrintedTo(t, &syncBuffer{}, args, during...)
}

// runPrintedTo is runPrinted with the command's standard error.
func runPrintedTo(t *testing.T, stderr *syncBuffer, args []string, during ...func(base string)) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, stdout, stderr) }()
	ended := false
	defer func() {
		cancel()
		if err := <-done; !ended && err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if strings.Contains(stdout.String(), "FIEF_CLIENT_SECRET=") && strings.HasSuffix(stdout.String(), "\n") {
			break
		}
		select {
		case err := <-done:
			ended = true
			done <- nil
			t.Fatalf("the command ended early: %v %s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing printed: %q %q", stdout, stderr)
		}
	}
	vars := map[string]string{}
	for _, l := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			vars[k] = v
		}
	}
	for _, f := range during {
		f(vars["FIEF_BASE_URL"])
	}
	return vars
}

// TestAllowRemote: with -allow-remote, listening on every interface works,
// with a warning, and the URL printed (and the issuer) uses the machine's
// name, which clients can use, never "[::]" or "0.0.0.0".
func TestAllowRemote(t *testing.T) {
	name, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	vars := runPrintedTo(t, stderr, []string{"-addr", ":0", "-allow-remote", "-client-id", "web", "-quiet"}, func(base string) {
		resp, err := http.Get(base + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatalf("the printed URL: %v", err)
		}
		defer resp.Body.Close()
		var doc struct {
			Issuer string `json:"issuer"`
		}
		json.NewDecoder(resp.Body).Decode(&doc)
		if doc.Issuer != "https"+strings.TrimPrefix(base, "http") {
			t.Errorf("issuer %q for %s", doc.Issuer, base)
		}
	})
	base := vars["FIEF_BASE_URL"]
	if !strings.HasPrefix(base, "http://"+name+":") || strings.Contains(base, "[::]") || strings.Contains(base, "0.0.0.0") {
		t.Errorf("printed %q, want the machine's name %s", base, name)
	}
	if !strings.Contains(stderr.String(), "WARNING: listening on") || !strings.Contains(stderr.String(), "reachable from other machines") {
		t.Errorf("no warning: %q", stderr)
	}
}
