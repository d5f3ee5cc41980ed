package fief

import (
	"encoding/json"
	"reflect"
	"testing"
)

// checkFastClaimsAgree fails t if fastAccessClaims accepts payload while
// json.Unmarshal refuses it or reads other claims.
func checkFastClaimsAgree(t *testing.T, payload []byte) (fast bool) {
	t.Helper()
	var v claimValues
	if !fastAccessClaims(payload, &v) {
		return false
	}
	var want accessClaims
	if err := json.Unmarshal(payload, &want); err != nil {
		t.Fatalf("fast path accepts %s, json.Unmarshal refuses it: %v", payload, err)
	}
	if got := v.claims(); !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path reads %s as\n%#v\njson.Unmarshal as\n%#v", payload, got, want)
	}
	return true
}

func TestFastAccessClaims(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		fast    bool // handled by the fast path (else by json.Unmarshal)
	}{
		{"Fief's claims", `{"iss":"https://fief.test","sub":"aeeb8bfa-e8f4-4724-9427-c3d5af66190e","aud":["client"],"exp":1800003600,"iat":1800000000,"auth_time":1800000000,"acr":"1","azp":"client","scope":"openid offline_access","permissions":["castles:read","castles:create"]}`, true},
		{"empty object", `{}`, true},
		{"white space", " {\n\t\"iss\" : \"a\" ,\r\n \"permissions\" : [ ] } \n", true},
		{"aud a string", `{"aud":"client"}`, true},
		{"empty lists", `{"aud":[],"permissions":[]}`, true},
		{"fractional and exponent dates", `{"exp":1.8e9,"nbf":1799999999.5}`, true},
		{"other claims of simple types", `{"a":true,"b":false,"c":-1.5E+3,"d":["x",2],"e":[]}`, true},
		{"a key like no claim", `{"issuer":"x","subject":"y"}`, true},

		{"not an object", `["iss"]`, false},
		{"nothing", ``, false},
		{"trailing data", `{"iss":"a"}x`, false},
		{"two objects", `{}{}`, false},
		{"trailing comma", `{"iss":"a",}`, false},
		{"iss twice", `{"iss":"a","iss":"b"}`, false},
		{"ISS in capitals", `{"ISS":"a"}`, false},
		{"Exp in mixed case", `{"exp":1,"Exp":2}`, false},
		{"escape in a string", `{"sub":"a\u0062"}`, false},
		{"non-ASCII string", `{"scope":"é"}`, false},
		{"null claim", `{"permissions":null}`, false},
		{"null other claim", `{"x":null}`, false},
		{"date as a string", `{"exp":"1800003600"}`, false},
		{"date out of range", `{"exp":1e300}`, false},
		{"negative date", `{"exp":-1}`, false},
		{"leading zero", `{"exp":01}`, false},
		{"bare dot", `{"exp":1.}`, false},
		{"hexadecimal", `{"exp":0x10}`, false},
		{"number as scope", `{"scope":1}`, false},
		{"number in permissions", `{"permissions":["a",1]}`, false},
		{"nested object", `{"fields":{"a":1}}`, false},
		{"nested array", `{"x":[[1]]}`, false},
		{"aud a number", `{"aud":5}`, false},
		{"truncated", `{"iss":"a"`, false},
		{"unquoted key", `{iss:"a"}`, false},
		{"truthy typo", `{"a":tru}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkFastClaimsAgree(t, []byte(tt.payload)); got != tt.fast {
				t.Fatalf("fast path: %v, want %v", got, tt.fast)
			}
		})
	}
}

func FuzzFastAccessClaims(f *testing.F) {
	for _, p := range []string{
		`{"iss":"https://fief.test","sub":"aeeb8bfa-e8f4-4724-9427-c3d5af66190e","aud":["client"],"exp":1800003600,"iat":1800000000,"acr":"1","scope":"openid","permissions":["a"]}`,
		`{"aud":"c","exp":1.5e9,"nbf":0,"x":[1,"y"],"t":true,"f":false}`,
		`{"ISS":"a","iss":"b"}`, ` { } `,
	} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkFastClaimsAgree(t, payload)
	})
}
