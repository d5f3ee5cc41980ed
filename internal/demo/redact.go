package demo

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// String describes the environment without the secrets of its client and
// server.
func (e Env) String() string {
	return fmt.Sprintf("demo.Env{Client: %s, Server: %s, User: %s}", e.Client, e.Server, e.User)
}

// Format writes [Env.String] for every verb (%q quotes it).
func (e Env) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.String()) }

// LogValue describes the environment to log/slog without secrets.
func (e Env) LogValue() slog.Value { return slog.StringValue(e.String()) }
