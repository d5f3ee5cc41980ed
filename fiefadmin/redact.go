package fiefadmin

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// Every type of this package that holds a token, a password or a secret
// describes itself without it under every fmt verb, %#v included
// (fmt.Formatter), and in log/slog (slog.LogValuer): its String, for all
// of them.

// Format writes [OAuthClient.String] for every verb (%q quotes it).
func (c OAuthClient) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes c to log/slog without its secret.
func (c OAuthClient) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format writes [OAuthProvider.String] for every verb (%q quotes it).
func (p OAuthProvider) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue describes p to log/slog without its secret.
func (p OAuthProvider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Format writes [OAuthProviderCreate.String] for every verb (%q quotes it).
func (p OAuthProviderCreate) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue describes p to log/slog without its secret.
func (p OAuthProviderCreate) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Format writes [OAuthProviderUpdate.String] for every verb (%q quotes it).
func (p OAuthProviderUpdate) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue describes p to log/slog without its secret.
func (p OAuthProviderUpdate) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Format writes [OAuthAccountAccessToken.String] for every verb (%q quotes
// it).
func (t OAuthAccountAccessToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue describes t to log/slog without the token.
func (t OAuthAccountAccessToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// Format writes [UserCreate.String] for every verb (%q quotes it).
func (u UserCreate) Format(f fmt.State, verb rune) { redact.Format(f, verb, u.String()) }

// LogValue describes u to log/slog without the password.
func (u UserCreate) LogValue() slog.Value { return slog.StringValue(u.String()) }

// Format writes [UserUpdate.String] for every verb (%q quotes it).
func (u UserUpdate) Format(f fmt.State, verb rune) { redact.Format(f, verb, u.String()) }

// LogValue describes u to log/slog without the password.
func (u UserUpdate) LogValue() slog.Value { return slog.StringValue(u.String()) }

// Format writes [AccessToken.String] for every verb (%q quotes it).
func (t AccessToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue describes t to log/slog without the token.
func (t AccessToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// Format writes [WebhookWithSecret.String] for every verb (%q quotes it).
func (w WebhookWithSecret) Format(f fmt.State, verb rune) { redact.Format(f, verb, w.String()) }

// LogValue describes w to log/slog without its secret.
func (w WebhookWithSecret) LogValue() slog.Value { return slog.StringValue(w.String()) }

// String describes a without the secret of its OAuth provider.
func (a OAuthAccount) String() string {
	a.OAuthProvider.ClientSecret = redactSet(a.OAuthProvider.ClientSecret)
	type plain OAuthAccount
	return fmt.Sprintf("%+v", plain(a))
}

// Format writes [OAuthAccount.String] for every verb (%q quotes it).
func (a OAuthAccount) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String()) }

// LogValue describes a to log/slog without the secret of its provider.
func (a OAuthAccount) LogValue() slog.Value { return slog.StringValue(a.String()) }

// String describes t without the secrets of its OAuth providers.
func (t Tenant) String() string {
	providers := make([]OAuthProvider, len(t.OAuthProviders))
	for i, p := range t.OAuthProviders {
		p.ClientSecret = redactSet(p.ClientSecret)
		providers[i] = p
	}
	t.OAuthProviders = providers
	type plain Tenant
	return fmt.Sprintf("%+v", plain(t))
}

// Format writes [Tenant.String] for every verb (%q quotes it).
func (t Tenant) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue describes t to log/slog without the secrets of its providers.
func (t Tenant) LogValue() slog.Value { return slog.StringValue(t.String()) }
