package fieftest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// signingKey is a tenant's RSA signing key.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (s *Server) keySize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.KeySize > 0 {
		return s.KeySize
	}
	return 2048
}

func generateRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(fmt.Sprintf("fieftest: generating a %d-bit RSA key: %v", bits, err))
	}
	return k
}

// ensureKey generates the tenant's signing key if it has none yet.
func (t *Tenant) ensureKey() {
	t.srv.mu.Lock()
	has := len(t.keys) > 0
	t.srv.mu.Unlock()
	if has {
		return
	}
	k := &signingKey{kid: randomToken(), priv: generateRSA(t.srv.keySize())}
	t.srv.mu.Lock()
	if len(t.keys) == 0 {
		t.keys = []*signingKey{k}
	}
	t.srv.mu.Unlock()
}

// currentKey returns the key that signs the tenant's tokens.
func (t *Tenant) currentKey() *signingKey {
	t.ensureKey()
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return t.keys[0]
}

// publicKeys returns the keys of the JWKS, signing key first.
func (t *Tenant) publicKeys() []*signingKey {
	t.ensureKey()
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	return append([]*signingKey(nil), t.keys...)
}

// RotateKey gives the tenant a new signing key and returns its kid. With
// keepOld, the previous public keys stay in the JWKS (after the new one)
// and tokens they signed stay valid on the user API; without it they are
// dropped. Fief itself has a single key per tenant: a JWKS with several
// keys is an extension for testing key rotation.
func (t *Tenant) RotateKey(keepOld bool) (newKID string) {
	k := &signingKey{kid: randomToken(), priv: generateRSA(t.srv.keySize())}
	t.srv.mu.Lock()
	defer t.srv.mu.Unlock()
	if keepOld {
		t.keys = append([]*signingKey{k}, t.keys...)
	} else {
		t.keys = []*signingKey{k}
	}
	return k.kid
}

// KeyIDs returns the kids of the keys currently in the tenant's JWKS,
// signing key first.
func (t *Tenant) KeyIDs() []string {
	var ids []string
	for _, k := range t.publicKeys() {
		ids = append(ids, k.kid)
	}
	return ids
}

type publicJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// PublicJWKS returns the tenant's JWKS document, as served at
// /.well-known/jwks.json: {"keys":[{"kty","kid","use","n","e"}]}, no alg.
func (t *Tenant) PublicJWKS() []byte {
	set := struct {
		Keys []publicJWK `json:"keys"`
	}{Keys: []publicJWK{}}
	for _, k := range t.publicKeys() {
		set.Keys = append(set.Keys, publicJWK{
			Kty: "RSA",
			Kid: k.kid,
			Use: "sig",
			N:   b64(k.priv.N.Bytes()),
			E:   b64(big.NewInt(int64(k.priv.E)).Bytes()),
		})
	}
	b, _ := json.Marshal(set)
	return b
}
