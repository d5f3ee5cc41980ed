package fiefredis

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// Per-purpose keys: each secret of [Config.Keys] gives one key per purpose
// (HKDF-SHA256, no salt, the purpose as info), so that the secrets shared
// with fiefhttp's cookies never key two uses.
const (
	infoBus      = "fief-go bus"
	infoUserInfo = "fief-go user info record"
)

// macer authenticates byte strings with HMAC-SHA256: the first key tags,
// every key verifies. A tag begins with the identifier of its key, so that
// a value tagged with a key this instance lacks (one rotated in on another
// instance first) is told apart from a forgery.
type macer struct {
	keys [][]byte
	ids  [][]byte // ids[i] identifies keys[i]
}

// keyIDLen is the length of a key's identifier in a tag.
const keyIDLen = 4

// newMacer returns a macer of keys.
func newMacer(keys [][]byte) *macer {
	m := &macer{keys: keys}
	for _, k := range keys {
		m.ids = append(m.ids, m.tag(k, "fief-go key id")[:keyIDLen])
	}
	return m
}

// tag returns the HMAC of the parts, each prefixed by its length so that
// no two lists of parts give the same input.
func (m *macer) tag(key []byte, parts ...string) []byte {
	h := hmac.New(sha256.New, key)
	var n [4]byte
	for _, p := range parts {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// sign returns the first key's identifier followed by the tag of parts
// with it.
func (m *macer) sign(parts ...string) []byte {
	return append(bytes.Clone(m.ids[0]), m.tag(m.keys[0], parts...)...)
}

// verify checks mac, a value of sign, with the key it names: nil, or
// errUnknownKey when no key has its identifier, or errNotAuthentic.
func (m *macer) verify(mac []byte, parts ...string) error {
	if len(mac) != keyIDLen+sha256.Size {
		return errNotAuthentic
	}
	known := false
	for i, k := range m.keys {
		if !bytes.Equal(mac[:keyIDLen], m.ids[i]) {
			continue
		}
		known = true
		if hmac.Equal(mac[keyIDLen:], m.tag(k, parts...)) {
			return nil
		}
	}
	if !known {
		return errUnknownKey
	}
	return errNotAuthentic
}
