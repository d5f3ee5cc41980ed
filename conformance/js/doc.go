// Package js runs Fief's official JavaScript client, @fief/fief at a pinned
// version, unchanged, against cmd/fieftest: the authorization URL, sign-in
// through the login form, the code exchange with its ID token checks, access
// token validation (scopes, ACR, permissions, expired and tampered tokens),
// the user API, refresh of a public client, the logout URL and the client's
// Express middleware; then fieftest is restarted on the same -state
// directory and the same client objects go on working.
//
// The test needs node and npm (./.ci/test installs them with apt-get when
// missing) and the npm registry, from which it installs the versions pinned
// in testdata/package-lock.json.
package js
