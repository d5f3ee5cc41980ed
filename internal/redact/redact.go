// Package redact helps the types of this module that hold tokens, codes or
// secrets describe themselves without them, under every fmt verb and in
// log/slog.
package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Redacted stands for a secret that is set.
const Redacted = "[redacted]"

// Format writes desc, the redacted description of a value, whatever the
// verb: %q quotes it, every other verb (%v, %+v, %#v, %s, %d, %x, ...)
// writes it as it is, flags and width ignored. A type holding secrets calls
// it from its Format method, so that fmt never reaches its fields.
func Format(f fmt.State, verb rune, desc string) {
	if verb == 'q' {
		desc = strconv.Quote(desc)
	}
	io.WriteString(f, desc)
}

// Mark describes a secret string: `""` when it is empty, [Redacted]
// otherwise.
func Mark(s string) string {
	if s == "" {
		return `""`
	}
	return Redacted
}

// MarkBytes is [Mark] for a byte slice.
func MarkBytes(b []byte) string {
	if len(b) == 0 {
		return "[]"
	}
	return Redacted
}
