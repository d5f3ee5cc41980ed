package fiefhttp

import (
	"fmt"
	"log/slog"

	"github.com/fief-dev/fief-go/internal/redact"
)

// The types of this package that hold a secret (the flow cookie key, the
// Fief client and its secret) describe themselves without it under every
// fmt verb and in log/slog.

// String describes the configuration with the cookie keys redacted.
func (c WebConfig) String() string {
	return fmt.Sprintf("fiefhttp.WebConfig{BaseURL: %q, CallbackPath: %q, Scopes: %q, SessionCookieName: %q, FlowCookiePrefix: %q, FlowMaxAge: %s, CookieKeys: %s, Storage: %v, InsecureCookies: %t, DefaultReturnPath: %q, PostLogoutRedirect: %q}",
		c.BaseURL, c.CallbackPath, c.Scopes, c.SessionCookieName, c.FlowCookiePrefix, c.FlowMaxAge, markKeys(c.CookieKeys), c.Storage, c.InsecureCookies, c.DefaultReturnPath, c.PostLogoutRedirect)
}

// markKeys describes a key list by its length only.
func markKeys(keys [][]byte) string {
	if len(keys) == 0 {
		return "[]"
	}
	return fmt.Sprintf("%d keys %s", len(keys), redact.Redacted)
}

// Format writes [WebConfig.String] for every verb (%q quotes it), so that no
// verb prints the cookie keys.
func (c WebConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes the configuration to log/slog without the flow cookie
// key.
func (c WebConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("callback_path", c.CallbackPath),
		slog.Any("scopes", c.Scopes),
		slog.String("session_cookie_name", c.SessionCookieName),
		slog.String("cookie_keys", markKeys(c.CookieKeys)),
		slog.Bool("insecure_cookies", c.InsecureCookies),
	)
}

// String describes the flow by its client and callback path.
func (wf *WebFlow) String() string {
	if wf == nil {
		return "fiefhttp.WebFlow(nil)"
	}
	return fmt.Sprintf("fiefhttp.WebFlow{Client: %s, BaseURL: %q, CallbackPath: %q, Storage: %v, CookieKeys: %s}", wf.client, wf.baseURL, wf.callbackPath, wf.storage, redact.Redacted)
}

// Format writes [WebFlow.String] for every verb (%q quotes it), so that no
// verb prints the cookie keys.
func (wf *WebFlow) Format(f fmt.State, verb rune) { redact.Format(f, verb, wf.String()) }

// LogValue describes the flow to log/slog without the flow cookie key.
func (wf *WebFlow) LogValue() slog.Value { return slog.StringValue(wf.String()) }

// String describes the middleware by its Fief client.
func (a *Auth) String() string {
	if a == nil {
		return "fiefhttp.Auth(nil)"
	}
	return fmt.Sprintf("fiefhttp.Auth{Client: %s}", a.client)
}

// Format writes [Auth.String] for every verb (%q quotes it), so that no
// verb prints the secrets of the Fief client it holds.
func (a *Auth) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String()) }

// LogValue describes the middleware to log/slog by its Fief client.
func (a *Auth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// String describes the store by its number of values: its keys hold
// session IDs, which are credentials.
func (s *MemorySessionStore) String() string {
	if s == nil {
		return "fiefhttp.MemorySessionStore(nil)"
	}
	return fmt.Sprintf("fiefhttp.MemorySessionStore{Values: %d, MaxEntries: %d, MaxPerUser: %d}", s.len(), s.max, s.perUser)
}

// Format writes [MemorySessionStore.String] for every verb (%q quotes it),
// so that no verb prints a session ID.
func (s *MemorySessionStore) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue describes the store to log/slog without its keys.
func (s *MemorySessionStore) LogValue() slog.Value { return slog.StringValue(s.String()) }
