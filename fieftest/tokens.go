package fieftest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// accessClaims are exactly the claims of a Fief access token.
type accessClaims struct {
	Iss         string   `json:"iss"`
	Sub         string   `json:"sub"`
	Aud         []string `json:"aud"`
	Exp         int64    `json:"exp"`
	Iat         int64    `json:"iat"`
	AuthTime    int64    `json:"auth_time"`
	Acr         string   `json:"acr"`
	Azp         string   `json:"azp"`
	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
}

// grantParams are the inputs of the tokens of one grant.
type grantParams struct {
	key         *signingKey
	issuer      string
	clientID    string
	encKey      *Client // non-nil when the ID token is encrypted
	userID      string
	userClaims  map[string]any
	scope       []string
	permissions []string
	acr         string
	authTime    time.Time
	iat         time.Time
	lifetime    time.Duration
	nonce       *string
	cHash       string
}

// signJWS signs payload with RS256 under header {"alg":"RS256","kid":...}.
func signJWS(k *signingKey, payload []byte) string {
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: k.priv, KeyID: k.kid},
	}, nil)
	if err != nil {
		panic(fmt.Sprintf("fieftest: creating signer: %v", err))
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		panic(fmt.Sprintf("fieftest: signing: %v", err))
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		panic(fmt.Sprintf("fieftest: serializing: %v", err))
	}
	return s
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fieftest: encoding claims: %v", err))
	}
	return b
}

// accessToken returns the signed access token of the grant.
func (p *grantParams) accessToken() string {
	perms := p.permissions
	if perms == nil {
		perms = []string{}
	}
	return signJWS(p.key, mustJSON(accessClaims{
		Iss:         p.issuer,
		Sub:         p.userID,
		Aud:         []string{p.clientID},
		Exp:         p.iat.Add(p.lifetime).Unix(),
		Iat:         p.iat.Unix(),
		AuthTime:    p.authTime.Unix(),
		Acr:         p.acr,
		Azp:         p.clientID,
		Scope:       strings.Join(p.scope, " "),
		Permissions: perms,
	}))
}

// idToken returns the ID token of the grant, signed and, if the client has
// an encryption key, encrypted. accessToken is "" when none is issued
// alongside.
func (p *grantParams) idToken(accessToken string) string {
	c := p.userClaims
	c["iss"] = p.issuer
	c["aud"] = []string{p.clientID}
	c["exp"] = p.iat.Add(p.lifetime).Unix()
	c["iat"] = p.iat.Unix()
	c["auth_time"] = p.authTime.Unix()
	c["acr"] = p.acr
	c["azp"] = p.clientID
	if p.nonce != nil {
		c["nonce"] = *p.nonce
	}
	if p.cHash != "" {
		c["c_hash"] = p.cHash
	}
	if accessToken != "" {
		c["at_hash"] = halfHash(accessToken)
	}
	jws := signJWS(p.key, mustJSON(c))
	if p.encKey == nil {
		return jws
	}
	return encryptJWE(p.encKey, jws)
}

// encryptJWE wraps jws in a compact JWE for the client: RSA-OAEP-256,
// A256CBC-HS512, header kid = the client key's kid, no cty.
func encryptJWE(c *Client, jws string) string {
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{
		Algorithm: jose.RSA_OAEP_256,
		Key:       c.encKey,
		KeyID:     c.encKID,
	}, nil)
	if err != nil {
		panic(fmt.Sprintf("fieftest: creating encrypter: %v", err))
	}
	obj, err := enc.Encrypt([]byte(jws))
	if err != nil {
		panic(fmt.Sprintf("fieftest: encrypting: %v", err))
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		panic(fmt.Sprintf("fieftest: serializing: %v", err))
	}
	return s
}

// halfHash is the c_hash / at_hash of a value: the left half of its
// SHA-256, base64url without padding.
func halfHash(v string) string {
	h := sha256.Sum256([]byte(v))
	return b64(h[:16])
}

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
			p.clientID = t.clientList[0].ID
		}
	}
	if c, ok := t.clients[p.clientID]; ok && c.encKey != nil {
		p.encKey = c
	}
	if p.scope == nil {
		p.scope = []string{"openid"}
	}
	if o.Permissions == nil {
		p.permissions = slices.Clone(u.permissions)
	}
	if p.acr == "" {
		p.acr = "0"
	}
	if p.lifetime == 0 {
		p.lifetime = 24 * time.Hour
	}
	return p
}
