package fief

import "errors"

// checkCompact refuses a compact JWS that is not in canonical form: exactly
// three segments of unpadded base64url with zero trailing bits. Go's base64
// decoders skip CR and LF and ignore non-zero trailing bits, so without this
// check several strings would verify as the same token (a token is
// malleable, and the verified-token cache, keyed by the string, would hold
// copies of it). This is a character scan, not a decoder: decoding is left
// to go-jose.
func checkCompact(token string) error {
	segment, dots := 0, 0
	for i := 0; i <= len(token); i++ {
		if i < len(token) && token[i] != '.' {
			if b64Value(token[i]) < 0 {
				return errors.New("the token holds a character outside unpadded base64url")
			}
			continue
		}
		if err := checkSegment(token[segment:i]); err != nil {
			return err
		}
		if i < len(token) {
			dots++
		}
		segment = i + 1
	}
	if dots != 2 {
		return errors.New("a compact JWS has three segments")
	}
	return nil
}

// checkSegment checks that the last character of an unpadded base64url
// segment carries no bits beyond the encoded bytes.
func checkSegment(s string) error {
	if len(s) == 0 {
		return nil // go-jose decides about empty segments
	}
	last := b64Value(s[len(s)-1])
	switch len(s) % 4 {
	case 1:
		return errors.New("a base64url segment cannot have this length")
	case 2:
		if last&0x0f != 0 {
			return errors.New("a base64url segment has non-zero trailing bits")
		}
	case 3:
		if last&0x03 != 0 {
			return errors.New("a base64url segment has non-zero trailing bits")
		}
	}
	return nil
}

// b64Value returns the value of a base64url character, or -1.
func b64Value(c byte) int { return int(b64Values[c]) }

// b64Values maps every byte to its base64url value, or -1: a table lookup
// per character keeps the scan of a token well under a microsecond.
var b64Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = int8(i)
	}
	return t
}()
