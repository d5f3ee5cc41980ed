package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/fief-dev/fief-go/internal/browsertest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/local"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// startServe runs "serve" with args and the environment vars until the end
// of the test, and returns its output once it is ready.
func startServe(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var (
		mu  sync.Mutex
		out strings.Builder
	)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if sc.Text() == "Press Ctrl-C to stop." {
				close(ready)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	output := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve"}, args...), system{getenv: getenv(vars), stdout: pw, stderr: pw})
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		done <- err
		t.Fatalf("serve returned %v before it was ready; output:\n%s", err, output())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve is not ready; output:\n%s", output())
	}
	return output()
}

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// callResult is the outcome of one "call" run.
type callResult struct {
	out        string
	err        error
	openedURLs int
}

// callAs runs "call" with args and the environment vars, the browser
// answering with open.
func callAs(t *testing.T, vars map[string]string, open func(string) error, args ...string) callResult {
	t.Helper()
	var (
		out    strings.Builder
		opened int
	)
	err := run(t.Context(), append([]string{"call"}, args...), system{
		getenv: getenv(vars),
		stdout: &out,
		stderr: io.Discard,
		openBrowser: func(u string) error {
			opened++
			return open(u)
		},
	})
	return callResult{out.String(), err, opened}
}

// formBrowser returns an OpenBrowser signing in on Fief's login form with
// email and password, as a person would.
func formBrowser(t *testing.T, email, password string) func(string) error {
	return func(u string) error {
		b := browsertest.New(t)
		resp, page := browsertest.Get(t, b, u)
		resp, page = browsertest.LogIn(t, b, resp, page, email, password)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), "http://127.0.0.1:") {
			return fmt.Errorf("the sign-in ended at %d %s: %.300s", resp.StatusCode, resp.Request.URL, page)
		}
		return nil
	}
}

// noBrowser fails the test when the browser is opened.
func noBrowser(t *testing.T) func(string) error {
	return func(u string) error {
		t.Errorf("the browser was opened on %s", u)
		return errors.New("no browser here")
	}
}

var callCommand = regexp.MustCompile(`\n  FIEF_BASE_URL=(\S+) FIEF_CLIENT_ID=(\S+) go run \./example call -socket "([^"]+)" -port (\d+) WhoAmI\n`)

var userID = regexp.MustCompile(`^WhoAmI: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$`)

// TestDemo runs the service as a user would, with -demo,
// and calls it with the printed command, signing in on the embedded
// Fief's form with the printed credentials: Ping needs no sign-in, WhoAmI
// and ListCastles sign in once, ListCastles is refused to the user without
// the permission.
func TestDemo(t *testing.T) {
	port := freePort(t)
	socket := filepath.Join(t.TempDir(), "castles.sock")
	output := startServe(t, nil, "-demo", "-socket", socket, "-port", port)
	m := callCommand.FindStringSubmatch(output)
	if m == nil || m[3] != socket || m[4] != port || m[2] != fiefdemo.ClientID {
		t.Fatalf("no call command for %s and port %s in the output:\n%s", socket, port, output)
	}
	for _, want := range []string{fiefdemo.Email, squireEmail, fiefdemo.Password} {
		if !strings.Contains(output, want) {
			t.Errorf("the output lacks %q:\n%s", want, output)
		}
	}
	vars := map[string]string{"FIEF_BASE_URL": m[1], "FIEF_CLIENT_ID": m[2]}
	args := func(creds, method string) []string {
		return []string{"-socket", socket, "-port", port, "-credentials", creds, method}
	}
	anne, squire := filepath.Join(t.TempDir(), "anne.json"), filepath.Join(t.TempDir(), "squire.json")

	r := callAs(t, vars, noBrowser(t), args(anne, "Ping")...)
	if r.err != nil || r.out != "Ping: pong\n" {
		t.Fatalf("Ping: %q, %v", r.out, r.err)
	}

	r = callAs(t, vars, formBrowser(t, fiefdemo.Email, fiefdemo.Password), args(anne, "WhoAmI")...)
	whoAmI, _ := strings.CutPrefix(r.out, "Signed in as "+fiefdemo.Email+". Credentials saved in "+anne+"\n")
	if r.err != nil || r.openedURLs != 1 || !userID.MatchString(whoAmI) {
		t.Fatalf("WhoAmI: %q, %v, browser opened %d times", r.out, r.err, r.openedURLs)
	}
	r = callAs(t, vars, noBrowser(t), args(anne, "ListCastles")...)
	if r.err != nil || r.out != "ListCastles: Nantes, Suscinio, Josselin\n" {
		t.Fatalf("ListCastles: %q, %v", r.out, r.err)
	}

	r = callAs(t, vars, formBrowser(t, squireEmail, fiefdemo.Password), args(squire, "ListCastles")...)
	if status.Code(r.err) != codes.PermissionDenied || r.openedURLs != 1 {
		t.Fatalf("ListCastles without the permission: %q, %v, browser opened %d times", r.out, r.err, r.openedURLs)
	}
	r = callAs(t, vars, noBrowser(t), args(squire, "WhoAmI")...)
	if r.err != nil || !userID.MatchString(r.out) || r.out == whoAmI {
		t.Fatalf("WhoAmI of the second user: %q (the first is %q), %v", r.out, whoAmI, r.err)
	}

	// logout forgets the credentials: the next call signs in again.
	var out strings.Builder
	if err := run(t.Context(), []string{"logout", "-credentials", anne}, system{getenv: getenv(vars), stdout: &out, stderr: io.Discard}); err != nil {
		t.Fatalf("logout: %v", err)
	}
	r = callAs(t, vars, formBrowser(t, fiefdemo.Email, fiefdemo.Password), args(anne, "WhoAmI")...)
	if r.err != nil || r.openedURLs != 1 || !strings.HasSuffix(r.out, whoAmI) {
		t.Fatalf("WhoAmI after logout: %q, %v, browser opened %d times", r.out, r.err, r.openedURLs)
	}
}

