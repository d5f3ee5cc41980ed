package fiefadmin

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	fief "github.com/fief-dev/fief-go"
)

// FuzzErrorBody: any error answer gives an *Error that matches its status,
// with a message, and never panics.
func FuzzErrorBody(f *testing.F) {
	f.Add(400, `{"detail":"USER_CREATE_INVALID_PASSWORD","reason":["Password is not strong enough."]}`)
	f.Add(401, `{"detail":"Unauthorized"}`)
	f.Add(422, `{"detail":[{"loc":["body","events",0],"msg":"value is not a valid enumeration member","type":"type_error.enum"}]}`)
	f.Add(422, `{"detail":[{"type":"missing","loc":["query","limit"],"msg":"Field required","input":null}]}`)
	f.Add(500, `Internal Server Error`)
	f.Add(404, `{"detail":{"nested":true}}`)
	f.Add(422, `{"detail":[{"loc":[1.5,{"x":1}],"msg":3}]}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		e := newError("users.get", status, []byte(body))
		if e.StatusCode != status || !strings.HasPrefix(e.Error(), "fiefadmin: users.get: HTTP ") {
			t.Errorf("%+v: %s", e, e)
		}
		if (status >= 500) != errors.Is(e, fief.ErrUnavailable) {
			t.Errorf("status %d and ErrUnavailable disagree", status)
		}
		if e.Code != "" && (status != 400 || !errors.Is(e, e.Code)) {
			t.Errorf("code %q on a %d answer", e.Code, status)
		}
	})
}

// FuzzFields: fields that decode read back as a map, and encode to JSON
// that decodes to the same fields.
func FuzzFields(f *testing.F) {
	f.Add(`{"first_name":"Anne","age":20}`)
	f.Add(`null`)
	f.Add(`[1]`)
	f.Add(`{"big":12345678901234567890,"nested":{"a":[true,null]}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var u User
		if json.Unmarshal([]byte(`{"fields":`+raw+`}`), &u) != nil {
			return
		}
		m, err := u.Fields.Map()
		if err != nil {
			t.Fatalf("%s decoded but Map fails: %v", raw, err)
		}
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		var back User
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s does not decode: %v", b, err)
		}
		m2, err := back.Fields.Map()
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Errorf("fields %v became %v (%v)", m, m2, err)
		}
	})
}
