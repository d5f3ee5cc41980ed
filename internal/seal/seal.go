// Package seal seals values with AES-256-GCM under keys derived, per
// purpose, from a list of secrets, for the packages of this repository that
// store or send values that must stay private and authentic (fiefhttp's
// cookies and session records, fiefredis's cached user info). The first
// secret seals, every secret opens, so that secrets rotate: add the new one
// first, keep the old one until what it sealed has expired, then drop it.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrUnsealable is the one error of opening a sealed value: tampered,
// truncated, sealed with a secret no longer in the list, for another
// purpose, or under another name.
var ErrUnsealable = errors.New("sealed value is not authentic")

// DeriveKeys derives a 32-byte key for purpose from each secret with
// HKDF-SHA256 (no salt, purpose as info), so that one secret never keys two
// uses.
func DeriveKeys(secrets [][]byte, purpose string) ([][]byte, error) {
	out := make([][]byte, 0, len(secrets))
	for i, s := range secrets {
		k, err := hkdf.Key(sha256.New, s, nil, purpose, 32)
		if err != nil {
			return nil, fmt.Errorf("deriving key %d: %w", i, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// Sealer seals and opens values for one purpose.
type Sealer struct {
	aeads []cipher.AEAD // first seals
}

// New returns a Sealer with a key derived for purpose from each secret.
func New(secrets [][]byte, purpose string) (*Sealer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("no secret")
	}
	keys, err := DeriveKeys(secrets, purpose)
	if err != nil {
		return nil, err
	}
	s := &Sealer{}
	for i, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts plaintext with the first key, name as associated data:
// nonce || ciphertext || tag.
func (s *Sealer) Seal(name string, plaintext []byte) []byte {
	a := s.aeads[0]
	out := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	rand.Read(out) // never fails (crypto/rand panics rather than return short)
	return a.Seal(out, out, plaintext, []byte(name))
}

// Open decrypts a value of Seal with any key, under the same name.
func (s *Sealer) Open(name string, sealed []byte) ([]byte, error) {
	for _, a := range s.aeads {
		if len(sealed) < a.NonceSize()+a.Overhead() {
			return nil, ErrUnsealable
		}
		if p, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte(name)); err == nil {
			return p, nil
		}
	}
	return nil, ErrUnsealable
}
