package fiefhttp

import (
	"errors"
	"net/http"
	"strings"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/sentinel"
)

// Errors given to the unauthorized handler, besides the fief errors of
// [fief.Client.ValidateAccessToken] (all of which match [fief.ErrInvalidToken]).
var (
	// ErrNoToken: the request carries no access token. The default
	// unauthorized answer then has no error code (RFC 6750, section 3.1).
	ErrNoToken = errors.New("fiefhttp: no access token")

	// ErrMalformedToken: the request carries a token that cannot be read,
	// such as "Authorization: Bearer" with nothing after it. It is also a
	// [fief.ErrInvalidToken].
	ErrMalformedToken = sentinel.In(fief.ErrInvalidToken, "fiefhttp: malformed access token")

	// ErrTokenRejected: Fief's userinfo endpoint refused the token (HTTP
	// 401), for example because the user was deactivated. It is also a
	// [fief.ErrInvalidToken], and the error given to the handler also wraps
	// the [*fief.ResponseError].
	ErrTokenRejected = sentinel.In(fief.ErrInvalidToken, "fiefhttp: token rejected by Fief")
)

// ErrorHandler answers a request that did not pass authentication; err says
// why. Classify it with [errors.Is]: the unauthorized handler receives
// [ErrNoToken] or an error matching [fief.ErrInvalidToken] (with
// [fief.ErrTokenExpired], [ErrMalformedToken] or [ErrTokenRejected] for
// details), the forbidden handler an error matching [fief.ErrForbidden] (and
// one of [fief.ErrMissingScope], [fief.ErrACRTooLow],
// [fief.ErrMissingPermission]), and the unavailable handler any other error,
// normally a [fief.ErrUnavailable]. err may carry internal details: do not
// write its text to the response.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// Unauthorized is the default unauthorized handler: 401 with
// "WWW-Authenticate: Bearer", plus error="invalid_token" when a token was
// presented (RFC 6750), and a plain-text body "Unauthorized".
func Unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	c := Challenge(err)
	if Classify(err) != OutcomeUnauthorized { // called with another error
		c = `Bearer`
	}
	w.Header().Set("WWW-Authenticate", c)
	plainError(w, http.StatusUnauthorized)
}

// Forbidden is the default forbidden handler: 403 with
// `WWW-Authenticate: Bearer error="insufficient_scope"` and a plain-text
// body "Forbidden". When a missing scope is the reason (a
// [*fief.ScopeError]), the header also carries the scopes the route
// requires, as RFC 6750 says: `Bearer error="insufficient_scope",
// scope="openid castles"`.
func Forbidden(w http.ResponseWriter, r *http.Request, err error) {
	c := Challenge(err)
	if Classify(err) != OutcomeForbidden { // called with another error
		c = `Bearer error="insufficient_scope"`
	}
	w.Header().Set("WWW-Authenticate", c)
	plainError(w, http.StatusForbidden)
}

// Challenge returns the WWW-Authenticate header (RFC 6750) of the answer to
// err, an error of [Auth.Check]: "Bearer" for [ErrNoToken],
// `Bearer error="invalid_token"` for another unauthorized error,
// `Bearer error="insufficient_scope"` for a forbidden one (plus the scopes
// the route requires, `scope="openid castles"`, when a missing scope is the
// reason: a [*fief.ScopeError]), and "" for the
// others, which carry no challenge. Adapters that answer in their own
// framework's way use it to send the headers [Unauthorized] and
// [Forbidden] send.
func Challenge(err error) string {
	switch Classify(err) {
	case OutcomeUnauthorized:
		if errors.Is(err, ErrNoToken) {
			return `Bearer`
		}
		return `Bearer error="invalid_token"`
	case OutcomeForbidden:
		c := `Bearer error="insufficient_scope"`
		var se *fief.ScopeError
		if errors.As(err, &se) {
			if s := scopeAttribute(se.Required); s != "" {
				c += `, scope="` + s + `"`
			}
		}
		return c
	}
	return ""
}

// scopeAttribute joins the scopes that are valid RFC 6749 scope tokens
// (printable ASCII but space, '"' and '\'), the others left out so that
// the header stays well formed.
func scopeAttribute(scopes []string) string {
	var b strings.Builder
	for _, s := range scopes {
		if s == "" || strings.ContainsFunc(s, func(c rune) bool { return c < 0x21 || c > 0x7e || c == '"' || c == '\\' }) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

// Unavailable is the default unavailable handler: 503 with a plain-text
// body "Service Unavailable".
func Unavailable(w http.ResponseWriter, r *http.Request, err error) {
	plainError(w, http.StatusServiceUnavailable)
}

func plainError(w http.ResponseWriter, status int) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(status), status)
}
