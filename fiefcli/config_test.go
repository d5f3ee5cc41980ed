package fiefcli_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefcli"
)

func TestNewRejectsBadConfig(t *testing.T) {
	client, err := fief.New(fief.Config{BaseURL: "https://fief.example.com", ClientID: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	ok := fiefcli.Config{AppName: "mytool"}
	tests := []struct {
		name   string
		client *fief.Client
		mod    func(c *fiefcli.Config)
	}{
		{"nil client", nil, func(c *fiefcli.Config) {}},
		{"no app name or path", client, func(c *fiefcli.Config) { c.AppName = "" }},
		{"app name with a slash", client, func(c *fiefcli.Config) { c.AppName = "../etc" }},
		{"app name dot-dot", client, func(c *fiefcli.Config) { c.AppName = ".." }},
		{"negative port", client, func(c *fiefcli.Config) { c.Port = -1 }},
		{"port too large", client, func(c *fiefcli.Config) { c.Port = 70000 }},
		{"relative redirect path", client, func(c *fiefcli.Config) { c.RedirectPath = "callback" }},
		{"redirect path with a query", client, func(c *fiefcli.Config) { c.RedirectPath = "/callback?x=1" }},
		{"redirect path with a host", client, func(c *fiefcli.Config) { c.RedirectPath = "//evil.example/cb" }},
		{"negative timeout", client, func(c *fiefcli.Config) { c.Timeout = -time.Second }},
		{"scope with a space", client, func(c *fiefcli.Config) { c.Scopes = []string{"a b"} }},
		{"empty scope", client, func(c *fiefcli.Config) { c.Scopes = []string{""} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mod(&cfg)
			a, err := fiefcli.New(tt.client, cfg)
			var ce *fief.ConfigError
			if a != nil || !errors.As(err, &ce) {
				t.Errorf("New = %v, %v; want a *fief.ConfigError", a, err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir) // os.UserConfigDir on Linux and BSDs
	t.Setenv("HOME", dir)            // and on macOS
	cfgDir, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: "https://fief.example.com", ClientID: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cfg      fiefcli.Config
		wantURI  string
		wantPath string
	}{
		{"defaults", fiefcli.Config{AppName: "mytool"}, "http://127.0.0.1:51562/callback", filepath.Join(cfgDir, "mytool", "credentials.json")},
		{"port and path", fiefcli.Config{AppName: "mytool", Port: 8765, RedirectPath: "/auth/done"}, "http://127.0.0.1:8765/auth/done", filepath.Join(cfgDir, "mytool", "credentials.json")},
		{"explicit path wins", fiefcli.Config{AppName: "mytool", CredentialsPath: filepath.Join(dir, "x", "..", "creds.json")}, "http://127.0.0.1:51562/callback", filepath.Join(dir, "creds.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := fiefcli.New(client, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.RedirectURI(); got != tt.wantURI {
				t.Errorf("RedirectURI() = %q, want %q", got, tt.wantURI)
			}
			if got := a.CredentialsPath(); got != tt.wantPath {
				t.Errorf("CredentialsPath() = %q, want %q", got, tt.wantPath)
			}
		})
	}
}
