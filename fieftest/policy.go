package fieftest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password policy messages, as Fief words them in English.
const (
	reasonTooShort  = "Password must be at least 8 characters long."
	reasonTooLong   = "Password must be at most 128 characters long."
	reasonNotStrong = "Password is not strong enough."
)

// weakParts are substrings that make a password weak.
var weakParts = []string{"password", "passw0rd", "123456", "qwerty", "azerty", "abcdef", "letmein", "iloveyou", "admin", "welcome"}

// passwordProblems applies Fief's password policy: 8 to 128 characters and
// a strength score. Fief scores with zxcvbn (score ≥ 3); this is an
// approximation: a password is strong enough when it has at least 5
// distinct characters, contains no common sequence or word ("password",
// "123456", "qwerty", ...), and is at least 12 characters long, or at least
// 8 with three kinds of characters among lower case, upper case, digits
// and others.
func passwordProblems(pw string) []string {
	var reasons []string
	n := utf8.RuneCountInString(pw)
	if n < 8 {
		reasons = append(reasons, reasonTooShort)
	}
	if n > 128 {
		reasons = append(reasons, reasonTooLong)
	}
	if !strongEnough(pw) {
		reasons = append(reasons, reasonNotStrong)
	}
	return reasons
}

func strongEnough(pw string) bool {
	lower := strings.ToLower(pw)
	for _, p := range weakParts {
		if strings.Contains(lower, p) {
			return false
		}
	}
	distinct := map[rune]bool{}
	var lo, up, dg, ot bool
	for _, r := range pw {
		distinct[r] = true
		switch {
		case unicode.IsLower(r):
			lo = true
		case unicode.IsUpper(r):
			up = true
		case unicode.IsDigit(r):
			dg = true
		default:
			ot = true
		}
	}
	kinds := 0
	for _, b := range []bool{lo, up, dg, ot} {
		if b {
			kinds++
		}
	}
	n := utf8.RuneCountInString(pw)
	return len(distinct) >= 5 && (n >= 12 || n >= 8 && kinds >= 3)
}
