package fieftest

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// The types of this package that hold a secret (client secrets and
// encryption keys, passwords, signing keys, verification codes) describe
// themselves without it under every fmt verb and in log/slog: test logs
// are logs too.

// String describes the configuration with the secret redacted.
func (c ClientConfig) String() string {
	return fmt.Sprintf("fieftest.ClientConfig{ClientID: %q, ClientSecret: %s, Public: %t, ThirdParty: %t, RedirectURIs: %q, Encrypt: %t}",
		c.ClientID, redact.Mark(c.ClientSecret), c.Public, c.ThirdParty, c.RedirectURIs, c.Encrypt)
}

// Format writes [ClientConfig.String] for every verb (%q quotes it).
func (c ClientConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes the configuration to log/slog without the secret.
func (c ClientConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the client by its ids, secret and key redacted.
func (c Client) String() string {
	return fmt.Sprintf("fieftest.Client{ID: %q, ClientID: %q, ClientSecret: %s, EncryptionKey: %s}", c.ID, c.ClientID, redact.Mark(c.ClientSecret), redact.Mark(c.EncryptionKey))
}

// Format writes [Client.String] for every verb (%q quotes it).
func (c Client) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes the client to log/slog without its secret and key.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the configuration with the password redacted.
func (u UserConfig) String() string {
	return fmt.Sprintf("fieftest.UserConfig{ID: %q, Email: %q, Password: %s, Unverified: %t, Inactive: %t, Permissions: %q}",
		u.ID, u.Email, redact.Mark(u.Password), u.Unverified, u.Inactive, u.Permissions)
}

// Format writes [UserConfig.String] for every verb (%q quotes it).
func (u UserConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, u.String()) }

// LogValue describes the configuration to log/slog without the password.
func (u UserConfig) LogValue() slog.Value { return slog.StringValue(u.String()) }

// String describes the user by ID; the password hash and
// any pending verification code are left out.
func (u User) String() string {
	return fmt.Sprintf("fieftest.User{ID: %q}", u.ID)
}

// Format writes [User.String] for every verb (%q quotes it).
func (u User) Format(f fmt.State, verb rune) { redact.Format(f, verb, u.String()) }

// LogValue describes the user to log/slog without secrets.
func (u User) LogValue() slog.Value { return slog.StringValue(u.String()) }

// String describes the tenant by its slug and ID; its signing keys, clients
// and users are left out.
func (t Tenant) String() string {
	return fmt.Sprintf("fieftest.Tenant{Slug: %q, ID: %q}", t.slug, t.id)
}

// Format writes [Tenant.String] for every verb (%q quotes it).
func (t Tenant) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue describes the tenant to log/slog without secrets.
func (t Tenant) LogValue() slog.Value { return slog.StringValue(t.String()) }

// String describes the server by its URL; its tenants, keys and flows are
// left out.
func (s *Server) String() string {
	if s == nil {
		return "fieftest.Server(nil)"
	}
	return fmt.Sprintf("fieftest.Server{URL: %q, Domain: %q}", s.URL, s.Domain)
}

// Format writes [Server.String] for every verb (%q quotes it).
func (s *Server) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue describes the server to log/slog without secrets.
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String describes the webhook configuration with its secret redacted.
func (c WebhookConfig) String() string {
	return fmt.Sprintf("fieftest.WebhookConfig{URL: %q, Events: %q, Secret: %s}", c.URL, c.Events, redact.Mark(c.Secret))
}

// Format writes [WebhookConfig.String] for every verb (%q quotes it).
func (c WebhookConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue is [WebhookConfig.String], for log/slog.
func (c WebhookConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the webhook with its secret redacted.
func (w Webhook) String() string {
	return fmt.Sprintf("fieftest.Webhook{ID: %q, URL: %q, Events: %q, Secret: %s}", w.ID, w.URL, w.Events, redact.Mark(w.Secret))
}

// Format writes [Webhook.String] for every verb (%q quotes it).
func (w Webhook) Format(f fmt.State, verb rune) { redact.Format(f, verb, w.String()) }

// LogValue is [Webhook.String], for log/slog.
func (w Webhook) LogValue() slog.Value { return slog.StringValue(w.String()) }

// String describes the email without its verification code, its reset
// link and its text, which holds them: the fields are there to be read,
// a log of the value is no place for them.
func (m Mail) String() string {
	return fmt.Sprintf("fieftest.Mail{ID: %q, Type: %s, To: %q, Subject: %q, Text: %s, Code: %s, ResetURL: %s}",
		m.ID, m.Type, m.To, m.Subject, redact.Mark(m.Text), redact.Mark(m.Code), redact.Mark(m.ResetURL))
}

// Format writes [Mail.String] for every verb (%q quotes it).
func (m Mail) Format(f fmt.State, verb rune) { redact.Format(f, verb, m.String()) }

// LogValue describes the email to log/slog without its code or link.
func (m Mail) LogValue() slog.Value { return slog.StringValue(m.String()) }
