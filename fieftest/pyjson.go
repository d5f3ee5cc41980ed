package fieftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// pyJSON encodes v as Python's json.dumps does with its default settings,
// the way Fief writes webhook bodies: ", " and ": " separators, non-ASCII
// characters escaped as \uXXXX (surrogate pairs beyond the BMP), "<", ">"
// and "&" as they are, and \b and \f short escapes. Members keep the order of
// the struct fields (Fief's model order); v's times are pyTime.
func pyJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return pythonStyle(b), nil
}

// pythonStyle rewrites compact JSON from encoding/json in Python's style.
func pythonStyle(in []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/8)
	inString := false
	for i := 0; i < len(in); {
		c := in[i]
		if !inString {
			out.WriteByte(c)
			switch c {
			case '"':
				inString = true
			case ',', ':':
				out.WriteByte(' ')
			}
			i++
			continue
		}
		switch {
		case c == '"':
			out.WriteByte(c)
			inString = false
			i++
		case c == '\\':
			esc := in[i : i+2]
			if esc[1] != 'u' {
				out.Write(esc)
				i += 2
				continue
			}
			switch string(in[i : i+6]) {
			case `\u003c`:
				out.WriteByte('<')
			case `\u003e`:
				out.WriteByte('>')
			case `\u0026`:
				out.WriteByte('&')
			case `\u0008`:
				out.WriteString(`\b`)
			case `\u000c`:
				out.WriteString(`\f`)
			default:
				out.Write(in[i : i+6])
			}
			i += 6
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
			i += size
		}
	}
	return out.Bytes()
}
