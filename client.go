package fief

import (
	"net/url"
	"time"
)

// Client talks to one Fief tenant as one Fief client. Make it with [New]; it
// is safe for concurrent use, and its caches (discovery, keys, verified
// tokens) live as long as it does, so make one per process and share it.
type Client struct {
	s       *settings
	disc    discoveryCache
	keys    *keySet
	headers headerMemo  // protected headers go-jose accepted
	rsaKeys montRSAKeys // keys of more than 2048 bits, prepared for Montgomery multiplication
	tokens  *tokenCache // nil when turned off
}

// New validates cfg and returns a [Client]. It does no network I/O: the
// discovery document and the key set are fetched on first use. Errors are
// of type [*ConfigError].
func New(cfg Config) (*Client, error) {
	s, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{s: s}
	if s.cacheSize > 0 {
		c.tokens = newTokenCache(s.cacheSize)
		if s.revocations != nil {
			// The revoked tokens leave the cache at once, not at their next use.
			tokens, rev := c.tokens, s.revocations
			rev.OnRevoke(func(Revocation) { tokens.dropRefused(rev) })
		}
	}
	c.keys = newKeySet(c)
	return c, nil
}

// ClientID returns the configured client ID.
func (c *Client) ClientID() string { return c.s.clientID }

// BaseURL returns the tenant's public base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.s.publicBase.String() }

// Revocations returns [Config.Revocations], nil when unset: what a session
// store checks a session's sign-in time with ([Revocations.Refuses]), or
// subscribes to ([Revocations.OnRevoke]), to end a revoked user's sessions.
func (c *Client) Revocations() *Revocations { return c.s.revocations }

// Now returns the current time of the client's clock.
func (c *Client) Now() time.Time { return c.s.clock() }

// backURL returns the back-channel URL of an absolute path of the server.
func (c *Client) backURL(path string) string {
	u := url.URL{Scheme: c.s.internalBase.Scheme, Host: c.s.internalBase.Host, Path: path}
	return u.String()
}
