package fiefhttp

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/fief-dev/fief-go/internal/seal"
)

// errUnsealable is the one error of opening a sealed value: tampered,
// truncated, sealed with a key no longer in the list, or for another name.
var errUnsealable = errors.New("fiefhttp: sealed value is not authentic")

// sealer seals and opens cookie values and stored records with AES-256-GCM,
// for one purpose. The first key seals, every key opens, so keys can be
// rotated: add the new key first, keep the old one until its cookies have
// expired, then drop it.
type sealer struct {
	s *seal.Sealer
}

// minKeyLen is the minimum length of a cookie key.
const minKeyLen = 32

// The purposes of the keys derived from [WebConfig].CookieKeys, as HKDF
// info strings: a value sealed for one purpose never opens for another,
// whatever its name, so that no cookie or record can pass for another kind.
const (
	purposeFlowCookie    = "fief-go flow cookie"
	purposeSessionCookie = "fief-go session cookie"
	purposeSessionRecord = "fief-go session record"
	purposeRotation      = "fief-go rotation"
)

// checkKeys validates the cookie keys.
func checkKeys(keys [][]byte) error {
	if len(keys) == 0 {
		return errors.New("fiefhttp: no cookie key")
	}
	for i, k := range keys {
		if len(k) < minKeyLen {
			return fmt.Errorf("fiefhttp: cookie key %d has %d bytes, need at least %d", i, len(k), minKeyLen)
		}
	}
	return nil
}

// newSealer derives one AES-256 key for purpose from each secret
// (HKDF-SHA256, so a secret of any length of at least 32 bytes is used
// whole).
func newSealer(keys [][]byte, purpose string) (*sealer, error) {
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	s, err := seal.New(keys, purpose)
	if err != nil {
		return nil, fmt.Errorf("fiefhttp: cookie keys: %w", err)
	}
	return &sealer{s}, nil
}

// sealBytes encrypts plaintext with the first key, name as associated
// data: nonce || ciphertext || tag.
func (s *sealer) sealBytes(name string, plaintext []byte) []byte { return s.s.Seal(name, plaintext) }

// openBytes decrypts a value of sealBytes with any key.
func (s *sealer) openBytes(name string, sealed []byte) ([]byte, error) {
	p, err := s.s.Open(name, sealed)
	if err != nil {
		return nil, errUnsealable
	}
	return p, nil
}

// seal is sealBytes in base64url, for a cookie value.
func (s *sealer) seal(name string, plaintext []byte) string {
	return base64.RawURLEncoding.EncodeToString(s.sealBytes(name, plaintext))
}

// open is openBytes of a cookie value.
func (s *sealer) open(name, value string) ([]byte, error) {
	// Strict: the unused bits of the last character must be zero, so no
	// two values open to the same bytes.
	b, err := base64.RawURLEncoding.Strict().DecodeString(value)
	if err != nil {
		return nil, errUnsealable
	}
	return s.openBytes(name, b)
}

// sealers are the sealers of a [WebFlow], one per purpose.
type sealers struct {
	flow     *sealer // flow cookies
	session  *sealer // sealed session cookies
	record   *sealer // server-side session records
	rotation *sealer // the rotation memory
}

// newSealers derives the sealers of every purpose from the cookie keys.
func newSealers(keys [][]byte) (sealers, error) {
	var (
		s   sealers
		err error
	)
	for _, p := range []struct {
		to      **sealer
		purpose string
	}{{&s.flow, purposeFlowCookie}, {&s.session, purposeSessionCookie}, {&s.record, purposeSessionRecord}, {&s.rotation, purposeRotation}} {
		if *p.to, err = newSealer(keys, p.purpose); err != nil {
			return sealers{}, err
		}
	}
	return s, nil
}
