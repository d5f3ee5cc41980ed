package fieftest

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
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
	encKey      *encryptionKey // non-nil when the ID token is encrypted
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

// encryptionKey is a client's public encryption key, copied out of the
// client under the lock.
type encryptionKey struct {
	key *rsa.PublicKey
	kid string
}

// encryptionKeyLocked returns the client's encryption key, nil if none.
func (c *Client) encryptionKeyLocked() *encryptionKey {
	if c.encKey == nil {
		return nil
	}
	return &encryptionKey{c.encKey, c.encKID}
}

// encryptJWE wraps jws in a compact JWE for the client: RSA-OAEP-256,
// A256CBC-HS512, header kid = the client key's kid, no cty.
func encryptJWE(k *encryptionKey, jws string) string {
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{
		Algorithm: jose.RSA_OAEP_256,
		Key:       k.key,
		KeyID:     k.kid,
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
