package fieftest

import (
	"crypto/rand"
	"fmt"
)

// randomToken returns a url-safe random string of 43 characters, like
// Python's secrets.token_urlsafe(), that does not start with "-": the
// admin key, client ids and secrets and webhook secrets it makes are
// pasted on command lines, where a leading "-" reads as a flag. This
// costs less than a bit of the 256 drawn.
func randomToken() string {
	b := make([]byte, 32)
	for {
		rand.Read(b)
		if s := b64(b); s[0] != '-' {
			return s
		}
	}
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// verificationCode returns a 6-character email-verification code, A-Z0-9.
func verificationCode() string {
	return randomChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 6)
}

// randomLowerAlnum returns n random characters among a-z and 0-9.
func randomLowerAlnum(n int) string {
	return randomChars("abcdefghijklmnopqrstuvwxyz0123456789", n)
}

// randomChars returns n characters drawn uniformly from alphabet (at most
// 256 characters): bytes at or above the largest multiple of its length
// are drawn again, so that there is no modulo bias.
func randomChars(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	for len(out) < n {
		rand.Read(b)
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}
