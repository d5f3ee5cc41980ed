package fief

import (
	"encoding/json"
	"fmt"
)

// refusedHeaders are the protected-header members refused in every token.
// Fief never sends them. go-jose honours "b64": false (RFC 7797, an
// unencoded payload) even without "crit", and then reads the payload
// segment as the payload itself, while the header memo (see headerMemo)
// decodes it: refusing both members before any header is remembered keeps
// the memo's result equal to go-jose's for every string.
var refusedHeaders = []string{"b64", "crit"}

// checkProtectedHeader refuses a protected-header segment (already accepted
// by go-jose, so valid base64url and JSON) that has a member of
// refusedHeaders, whatever its value, null included.
func checkProtectedHeader(segment string) error {
	raw, err := decodeSegment(segment)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	for _, k := range refusedHeaders {
		if _, ok := members[k]; ok {
			return fmt.Errorf("header: the %q member is refused (Fief uses neither RFC 7797 nor JWS extensions)", k)
		}
	}
	return nil
}
