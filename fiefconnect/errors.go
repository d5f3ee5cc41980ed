package fiefconnect

import (
	"errors"

	"connectrpc.com/connect"
	"github.com/fief-dev/fief-go/fiefhttp"
)

// The messages of the errors of [Error]: fixed, so that no internal detail
// reaches the client.
const (
	msgNoToken      = "missing access token"
	msgInvalidToken = "invalid access token"
	msgForbidden    = "the access token lacks a required scope, ACR or permission"
	msgUnavailable  = "authentication is unavailable, retry later"
)

// Error is the default [Config.ErrorHandler]: a *connect.Error of
// [connect.CodeUnauthenticated], [connect.CodePermissionDenied] or
// [connect.CodeUnavailable], as [fiefhttp.Classify] says, with a fixed
// message ("missing access token", "invalid access token", "the access
// token lacks a required scope, ACR or permission", "authentication is
// unavailable, retry later": the error's details stay on the server) and,
// for the first two,
// the WWW-Authenticate header of [fiefhttp.Challenge] in its metadata,
// which the interceptor sends as a response header in every protocol.
func Error(err error) *connect.Error {
	var e *connect.Error
	switch fiefhttp.Classify(err) {
	case fiefhttp.OutcomeUnauthorized:
		msg := msgInvalidToken
		if errors.Is(err, fiefhttp.ErrNoToken) {
			msg = msgNoToken
		}
		e = connect.NewError(connect.CodeUnauthenticated, errors.New(msg))
	case fiefhttp.OutcomeForbidden:
		e = connect.NewError(connect.CodePermissionDenied, errors.New(msgForbidden))
	default:
		return connect.NewError(connect.CodeUnavailable, errors.New(msgUnavailable))
	}
	e.Meta().Set("WWW-Authenticate", fiefhttp.Challenge(err))
	return e
}
