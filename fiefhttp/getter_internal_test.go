package fiefhttp

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAuthorizationHeader checks that the getter never panics, returns
// either a token or an error, and that a returned token is a b64token.
func FuzzAuthorizationHeader(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer", "Bearer  x", "Basic x", "Bearer a b", "Bearer x==", "Bearer =x"} {
		f.Add(s)
	}
	get := AuthorizationHeader("")
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Authorization"] = []string{h}
		tok, err := get(r)
		if err != nil {
			if tok != "" || !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("%q: token %q with error %v", h, tok, err)
			}
			return
		}
		if tok != "" && (!isB64Token(tok) || !strings.EqualFold(h[:7], "bearer ") || h[7:] != tok) {
			t.Fatalf("%q: bad token %q", h, tok)
		}
	})
}
