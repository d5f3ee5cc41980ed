package fief

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// AccessTokenInfo is what a valid access token says. Its JSON form has the
// keys of the official Python client: id, scope, acr, permissions,
// access_token.
type AccessTokenInfo struct {
	// ID is the user's ID (the sub claim), a lowercase UUID.
	ID string `json:"id"`
	// Scope lists the granted scopes.
	Scope []string `json:"scope"`
	// ACR is the authentication level of the sign-in that issued the token.
	ACR ACR `json:"acr"`
	// Permissions lists the user's permission codenames.
	Permissions []string `json:"permissions"`
	// AccessToken is the raw token.
	AccessToken string `json:"access_token"`
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time `json:"-"`
	// IssuedAt is the token's iat, the zero time when it has none.
	IssuedAt time.Time `json:"-"`
}

// HasScope reports whether scope was granted.
func (i AccessTokenInfo) HasScope(scope string) bool { return slices.Contains(i.Scope, scope) }

// HasPermission reports whether the user has permission.
func (i AccessTokenInfo) HasPermission(p string) bool { return slices.Contains(i.Permissions, p) }

// String describes the token without revealing it.
func (i AccessTokenInfo) String() string {
	return fmt.Sprintf("AccessTokenInfo{ID: %s, Scope: %v, ACR: %s, Permissions: %v, AccessToken: [redacted]}", i.ID, i.Scope, i.ACR, i.Permissions)
}

// clone returns a copy whose slices the caller may modify, in a single
// allocation (Scope and Permissions share one backing array, each capped so
// that an append to one cannot overwrite the other).
func (i AccessTokenInfo) clone() AccessTokenInfo {
	ns, np := len(i.Scope), len(i.Permissions)
	buf := make([]string, ns+np)
	copy(buf, i.Scope)
	copy(buf[ns:], i.Permissions)
	i.Scope = buf[:ns:ns]
	i.Permissions = buf[ns : ns+np : ns+np]
	return i
}

// Requirements are what a route asks of a valid access token. The zero
// value asks nothing.
type Requirements struct {
	// Scopes must all be granted.
	Scopes []string
	// ACR is the minimum level; "" means any.
	ACR ACR
	// Permissions must all be held.
	Permissions []string
}

// check returns an ErrForbidden cause when info lacks a requirement.
func (r Requirements) check(info *AccessTokenInfo) error {
	for _, s := range r.Scopes {
		if !slices.Contains(info.Scope, s) {
			return &ScopeError{Required: slices.Clone(r.Scopes), Missing: s}
		}
	}
	if r.ACR != "" {
		if !r.ACR.Valid() {
			return fmt.Errorf("fief: invalid required ACR %q", string(r.ACR))
		}
		if !info.ACR.AtLeast(r.ACR) {
			return fmt.Errorf("%w: %q, need %q", ErrACRTooLow, string(info.ACR), string(r.ACR))
		}
	}
	for _, p := range r.Permissions {
		if !slices.Contains(info.Permissions, p) {
			return fmt.Errorf("%w: %q", ErrMissingPermission, p)
		}
	}
	return nil
}

// ValidateAccessToken checks an access token and the route's requirements,
// and returns what the token says.
//
// The checks, in order: size (at most [MaxTokenSize]); compact JWS with the
// RS256 algorithm only; signature against the tenant's key set (the key of
// the token's kid, fetched again if unknown; every signing key when there is
// no kid); iss equal to the discovery document's issuer; exp present and not
// past, nbf not ahead (both with the configured leeway); sub a UUID; acr "0"
// or "1"; scope a string and permissions a list of strings; aud when
// [Config.AccessTokenAudiences] is set; the user's revocation when
// [Config.Revocations] is set; then req.
//
// Errors: [ErrInvalidToken] (with [ErrTokenExpired] for an expired token,
// [ErrTokenRevoked] for a token of a revoked user issued before the
// revocation), [ErrForbidden] (with [ErrMissingScope], as a [*ScopeError],
// [ErrACRTooLow] or
// [ErrMissingPermission]) when the token is valid but lacks a requirement, and
// [ErrUnavailable] when Fief cannot be reached to get the keys.
//
// A token seen before, still valid, is served from the verified-token cache
// (see [Config.TokenCacheSize]); the requirements are checked every time. The
// returned value is the caller's own: modifying its slices affects nothing
// else.
func (c *Client) ValidateAccessToken(ctx context.Context, token string, req Requirements) (AccessTokenInfo, error) {
	if len(token) > MaxTokenSize {
		return AccessTokenInfo{}, invalid("token of %d bytes exceeds the %d-byte limit", len(token), MaxTokenSize)
	}
	now := c.s.clock()
	if c.tokens != nil {
		// A cached token counts on its key: past the key set's maximum age,
		// the set is fetched again first, and the entries of keys it
		// dropped go with them.
		if err := c.keys.ensureFresh(ctx, now); err != nil {
			return AccessTokenInfo{}, err
		}
		if e, ok := c.tokens.get(token, now, c.s.leeway); ok {
			if err := c.checkRevoked(&e.info); err != nil {
				c.tokens.drop(token)
				return AccessTokenInfo{}, err
			}
			if err := req.check(&e.info); err != nil {
				return AccessTokenInfo{}, err
			}
			return e.info.clone(), nil
		}
	}
	payload, key, err := c.verifySignature(ctx, token, invalid)
	if err != nil {
		return AccessTokenInfo{}, err
	}
	doc, err := c.discovery(ctx)
	if err != nil {
		return AccessTokenInfo{}, err
	}
	info, err := c.checkAccessClaims(payload, doc.issuer, now)
	if err != nil {
		return AccessTokenInfo{}, err
	}
	if err := c.checkRevoked(&info); err != nil {
		return AccessTokenInfo{}, err
	}
	info.AccessToken = token
	if c.tokens != nil {
		c.tokens.put(token, &cachedToken{info: info, key: key}, now, c.s.leeway)
		info = info.clone() // the cache's entry keeps the original slices
	}
	if err := req.check(&info); err != nil {
		return AccessTokenInfo{}, err
	}
	return info, nil
}

// checkRevoked refuses a token that [Config.Revocations] refuses: of a
// revoked user issued before the revocation, of a blocked user, or carrying
// a revoked permission.
func (c *Client) checkRevoked(info *AccessTokenInfo) error {
	if c.s.revocations == nil {
		return nil
	}
	rv, refused := c.s.revocations.Refuses(info.ID, info.IssuedAt, info.Permissions)
	if !refused {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrTokenRevoked, rv.reason(info.ID))
}
