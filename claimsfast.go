package fief

// claimValues are the claims fastAccessClaims read.
type claimValues struct {
	has                  uint16 // bit f set: field f was read
	iss, sub, acr, scope string
	exp, nbf             numericDate
	iat                  lenientDate
	aud                  audience
	perms                []string
}

// claims returns v as json.Unmarshal would have filled an accessClaims, its
// pointers pointing into v (one allocation for v instead of one per claim).
func (v *claimValues) claims() accessClaims {
	return accessClaims{
		registeredClaims: registeredClaims{
			Iss: ptrIf(v.read(fieldIss), &v.iss),
			Sub: ptrIf(v.read(fieldSub), &v.sub),
			Aud: v.aud,
			Exp: ptrIf(v.read(fieldExp), &v.exp),
			Nbf: ptrIf(v.read(fieldNbf), &v.nbf),
			ACR: ptrIf(v.read(fieldACR), &v.acr),
		},
		Iat:         v.iat,
		Scope:       ptrIf(v.read(fieldScope), &v.scope),
		Permissions: ptrIf(v.read(fieldPermissions), &v.perms),
	}
}

// read reports whether field was read.
func (v *claimValues) read(field int) bool { return v.has&(1<<field) != 0 }

// ptrIf returns p if set, else nil.
func ptrIf[T any](set bool, p *T) *T {
	if set {
		return p
	}
	return nil
}

// fastAccessClaims reads into v the claims of an access token written the
// way Fief writes them, exactly as json.Unmarshal would read them (see
// [claimValues.claims]): a flat JSON object whose keys and strings are
// printable ASCII without escapes, claims of the expected JSON types, no
// claim twice. It reports false for any other payload (escapes, non-ASCII
// text, nested objects, null, a repeated claim, a key equal to a claim name
// but for case, invalid JSON...), which the caller then hands to
// json.Unmarshal: the fast path decides nothing json.Unmarshal would decide
// otherwise.
//
// Why by hand, next to encoding/json: decoding the claims with
// json.Unmarshal cost 4 µs and 24 allocations per token, an eighth of an
// uncached RSA-2048 validation, which left no room under the performance
// target (1.3× the bare RS256 verification); this reads Fief's payloads in
// 0.8 µs and 9 allocations (BenchmarkCheckAccessClaims). It only ever reads
// a payload a tenant key has signed (the signature is checked first), and
// TestFastAccessClaims and FuzzFastAccessClaims hold it to json.Unmarshal's
// reading.
func fastAccessClaims(b []byte, v *claimValues) bool {
	s := jsonScanner{b: b}
	if !s.consume('{') {
		return false
	}
	if s.consume('}') {
		return s.end()
	}
	for {
		key, ok := s.simpleString()
		if !ok || !s.consume(':') {
			return false
		}
		field := claimField(key)
		if field < 0 {
			return false // a claim name in another case: json.Unmarshal's business
		}
		if field > 0 {
			if v.read(field) {
				return false // repeated: json.Unmarshal keeps the last
			}
			v.has |= 1 << field
		}
		if !s.readClaim(field, v) {
			return false
		}
		if s.consume('}') {
			return s.end()
		}
		if !s.consume(',') {
			return false
		}
	}
}

// The claims fastAccessClaims reads; 0 is any other key.
const (
	fieldOther = iota
	fieldIss
	fieldSub
	fieldAud
	fieldExp
	fieldNbf
	fieldACR
	fieldScope
	fieldPermissions
	fieldIat
)

var claimNames = [...]string{fieldIss: "iss", fieldSub: "sub", fieldAud: "aud", fieldExp: "exp", fieldNbf: "nbf", fieldACR: "acr", fieldScope: "scope", fieldPermissions: "permissions", fieldIat: "iat"}

// claimField returns the field of key, 0 for another key, and -1 for a key
// that json.Unmarshal would match to a field case-insensitively.
func claimField(key []byte) int {
	for f := fieldIss; f < len(claimNames); f++ {
		if string(key) == claimNames[f] {
			return f
		}
	}
	for f := fieldIss; f < len(claimNames); f++ {
		if equalFoldASCII(key, claimNames[f]) {
			return -1
		}
	}
	return fieldOther
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != s[i]|0x20 {
			return false
		}
	}
	return true
}

// readClaim reads the value of field, or skips the value of another key.
func (s *jsonScanner) readClaim(field int, v *claimValues) bool {
	switch field {
	case fieldIss, fieldSub, fieldACR, fieldScope:
		str, ok := s.simpleString()
		if !ok {
			return false
		}
		switch field {
		case fieldIss:
			v.iss = string(str)
		case fieldSub:
			v.sub = string(str)
		case fieldACR:
			v.acr = string(str)
		case fieldScope:
			v.scope = string(str)
		}
		return true
	case fieldIat:
		num, ok := s.number()
		return ok && v.iat.UnmarshalJSON(num) == nil // another type: json.Unmarshal's business
	case fieldExp, fieldNbf:
		num, ok := s.number()
		if !ok {
			return false
		}
		d := &v.exp
		if field == fieldNbf {
			d = &v.nbf
		}
		return d.UnmarshalJSON(num) == nil // else json.Unmarshal reports the error
	case fieldAud:
		if str, ok := s.simpleString(); ok {
			v.aud = audience{string(str)}
			return true
		}
		l, ok := s.stringArray()
		v.aud = l
		return ok
	case fieldPermissions:
		l, ok := s.stringArray()
		v.perms = l
		return ok
	}
	return s.skipSimpleValue()
}

// jsonScanner reads the simple JSON of fastAccessClaims.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// consume skips white space and c, if c is next.
func (s *jsonScanner) consume(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *jsonScanner) end() bool {
	s.skipSpace()
	return s.i == len(s.b)
}

// simpleString reads a string of printable ASCII without escapes and
// returns its content.
func (s *jsonScanner) simpleString() ([]byte, bool) {
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			str := s.b[s.i+1 : j]
			s.i = j + 1
			return str, true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return nil, false
		}
	}
	return nil, false
}

// number reads a JSON number and returns its text.
func (s *jsonScanner) number() ([]byte, bool) {
	s.skipSpace()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return nil, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

func (s *jsonScanner) digits() int {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// stringArray reads an array of simple strings; [] is an empty, non-nil
// slice, as json.Unmarshal makes it.
func (s *jsonScanner) stringArray() ([]string, bool) {
	if !s.consume('[') {
		return nil, false
	}
	l := []string{}
	if s.consume(']') {
		return l, true
	}
	for {
		str, ok := s.simpleString()
		if !ok {
			return nil, false
		}
		l = append(l, string(str))
		if s.consume(']') {
			return l, true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

// skipSimpleValue skips the value of a claim fief does not read: a simple
// string, a number, true, false, or an array of simple strings and numbers
// (azp, auth_time...).
func (s *jsonScanner) skipSimpleValue() bool {
	s.skipSpace()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.simpleString()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == '[':
		s.i++
		if s.consume(']') {
			return true
		}
		for {
			s.skipSpace()
			if s.i < len(s.b) && s.b[s.i] == '"' {
				if _, ok := s.simpleString(); !ok {
					return false
				}
			} else if _, ok := s.number(); !ok {
				return false
			}
			if s.consume(']') {
				return true
			}
			if !s.consume(',') {
				return false
			}
		}
	default:
		_, ok := s.number()
		return ok
	}
}

func (s *jsonScanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}
