package fief

import (
	"context"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/internal/logtest"
)

// TestDefaultLoggerIsSlogDefault: without Config.Logger, warnings and
// errors go to slog.Default as it is when they happen; debug and info
// messages are dropped.
func TestDefaultLoggerIsSlogDefault(t *testing.T) {
	c := mustNew(t, Config{BaseURL: "https://fief.example.com", ClientID: "c"})
	rec := logtest.UseAsDefault(t) // after New: looked up at each message
	l := c.Logger().With("component", "test").WithGroup("g")
	ctx := context.Background()
	l.DebugContext(ctx, "debug message")
	l.InfoContext(ctx, "info message")
	l.WarnContext(ctx, "warn message", "k", "v")
	l.ErrorContext(ctx, "error message")
	got := rec.Text()
	for _, want := range []string{"level=WARN msg=\"warn message\" component=test g.k=v", "level=ERROR msg=\"error message\" component=test"} {
		if !strings.Contains(got, want) {
			t.Errorf("slog.Default got %q, want %q", got, want)
		}
	}
	if strings.Contains(got, "debug message") || strings.Contains(got, "info message") {
		t.Errorf("debug or info reached slog.Default: %q", got)
	}

	own, logger := logtest.New()
	c = mustNew(t, Config{BaseURL: "https://fief.example.com", ClientID: "c", Logger: logger})
	c.Logger().Debug("mine")
	if c.Logger() != logger || !strings.Contains(own.Text(), "mine") {
		t.Errorf("Config.Logger not used: %q", own.Text())
	}
}

// TestKeySetFailureLogsToSlogDefault: a failing key set is a warning in the
// application's log with no logger configured.
func TestKeySetFailureLogsToSlogDefault(t *testing.T) {
	ks := newKeyServer(t, "https://issuer.example", []byte(`{"keys":[]}`))
	ks.setJWKS(nil, 500)
	c := mustNew(t, Config{BaseURL: ks.URL, ClientID: "c"})
	rec := logtest.UseAsDefault(t)
	_, err := c.ValidateAccessToken(context.Background(), "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln", Requirements{})
	if err == nil {
		t.Fatal("no error")
	}
	if got := rec.Text(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "key set refresh failed") {
		t.Errorf("slog.Default got %q", got)
	}
}
