package fiefcli

import (
	"errors"
	"fmt"

	"github.com/fief-dev/fief-go/internal/sentinel"
)

// Sentinel errors, to be tested with [errors.Is]. Errors returned by an
// [Auth] wrap them with detail, and with the cause where there is one.
// Errors of Fief itself pass through: [*fief.ResponseError],
// [fief.ErrUnavailable], [fief.ErrInvalidIDToken], ...
var (
	// ErrNotSignedIn: there are no usable stored credentials: the file is
	// missing, belongs to another Fief client, or Fief refused its refresh
	// token (the stale file is then removed; the error then also matches
	// [fief.ErrRefreshTokenRejected]). Run [Auth.Authorize].
	ErrNotSignedIn = errors.New("fiefcli: not signed in")

	// ErrMissingRefreshToken: the stored access token is no longer valid and
	// there is no refresh token to renew it. Also an [ErrNotSignedIn].
	ErrMissingRefreshToken = sentinel.In(ErrNotSignedIn, "fiefcli: no refresh token to renew the expired access token")

	// ErrCorruptCredentials: the credentials file exists but cannot be read
	// as credentials. [Auth.Logout] removes it.
	ErrCorruptCredentials = errors.New("fiefcli: corrupt credentials file")

	// ErrMissingCode: Fief redirected to the callback without an
	// authorization code (and without an error).
	ErrMissingCode = errors.New("fiefcli: the sign-in callback has no authorization code")

	// ErrTimeout: the sign-in did not complete in the browser within
	// [Config.Timeout].
	ErrTimeout = errors.New("fiefcli: timed out waiting for the sign-in in the browser")
)

// AuthorizationError is an error that Fief sent back to the callback
// instead of a code, such as "access_denied" when the user refused consent.
// Use [errors.As] to get it.
type AuthorizationError struct {
	// Code is the OAuth error code ("access_denied", "invalid_scope", ...).
	Code string
	// Description is Fief's human-readable text, localised: show it, do not
	// match on it.
	Description string
}

func (e *AuthorizationError) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("fiefcli: sign-in refused: %q", e.Code)
	}
	return fmt.Sprintf("fiefcli: sign-in refused: %q: %q", e.Code, e.Description)
}

// errStateMismatch: the callback's state parameter is not the one this
// sign-in sent; the request did not come from this sign-in. Such a request
// gets a 400 page ([PageExpired]) and [Auth.Authorize] keeps waiting for the
// genuine callback: Authorize never returns this error.
var errStateMismatch = errors.New("fiefcli: the sign-in callback's state does not match")
