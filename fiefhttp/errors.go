package fiefhttp

import (
	"errors"
	"net/http"

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
// body "Forbidden".
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
// `Bearer error="insufficient_scope"` for a forbidden one, and "" for the
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
		return `Bearer error="insufficient_scope"`
	}
	return ""
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
