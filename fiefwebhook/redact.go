package fiefwebhook

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// String describes the configuration with the webhook secrets redacted.
func (c Config) String() string {
	return fmt.Sprintf("fiefwebhook.Config{Secrets: %s, Tolerance: %s, MaxBodySize: %d}", markSecrets(c.Secrets), c.Tolerance, c.MaxBodySize)
}

// Format writes [Config.String] for every verb (%q quotes it), so that no
// verb prints a secret.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// GoString is [Config.String], for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue is [Config.String], for log/slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the handler with its secrets redacted.
func (h Handler) String() string {
	return fmt.Sprintf("fiefwebhook.Handler{Secrets: %s, Tolerance: %s, MaxBodySize: %d}", markSecrets(h.secrets), h.tolerance, h.maxBody)
}

// Format writes [Handler.String] for every verb (%q quotes it).
func (h Handler) Format(f fmt.State, verb rune) { redact.Format(f, verb, h.String()) }

// GoString is [Handler.String], for %#v.
func (h Handler) GoString() string { return h.String() }

// LogValue is [Handler.String], for log/slog.
func (h Handler) LogValue() slog.Value { return slog.StringValue(h.String()) }

// markSecrets describes a secret list by its length only.
func markSecrets(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	return fmt.Sprintf("%d secrets %s", len(s), redact.Redacted)
}
