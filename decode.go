package fief

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Decode stores the claims in the value pointed to by v, usually a struct of
// the application's own with json tags, as [encoding/json] would decode
// Fief's JSON answer: Fief's custom user fields are under "fields", keyed
// by field slug. Claims without a matching field of v are ignored.
func (u UserInfo) Decode(v any) error {
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("fief: UserInfo.Decode: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("fief: UserInfo.Decode: %w", err)
	}
	return nil
}

// Claims stores every claim of the access token in the value pointed to by
// v, usually a struct of the application's own with json tags, as
// [encoding/json] would decode the token's JSON payload: sub, scope (a
// space-separated string), permissions, acr, azp, exp, ... The token is
// the one [Client.ValidateAccessToken] verified: Claims checks nothing and
// decodes it again at each call.
func (i AccessTokenInfo) Claims(v any) error {
	parts := strings.Split(i.AccessToken, ".")
	if len(parts) != 3 {
		return errors.New("fief: AccessTokenInfo.Claims: the AccessToken field holds no signed token")
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return fmt.Errorf("fief: AccessTokenInfo.Claims: payload: %w", err)
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("fief: AccessTokenInfo.Claims: %w", err)
	}
	return nil
}
