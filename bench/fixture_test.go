package bench

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The claims of the benchmark tokens, shaped like Fief's access tokens (see
// the protocol notes, §4.1).
const (
	benchIssuer   = "https://localhost:8000"
	benchClientID = "bench-client"
	benchUserID   = "4c2d2f62-1a36-4c3f-a2b5-8e0b1e6d7c9a"
	benchScope    = "openid offline_access"
)

var benchPermissions = []string{"castles:read", "castles:create", "castles:delete"}

// signer is an RSA signing key with the kid under which the test server
// publishes it.
type signer struct {
	bits int
	kid  string
	priv *rsa.PrivateKey
}

// pub returns the public key.
func (s *signer) pub() *rsa.PublicKey { return &s.priv.PublicKey }

// loadSigners reads the keys of testdata once per process: parsing a 4096-bit
// key is quick, generating one is not.
var loadSigners = sync.OnceValues(func() (map[int]*signer, error) {
	out := make(map[int]*signer)
	for _, bits := range []int{2048, 4096} {
		path := filepath.Join("testdata", fmt.Sprintf("rsa%d.pem", bits))
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			return nil, fmt.Errorf("%s: no PEM block", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		priv, ok := k.(*rsa.PrivateKey)
		if !ok || priv.N.BitLen() != bits {
			return nil, fmt.Errorf("%s: not a %d-bit RSA key", path, bits)
		}
		out[bits] = &signer{bits: bits, kid: kidOf(&priv.PublicKey), priv: priv}
	}
	return out, nil
})

// kidOf derives a stable kid from the key, 43 characters long like Fief's
// token_urlsafe() kids.
func kidOf(pub *rsa.PublicKey) string {
	sum := sha256.Sum256(pub.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// signers returns the keys of testdata, failing tb if they cannot be read.
func signers(tb testing.TB) map[int]*signer {
	tb.Helper()
	s, err := loadSigners()
	if err != nil {
		tb.Fatalf("loading the test keys: %v", err)
	}
	return s
}

// tokenClaims are the claims of a Fief access token.
type tokenClaims struct {
	Iss         string   `json:"iss"`
	Sub         string   `json:"sub"`
	Aud         []string `json:"aud"`
	Exp         int64    `json:"exp"`
	Iat         int64    `json:"iat"`
	AuthTime    int64    `json:"auth_time"`
	ACR         string   `json:"acr"`
	Azp         string   `json:"azp"`
	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
}

// newClaims returns the claims of a token issued at now, valid for an hour.
func newClaims(now time.Time) tokenClaims {
	return tokenClaims{
		Iss:         benchIssuer,
		Sub:         benchUserID,
		Aud:         []string{benchClientID},
		Exp:         now.Add(time.Hour).Unix(),
		Iat:         now.Unix(),
		AuthTime:    now.Unix(),
		ACR:         "0",
		Azp:         benchClientID,
		Scope:       benchScope,
		Permissions: benchPermissions,
	}
}

// sign returns the compact RS256 JWS of claims, with the header Fief writes
// ({"alg":"RS256","kid":...}, no typ).
func (s *signer) sign(tb testing.TB, claims any) string {
	tb.Helper()
	header, err := json.Marshal(map[string]string{"alg": "RS256", "kid": s.kid})
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.priv, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// keySizes are the RSA key sizes every validation benchmark runs with. Fief
// generates 4096-bit keys by default.
var keySizes = []int{2048, 4096}
