// Package fief is a client for Fief (https://docs.fief.dev), the open-source
// OAuth2 / OpenID Connect identity server.
//
// A [Client] is made once from a [Config] by [New], which validates the
// configuration and does no network I/O. It is safe for concurrent use and
// keeps its own caches: the discovery document (fetched on first use), the
// tenant's JSON Web Key Set (refreshed when a token carries an unknown key ID,
// at most once per [Config.JWKSRefreshCooldown]) and the verified-token cache.
//
// The main flows:
//
//   - Protecting an API: [Client.ValidateAccessToken] checks an access token
//     (RS256 signature against the tenant's keys, expiry, issuer, claim shapes)
//     and the route's [Requirements] (scopes, minimum [ACR], permissions), and
//     returns an [AccessTokenInfo]. The fiefhttp package wraps it in net/http
//     middleware.
//   - Signing users in: [Client.AuthURL] builds the authorization URL
//     (use [GenerateCodeVerifier] and [CodeChallenge] for PKCE),
//     [Client.ExchangeCode] exchanges the code for a [TokenResponse] and the
//     verified ID token's claims ([UserInfo]), and [Client.Refresh] renews
//     tokens.
//   - The user API: [Client.UserInfo], [Client.UpdateProfile],
//     [Client.ChangePassword], [Client.EmailChange], [Client.EmailVerify], and
//     [Client.LogoutURL]. [UserInfo.Decode] and [AccessTokenInfo.Claims]
//     put claims into the application's own types.
//   - Checking the setup: [Client.Check] (and [CheckConfig] for a [Config]
//     [New] may refuse) asks Fief, without changing anything there, whether
//     the configuration works, and returns a [Report] of findings, each with
//     a [Verdict] and what to change. Call it at startup or behind a health
//     endpoint.
//
// Errors are classified with sentinels for [errors.Is] ([ErrInvalidToken],
// [ErrTokenExpired], [ErrForbidden] and its three causes, [ErrInvalidIDToken]
// and [ErrEncryptionMismatch], [ErrUnavailable]) and a [*ResponseError] for
// [errors.As] carrying Fief's own error answer. A caller can always tell
// "this token is bad" (answer 401) from "Fief could not be reached" (answer
// 503). Errors caused by the configuration say what to change.
//
// Warnings go to [Config.Logger], by default to [log/slog.Default]; the
// fiefhttp and fiefcli packages use the same logger ([Client.Logger]) unless
// given their own. No log line or error text holds a token, a code or a
// secret.
//
// The fieftest package is an in-process Fief server for tests and local
// development.
package fief
