package fiefcli

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		want func(out string) bool
	}{
		{"terminal: a redrawn line, erased at the end", true, func(out string) bool {
			frame, erase, ok := strings.Cut(strings.TrimPrefix(out, "\r"), "\r")
			return ok && strings.HasPrefix(frame, "| Waiting for the sign-in in the browser (") &&
				strings.HasSuffix(frame, "s left, Ctrl+C to cancel)") &&
				erase == strings.Repeat(" ", len(frame))+"\r"
		}},
		{"not a terminal: one line", false, func(out string) bool {
			return out == "Waiting for the sign-in in the browser (up to 5m0s)...\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			p := startProgress(&b, 5*time.Minute, tt.tty)
			p.stop()
			p.stop() // twice is harmless
			if out := b.String(); !tt.want(out) {
				t.Errorf("output %q", out)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	if isTerminal(&strings.Builder{}) {
		t.Error("a strings.Builder is a terminal")
	}
}
