// Package fieftest provides an in-process Fief identity server for tests
// and local development, in the shape of [net/http/httptest].
//
// A [Server] speaks the wire protocol of Fief (https://www.fief.dev) 0.30.0,
// or of Fief 0.26.3 when [Server.Version] says so (see "Versions" below):
// OpenID discovery and JWKS, the authorization-code flow with its HTML
// pages (/authorize, /login, /register, /verify-request, /verify,
// /consent, and the password reset's /forgot and /reset), the token
// endpoint (/api/token: authorization_code with PKCE, refresh_token with
// rotation), the user API (/api/userinfo, /api/profile, /api/password,
// /api/email/change, /api/email/verify) and /logout, and the admin API
// under /admin/api/ (see below). It reproduces
// Fief's quirks where a client can observe them:
// the issuer is always https, bearer 401s carry {"detail":"Unauthorized"}
// and no WWW-Authenticate, token errors are 400 {"error":...} only, and so
// on.
//
// It is an independent implementation of the protocol: it shares no code
// with the fief client package, so that a bug in one does not hide a bug
// in the other.
//
// # Versions
//
// By default the server answers as Fief 0.30.0; with [Server.Version] set
// to [FiefVersion026] it answers as Fief 0.26.3 where the two differ in
// what a client observes: the admin API's dates ("Z" at 0.30.0, "+00:00"
// at 0.26.3) and 422 bodies (pydantic 2's type, loc, msg, input, ctx and,
// for POST /users/ and PATCH /users/{id}, a url naming pydantic 2.9, where
// 0.26.3 answers pydantic 1's loc, msg, type, ctx); the default tenant
// ("Default", slug "default", or "Fief"/"fief") and the client named after
// it; webhook bodies (compact JSON with raw UTF-8 and "Z" dates, or
// Python's json.dumps style with \u escapes) and their User-Agent
// (fief-server-webhooks/VERSION); a role granted by default, announced
// with user_role.created in the request that creates the user at 0.30.0,
// silently at 0.26.3; a password reset (POST /reset) answered with a 302
// to "/" at 0.30.0, with its form again at 0.26.3. Both answer the
// admin API's status codes, error codes and members in the same order,
// as the recordings of real servers of both versions show.
//
// # Setting up
//
//	srv := fieftest.NewServer()
//	defer srv.Close()
//	client, err := srv.AddClient(fieftest.ClientConfig{
//		RedirectURIs: []string{"http://localhost:8080/callback"},
//	})
//	if err != nil {
//		t.Fatal(err)
//	}
//	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@example.com", Password: "herminetincture"})
//	if err != nil {
//		t.Fatal(err)
//	}
//
// The setup methods (AddTenant, AddClient, AddUser, AddPermission,
// AddRole, AddWebhook, SetAdminAPIKey, [User.GrantRole]) return an error
// on data they refuse (a duplicate, an unknown role, ...); they never
// panic on data. A client has two identifiers, as in the admin API and
// fiefadmin: [Client.ID], its UUID, and [Client.ClientID], the OAuth
// client_id.
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
// # The admin API
//
// Every route of Fief's administration API is served at /admin/api/, at
// the root of the server whatever the tenant, behind the bearer key of
// [Server.AdminAPIKey] ([Server.SetAdminAPIKey] sets it): users (list,
// get, create, update, delete, mint an access token), a user's
// permissions, roles and OAuth accounts, roles, permissions, clients
// (with encryption keys), tenants, webhooks (secret regeneration, delivery
// logs), email templates, OAuth providers and user fields. It answers as
// Fief did, checked against requests recorded on real 0.30.0 and 0.26.3
// servers: 201 with the body null when a permission or role is granted,
// 204 for a deletion, 400 {"detail": CODE}, 401 {"detail":"Unauthorized"},
// 404 {"detail":"Not Found"} (also for an id that is not a lower-case
// UUID), 422 in the version's pydantic shape, 307 to the collection path
// with its slash;
// lists take limit (default 10, capped at 100), skip and ordering (fields,
// "-" for descending, dotted for relations; the database order when
// absent), and their count is 0 when the page is empty.
//
// GET /admin/api/openapi.json answers, without the admin key as in Fief,
// the OpenAPI document a real Fief of the server's version publishes,
// whose paths are exactly the routes above; its server's host is
// [Server.Domain] (the listener's address by default).
//
// It shares the store of the auth app: a user created through it signs
// in, a permission granted through it (directly or with a role) is in the
// next token, and the Go methods ([Tenant.AddUser], [User.SetPermissions],
// [Server.AddPermission], [Server.AddRole], [User.GrantRole], ...) show
// in its answers. The default tenant is named "Default" with the slug
// "default" ("Fief", "fief" at 0.26.3), as in a new Fief installation,
// though it is served at the root.
//
// Every change of a user, a grant or another object goes through one
// internal notification point, with Fief's event names (user.created,
// user_permission.deleted, ...), whatever made it: the admin API, the
// auth app or the Go methods.
//
// The command github.com/fief-dev/fief-go/cmd/fieftest runs a Server as a
// program, configured by flags or a JSON file, for applications in any
// language; [Server.Logger] is its request log.
//
// # Webhooks
//
// [Server.AddWebhook] (or POST /admin/api/webhooks/) registers a webhook:
// each event of a type it lists is delivered as Fief delivers it (see
// [Webhook]): signed, in Fief's body format, retried on Fief's back-off,
// which follows the server's clock. [Server.WaitWebhooks] waits for the
// attempts due, [Server.WebhookAttempts] lists them. The password reset
// pages send user.forgot_password_requested and user.password_reset;
// [User.ResetPassword] sends the latter without the pages.
//
// # Mail
//
// The server records every email Fief would send: the welcome email of a
// user who registered or was created through the admin API, the
// verification code of /verify-request and of an email change
// (PATCH /api/email/change, to the new address), and the reset link of
// /forgot. [Server.Mail] returns them newest first; GET
// /admin/api/_fieftest/mail, with the admin API key, lists them as JSON
// for applications in any language ({"count", "results"}, each with
// type, to, subject, text, code or reset_url; ?to=ADDRESS filters; DELETE
// forgets them). Fief's admin API has no such route: it is a fieftest
// extension, named so that it cannot hide one of Fief's. Each email is
// also logged to [Server.Logger] and written to [Server.MailDir] when set.
// [Server.EmailVerificationCode] returns a user's last code.
//
// # State
//
// [Server.SaveState] writes what Fief keeps in its database (signing keys,
// tenants, clients, users and their grants, permissions, roles, webhooks
// and their secrets, OAuth providers, user fields, email templates, the
// admin key) and the flows in progress (sign-in sessions, consents,
// authorization codes, refresh tokens); [Server.LoadState], on a server
// not started yet, restores it: the restored server serves the same key
// sets, accepts the tokens the other issued, refreshes its refresh tokens
// and keeps its ids. A document that is damaged or not a fieftest state is
// an error. [Server.SaveStateFile] (atomic, mode 0600) and
// [Server.LoadStateFile] do the same with a file; cmd/fieftest's -state
// uses them.
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
//     more); responses are not gzip-compressed; there is no social login
//     (OAuth providers are stored, users have no OAuth account) and no
//     self-service dashboard beyond a page naming the logged-in user.
//   - No email is sent: emails are recorded (see "Mail"). Their
//     subject is the email template's, with tenant.name, user.email, code
//     and reset_url replaced; their body is fieftest's plain text. Email
//     templates are stored, and checked only for unclosed {{ and {% tags.
//   - A password-reset link expires after [ResetTokenLifetime]; Fief's
//     has no expiry. Both work once.
//   - The auth app answers validation errors in pydantic 2's shape at
//     both versions. The admin API's 422 messages other than those of a
//     missing member, an email, an enum and a bound approximate pydantic's;
//     messages of malformed JSON bodies approximate Python's. Values of
//     user fields are not checked against their type: the admin API keeps
//     the values of the fields that exist and drops the others (as Fief
//     does), the Go methods and /api/profile keep any.
//   - The admin API has no workspaces (so no 403), no themes (any theme_id
//     is TENANT_*_NOT_EXISTING_THEME), and refuses to delete the default
//     tenant (400 TENANT_DELETE_DEFAULT_TENANT), which serves the root
//     routes. A delivery that cannot connect is logged with httpx's
//     message, "All connection attempts failed", whatever the cause.
//   - The admin API does not serve the docs pages (/admin/api/docs,
//     /admin/api/redoc).
//   - Permissions of a role are granted to its holders at once, where Fief
//     uses a background task; role-derived grants are not announced, as in
//     Fief.
//   - The token endpoint only knows the clients of the tenant in its path.
//   - Redirect URIs are compared as given to [Tenant.AddClient], without
//     Fief's normalisation at registration.
package fieftest
