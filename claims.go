package fief

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxNumericDate is the last second of year 9999: later dates are refused
// rather than overflowing time arithmetic.
const maxNumericDate = 253402300799

// numericDate is a JWT NumericDate: a JSON number of seconds, possibly
// fractional. Strings, null and out-of-range numbers are refused.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("a date must be a number of seconds, not %s", truncate(string(b), 32))
	}
	if f < 0 || f > maxNumericDate {
		return fmt.Errorf("date %s is out of range", truncate(string(b), 32))
	}
	sec, frac := math.Modf(f)
	d.Time = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// audience is the aud claim: a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte{'"'}) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("aud must be a string or a list of strings")
	}
	*a = l
	return nil
}

// registeredClaims are the claims every Fief token carries, checked alike
// in access and ID tokens.
type registeredClaims struct {
	Iss *string      `json:"iss"`
	Sub *string      `json:"sub"`
	Aud audience     `json:"aud"`
	Exp *numericDate `json:"exp"`
	Nbf *numericDate `json:"nbf"`
	ACR *string      `json:"acr"`
}

// check verifies iss, exp and nbf. expired is the error of a past exp.
func (rc *registeredClaims) check(issuer string, now time.Time, leeway time.Duration, bad func(string, ...any) error, expired error) error {
	if rc.Iss == nil {
		return bad("no iss claim")
	}
	if *rc.Iss != issuer {
		return bad("iss %q is not the tenant's issuer %q", truncate(*rc.Iss, 128), issuer)
	}
	if rc.Exp == nil {
		return bad("no exp claim")
	}
	if now.After(rc.Exp.Add(leeway)) {
		return fmt.Errorf("%w: exp %s, local clock %s (leeway %s)",
			expired, rc.Exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), leeway)
	}
	if rc.Nbf != nil && now.Add(leeway).Before(rc.Nbf.Time) {
		return bad("not valid before %s", rc.Nbf.UTC().Format(time.RFC3339))
	}
	return nil
}

// lenientDate is the iat claim, which only revocation reads: a value that is
// not a valid NumericDate counts as no iat (and a token without iat of a
// revoked user is refused), rather than making the token invalid.
type lenientDate struct{ time.Time }

func (d *lenientDate) UnmarshalJSON(b []byte) error {
	var nd numericDate
	if nd.UnmarshalJSON(b) == nil {
		d.Time = nd.Time
	}
	return nil
}

type accessClaims struct {
	registeredClaims
	Iat         lenientDate `json:"iat"`
	Scope       *string     `json:"scope"`
	Permissions *[]string   `json:"permissions"`
}

// checkAccessClaims decodes and checks the claims of a verified access
// token.
func (c *Client) checkAccessClaims(payload []byte, issuer string, now time.Time) (AccessTokenInfo, error) {
	var cl accessClaims
	var v claimValues
	if fastAccessClaims(payload, &v) {
		cl = v.claims()
	} else {
		var slow accessClaims // apart from cl, which then stays on the stack
		if err := json.Unmarshal(payload, &slow); err != nil {
			return AccessTokenInfo{}, invalid("claims: %w", err)
		}
		cl = slow
	}
	if err := cl.check(issuer, now, c.s.leeway, invalid, ErrTokenExpired); err != nil {
		return AccessTokenInfo{}, err
	}
	if cl.Sub == nil {
		return AccessTokenInfo{}, invalid("no sub claim")
	}
	id, ok := canonicalUUID(*cl.Sub)
	if !ok {
		return AccessTokenInfo{}, invalid("sub %q is not a UUID", truncate(*cl.Sub, 64))
	}
	if cl.ACR == nil || !ACR(*cl.ACR).Valid() {
		return AccessTokenInfo{}, invalid("acr claim missing or not \"0\" or \"1\"")
	}
	if cl.Scope == nil {
		return AccessTokenInfo{}, invalid("no scope claim")
	}
	if cl.Permissions == nil {
		return AccessTokenInfo{}, invalid("no permissions claim")
	}
	if len(c.s.audiences) > 0 && !slices.ContainsFunc(cl.Aud, func(a string) bool { return slices.Contains(c.s.audiences, a) }) {
		return AccessTokenInfo{}, invalid("aud %q holds none of the accepted audiences", []string(cl.Aud))
	}
	perms := *cl.Permissions
	if perms == nil {
		perms = []string{}
	}
	return AccessTokenInfo{
		ID:          id,
		Scope:       strings.Fields(*cl.Scope),
		ACR:         ACR(*cl.ACR),
		Permissions: perms,
		ExpiresAt:   cl.Exp.Time,
		IssuedAt:    cl.Iat.Time,
	}, nil
}

// canonicalUUID reports whether s is a UUID in its canonical 8-4-4-4-12
// hexadecimal form, and returns it in lower case.
func canonicalUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	upper := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		upper = upper || 'A' <= ch && ch <= 'F'
		switch i {
		case 8, 13, 18, 23:
			if ch != '-' {
				return "", false
			}
		default:
			if !('0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F') {
				return "", false
			}
		}
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s, true
}
