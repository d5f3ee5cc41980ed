package fiefwebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The headers of a delivery.
const (
	HeaderTimestamp = "X-Fief-Webhook-Timestamp"
	HeaderSignature = "X-Fief-Webhook-Signature"
)

// Errors of [Verify], to be tested with [errors.Is]. The handler answers
// both with 401 and processes nothing.
var (
	// ErrBadSignature: the signature header is missing, malformed, or matches
	// none of the secrets.
	ErrBadSignature = errors.New("fiefwebhook: bad signature")
	// ErrStaleTimestamp: the timestamp header is missing, malformed, or
	// further from now than the tolerance.
	ErrStaleTimestamp = errors.New("fiefwebhook: timestamp missing or outside the tolerance")
)

// Sign returns the signature Fief puts in [HeaderSignature]: the lowercase
// hex HMAC-SHA256, keyed with secret, of timestamp, a dot and body. Tests use
// it to make deliveries.
func Sign(secret, timestamp string, body []byte) string {
	return hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery: timestamp (the [HeaderTimestamp] value, Unix
// seconds) within tolerance of now, and signature (the [HeaderSignature]
// value, 64 lowercase hex digits) the HMAC of timestamp and body under one of secrets, compared in
// constant time. Several secrets are accepted during a rotation. The errors
// are [ErrStaleTimestamp] and [ErrBadSignature]; they never carry a secret or
// a signature.
func Verify(secrets []string, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || len(timestamp) > 12 {
		return fmt.Errorf("%w: %s is not Unix seconds", ErrStaleTimestamp, HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %s from now, tolerance %s", ErrStaleTimestamp, d.Truncate(time.Second), tolerance)
	}
	got := make([]byte, sha256.Size)
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return fmt.Errorf("%w: not %d hex digits", ErrBadSignature, hex.EncodedLen(sha256.Size))
	}
	if !lowerHex(signature) {
		return fmt.Errorf("%w: not lowercase hex", ErrBadSignature)
	}
	hex.Decode(got, []byte(signature)) // cannot fail: checked above
	ok := 0
	for _, s := range secrets {
		// Every secret is tried, whichever matches, so that the time taken
		// says nothing about which.
		ok |= boolInt(hmac.Equal(got, mac(s, timestamp, body)))
	}
	if ok == 0 {
		return fmt.Errorf("%w: matches none of the %d secrets", ErrBadSignature, len(secrets))
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lowerHex reports whether s is lowercase hex digits only, as Fief writes
// signatures.
func lowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
