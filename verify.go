package fief

import (
	"context"
	"crypto/rsa"
	"errors"

	"github.com/go-jose/go-jose/v4"
)

// allowedAlgs is the algorithm allow-list of every token: Fief signs with
// RS256 only.
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256}

// verifySignature parses a compact RS256 JWS and verifies it against the
// tenant's keys: the key of its kid, or, without kid, each signing key in
// turn (as jwcrypto, and so Fief's Python client, accept). It returns the
// verified payload and the key that verified it. bad makes the error of a
// token that is not acceptable (an access token's or an ID token's);
// failures to get the keys are ErrUnavailable.
func (c *Client) verifySignature(ctx context.Context, token string, bad func(string, ...any) error) ([]byte, *rsa.PublicKey, error) {
	if err := checkCompact(token); err != nil {
		return nil, nil, bad("%w", err)
	}
	jws, err := jose.ParseSignedCompact(token, allowedAlgs)
	if err != nil {
		return nil, nil, bad("%w", err)
	}
	kid := jws.Signatures[0].Protected.KeyID
	if kid != "" {
		key, err := c.keys.key(ctx, kid)
		if errors.Is(err, errUnknownKID) {
			return nil, nil, bad("%w", err)
		}
		if err != nil {
			return nil, nil, err
		}
		payload, err := jws.Verify(key)
		if err != nil {
			return nil, nil, bad("signature: %w", err)
		}
		return payload, key, nil
	}
	keys, err := c.keys.candidates(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range keys {
		if payload, err := jws.Verify(key); err == nil {
			return payload, key, nil
		}
	}
	return nil, nil, bad("signature: no key of the set verifies this token (it has no kid)")
}
