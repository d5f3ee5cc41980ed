package security_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"hash"
	"strings"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// testKeys are the keys the attacker and the own tenant use, generated
// once per test binary (RSA generation is slow).
type testKeys struct {
	own      *rsa.PrivateKey   // the own tenant's signing key
	attacker *rsa.PrivateKey   // a key nobody trusts
	ec       *ecdsa.PrivateKey // in the own tenant's JWKS, kid "ec"
}

var (
	keysOnce sync.Once
	keysVal  *testKeys
)

func keys(t testing.TB) *testKeys {
	t.Helper()
	keysOnce.Do(func() {
		own, err1 := rsa.GenerateKey(rand.Reader, 2048)
		attacker, err2 := rsa.GenerateKey(rand.Reader, 2048)
		ec, err3 := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err1 != nil || err2 != nil || err3 != nil {
			panic("generating test keys failed")
		}
		keysVal = &testKeys{own: own, attacker: attacker, ec: ec}
	})
	return keysVal
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rawJSON returns v as JSON, or v itself when it is already bytes (for
// payloads that are not valid JSON, or whose key order matters).
func rawJSON(t testing.TB, v any) []byte {
	t.Helper()
	if b, ok := v.([]byte); ok {
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signer signs a JWS signing input.
type signer func(input []byte) []byte

// forge assembles a compact JWS: base64url(header).base64url(payload).sig.
func forge(t testing.TB, header, payload any, sign signer) string {
	t.Helper()
	input := b64(rawJSON(t, header)) + "." + b64(rawJSON(t, payload))
	return input + "." + b64(sign([]byte(input)))
}

func digest(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// rsaPKCS1 signs with RSASSA-PKCS1-v1_5 (RS256, RS384, RS512).
func rsaPKCS1(k *rsa.PrivateKey, h crypto.Hash) signer {
	return func(in []byte) []byte {
		sig, err := rsa.SignPKCS1v15(nil, k, h, digest(h, in))
		if err != nil {
			panic(err)
		}
		return sig
	}
}

// rsaPSS signs with RSASSA-PSS (PS256).
func rsaPSS(k *rsa.PrivateKey) signer {
	return func(in []byte) []byte {
		sig, err := rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest(crypto.SHA256, in), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			panic(err)
		}
		return sig
	}
}

// es256 signs with ECDSA P-256, as JWS encodes it (r || s, 32 bytes each).
func es256(k *ecdsa.PrivateKey) signer {
	return func(in []byte) []byte {
		r, s, err := ecdsa.Sign(rand.Reader, k, digest(crypto.SHA256, in))
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
}

// hmacSigner "signs" with HMAC under key: the classic algorithm-confusion
// forgery when key is the server's public key.
func hmacSigner(h func() hash.Hash, key []byte) signer {
	return func(in []byte) []byte {
		m := hmac.New(h, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

var hmacAlgs = []struct {
	alg string
	h   func() hash.Hash
}{{"HS256", sha256.New}, {"HS384", sha512.New384}, {"HS512", sha512.New}}

func noSignature([]byte) []byte { return nil }

// publicKeyForms returns the forms of the tenant's public key an attacker
// would try as an HMAC secret: PEM (PKIX and PKCS#1, with its trailing
// newline), DER, and the JWK's n.
func publicKeyForms(t testing.TB, jwk jose.JSONWebKey) map[string][]byte {
	t.Helper()
	pub, ok := jwk.Key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("tenant key is %T, want RSA", jwk.Key)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(jwk)
	if err != nil {
		t.Fatal(err)
	}
	var fields struct{ N string }
	json.Unmarshal(jb, &fields)
	return map[string][]byte{
		"PEM":       pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		"DER":       der,
		"JWK n":     []byte(fields.N),
	}
}

// segments splits a compact token.
func segments(tok string) []string { return strings.Split(tok, ".") }

// decodeSegment decodes a base64url segment as JSON into a map.
func decodeSegment(t testing.TB, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
