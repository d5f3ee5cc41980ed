package fieftest

import (
	"fmt"
	"slices"
	"time"
)

// TokenOptions are the options of [Tenant.MintAccessToken]. The zero value
// mints a token like one from a code exchange with scope "openid".
type TokenOptions struct {
	// ClientID is the aud and azp of the token. Empty means the tenant's
	// first client, or "fieftest" if it has none.
	ClientID string
	// Scopes is the token's scope; nil means ["openid"].
	Scopes []string
	// Permissions is the permissions claim. nil means the user's
	// permissions; a non-nil empty slice means none.
	Permissions []string
	// ACR is the acr claim, "0" (the default) or "1".
	ACR string
	// Lifetime is exp-iat; zero means 24h. A negative lifetime gives a token
	// that is already expired.
	Lifetime time.Duration
}

// MintAccessToken returns an access token for the tenant's user with ID
// userID, signed with the tenant's key, as /api/token would issue it, with
// iat and auth_time the server's current time ([Server.Now]). It panics if
// the tenant has no such user.
func (t *Tenant) MintAccessToken(userID string, o TokenOptions) string {
	p := t.mintParams(userID, o)
	return p.accessToken()
}

// MintIDToken returns an ID token for the user, like the one /api/token
// issues alongside an access token minted with the same options (without
// at_hash, c_hash and nonce), encrypted if the client has an encryption key.
// It panics if the tenant has no such user.
func (t *Tenant) MintIDToken(userID string, o TokenOptions) string {
	p := t.mintParams(userID, o)
	return p.idToken("")
}

func (t *Tenant) mintParams(userID string, o TokenOptions) *grantParams {
	key := t.currentKey()
	s := t.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := t.users[userID]
	if !ok {
		panic(fmt.Sprintf("fieftest: no user %q in tenant %q", userID, t.slug))
	}
	now := s.nowLocked()
	p := &grantParams{
		key:         key,
		issuer:      t.issuerLocked(),
		clientID:    o.ClientID,
		userID:      u.ID,
		userClaims:  u.claimsLocked(),
		scope:       o.Scopes,
		permissions: slices.Clone(o.Permissions),
		acr:         o.ACR,
		authTime:    now,
		iat:         now,
		lifetime:    o.Lifetime,
	}
	if p.clientID == "" {
		p.clientID = "fieftest"
		if len(t.clientList) > 0 {
			p.clientID = t.clientList[0].ClientID
		}
	}
	if c, ok := t.clients[p.clientID]; ok {
		p.encKey = c.encryptionKeyLocked()
	}
	if p.scope == nil {
		p.scope = []string{"openid"}
	}
	if o.Permissions == nil {
		p.permissions = u.permissionCodenamesLocked()
	}
	if p.acr == "" {
		p.acr = "0"
	}
	if p.lifetime == 0 {
		p.lifetime = 24 * time.Hour
	}
	return p
}
