package fiefadmin

import (
	"fmt"
	"log/slog"
)

const redacted = "[redacted]"

// APIKey is an admin API key of Fief, created in Fief's dashboard (API
// keys). It grants full control of the Fief workspace, so it never shows:
// every fmt verb prints "[redacted]", and so do log/slog and
// encoding/json. Only the Authorization header of the admin API calls
// carries it; string(key) gives it back.
type APIKey string

// Format implements [fmt.Formatter]: every verb prints "[redacted]".
func (APIKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// String returns "[redacted]".
func (APIKey) String() string { return redacted }

// LogValue implements [slog.LogValuer]: the key logs as "[redacted]".
func (APIKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText makes encoding/json and other encoders write "[redacted]".
func (APIKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }
