package fief

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"
)

// fzSignUnencoded signs header and payload as RFC 7797 does when the header
// says "b64": false, over the payload's own bytes, not their base64url, and
// puts the payload in the token as segment (go-jose decodes the compact
// form's payload segment, then verifies over the decoded bytes).
func fzSignUnencoded(k testKey, header, payload []byte, segment string) string {
	input := fzB64(header) + "." + string(payload)
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return fzB64(header) + "." + segment + "." + fzB64(sig)
}

// rfc7797Seeds are tokens whose protected header has "b64" or "crit", signed
// by the tenant's key k0, for access tokens (claims) or ID tokens.
func (ft *fzTenant) rfc7797Seeds(tb testing.TB, claims map[string]any) map[string]string {
	payload := fzJSON(tb, claims)
	encoded := fzB64(payload)
	return map[string]string{
		// go-jose accepts these three (signed over the decoded payload); the
		// header memo, had it remembered their header, would not (it
		// verifies over the token's own bytes).
		"b64 false, crit b64":    fzSignUnencoded(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":false,"crit":["b64"]}`), payload, encoded),
		"b64 false without crit": fzSignUnencoded(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":false}`), payload, encoded),
		"b64 false, no kid":      fzSignUnencoded(ft.sig, []byte(`{"alg":"RS256","b64":false,"crit":["b64"]}`), payload, encoded),
		// A payload segment of base64url characters signed as it is.
		"b64 false, segment signed": fzSignUnencoded(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":false}`), []byte(encoded), encoded),
		"b64 true, crit b64":        fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":true,"crit":["b64"]}`), payload),
		"b64 true without crit":     fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":true}`), payload),
		"b64 null":                  fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":null}`), payload),
		"crit null":                 fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","crit":null}`), payload),
		"crit empty":                fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","crit":[]}`), payload),
		"b64 escaped name":          fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","\u0062\u0036\u0034":true}`), payload),
		"b64 false, signed encoded": fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0","b64":false}`), payload),
	}
}

// TestJWSHeaderB64OrCritRefused: a protected header with "b64" or "crit" is
// refused, for access and ID tokens, the first time and every time after
// (it is never remembered). Before, an RFC 7797 token ("b64": false) signed
// over its decoded claims was accepted by go-jose the first time, its header
// remembered, and refused the second time by the memo, which verifies over
// the token's bytes: the two paths disagreed.
func TestJWSHeaderB64OrCritRefused(t *testing.T) {
	ft := newFzTenant(t)
	ctx := context.Background()
	for name, token := range ft.rfc7797Seeds(t, claimsAt(fzNow.Unix())) {
		t.Run("access token/"+name, func(t *testing.T) {
			c := ft.client(t, nil, false)
			c.tokens = nil // every call verifies
			for i := range 3 {
				if _, err := c.ValidateAccessToken(ctx, token, Requirements{}); !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("call %d: err = %v, want ErrInvalidToken", i, err)
				}
			}
			if remembered(c, token) {
				t.Fatal("the header is remembered")
			}
		})
	}
	idClaims := claimsAt(fzNow.Unix())
	idClaims["aud"] = []string{"client"}
	for name, token := range ft.rfc7797Seeds(t, idClaims) {
		t.Run("ID token/"+name, func(t *testing.T) {
			c := ft.client(t, nil, false)
			for i := range 3 {
				if _, err := c.verifyIDToken(ctx, token, idTokenCheck{}); !errors.Is(err, ErrInvalidIDToken) {
					t.Fatalf("call %d: err = %v, want ErrInvalidIDToken", i, err)
				}
			}
			if remembered(c, token) {
				t.Fatal("the header is remembered")
			}
		})
	}
	// The same claims under Fief's own header are accepted: the refusal is
	// the header's.
	c := ft.client(t, nil, false)
	good := fzSignRaw(ft.sig, []byte(`{"alg":"RS256","kid":"k0"}`), fzJSON(t, idClaims))
	if _, err := c.verifyIDToken(ctx, good, idTokenCheck{}); err != nil {
		t.Fatalf("ID token under Fief's header: %v", err)
	}
	if _, err := c.ValidateAccessToken(ctx, good, Requirements{}); err != nil {
		t.Fatalf("access token under Fief's header: %v", err)
	}
}
