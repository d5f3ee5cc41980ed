package logtest

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// failures is a testing.TB that records the failures NoSecrets reports
// instead of failing the test.
type failures struct {
	testing.TB
	errs []string
}

func (f *failures) Helper() {}

func (f *failures) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// TestNoSecretsFails: a secret in any record, attribute, group, error or
// text kept makes NoSecrets fail, and only then.
func TestNoSecretsFails(t *testing.T) {
	const secret = "s3cr3t-value-1234"
	leaks := map[string]func(r *Recorder, l *slog.Logger){
		"message":         func(r *Recorder, l *slog.Logger) { l.Info("token " + secret) },
		"attribute":       func(r *Recorder, l *slog.Logger) { l.Warn("sign-in failed", "error", errors.New("code "+secret)) },
		"logger's attrs":  func(r *Recorder, l *slog.Logger) { l.With("cookie", secret).Error("refused") },
		"group":           func(r *Recorder, l *slog.Logger) { l.WithGroup("req").Debug("callback", "state", secret) },
		"error":           func(r *Recorder, l *slog.Logger) { r.AddError(fmt.Errorf("fief: exchange: %s", secret)) },
		"text":            func(r *Recorder, l *slog.Logger) { r.AddText("<p>" + secret + "</p>") },
		"quoted in a log": func(r *Recorder, l *slog.Logger) { l.Info("x", "v", "a b "+secret) },
	}
	for name, leak := range leaks {
		t.Run(name, func(t *testing.T) {
			r, l := New()
			l.Info("a clean line", "user", "anne@bretagne.duchy")
			leak(r, l)
			f := &failures{TB: t}
			if n := r.NoSecrets(f, "", secret); n != 2 {
				t.Errorf("%d texts scanned, want 2", n)
			}
			if len(f.errs) != 1 || !strings.Contains(f.errs[0], "a secret (17 bytes") || strings.Contains(f.errs[0], "a secret (17 bytes, starting \""+secret) {
				t.Errorf("failures %q, want one naming the secret's length only", f.errs)
			}
		})
	}
	t.Run("nothing leaks", func(t *testing.T) {
		r, l := New()
		l.Warn("sign-in failed", "error", errors.New("invalid_client"))
		r.AddError(errors.New("fief: invalid_client"))
		r.AddError(nil)
		r.AddText("<p>Sign-in was refused</p>")
		f := &failures{TB: t}
		if n := r.NoSecrets(f, secret, ""); n != 3 || len(f.errs) != 0 {
			t.Errorf("%d texts, failures %q; want 3 texts and none", n, f.errs)
		}
	})
}

// TestUseAsDefault: slog.Default writes to the recorder until the test
// ends.
func TestUseAsDefault(t *testing.T) {
	before := slog.Default()
	t.Run("inner", func(t *testing.T) {
		r := UseAsDefault(t)
		slog.Warn("fiefhttp: sign-in failed", "status", 502)
		if got := r.Text(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "status=502") {
			t.Errorf("recorded %q", got)
		}
	})
	if slog.Default() != before {
		t.Error("slog.Default not restored")
	}
}
