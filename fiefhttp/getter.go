package fiefhttp

import (
	"fmt"
	"net/http"
	"strings"
)

// TokenGetter extracts the access token from a request. It returns ("", nil)
// when the request carries no token, and an error when it carries one that
// cannot be read: wrap [ErrMalformedToken] then, which gets the unauthorized
// answer. Any other error (say, a session store that is down) gets the
// unavailable answer. Any function of this shape works as a custom getter;
// it must not modify the request.
type TokenGetter func(r *http.Request) (string, error)

// AuthorizationHeader returns a [TokenGetter] reading the Authorization
// header "<scheme> <token>", the scheme compared case-insensitively; ""
// means "Bearer". A request without the header, or with another scheme, has
// no token. The header is malformed ([ErrMalformedToken]) when it names the
// scheme but is not exactly two parts separated by one space, when the token
// has characters outside RFC 6750's b64token, or when the header is repeated.
func AuthorizationHeader(scheme string) TokenGetter {
	return func(r *http.Request) (string, error) {
		return parseAuthorization(r.Header["Authorization"], scheme)
	}
}

// parseAuthorization reads the token of the Authorization header values
// (all of them, as received) by the rules of [AuthorizationHeader]: ""
// and a nil error when there is no header of the scheme, [ErrMalformedToken]
// when it is malformed or repeated. scheme "" means "Bearer".
func parseAuthorization(values []string, scheme string) (string, error) {
	if scheme == "" {
		scheme = "Bearer"
	}
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", fmt.Errorf("%w: several Authorization headers", ErrMalformedToken)
	}
	h := values[0]
	name, token, found := strings.Cut(h, " ")
	if !strings.EqualFold(name, scheme) {
		if strings.EqualFold(strings.TrimSpace(h), scheme) {
			return "", fmt.Errorf("%w: %s scheme without a token", ErrMalformedToken, scheme)
		}
		return "", nil // no header of our scheme
	}
	if !found || !isB64Token(token) {
		return "", fmt.Errorf("%w: Authorization header is not %q", ErrMalformedToken, scheme+" <token>")
	}
	return token, nil
}

// b64tokenChar marks the characters of RFC 6750's b64token before the
// trailing "=" padding: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/".
var b64tokenChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~+/" {
		t[c] = true
	}
	return t
}()

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for i < len(s) && b64tokenChar[s[i]] {
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// Cookie returns a [TokenGetter] reading the cookie with this name. A
// missing or empty cookie means no token.
func Cookie(name string) TokenGetter {
	return func(r *http.Request) (string, error) {
		v, _ := cookieValue(r, name) // as Request.Cookie reads it
		return v, nil
	}
}

// FirstOf returns a [TokenGetter] trying getters in order: the first token
// found is the request's token, and the first error stops the search (a
// malformed header is not skipped in favour of a cookie).
func FirstOf(getters ...TokenGetter) TokenGetter {
	getters = append([]TokenGetter(nil), getters...)
	return func(r *http.Request) (string, error) {
		for _, g := range getters {
			tok, err := g(r)
			if err != nil || tok != "" {
				return tok, err
			}
		}
		return "", nil
	}
}
