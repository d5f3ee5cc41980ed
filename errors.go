package fief

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fief-dev/fief-go/internal/sentinel"
)

// Sentinel errors, to be tested with [errors.Is]. Errors returned by a
// [Client] wrap them with detail, and with the cause where there is one.
var (
	// ErrInvalidToken: the access token is malformed, badly signed, or its
	// claims are not acceptable. Answer 401.
	ErrInvalidToken = errors.New("fief: invalid access token")

	// ErrTokenExpired: the access token's exp is past (with leeway). It is
	// also an [ErrInvalidToken].
	ErrTokenExpired = sentinel.In(ErrInvalidToken, "fief: access token expired")

	// ErrTokenRevoked: the access token's user was revoked (a deleted user, a
	// reset password, a removed permission or role, a deactivation) after the
	// token was issued; see [Revocations]. It is also an [ErrInvalidToken]:
	// the client gets a new token, which reflects the change.
	ErrTokenRevoked = sentinel.In(ErrInvalidToken, "fief: access token revoked")

	// ErrForbidden: the access token is valid but lacks a requirement of
	// the route. Answer 403. The cause is one of the three below.
	ErrForbidden = errors.New("fief: access token lacks a requirement")

	// ErrMissingScope: a required scope is not granted. Also an [ErrForbidden].
	ErrMissingScope = sentinel.In(ErrForbidden, "fief: missing required scope")

	// ErrACRTooLow: the token's ACR is below the required level. Also an
	// [ErrForbidden].
	ErrACRTooLow = sentinel.In(ErrForbidden, "fief: ACR too low")

	// ErrMissingPermission: a required permission is not granted. Also an
	// [ErrForbidden].
	ErrMissingPermission = sentinel.In(ErrForbidden, "fief: missing required permission")

	// ErrInvalidIDToken: the ID token returned by the token endpoint failed
	// decryption or verification.
	ErrInvalidIDToken = errors.New("fief: invalid ID token")

	// ErrEncryptionMismatch: the ID token is encrypted and the client has no
	// [Config.EncryptionKey], or the reverse. Fief encrypts the ID tokens of
	// a client that has an encryption key; the error text says which side
	// to change. Also an [ErrInvalidIDToken]. It is a configuration error:
	// every sign-in fails until it is fixed.
	ErrEncryptionMismatch = sentinel.In(ErrInvalidIDToken, "fief: ID token encryption mismatch")

	// ErrUnavailable: Fief could not be reached, answered with a server
	// error or with something unusable, or has no key to check the token
	// with. Answer 503: the request may succeed later.
	ErrUnavailable = errors.New("fief: unavailable")
)

// ResponseError is an error answer of Fief to a back-channel request. Use
// [errors.As] to get it. A 5xx ResponseError is also an [ErrUnavailable].
type ResponseError struct {
	// Op names the call, e.g. "token", "userinfo", "discovery".
	Op string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the OAuth error code of a token endpoint answer
	// ("invalid_grant", "invalid_client", ...).
	Code string
	// Detail is the "detail" of a JSON error answer of the user API
	// ("ACR_TOO_LOW", "USER_UPDATE_INVALID_PASSWORD", "Unauthorized", ...),
	// when it is a string.
	Detail string
	// Reason holds the "reason" strings of a password policy failure.
	Reason []string
	// Body is the start of the raw answer body.
	Body string
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fief: %s: HTTP %d", e.Op, e.StatusCode)
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, ": %s", e.Code)
	case e.Detail != "":
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if h := e.hint(); h != "" {
		b.WriteString(": ")
		b.WriteString(h)
	}
	return b.String()
}

// Hints of the answers that mean a misconfiguration, in the text of
// [ResponseError] and in the findings of [Client.Check].
const (
	hintInvalidClient = "Fief refused the client credentials: check FIEF_CLIENT_ID and FIEF_CLIENT_SECRET " +
		"(Config.ClientID, Config.ClientSecret) and whether the Fief client is public (no secret) or confidential"
	hintTenantPath = "check the tenant slug in BaseURL: the default tenant is at https://fief.example.com, " +
		"another tenant at https://fief.example.com/<tenant-slug>"
)

// hint names the fix of an answer caused by the configuration, or "".
func (e *ResponseError) hint() string {
	switch {
	case e.Code == "invalid_client":
		return hintInvalidClient
	case e.Op == "discovery" && e.StatusCode >= 400 && e.StatusCode < 500:
		return "no Fief tenant answers at this base URL: " + hintTenantPath
	}
	return ""
}

// Unwrap makes a 5xx answer an [ErrUnavailable].
func (e *ResponseError) Unwrap() error {
	if e.StatusCode >= 500 {
		return ErrUnavailable
	}
	return nil
}

// ScopeError is the error of a valid access token that lacks a scope the
// route requires: it is an [ErrMissingScope] (and so an [ErrForbidden]).
// Get it with [errors.As], for example to answer RFC 6750's scope
// attribute.
type ScopeError struct {
	// Required are the scopes the route requires.
	Required []string
	// Missing is the first of them the token lacks.
	Missing string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s: %q", ErrMissingScope.Error(), e.Missing)
}

// Unwrap makes the error an [ErrMissingScope].
func (e *ScopeError) Unwrap() error { return ErrMissingScope }

// invalid wraps ErrInvalidToken with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}

// invalidID wraps ErrInvalidIDToken with a reason.
func invalidID(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidIDToken}, args...)...)
}

// unavailable wraps ErrUnavailable with an operation and a cause.
func unavailable(op string, cause error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, cause)
}
