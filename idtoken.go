package fief

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// idTokenCheck is what an ID token must match besides its signature.
type idTokenCheck struct {
	code        string // the authorization code, "" for a refresh
	accessToken string // the access token issued with it
	nonce       string // the nonce sent to /authorize, "" if none
}

type idClaims struct {
	registeredClaims
	CHash  *string `json:"c_hash"`
	ATHash *string `json:"at_hash"`
	Nonce  *string `json:"nonce"`
}

// verifyIDToken decrypts (when the client has an encryption key) and
// verifies an ID token, and returns its claims. Every failure but the
// unavailability of the keys is an ErrInvalidIDToken.
func (c *Client) verifyIDToken(ctx context.Context, raw string, want idTokenCheck) (UserInfo, error) {
	if len(raw) > 4*MaxTokenSize {
		return nil, invalidID("token of %d bytes exceeds the limit", len(raw))
	}
	signed, err := c.decryptIDToken(raw)
	if err != nil {
		return nil, err
	}
	payload, _, err := c.verifySignature(ctx, signed, invalidID)
	if err != nil {
		return nil, err
	}
	doc, err := c.discovery(ctx)
	if err != nil {
		return nil, err
	}
	var cl idClaims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return nil, invalidID("claims: %w", err)
	}
	if err := cl.check(doc.issuer, c.s.clock(), c.s.leeway, invalidID, ErrInvalidIDToken); err != nil {
		return nil, err
	}
	if !slices.Contains(cl.Aud, c.s.clientID) {
		return nil, invalidID("aud %q does not hold the client ID", []string(cl.Aud))
	}
	if err := checkHash("c_hash", cl.CHash, want.code); err != nil {
		return nil, err
	}
	if err := checkHash("at_hash", cl.ATHash, want.accessToken); err != nil {
		return nil, err
	}
	if want.nonce != "" && (cl.Nonce == nil || subtle.ConstantTimeCompare([]byte(*cl.Nonce), []byte(want.nonce)) != 1) {
		return nil, invalidID("nonce does not match the one sent")
	}
	var info UserInfo
	if err := json.Unmarshal(payload, &info); err != nil {
		return nil, invalidID("claims: %w", err)
	}
	return info, nil
}

// decryptIDToken returns the signed token inside an encrypted one. With an
// encryption key configured the ID token must be a JWE (RSA-OAEP-256 /
// A256CBC-HS512, as Fief makes them); without one it must not be.
func (c *Client) decryptIDToken(raw string) (string, error) {
	encrypted := strings.Count(raw, ".") == 4
	switch {
	case c.s.encKey == nil && encrypted:
		return "", fmt.Errorf("%w: Fief encrypts this client's ID tokens but no EncryptionKey is configured: "+
			"set Config.EncryptionKey (FIEF_ENCRYPTION_KEY) to the client's private encryption key, "+
			"or remove the client's encryption key in Fief", ErrEncryptionMismatch)
	case c.s.encKey == nil:
		return raw, nil
	case !encrypted:
		return "", fmt.Errorf("%w: an EncryptionKey is configured but Fief does not encrypt this client's ID tokens: "+
			"remove Config.EncryptionKey (FIEF_ENCRYPTION_KEY), or give the client an encryption key in Fief", ErrEncryptionMismatch)
	}
	jwe, err := jose.ParseEncryptedCompact(raw, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256CBC_HS512})
	if err != nil {
		return "", invalidID("%w", err)
	}
	plain, err := jwe.Decrypt(c.s.encKey.Key)
	if err != nil {
		return "", invalidID("decryption: %w", err)
	}
	return string(plain), nil
}

// checkHash checks a c_hash or at_hash claim: when present, the value it
// hashes must be known and match.
func checkHash(name string, claim *string, value string) error {
	if claim == nil {
		return nil
	}
	if value == "" {
		return invalidID("%s is present but there is nothing to check it against", name)
	}
	if subtle.ConstantTimeCompare([]byte(*claim), []byte(validationHash(value))) != 1 {
		return invalidID("%s does not match", name)
	}
	return nil
}
