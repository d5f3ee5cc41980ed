package fiefredis

import (
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
// every key verifies.
type macer struct{ keys [][]byte }

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

// sign returns the tag of parts with the first key.
func (m *macer) sign(parts ...string) []byte { return m.tag(m.keys[0], parts...) }

// verify reports whether mac is the tag of parts with one of the keys.
func (m *macer) verify(mac []byte, parts ...string) bool {
	for _, k := range m.keys {
		if hmac.Equal(mac, m.tag(k, parts...)) {
			return true
		}
	}
	return false
}
