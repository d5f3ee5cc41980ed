package fief

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// remembered reports whether the client skips go-jose's parse for the
// protected header of token.
func remembered(c *Client, token string) bool {
	_, ok := c.headers.lookup(token[:strings.IndexByte(token, '.')])
	return ok
}

func TestHeaderMemoRemembersOnlyVerifiedHeaders(t *testing.T) {
	ft := newFzTenant(t)
	c := ft.client(t, nil, false)
	ctx := context.Background()
	hdr := []byte(`{"alg":"RS256","kid":"k0"}`)
	claims := claimsAt(fzNow.Unix())

	// A token under the tenant's header but another key: refused, and its
	// header is not remembered.
	forged := fzSignRaw(ft.other, hdr, fzJSON(t, claims))
	if _, err := c.ValidateAccessToken(ctx, forged, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a foreign key: err = %v, want ErrInvalidToken", err)
	}
	if remembered(c, forged) {
		t.Fatal("the header of a token no tenant key verified is remembered")
	}

	good := fzSignRaw(ft.sig, hdr, fzJSON(t, claims))
	if _, err := c.ValidateAccessToken(ctx, good, Requirements{}); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	if !remembered(c, good) {
		t.Fatal("the header of a verified token is not remembered")
	}

	// Under the remembered header: the foreign key's token is still
	// refused, a token with another payload under good's signature too, and
	// another valid token is read from its own claims.
	if _, err := c.ValidateAccessToken(ctx, forged, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a foreign key, header remembered: err = %v, want ErrInvalidToken", err)
	}
	other := claimsAt(fzNow.Unix())
	other["sub"] = "00000000-0000-4000-8000-000000000001"
	other["permissions"] = []string{"castles:write"}
	otherToken := fzSignRaw(ft.sig, hdr, fzJSON(t, other))
	swapped := otherToken[:strings.LastIndexByte(otherToken, '.')] + good[strings.LastIndexByte(good, '.'):]
	if _, err := c.ValidateAccessToken(ctx, swapped, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("another payload under a valid signature: err = %v, want ErrInvalidToken", err)
	}
	info, err := c.ValidateAccessToken(ctx, otherToken, Requirements{Permissions: []string{"castles:write"}})
	if err != nil {
		t.Fatalf("second valid token: %v", err)
	}
	if info.ID != "00000000-0000-4000-8000-000000000001" {
		t.Fatalf("ID = %q, want the second token's sub", info.ID)
	}
}

func TestHeaderMemoNoKID(t *testing.T) {
	ft := newFzTenant(t)
	c := ft.client(t, nil, false)
	ctx := context.Background()
	hdr := []byte(`{"alg":"RS256"}`)
	good := fzSignRaw(ft.sig, hdr, fzJSON(t, claimsAt(fzNow.Unix())))
	for i := range 2 { // the second time from the memo
		if _, err := c.ValidateAccessToken(ctx, good, Requirements{}); err != nil {
			t.Fatalf("run %d: token without kid: %v", i, err)
		}
		if !remembered(c, good) {
			t.Fatalf("run %d: header not remembered", i)
		}
		c.tokens = nil // no verified-token cache: verify again
	}
	forged := fzSignRaw(ft.other, hdr, fzJSON(t, claimsAt(fzNow.Unix())))
	if _, err := c.ValidateAccessToken(ctx, forged, Requirements{}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token without kid of a foreign key, header remembered: err = %v, want ErrInvalidToken", err)
	}
}

func TestHeaderMemoBounded(t *testing.T) {
	var m headerMemo
	for i := range 3 * maxMemoHeaders {
		m.remember(fmt.Sprintf("header-%d", i), fmt.Sprintf("kid-%d", i))
		if n := len(*m.kids.Load()); n > maxMemoHeaders {
			t.Fatalf("%d headers remembered, the bound is %d", n, maxMemoHeaders)
		}
		if kid, ok := m.lookup(fmt.Sprintf("header-%d", i)); !ok || kid != fmt.Sprintf("kid-%d", i) {
			t.Fatalf("the header just remembered is not found: %q, %v", kid, ok)
		}
	}
}

// FuzzHeaderMemo compares verifySignature, once the tenant's headers are
// remembered, with go-jose's own parse and verification of the same string:
// both must accept the same tokens and return the same payload, except that
// a protected header with a "b64" or "crit" member (RFC 7797, which go-jose
// implements) is refused. The RFC 7797 seeds are validated once before
// fuzzing, so that a client remembering their headers would be caught.
func FuzzHeaderMemo(f *testing.F) {
	ft := newFzTenant(f)
	seeds := ft.accessSeeds(f)
	for _, s := range seeds {
		f.Add(s)
	}
	rfc7797 := ft.rfc7797Seeds(f, claimsAt(fzNow.Unix()))
	for _, s := range rfc7797 {
		f.Add(s)
	}
	c := ft.client(f, nil, false)
	ctx := context.Background()
	for _, s := range seeds[:2] { // with kid k0, without kid
		if _, err := c.ValidateAccessToken(ctx, s, Requirements{}); err != nil {
			f.Fatalf("seed: %v", err)
		}
		if !remembered(c, s) {
			f.Fatal("seed header not remembered")
		}
	}
	for _, s := range rfc7797 {
		c.ValidateAccessToken(ctx, s, Requirements{}) // refused; remembered it would be a defect
	}
	key := &ft.sig.priv.PublicKey
	f.Fuzz(func(t *testing.T, token string) {
		var want []byte
		wantOK := false
		if len(token) <= MaxTokenSize && checkCompact(token) == nil {
			if jws, err := jose.ParseSignedCompact(token, allowedAlgs); err == nil {
				kid := jws.Signatures[0].Protected.KeyID
				if (kid == "" || kid == "k0") && !hasRFC7797Member(token) {
					want, err = jws.Verify(key)
					wantOK = err == nil
				}
			}
		}
		got, _, err := c.verifySignature(ctx, token, invalid)
		if (err == nil) != wantOK {
			t.Fatalf("verifySignature err = %v, go-jose accepts: %v", err, wantOK)
		}
		if err != nil && !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("refusal is not ErrInvalidToken: %v", err)
		}
		if wantOK && !bytes.Equal(got, want) {
			t.Fatalf("payload %q, go-jose's %q", got, want)
		}
	})
}

// hasRFC7797Member reports whether the protected header of token, which
// go-jose parsed, has a "b64" or "crit" member, whatever its value.
func hasRFC7797Member(token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil {
		return false
	}
	var members map[string]any
	if json.Unmarshal(raw, &members) != nil {
		return false
	}
	_, b64 := members["b64"]
	_, crit := members["crit"]
	return b64 || crit
}
