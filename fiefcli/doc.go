// Package fiefcli signs the user of a command-line program in with Fief,
// through the browser, and keeps the credentials so that later runs stay
// signed in.
//
// An [Auth] is made once by [New] from a [fief.Client] and a [Config]. Its
// flows:
//
//   - [Auth.Authorize] starts a callback server on 127.0.0.1 (port
//     [DefaultPort] unless [Config.Port] says otherwise), opens the browser
//     on Fief's sign-in page, waits (with a spinner when the output is a
//     terminal, for at most [Config.Timeout]), exchanges the authorization
//     code and stores the tokens and user info. It uses PKCE S256 and checks
//     the state parameter; it always asks for the "openid" and
//     "offline_access" scopes, the second one for a refresh token. The
//     browser ends on a short page saying how it went and what to do next
//     ([DefaultPage]); [Config].Page replaces it with the program's own.
//   - [Auth.AccessTokenInfo] returns the stored access token, validated, and
//     renews it with the refresh token when it has expired. Fief accepts a
//     refresh token only once: concurrent calls of one Auth refresh once, and
//     the rotated tokens are saved before the call returns.
//   - [Auth.CurrentUser] returns the stored user claims, or fresh ones from
//     Fief.
//   - [Auth.Logout] deletes the stored credentials.
//
// # Setting up the Fief client
//
// Create a public client in Fief (no secret to ship with the program) and
// register the redirect URI http://127.0.0.1:51562/callback (or the one
// [Auth.RedirectURI] returns for your [Config]). Since Fief compares redirect
// URIs byte for byte, the port is fixed; Authorize fails with a clear error
// when another program holds it. The redirect URI names the loopback address
// itself, as RFC 8252 recommends, so that the browser goes where the callback
// server listens; with [Config.RedirectHost] "localhost" the server listens
// on both 127.0.0.1 and [::1]. The server answers only requests addressed to
// the redirect URI's host and port and carrying the sign-in's state; a
// program that would catch the redirect elsewhere gets a code it cannot use
// without the PKCE verifier.
//
// A "doctor" command runs [fief.Client.Check] with [Auth.CheckOptions]: it
// tells whether Fief knows the client and the redirect URI. Requests the
// callback server refuses are logged as warnings to [Config.Logger], by
// default the client's logger.
//
// # Stored credentials
//
// The credentials file is JSON: the token response ("tokens"), the user's
// claims ("userinfo"), the Fief base URL and client ID they belong to, and a
// format version. It lives in <user config dir>/<app name>/credentials.json
// ([Config.AppName]) unless [Config.CredentialsPath] says otherwise, with mode 0600 in a
// directory created with mode 0700. It is written atomically (a temporary
// file in the same directory, renamed over the old one), so a crash never
// leaves half a file. A missing file, or one written for another Fief client,
// means [ErrNotSignedIn]; an unreadable one gives [ErrCorruptCredentials].
//
// # Errors
//
// Sentinels for [errors.Is]: [ErrNotSignedIn] (and [ErrMissingRefreshToken],
// one of its kinds), [ErrCorruptCredentials], [ErrMissingCode],
// [ErrTimeout]. (A callback request with another state is refused with a
// [PageExpired] page and leaves the sign-in waiting.) An error Fief sent to the callback is an
// [*AuthorizationError]; errors of Fief's back channel pass through as the
// fief package reports them ([*fief.ResponseError], [fief.ErrUnavailable],
// ...). When Fief refuses the refresh token, the stale credentials are
// removed and the error is an ErrNotSignedIn wrapping Fief's
// *fief.ResponseError: ask the user to sign in again.
//
// # Responsibilities
//
// The program decides when to call Authorize (typically from a "login"
// command, or when AccessTokenInfo says ErrNotSignedIn) and sends the
// access token to its API. Logout forgets the local credentials only: the
// user's Fief session in the browser lives on until they sign out of Fief
// ([fief.Client.LogoutURL]). Times come from the fief.Client's clock
// ([fief.Config.Clock]).
package fiefcli
