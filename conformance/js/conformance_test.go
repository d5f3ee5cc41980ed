package js

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// adminKey is the admin API key the test gives fieftest.
const adminKey = "conformance-admin-key-0123456789"

// wantSteps are the steps the script must report, each passing.
var wantSteps = []string{
	"setup through the admin API: two clients and a user",
	"auth URL",
	"sign-in through the login form and authCallback (ID token checked)",
	"validateAccessToken with the required scope",
	"validateAccessToken: missing scope",
	"validateAccessToken: ACR too low",
	"validateAccessToken: missing permission",
	"validateAccessToken: tampered token",
	"permissions granted through the admin API reach a new token",
	"validateAccessToken: expired token",
	"userinfo",
	"updateProfile",
	"changePassword, then sign in with the new password",
	"emailChange and emailVerify with the code read from the mail route",
	"authRefreshToken of a confidential client: Fief refuses it (the client never sends client_secret)",
	"public client: sign-in with PKCE",
	"public client: refresh rotates the refresh token, and the used one is refused",
	"public client: refresh with a narrowed scope",
	"logout URL",
	"Express middleware: 401, 403 and 200",
	"after a restart: a new token validates with the same client object (same keys)",
	"after a restart: the refresh token from before refreshes",
}

func TestOfficialJavaScriptClient(t *testing.T) {
	for _, cmd := range []string{"node", "npm"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Fatalf("%s is missing: install Node.js 18 or later with npm (./.ci/test does it with apt-get)", cmd)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "conformance.cjs"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	npm := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci (the pinned @fief/fief and express): %v\n%s", err, out)
	}

	bin := filepath.Join(dir, "fieftest")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/fieftest")
	build.Dir = filepath.Join("..", "..") // the root module
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/fieftest: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	state := filepath.Join(dir, "state")
	stop := startFieftest(t, ctx, bin, addr, state)

	node := exec.CommandContext(ctx, "node", "conformance.cjs")
	node.Dir = dir
	node.Env = append(os.Environ(), "FIEF_BASE_URL=http://"+addr, "FIEF_ADMIN_API_KEY="+adminKey)
	stdin, err := node.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := node.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	node.Stderr = &stderr
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = node.Process.Kill(); _ = node.Wait() }()

	seen := map[string]bool{}
	done := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Step    string
			OK      bool
			Detail  string
			Restart bool
			Done    bool
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("script printed %q", sc.Text())
			continue
		}
		switch {
		case line.Restart:
			// Restart fieftest on the same port and state, as a developer
			// would; the script's client objects live on.
			stop()
			stop = startFieftest(t, ctx, bin, addr, state)
			if _, err := io.WriteString(stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
			stdin.Close()
		case line.Done:
			done = true
		default:
			seen[line.Step] = true
			if line.OK {
				t.Logf("ok   %s %s", line.Step, line.Detail)
			} else {
				t.Errorf("FAIL %s: %s", line.Step, line.Detail)
			}
		}
	}
	if err := node.Wait(); err != nil {
		t.Errorf("node: %v\n%s", err, stderr.String())
	}
	if !done {
		t.Errorf("the script did not finish:\n%s", stderr.String())
	}
	for _, s := range wantSteps {
		if !seen[s] {
			t.Errorf("step %q did not run", s)
		}
	}
}

// freeAddr returns a free loopback address, kept across fieftest's restart.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startFieftest starts the program on addr with state, waits until it
// answers, and returns a func that stops it.
func startFieftest(t *testing.T, ctx context.Context, bin, addr, state string) (stop func()) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "-addr", addr, "-state", state, "-admin-key", adminKey, "-quiet")
	cmd.Env = append(os.Environ(), "FIEF_ADMIN_API_KEY="+adminKey)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("fieftest exited:\n%s", out.String())
		default:
		}
		resp, err := http.Get(fmt.Sprintf("http://%s/.well-known/openid-configuration", addr))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	t.Fatalf("fieftest did not answer on %s:\n%s", addr, out.String())
	return nil
}