// TestFiefFromEnvironment points the service and the client at a Fief
// through the environment: each method answers by the user's token and
// permissions, and the service refuses a protected call without a token.
func TestFiefFromEnvironment(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort(t)
	fc, err := srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{"http://127.0.0.1:" + port + "/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := srv.AddUser(fieftest.UserConfig{Email: "reader@example.com", Permissions: []string{fiefdemo.Permission}})
	if err != nil {
		t.Fatal(err)
	}
	visitor, err := srv.AddUser(fieftest.UserConfig{Email: "visitor@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": fc.ClientID}
	socket := filepath.Join(t.TempDir(), "castles.sock")
	output := startServe(t, vars, "-socket", socket, "-port", port)
	if strings.Contains(output, fiefdemo.Email) || !strings.Contains(output, srv.URL) || !strings.Contains(output, "/callback") {
		t.Errorf("output:\n%s", output)
	}

	// The browser: Fief signs the user in without a form (auto-login), and
	// redirects to the callback.
	browser := func(email string) func(string) error {
		return func(u string) error {
			srv.SetAutoLogin(email)
			resp, err := srv.Client().Get(u)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}
	}
	tests := []struct {
		user     *fieftest.User
		method   string
		wantCode codes.Code
		wantOut  string
	}{
		{reader, "Ping", codes.OK, "Ping: pong\n"},
		{reader, "WhoAmI", codes.OK, "WhoAmI: " + reader.ID + "\n"},
		{reader, "ListCastles", codes.OK, "ListCastles: Nantes, Suscinio, Josselin\n"},
		{visitor, "WhoAmI", codes.OK, "WhoAmI: " + visitor.ID + "\n"},
		{visitor, "ListCastles", codes.PermissionDenied, ""},
	}
	for _, tt := range tests {
		t.Run(tt.user.Email()+"/"+tt.method, func(t *testing.T) {
			creds := filepath.Join(t.TempDir(), "credentials.json")
			r := callAs(t, vars, browser(tt.user.Email()), "-socket", socket, "-port", port, "-credentials", creds, tt.method)
			out, _ := strings.CutPrefix(r.out, "Signed in as "+tt.user.Email()+". Credentials saved in "+creds+"\n")
			if status.Code(r.err) != tt.wantCode || out != tt.wantOut {
				t.Errorf("%q, %v; want %q, %v", r.out, r.err, tt.wantOut, tt.wantCode)
			}
			if wantOpened := map[bool]int{true: 0, false: 1}[tt.method == "Ping"]; r.openedURLs != wantOpened {
				t.Errorf("browser opened %d times, want %d", r.openedURLs, wantOpened)
			}
		})
	}

	// Without a token, only Ping answers.
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(local.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for method, want := range map[string]codes.Code{methodPing: codes.OK, methodWhoAmI: codes.Unauthenticated, methodListCastles: codes.Unauthenticated} {
		err := conn.Invoke(t.Context(), method, new(emptypb.Empty), new(wrapperspb.StringValue))
		if status.Code(err) != want {
			t.Errorf("%s without a token: %v, want %v", method, err, want)
		}
	}
}

// TestUsage: mistakes on the command line are usage errors, and a second
// server does not take the socket of a live one.
func TestUsage(t *testing.T) {
	env := map[string]string{"FIEF_BASE_URL": "http://127.0.0.1:1", "FIEF_CLIENT_ID": "x"}
	tests := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{nil, nil, "usage:"},
		{[]string{"fly"}, nil, `unknown command "fly"`},
		{[]string{"call"}, env, "usage:"},
		{[]string{"call", "Storm"}, env, `unknown method "Storm"`},
		{[]string{"serve", "-addr", "x"}, nil, "-addr"},
	}
	for _, tt := range tests {
		err := run(t.Context(), tt.args, system{getenv: getenv(tt.vars), stdout: io.Discard, stderr: io.Discard})
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want a usage error with %q", tt.args, err, tt.want)
		}
	}

	// Without FIEF_BASE_URL and without -demo: a clear stop.
	for _, args := range [][]string{{"call", "WhoAmI"}, {"serve"}} {
		if err := run(t.Context(), args, system{getenv: getenv(nil), stdout: io.Discard, stderr: io.Discard}); !errors.Is(err, errNoFief) {
			t.Errorf("%q without FIEF_BASE_URL: %v, want %v", args, err, errNoFief)
		}
	}

	socket := filepath.Join(t.TempDir(), "castles.sock")
	startServe(t, nil, "-demo", "-socket", socket, "-port", freePort(t))
	err := run(t.Context(), []string{"serve", "-demo", "-socket", socket}, system{getenv: getenv(nil), stdout: io.Discard, stderr: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "another server listens on") {
		t.Errorf("second server on the socket: %v", err)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
