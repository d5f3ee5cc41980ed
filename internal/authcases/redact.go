package authcases

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// String describes the case by its name and expected outcome, without its
// token.
func (c Case) String() string {
	return fmt.Sprintf("authcases.Case{Name: %q, Token: %s, Header: %s, Want: %v}", c.Name, redact.Mark(c.Token), redact.Mark(c.Header), c.Want)
}

// Format writes [Case.String] for every verb (%q quotes it).
func (c Case) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes the case to log/slog without its token.
func (c Case) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the environment without the secrets of its server and
// client.
func (e Env) String() string {
	return fmt.Sprintf("authcases.Env{Server: %s, Client: %s, User: %s}", e.Server, e.Client, e.User)
}

// Format writes [Env.String] for every verb (%q quotes it).
func (e Env) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.String()) }

// LogValue describes the environment to log/slog without secrets.
func (e Env) LogValue() slog.Value { return slog.StringValue(e.String()) }
