package fiefcli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenSystemBrowser runs openSystemBrowser with a fake xdg-open on
// PATH that records its arguments.
func TestOpenSystemBrowser(t *testing.T) {
	const url = `http://127.0.0.1:8000/authorize?a=1&b=$(touch pwned);c="x y"`
	tests := []struct {
		name     string
		display  string
		exitCode string
		wantErr  string // substring; "" means success
		wantArgs bool
	}{
		{"opens", ":0", "0", "", true},
		{"opener fails", ":0", "3", "xdg-open", true},
		{"no display", "", "0", "no graphical display", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			argsFile := filepath.Join(dir, "args")
			script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\nexit " + tt.exitCode + "\n"
			if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir)
			t.Setenv("DISPLAY", tt.display)
			t.Setenv("WAYLAND_DISPLAY", "")
			t.Chdir(dir)

			err := openSystemBrowser(url)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(argsFile)
			if tt.wantArgs && (rerr != nil || string(got) != url+"\n") {
				t.Errorf("xdg-open got %q (%v), want the URL as its only argument", got, rerr)
			}
			if !tt.wantArgs && rerr == nil {
				t.Errorf("xdg-open ran without a display")
			}
			if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
				t.Error("the URL went through a shell")
			}
		})
	}
}
