package fiefhttp

import (
	"encoding/json"
	"errors"
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

// sealFlow encrypts d (AES-256-GCM, see [sealer]) with the cookie's name as
// associated data, so a value cannot be moved to another flow's cookie and
// the browser cannot read the PKCE verifier or the nonce.
func sealFlow(s *sealer, name string, d flowData) string {
	payload, _ := json.Marshal(d) // strings and an int: cannot fail
	return s.seal(name, payload)
}

// openFlow checks and decodes a sealed value; it fails on a value that is
// not authentic, a bad encoding, a flow without PKCE verifier or nonce
// (which [WebFlow.Login] always sets: a flow without them would accept a
// code obtained without PKCE, an attacker's) or an expired flow.
func openFlow(s *sealer, name, value string, now time.Time) (flowData, error) {
	var d flowData
	payload, err := s.open(name, value)
	if err != nil || json.Unmarshal(payload, &d) != nil || d.Verifier == "" || d.Nonce == "" {
		return flowData{}, errBadFlowCookie
	}
	if now.Unix() >= d.Expires {
		return flowData{}, errBadFlowCookie
	}
	return d, nil
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
