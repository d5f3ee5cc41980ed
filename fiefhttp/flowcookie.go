package fiefhttp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// flowData is what one login flow keeps in the browser between the redirect
// to Fief and the callback. The state is in the cookie's name.
type flowData struct {
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Return   string `json:"r"`
	Expires  int64  `json:"e"` // Unix seconds
}

var errBadFlowCookie = errors.New("fiefhttp: invalid flow cookie")

// sealFlow encodes d as base64url(JSON) "." base64url(HMAC-SHA256), the MAC
// covering the cookie's name too, so a value cannot be moved to another
// flow's cookie.
func sealFlow(key []byte, name string, d flowData) string {
	payload, _ := json.Marshal(d) // strings and an int: cannot fail
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(flowMAC(key, name, p))
}

// openFlow checks and decodes a sealed value; it fails on a bad MAC, a bad
// encoding or an expired flow.
func openFlow(key []byte, name, value string, now time.Time) (flowData, error) {
	var d flowData
	p, m, ok := strings.Cut(value, ".")
	if !ok {
		return d, errBadFlowCookie
	}
	mac, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || !hmac.Equal(mac, flowMAC(key, name, p)) {
		return d, errBadFlowCookie
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &d) != nil {
		return d, errBadFlowCookie
	}
	if now.Unix() >= d.Expires {
		return d, errBadFlowCookie
	}
	return d, nil
}

func flowMAC(key []byte, name, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// isState reports whether s can be a state this package made (and so part
// of a cookie name): base64url characters, bounded length.
func isState(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
