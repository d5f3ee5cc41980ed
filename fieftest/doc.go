// Package fieftest provides an in-process Fief identity server for tests
// and local development, in the shape of [net/http/httptest].
//
// A [Server] speaks the wire protocol of Fief (https://www.fief.dev) 0.30:
// OpenID discovery and JWKS, the authorization-code flow with its HTML
// pages (/authorize, /login, /register, /verify-request, /verify,
// /consent), the token endpoint (/api/token: authorization_code with PKCE,
// refresh_token with rotation), the user API (/api/userinfo,
// /api/profile, /api/password, /api/email/change, /api/email/verify) and
// /logout. It reproduces Fief's quirks where a client can observe them:
// the issuer is always https, bearer 401s carry {"detail":"Unauthorized"}
// and no WWW-Authenticate, token errors are 400 {"error":...} only, and so
// on.
//
// It is an independent implementation of the protocol: it shares no code
// with the fief client package, so that a bug in one does not hide a bug
// in the other.
//
// # Setting up
//
//	srv := fieftest.NewServer()
//	defer srv.Close()
//	client := srv.AddClient(fieftest.ClientConfig{
//		RedirectURIs: []string{"http://localhost:8080/callback"},
//	})
//	user := srv.AddUser(fieftest.UserConfig{Email: "anne@example.com", Password: "herminetincture"})
//
// [NewServer] starts a server with a default tenant at [Server.URL];
// [Server.AddTenant] adds tenants served under "/"+slug. Clients
// ([Tenant.AddClient]) and users ([Tenant.AddUser]) belong to one tenant;
// the Server methods of the same names act on the default tenant. Use
// [NewUnstartedServer] to change [Server.Domain], [Server.KeySize],
// [Server.SecureCookies] or [Server.Addr] before [Server.Start].
//
// # Getting tokens
//
// [Tenant.MintAccessToken] signs an access token directly. To go through
// the browser flow, either drive the HTML forms (the login form has inputs
// "email" and "password" and a button "submit"; [Server.BrowserClient] is
// an HTTP client with a cookie jar for this), or call [Server.SetAutoLogin]
// so that /authorize redirects straight back with a code.
// [Server.EmailVerificationCode] returns the codes the server would have
// emailed.
//
// # Faults and time
//
// [Server.FailNext] makes an [Endpoint] answer an error, a malformed body
// or a slow answer; [Server.RequestCount] counts requests. [Server.SetClock]
// and [Server.Advance] control the time the server uses for tokens, codes
// and sessions.
//
// # Deviations from Fief
//
//   - Cookies have no Secure attribute unless [Server.SecureCookies] is set,
//     so that Go cookie jars send them back over plain http.
//   - A tenant can have several keys in its JWKS ([Tenant.RotateKey] with
//     keepOld); the user API accepts tokens signed by any of them.
//   - User fields have no schema: /api/profile accepts any JSON value for
//     any field and merges it (null leaves a field unchanged; no boolean
//     reset). The registration form has no user fields.
//   - The password policy approximates zxcvbn with simple rules (see
//     /api/password); passwords are stored with a fast salted SHA-256.
//   - Texts are English only (lang sets the fief_locale cookie, nothing
//     more); responses are not gzip-compressed; there is no admin API, no
//     password-reset flow, no social login and no self-service dashboard
//     beyond a page naming the logged-in user.
//   - The token endpoint only knows the clients of the tenant in its path.
//   - Redirect URIs are compared as given to [Tenant.AddClient], without
//     Fief's normalisation at registration.
package fieftest
