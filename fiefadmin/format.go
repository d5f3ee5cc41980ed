package fiefadmin

import (
	"fmt"
)

// redactSet returns "[redacted]" for a non-empty secret, "" otherwise.
func redactSet(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// ptrString formats an optional value: its value, or <nil>.
func ptrString[T any](p *T) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}
