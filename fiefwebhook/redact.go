package fiefwebhook

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/fief-dev/fief-go/internal/redact"
)

// String describes the configuration with the webhook secrets redacted.
func (c Config) String() string {
	return fmt.Sprintf("fiefwebhook.Config{Secrets: %s, Tolerance: %s, MaxBodySize: %d}", markSecrets(c.Secrets), c.Tolerance, c.MaxBodySize)
}

// Format writes [Config.String] for every verb (%q quotes it), so that no
// verb prints a secret.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue is [Config.String], for log/slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the handler with its secrets redacted.
func (h Handler) String() string {
	return fmt.Sprintf("fiefwebhook.Handler{Secrets: %s, Tolerance: %s, MaxBodySize: %d}", markSecrets(h.secrets), h.tolerance, h.maxBody)
}

// Format writes [Handler.String] for every verb (%q quotes it).
func (h Handler) Format(f fmt.State, verb rune) { redact.Format(f, verb, h.String()) }

// LogValue is [Handler.String], for log/slog.
func (h Handler) LogValue() slog.Value { return slog.StringValue(h.String()) }

// markSecrets describes a secret list by its length only.
func markSecrets(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	return fmt.Sprintf("%d secrets %s", len(s), redact.Redacted)
}

// String describes the event without its raw data, which may hold a secret
// (a client.* event carries the client's secret): its type, ID, reception
// time and object, whose secrets fiefadmin's types redact.
func (e Event) String() string {
	return fmt.Sprintf("fiefwebhook.Event{Type: %s, ID: %s, ReceivedAt: %s, Object: %+v}",
		e.Type, e.ID, e.ReceivedAt.Format(time.RFC3339Nano), e.Object)
}

// Format writes [Event.String] for every verb (%q quotes it), so that no
// verb prints the raw data.
func (e Event) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.String()) }

// LogValue is [Event.String], for log/slog.
func (e Event) LogValue() slog.Value { return slog.StringValue(e.String()) }
