package fiefcli

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// String describes the Auth by its credentials file and redirect URI.
func (a Auth) String() string {
	return fmt.Sprintf("fiefcli.Auth{Client: %s, CredentialsPath: %q, RedirectURI: %q}", a.client, a.path, a.redirectURI)
}

// Format writes [Auth.String] for every verb (%q quotes it), so that no
// verb prints the secrets of the Fief client it holds.
func (a Auth) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String()) }

// LogValue describes the Auth to log/slog without secrets.
func (a Auth) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("client", a.client), slog.String("credentials_path", a.path), slog.String("redirect_uri", a.redirectURI))
}
