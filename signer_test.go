package fief

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// testKey is an RSA signing key of a test tenant.
type testKey struct {
	kid  string
	priv *rsa.PrivateKey
}

var (
	testKeysOnce sync.Once
	testKeys     []*rsa.PrivateKey
)

// newTestKey returns one of a few 2048-bit keys generated once per test
// binary (generation is slow), under the given kid.
func newTestKey(t testing.TB, i int, kid string) testKey {
	t.Helper()
	testKeysOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys = append(testKeys, k)
		}
	})
	return testKey{kid: kid, priv: testKeys[i]}
}

// jwksOf returns the public key set of keys, as Fief serves it.
func jwksOf(t testing.TB, keys ...testKey) []byte {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign makes a compact RS256 JWS of claims with k (no kid header when k.kid
// is empty).
func sign(t testing.TB, k testKey, claims any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if k.kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), k.kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const testIssuer = "https://fief.test"

// claimsAt returns valid access token claims issued at unix time iat.
func claimsAt(iat int64) map[string]any {
	return map[string]any{
		"iss":         testIssuer,
		"sub":         "aeeb8bfa-e8f4-4724-9427-c3d5af66190e",
		"aud":         []string{"client"},
		"azp":         "client",
		"iat":         iat,
		"auth_time":   iat,
		"exp":         iat + 3600,
		"acr":         "1",
		"scope":       "openid offline_access",
		"permissions": []string{"castles:read"},
	}
}

// claimsWith returns claimsAt(iat) with claim k set to v, or without it
// when v is nil.
func claimsWith(iat int64, k string, v any) map[string]any {
	c := claimsAt(iat)
	if v == nil {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

// nOf returns the base64url modulus of k's public key.
func nOf(t testing.TB, k testKey) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: &k.priv.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	json.Unmarshal(b, &m)
	return m["n"]
}
