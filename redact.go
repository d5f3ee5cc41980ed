package fief

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/fief-dev/fief-go/internal/redact"
)

// The types of this package that hold a token, a code or a secret describe
// themselves without it under every fmt verb, %#v included (they implement
// fmt.Formatter, which fmt calls first), and in log/slog (slog.LogValuer).

// Format writes [TokenResponse.String] for every verb (%q quotes it), so
// that no verb prints the tokens.
func (t TokenResponse) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue describes t to log/slog without its tokens.
func (t TokenResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token_type", t.TokenType),
		slog.Int("expires_in", t.ExpiresIn),
		slog.String("access_token", redact.Mark(t.AccessToken)),
		slog.String("id_token", redact.Mark(t.IDToken)),
		slog.String("refresh_token", redact.Mark(t.RefreshToken)),
	)
}

// Format writes [AccessTokenInfo.String] for every verb (%q quotes it), so
// that no verb prints the token.
func (i AccessTokenInfo) Format(f fmt.State, verb rune) { redact.Format(f, verb, i.String()) }

// LogValue describes i to log/slog without the token.
func (i AccessTokenInfo) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", i.ID),
		slog.Any("scope", i.Scope),
		slog.String("acr", string(i.ACR)),
		slog.Any("permissions", i.Permissions),
		slog.Time("expires_at", i.ExpiresAt),
		slog.String("access_token", redact.Mark(i.AccessToken)),
	)
}

// String describes the parameters without the code and the verifier.
func (p ExchangeParams) String() string {
	return fmt.Sprintf("fief.ExchangeParams{Code: %s, RedirectURI: %q, CodeVerifier: %s, Nonce: %s}",
		redact.Mark(p.Code), p.RedirectURI, redact.Mark(p.CodeVerifier), redact.Mark(p.Nonce))
}

// Format writes [ExchangeParams.String] for every verb (%q quotes it).
func (p ExchangeParams) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue describes p to log/slog without the code and the verifier.
func (p ExchangeParams) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("code", redact.Mark(p.Code)),
		slog.String("redirect_uri", p.RedirectURI),
		slog.String("code_verifier", redact.Mark(p.CodeVerifier)),
		slog.String("nonce", redact.Mark(p.Nonce)),
	)
}

// Format writes [Config.String] for every verb (%q quotes it), so that no
// verb prints the client secret or the encryption key.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes c to log/slog without the client secret and the
// encryption key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("internal_base_url", c.InternalBaseURL),
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", redact.Mark(c.ClientSecret)),
		slog.String("encryption_key", redact.Mark(c.EncryptionKey)),
	)
}

// String describes the client by its tenant and client ID.
func (c *Client) String() string {
	if c == nil {
		return "fief.Client(nil)"
	}
	return fmt.Sprintf("fief.Client{BaseURL: %q, ClientID: %q}", c.BaseURL(), c.ClientID())
}

// Format writes [Client.String] for every verb (%q quotes it), so that no
// verb prints the client secret or the encryption key it holds.
func (c *Client) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes the client to log/slog by its tenant and client ID.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("fief.Client(nil)")
	}
	return slog.GroupValue(slog.String("base_url", c.BaseURL()), slog.String("client_id", c.ClientID()))
}

// String describes the configuration with the token redacted: an
// *oauth2.Token prints its access and refresh tokens.
func (c TokenSourceConfig) String() string {
	tok := "nil"
	if c.Token != nil {
		tok = fmt.Sprintf("{AccessToken: %s, RefreshToken: %s, Expiry: %s}", redact.Mark(c.Token.AccessToken), redact.Mark(c.Token.RefreshToken), c.Token.Expiry.Format(time.RFC3339))
	}
	return fmt.Sprintf("fief.TokenSourceConfig{Token: %s, OnRefresh: %t, Margin: %s, Timeout: %s}", tok, c.OnRefresh != nil, c.Margin, c.Timeout)
}

// Format writes [TokenSourceConfig.String] for every verb (%q quotes it).
func (c TokenSourceConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue is [TokenSourceConfig.String], for log/slog.
func (c TokenSourceConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }
