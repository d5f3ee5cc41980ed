package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fiefcli"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// TestDemo: -demo tours the commands on the demo Fief, renewing the
// expired token with the refresh token.
func TestDemo(t *testing.T) {
	var out strings.Builder
	err := run(t.Context(), []string{"-demo", "-auto", "-port", freePort(t)}, system{
		getenv: func(string) string { return "" },
		stdout: &out,
		stderr: io.Discard,
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Signed in as " + fiefdemo.Email,
		"Permissions: " + fiefdemo.Permission,
		"Renewed with the refresh token: true",
		"Signed out",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCommandsAgainstFief runs each command as a separate run against a
// Fief that outlives them, as a real one does.
func TestCommandsAgainstFief(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort(t)
	c, err := srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{"http://127.0.0.1:" + port + "/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "bob@example.com", Permissions: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	srv.SetAutoLogin("bob@example.com")
	vars := map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": c.ClientID}
	creds := filepath.Join(t.TempDir(), "creds.json")

	steps := []struct {
		cmd     string
		want    string // in stdout
		wantErr error
	}{
		{"whoami", "", fiefcli.ErrNotSignedIn},
		{"login", "Signed in as bob@example.com", nil},
		{"whoami", "Permissions: a, b", nil},
		{"logout", "Signed out", nil},
		{"whoami", "", fiefcli.ErrNotSignedIn},
	}
	for i, s := range steps {
		var out strings.Builder
		err := run(context.Background(), []string{"-port", port, "-credentials", creds, s.cmd}, system{
			getenv:      func(k string) string { return vars[k] },
			stdout:      &out,
			stderr:      io.Discard,
			openBrowser: followWith(srv.Client()),
		})
		if s.wantErr == nil && err != nil || s.wantErr != nil && !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d %s: err = %v, want %v", i, s.cmd, err, s.wantErr)
		}
		if !strings.Contains(out.String(), s.want) {
			t.Errorf("step %d %s: output %q lacks %q", i, s.cmd, out.String(), s.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"no command", nil, nil},
		{"two commands", []string{"login", "logout"}, nil},
		{"unknown command", []string{"fly"}, nil},
		{"bad flag", []string{"-nope", "demo"}, nil},
		{"-demo with a command", []string{"-demo", "whoami"}, nil},
		{"-auto without -demo", []string{"-auto", "login"}, map[string]string{"FIEF_BASE_URL": "http://127.0.0.1:1", "FIEF_CLIENT_ID": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, system{
				getenv: func(k string) string { return tt.env[k] },
				stdout: io.Discard,
				stderr: io.Discard,
			})
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("err = %v, want a usage error", err)
			}
		})
	}
}

// TestNoFiefNoDemo: without FIEF_BASE_URL and without -demo, a command
// stops with a message naming both.
func TestNoFiefNoDemo(t *testing.T) {
	var out strings.Builder
	err := run(t.Context(), []string{"whoami"}, system{getenv: func(string) string { return "" }, stdout: &out, stderr: &out})
	if err == nil || !strings.Contains(err.Error(), "FIEF_BASE_URL is not set") || !strings.Contains(err.Error(), "-demo") {
		t.Errorf("err = %v, want one naming FIEF_BASE_URL and -demo", err)
	}
	if strings.Contains(out.String(), "Demo Fief") {
		t.Errorf("a demo Fief started:\n%s", out.String())
	}
}

// TestStartupCheck: a command that needs Fief stops on the report of the
// startup check when the configuration does not work; logout does not ask
// Fief.
func TestStartupCheck(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort(t)
	c, err := srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{"http://127.0.0.1:" + port + "/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(t.TempDir(), "creds.json")
	tests := []struct {
		name  string
		vars  map[string]string
		port  string
		cmd   string
		wants []string // in the error; none: no error
	}{
		{"unknown client ID", map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": "nope"}, port, "login",
			[]string{"FAILURE  client_id", "FIEF_CLIENT_ID"}},
		{"port not registered", map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": c.ClientID}, freePort(t), "whoami",
			[]string{"FAILURE  redirect_uri", "/callback\" is not a redirect URI"}},
		{"logout offline", map[string]string{"FIEF_BASE_URL": "http://127.0.0.1:1", "FIEF_CLIENT_ID": c.ClientID}, port, "logout", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), []string{"-port", tt.port, "-credentials", creds, tt.cmd}, system{
				getenv: func(k string) string { return tt.vars[k] },
				stdout: &out,
				stderr: io.Discard,
			})
			if tt.wants == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; output %q", out.String())
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%s", want, err)
				}
			}
		})
	}
}

// TestDoctor: the doctor command prints every finding of the startup
// check, and fails only when a check failed.
func TestDoctor(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	port := freePort(t)
	c, err := srv.AddClient(fieftest.ClientConfig{Public: true, RedirectURIs: []string{"http://127.0.0.1:" + port + "/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(t.TempDir(), "creds.json")
	tests := []struct {
		name    string
		vars    map[string]string
		port    string
		failed  bool
		outputs []string
	}{
		{"all good", map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": c.ClientID}, port, false,
			[]string{"Fief check of " + srv.URL, "): ok\n", "ok       reachable", "ok       redirect_uri", "ok       client_credentials", "public client"}},
		{"port not registered", map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": c.ClientID}, freePort(t), true,
			[]string{"): failure\n", "FAILURE  redirect_uri", "fix: add \"http://127.0.0.1:"}},
		{"public client given a secret", map[string]string{"FIEF_BASE_URL": srv.URL, "FIEF_CLIENT_ID": c.ClientID, "FIEF_CLIENT_SECRET": "wrong-secret-1234"}, port, false,
			[]string{"): warning\n", "WARNING  client_credentials", "remove FIEF_CLIENT_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), []string{"-port", tt.port, "-credentials", creds, "doctor"}, system{
				getenv: func(k string) string { return tt.vars[k] },
				stdout: &out,
				stderr: io.Discard,
			})
			if (err != nil) != tt.failed {
				t.Errorf("err = %v, want failed %v", err, tt.failed)
			}
			for _, want := range tt.outputs {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if strings.Contains(out.String(), "wrong-secret-1234") {
				t.Errorf("the secret is shown:\n%s", out.String())
			}
		})
	}
}
