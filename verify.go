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
//
// go-jose parses every protected header the client has not seen before; a
// header it accepted before is not parsed again (see headerMemo).
func (c *Client) verifySignature(ctx context.Context, token string, bad func(string, ...any) error) ([]byte, *rsa.PublicKey, error) {
	if err := checkCompact(token); err != nil {
		return nil, nil, bad("%w", err)
	}
	header, signingInput, signature := splitCompact(token)
	if kid, ok := c.headers.lookup(header); ok {
		return c.verifyRemembered(ctx, kid, token[len(header)+1:len(signingInput)], signingInput, signature, bad)
	}
	jws, err := jose.ParseSignedCompact(token, allowedAlgs)
	if err != nil {
		return nil, nil, bad("%w", err)
	}
	if err := checkProtectedHeader(header); err != nil {
		return nil, nil, bad("%w", err)
	}
	kid := jws.Signatures[0].Protected.KeyID
	keys, err := c.keysFor(ctx, kid, bad)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range keys {
		if payload, err := jws.Verify(key); err == nil {
			c.headers.remember(header, kid)
			return payload, key, nil
		}
	}
	return nil, nil, badSignature(kid, bad)
}

// verifyRemembered verifies a token whose protected header go-jose accepted
// before, naming kid: the same checks as go-jose's, without its re-parse.
// The signature is checked by c.rsaKeys: by Montgomery multiplication for a key of more than
// 2048 bits, by crypto/rsa otherwise (see rsaverify.go).
func (c *Client) verifyRemembered(ctx context.Context, kid, payloadSegment, signingInput, signatureSegment string, bad func(string, ...any) error) ([]byte, *rsa.PublicKey, error) {
	payload, err := decodeSegment(payloadSegment)
	if err != nil {
		return nil, nil, bad("payload: %w", err)
	}
	sig, err := decodeSegment(signatureSegment)
	if err != nil {
		return nil, nil, bad("signature: %w", err)
	}
	keys, err := c.keysFor(ctx, kid, bad)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range keys {
		if c.rsaKeys.verifyRS256(key, signingInput, sig) == nil {
			return payload, key, nil
		}
	}
	return nil, nil, badSignature(kid, bad)
}

// keysFor returns the keys that may have signed a token naming kid: the key
// of that kid, or every signing key when kid is empty.
func (c *Client) keysFor(ctx context.Context, kid string, bad func(string, ...any) error) ([]*rsa.PublicKey, error) {
	if kid == "" {
		return c.keys.candidates(ctx)
	}
	key, err := c.keys.key(ctx, kid)
	if errors.Is(err, errUnknownKID) {
		return nil, bad("%w", err)
	}
	if err != nil {
		return nil, err
	}
	return []*rsa.PublicKey{key}, nil
}

// badSignature is the error of a token no candidate key verifies.
func badSignature(kid string, bad func(string, ...any) error) error {
	if kid == "" {
		return bad("signature: no key of the set verifies this token (it has no kid)")
	}
	return bad("signature: the key %q does not verify this token", kid)
}
