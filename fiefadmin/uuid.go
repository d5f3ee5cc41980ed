package fiefadmin

import (
	"encoding/hex"
	"fmt"
)

// UUID is the id of every Fief object. Its zero value is the nil UUID,
// which no object has. It marshals to and from its canonical text form
// ("c7f7d598-0ffe-487b-88b8-7a6e4d95c9f0"), so it works as a JSON string, a
// map key and a flag value.
type UUID [16]byte

// ParseUUID parses a UUID in its canonical 36-character form, in either
// case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("fiefadmin: %q is not a UUID", s)
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(hexDigits)); err != nil {
		return UUID{}, fmt.Errorf("fiefadmin: %q is not a UUID", s)
	}
	return u, nil
}

// MustParseUUID is [ParseUUID] for constants known to be valid: it panics
// on a malformed s.
func MustParseUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// IsZero reports whether u is the nil UUID.
func (u UUID) IsZero() bool { return u == UUID{} }

// String returns the canonical lower-case form of u.
func (u UUID) String() string {
	b, _ := u.MarshalText()
	return string(b)
}

// MarshalText implements [encoding.TextMarshaler].
func (u UUID) MarshalText() ([]byte, error) {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return b[:], nil
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}
