// Package js runs Fief's official JavaScript client, @fief/fief at a pinned
// version, unchanged, against cmd/fieftest: the authorization URL, sign-in
// through the login form, the code exchange with its ID token checks, access
// token validation (scopes, ACR, permissions, expired and tampered tokens),
// the user API (profile, password, and an email change verified with the
// code read from fieftest's mail route), refresh of a public client
// (rotation, reuse refused, narrowed scope), the logout URL and the client's
// Express middleware; then fieftest is restarted on the same -state
// directory and the same client objects go on working.
//
// The client's own bug is kept visible, not worked around: its
// authRefreshToken never sends client_secret, so a confidential client gets
// invalid_client from real Fief too; the test expects exactly that.
//
// The test needs node and npm (./.ci/test installs them with apt-get when
// missing) and the npm registry, from which it installs the versions pinned
// in testdata/package-lock.json.
package js
