package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the command once per test into a new directory and
// returns that directory, to put first in PATH.
func buildBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "fieftest"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// freeAddr returns a loopback address with a port free at the time.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// readmeBlock returns the first ```sh block after the heading of the
// README, so that the test runs what the README shows.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no heading %q", heading)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(s[i:])
	if m == nil {
		t.Fatalf("no sh block after %q", heading)
	}
	return m[1]
}

// runShell runs script with bash in dir, the built command first in PATH,
// and kills whatever it left running when the test ends.
func runShell(t *testing.T, binDir, dir, script string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return out.String(), errb.String(), err
}

// TestREADMETokenSession runs the README's curl-only session, as a shell
// runs it, against the built command: start, wait for /healthz, get a
// token with "fieftest token", call the userinfo API with it.
func TestREADMETokenSession(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run the README's session", tool)
		}
	}
	script := readmeBlock(t, "## A token with curl, from any language")
	addr := freeAddr(t)
	script = strings.ReplaceAll(script, "127.0.0.1:8000", addr)
	// Show the token too, to check its claims.
	script = strings.Replace(script, "\ncurl -fsS -H", "\necho \"TOKEN=$TOKEN\"\ncurl -fsS -H", 1)
	dir := t.TempDir()
	out, errOut, err := runShell(t, buildBinary(t), dir, script, "FIEF_CLIENT_SECRET=", "FIEF_USER_PASSWORD=")
	if err != nil {
		t.Fatalf("the session failed: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "TOKEN=") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	var info struct {
		Email string `json:"email"`
		Sub   string `json:"sub"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &info); err != nil || info.Email != "anne@bretagne.duchy" {
		t.Errorf("userinfo %s (%v)", lines[1], err)
	}
	claims := tokenClaims(t, strings.TrimPrefix(lines[0], "TOKEN="))
	if claims.Sub != info.Sub || claims.ACR != "0" || claims.Scope != "openid" ||
		strings.Join(claims.Permissions, ",") != "castles:read,castles:write" || claims.Iss != "https://"+addr {
		t.Errorf("token claims %+v", claims)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "fief.env"))
	if !strings.Contains(string(env), "FIEF_BASE_URL=http://"+addr) || strings.Contains(string(env), "Herm1ne") {
		t.Errorf("fief.env:\n%s", env)
	}
}

type claims struct {
	Iss, Sub, ACR, Scope string
	Aud                  []string
	Permissions          []string
}

func tokenClaims(t *testing.T, token string) claims {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
